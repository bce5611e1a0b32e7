// CompactVector: a vector one pointer wide, for the list members of Ticket (tags, watchers,
// custom fields, links, approvals, SLA clocks). Most tickets leave most of these lists
// empty, and a store keeps a million tickets, so the 16 bytes a std::vector spends on its
// end and capacity pointers add up. Here an empty list is a null pointer, and a non-empty
// one points at a heap block holding its size and capacity in front of the elements.
//
// It behaves like std::vector for what tickets need: contiguous storage (iterators are
// pointers), push_back / emplace_back / insert / erase / resize / reserve / clear, indexing,
// comparison, construction and assignment from a std::vector or a braced list. It converts
// to a std::vector only explicitly (to_vector()), so no copy is ever made behind the
// caller's back; a function that reads either kind of list takes a std::span.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

template <typename T>
class CompactVector {
    static_assert(std::is_nothrow_move_constructible_v<T>, "elements are moved on growth");
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    struct Header {
        std::uint32_t size;
        std::uint32_t capacity;
    };
    static constexpr std::size_t data_offset =
        (sizeof(Header) + alignof(T) - 1) / alignof(T) * alignof(T);

  public:
    using value_type = T;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using reference = T&;
    using const_reference = const T&;
    using pointer = T*;
    using const_pointer = const T*;
    using iterator = T*;
    using const_iterator = const T*;
    using reverse_iterator = std::reverse_iterator<iterator>;
    using const_reverse_iterator = std::reverse_iterator<const_iterator>;

    CompactVector() noexcept = default;
    CompactVector(std::initializer_list<T> init) { assign(init.begin(), init.end()); }
    template <std::input_iterator It>
    CompactVector(It first, It last) {
        assign(first, last);
    }
    explicit CompactVector(size_type n) { resize(n); }
    CompactVector(size_type n, const T& value) { resize(n, value); }
    CompactVector(const std::vector<T>& v) { assign(v.begin(), v.end()); }  // NOLINT: implicit
    CompactVector(std::vector<T>&& v) {                                     // NOLINT: implicit
        reserve(v.size());
        for (auto& x : v)
            push_back(std::move(x));
    }
    CompactVector(const CompactVector& other) { assign(other.begin(), other.end()); }
    CompactVector(CompactVector&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
    ~CompactVector() { release(); }

    CompactVector& operator=(const CompactVector& other) {
        if (this != &other) {
            CompactVector copy(other);
            swap(copy);
        }
        return *this;
    }
    CompactVector& operator=(CompactVector&& other) noexcept {
        if (this != &other) {
            release();
            p_ = std::exchange(other.p_, nullptr);
        }
        return *this;
    }
    CompactVector& operator=(std::initializer_list<T> init) {
        CompactVector copy(init);
        swap(copy);
        return *this;
    }

    template <std::input_iterator It>
    void assign(It first, It last) {
        clear();
        if constexpr (std::forward_iterator<It>)
            reserve(static_cast<size_type>(std::distance(first, last)));
        for (; first != last; ++first)
            emplace_back(*first);
    }

    size_type size() const noexcept { return p_ ? p_->size : 0; }
    size_type capacity() const noexcept { return p_ ? p_->capacity : 0; }
    bool empty() const noexcept { return size() == 0; }
    size_type max_size() const noexcept { return 0xffffffffu; }

    T* data() noexcept { return p_ ? elements(p_) : nullptr; }
    const T* data() const noexcept { return p_ ? elements(p_) : nullptr; }
    iterator begin() noexcept { return data(); }
    iterator end() noexcept { return data() + size(); }
    const_iterator begin() const noexcept { return data(); }
    const_iterator end() const noexcept { return data() + size(); }
    const_iterator cbegin() const noexcept { return begin(); }
    const_iterator cend() const noexcept { return end(); }
    reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
    reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
    const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
    const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }

    T& operator[](size_type i) noexcept { return data()[i]; }
    const T& operator[](size_type i) const noexcept { return data()[i]; }
    T& at(size_type i) {
        if (i >= size()) throw std::out_of_range("CompactVector::at");
        return data()[i];
    }
    const T& at(size_type i) const {
        if (i >= size()) throw std::out_of_range("CompactVector::at");
        return data()[i];
    }
    T& front() noexcept { return data()[0]; }
    const T& front() const noexcept { return data()[0]; }
    T& back() noexcept { return data()[size() - 1]; }
    const T& back() const noexcept { return data()[size() - 1]; }

