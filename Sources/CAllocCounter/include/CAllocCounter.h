// CAllocCounter: counts heap allocations by interposing the C allocator.
//
// Linked only into the benchmark executable and the test binaries. On glibc, the
// allocation functions defined in CAllocCounter.c take the place of libc's for the whole
// process (the executable comes first in symbol lookup) and forward to glibc's own
// implementations (__libc_malloc and friends), counting each allocation on the way.
//
// What counts as one allocation: a successful or failed call of malloc, calloc, realloc
// (except realloc(p, 0) with p non-null, which frees), reallocarray, posix_memalign,
// aligned_alloc, memalign, valloc or pvalloc. free is not counted.
#ifndef FLUXION_CALLOCCOUNTER_H
#define FLUXION_CALLOCCOUNTER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Allocations made so far by the calling thread.
///
/// Take the difference of two readings around the code to measure; other threads'
/// allocations never show up here.
uint64_t fluxion_thread_allocations(void);

/// Allocations made so far by every thread of the process.
uint64_t fluxion_total_allocations(void);

/// Heap bytes held by the whole process now (the allocator's usable sizes).
int64_t fluxion_live_bytes(void);

/// The most heap bytes held at once since the last `fluxion_reset_peak_bytes`.
int64_t fluxion_peak_bytes(void);

/// Starts a new peak measurement from the current live bytes.
void fluxion_reset_peak_bytes(void);

/// 1 when the allocator is interposed and the counters move, 0 on platforms where
/// CAllocCounter only provides the functions above (they then always return 0).
int fluxion_allocation_counting_enabled(void);

#ifdef __cplusplus
}
#endif

#endif
