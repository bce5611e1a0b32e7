// Replacement global allocation functions that can count live bytes.
#include "alloc_count.hpp"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace bench::alloc {

namespace {

std::atomic<bool> counting{false};
std::atomic<std::int64_t> bytes{0};
std::atomic<std::int64_t> blocks{0};

void* take(std::size_t n) noexcept {
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p && counting.load(std::memory_order_relaxed)) {
        bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)),
                        std::memory_order_relaxed);
        blocks.fetch_add(1, std::memory_order_relaxed);
    }
    return p;
}

void* take_aligned(std::size_t n, std::align_val_t al) noexcept {
    auto a = static_cast<std::size_t>(al);
    if (a < sizeof(void*)) a = sizeof(void*);
    void* p = nullptr;
    if (posix_memalign(&p, a, n == 0 ? 1 : n) != 0) return nullptr;
    if (counting.load(std::memory_order_relaxed)) {
        bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)),
                        std::memory_order_relaxed);
        blocks.fetch_add(1, std::memory_order_relaxed);
    }
    return p;
}

void give(void* p) noexcept {
    if (!p) return;
    if (counting.load(std::memory_order_relaxed)) {
        bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)),
                        std::memory_order_relaxed);
        blocks.fetch_sub(1, std::memory_order_relaxed);
    }
    std::free(p);
}

void* take_or_throw(std::size_t n) {
    void* p = take(n);
    if (!p) throw std::bad_alloc();
    return p;
}

void* take_aligned_or_throw(std::size_t n, std::align_val_t al) {
    void* p = take_aligned(n, al);
    if (!p) throw std::bad_alloc();
    return p;
}

}  // namespace

void start() {
    bytes.store(0);
    blocks.store(0);
    counting.store(true);
}

Snapshot now() {
    return {bytes.load(), blocks.load()};
}

void stop() {
    counting.store(false);
}

std::int64_t malloc_in_use() {
    struct mallinfo2 mi = mallinfo2();
    return static_cast<std::int64_t>(mi.uordblks + mi.hblkhd);
}

}  // namespace bench::alloc

using bench::alloc::give;
using bench::alloc::take;
using bench::alloc::take_aligned;
using bench::alloc::take_aligned_or_throw;
using bench::alloc::take_or_throw;

void* operator new(std::size_t n) {
    return take_or_throw(n);
}
void* operator new[](std::size_t n) {
    return take_or_throw(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return take(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return take(n);
}
void* operator new(std::size_t n, std::align_val_t al) {
    return take_aligned_or_throw(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al) {
    return take_aligned_or_throw(n, al);
}
void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
    return take_aligned(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
    return take_aligned(n, al);
}

void operator delete(void* p) noexcept {
    give(p);
}
void operator delete[](void* p) noexcept {
    give(p);
}
void operator delete(void* p, std::size_t) noexcept {
    give(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    give(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    give(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    give(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    give(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    give(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    give(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    give(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    give(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    give(p);
}
