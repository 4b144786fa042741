// Allocation counting by interposition (see include/CAllocCounter.h).
//
// Why this is safe during process start:
// - Nothing here calls dlsym (which may itself allocate); the real allocator is reached
//   through glibc's exported __libc_* entry points.
// - The per-thread counter is a `static __thread` variable with the initial-exec TLS
//   model. This target is linked into executables only, where that is a fixed offset
//   from the thread pointer: no __tls_get_addr call, no lazy TLS allocation, and so no
//   re-entry into malloc. The main thread's static TLS block is set up by the dynamic
//   loader before any code of the executable or of libc's constructors runs.
// - The process-wide total is a relaxed atomic add: no locks, no allocation.
#include "CAllocCounter.h"

#if defined(__linux__) && defined(__GLIBC__)

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

static __thread uint64_t thread_allocations __attribute__((tls_model("initial-exec")));
static uint64_t total_allocations;
// Live and peak heap bytes of the whole process (usable sizes, so what the allocator holds).
static int64_t live_bytes;
static int64_t peak_bytes;

extern size_t malloc_usable_size(void *pointer);

static inline void count_allocation(void) {
    thread_allocations += 1;
    __atomic_fetch_add(&total_allocations, 1, __ATOMIC_RELAXED);
}

static inline void track_bytes(int64_t delta) {
    int64_t now = __atomic_add_fetch(&live_bytes, delta, __ATOMIC_RELAXED);
    int64_t peak = __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED);
    while (now > peak && !__atomic_compare_exchange_n(&peak_bytes, &peak, now, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

static inline void *tracked(void *pointer) {
    if (pointer != NULL) track_bytes((int64_t)malloc_usable_size(pointer));
    return pointer;
}

#define FLUXION_INTERPOSE __attribute__((visibility("default"), used))

FLUXION_INTERPOSE void *malloc(size_t size) {
    count_allocation();
    return tracked(__libc_malloc(size));
}

FLUXION_INTERPOSE void *calloc(size_t count, size_t size) {
    count_allocation();
    return tracked(__libc_calloc(count, size));
}

FLUXION_INTERPOSE void *realloc(void *pointer, size_t size) {
    if (pointer == NULL || size != 0) {
        count_allocation();
    }
    int64_t before = pointer != NULL ? (int64_t)malloc_usable_size(pointer) : 0;
    void *result = __libc_realloc(pointer, size);
    if (result != NULL) {
        track_bytes((int64_t)malloc_usable_size(result) - before);
    } else if (pointer != NULL && size == 0) {
        track_bytes(-before);
    }
    return result;
}

FLUXION_INTERPOSE void *reallocarray(void *pointer, size_t count, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(pointer, bytes);
}

FLUXION_INTERPOSE void free(void *pointer) {
    if (pointer != NULL) track_bytes(-(int64_t)malloc_usable_size(pointer));
    __libc_free(pointer);
}

FLUXION_INTERPOSE void *memalign(size_t alignment, size_t size) {
    count_allocation();
    return tracked(__libc_memalign(alignment, size));
}

FLUXION_INTERPOSE void *aligned_alloc(size_t alignment, size_t size) {
    count_allocation();
    return tracked(__libc_memalign(alignment, size));
}

FLUXION_INTERPOSE int posix_memalign(void **result, size_t alignment, size_t size) {
    // POSIX: the alignment must be a power of two and a multiple of sizeof(void *);
    // on failure *result is left untouched.
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) {
        return EINVAL;
    }
    count_allocation();
    int saved = errno;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) {
        errno = saved;
        return ENOMEM;
    }
    *result = tracked(pointer);
    return 0;
}

FLUXION_INTERPOSE void *valloc(size_t size) {
    count_allocation();
    return tracked(__libc_valloc(size));
}

FLUXION_INTERPOSE void *pvalloc(size_t size) {
    count_allocation();
    return tracked(__libc_pvalloc(size));
}

uint64_t fluxion_thread_allocations(void) { return thread_allocations; }
int64_t fluxion_live_bytes(void) { return __atomic_load_n(&live_bytes, __ATOMIC_RELAXED); }
int64_t fluxion_peak_bytes(void) { return __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED); }
void fluxion_reset_peak_bytes(void) { __atomic_store_n(&peak_bytes, __atomic_load_n(&live_bytes, __ATOMIC_RELAXED), __ATOMIC_RELAXED); }

uint64_t fluxion_total_allocations(void) {
    return __atomic_load_n(&total_allocations, __ATOMIC_RELAXED);
}

int fluxion_allocation_counting_enabled(void) { return 1; }

#else

// No interposition outside glibc: the counters exist so that callers compile, and
// fluxion_allocation_counting_enabled() tells them the numbers mean nothing.
uint64_t fluxion_thread_allocations(void) { return 0; }
uint64_t fluxion_total_allocations(void) { return 0; }
int64_t fluxion_live_bytes(void) { return 0; }
int64_t fluxion_peak_bytes(void) { return 0; }
void fluxion_reset_peak_bytes(void) {}
int fluxion_allocation_counting_enabled(void) { return 0; }

#endif
