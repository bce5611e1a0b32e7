// Counts what the global operator new hands out while counting is switched on. The
// benchmarks replace operator new/delete (alloc_count.cpp); outside a counting window the
// replacement only forwards to malloc/free.
#pragma once

#include <cstdint>

namespace bench::alloc {

struct Snapshot {
    std::int64_t live_bytes = 0;   // usable bytes of live blocks (malloc rounds requests up)
    std::int64_t live_blocks = 0;  // live allocations; glibc adds 8 bytes of header to each
};

// Starts counting from zero. Frees of blocks allocated before start() are subtracted too,
// so the difference of two snapshots is the net change of the heap in between.
void start();
Snapshot now();
void stop();

// Bytes the C allocator has in use (arenas and mmapped blocks, chunk headers included):
// a cross-check of the operator new count that also sees plain malloc (SQLite).
std::int64_t malloc_in_use();

}  // namespace bench::alloc