    void reserve(size_type n) {
        if (n <= capacity()) return;
        if (n > max_size()) throw std::length_error("CompactVector: too many elements");
        Header* fresh = allocate(n);
        size_type count = size();
        if (p_) {
            std::uninitialized_move(begin(), end(), elements(fresh));
            std::destroy(begin(), end());
            ::operator delete(p_);
        }
        p_ = fresh;
        p_->size = static_cast<std::uint32_t>(count);
    }
    void shrink_to_fit() {
        if (capacity() == size()) return;
        CompactVector copy;
        copy.reserve(size());
        for (auto& x : *this)
            copy.emplace_back(std::move(x));
        swap(copy);
    }
    void clear() noexcept {
        if (!p_) return;
        std::destroy(begin(), end());
        p_->size = 0;
    }

    template <typename... Args>
    T& emplace_back(Args&&... args) {
        if (size() == capacity()) {
            // The arguments may refer to an element: build the new one before moving house.
            T value(std::forward<Args>(args)...);
            reserve(grown());
            ::new (static_cast<void*>(end())) T(std::move(value));
            return bump();
        }
        ::new (static_cast<void*>(end())) T(std::forward<Args>(args)...);
        return bump();
    }
    void push_back(const T& value) { emplace_back(value); }
    void push_back(T&& value) { emplace_back(std::move(value)); }
    void pop_back() noexcept {
        std::destroy_at(&back());
        --p_->size;
    }

    iterator insert(const_iterator pos, T value) {
        auto at = pos - begin();
        emplace_back(std::move(value));
        std::rotate(begin() + at, end() - 1, end());
        return begin() + at;
    }
    template <std::input_iterator It>
    iterator insert(const_iterator pos, It first, It last) {
        auto at = pos - begin();
        auto old = static_cast<difference_type>(size());
        for (; first != last; ++first)
            emplace_back(*first);
        std::rotate(begin() + at, begin() + old, end());
        return begin() + at;
    }
    template <typename... Args>
    iterator emplace(const_iterator pos, Args&&... args) {
        return insert(pos, T(std::forward<Args>(args)...));
    }
    iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
    iterator erase(const_iterator first, const_iterator last) {
        auto from = const_cast<iterator>(first), to = const_cast<iterator>(last);
        if (from == to) return from;
        iterator new_end = std::move(to, end(), from);
        std::destroy(new_end, end());
        p_->size = static_cast<std::uint32_t>(new_end - begin());
        return from;
    }

    void resize(size_type n) {
        resize_with(n, [](void* at) { ::new (at) T(); });
    }
    void resize(size_type n, const T& value) {
        resize_with(n, [&value](void* at) { ::new (at) T(value); });
    }

    void swap(CompactVector& other) noexcept { std::swap(p_, other.p_); }
    friend void swap(CompactVector& a, CompactVector& b) noexcept { a.swap(b); }

    std::vector<T> to_vector() const { return std::vector<T>(begin(), end()); }

    friend bool operator==(const CompactVector& a, const CompactVector& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
    friend bool operator==(const CompactVector& a, const std::vector<T>& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

  private:
    static T* elements(Header* h) noexcept {
        return std::launder(reinterpret_cast<T*>(reinterpret_cast<char*>(h) + data_offset));
    }
    static const T* elements(const Header* h) noexcept { return elements(const_cast<Header*>(h)); }
    static Header* allocate(size_type n) {
        auto* h = static_cast<Header*>(::operator new(data_offset + n * sizeof(T)));
        h->size = 0;
        h->capacity = static_cast<std::uint32_t>(n);
        return h;
    }
    size_type grown() const {
        size_type c = capacity();
        return c == 0 ? 1 : c > max_size() / 2 ? max_size() : 2 * c;
    }
    T& bump() noexcept { return data()[p_->size++]; }
    template <typename Make>
    void resize_with(size_type n, Make make) {
        if (n <= size()) {
            erase(begin() + n, end());
            return;
        }
        reserve(n);
        while (size() < n) {
            make(static_cast<void*>(end()));
            ++p_->size;
        }
    }
    void release() noexcept {
        if (!p_) return;
        std::destroy(begin(), end());
        ::operator delete(p_);
        p_ = nullptr;
    }

    Header* p_ = nullptr;
};

ITSM_END_NAMESPACE
