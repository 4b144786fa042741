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

static inline void count_allocation(void) {
    thread_allocations += 1;
    __atomic_fetch_add(&total_allocations, 1, __ATOMIC_RELAXED);
}

#define FLUXION_INTERPOSE __attribute__((visibility("default"), used))

FLUXION_INTERPOSE void *malloc(size_t size) {
    count_allocation();
    return __libc_malloc(size);
}

FLUXION_INTERPOSE void *calloc(size_t count, size_t size) {
    count_allocation();
    return __libc_calloc(count, size);
}

FLUXION_INTERPOSE void *realloc(void *pointer, size_t size) {
    if (pointer == NULL || size != 0) {
        count_allocation();
    }
    return __libc_realloc(pointer, size);
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
    __libc_free(pointer);
}

FLUXION_INTERPOSE void *memalign(size_t alignment, size_t size) {
    count_allocation();
    return __libc_memalign(alignment, size);
}

FLUXION_INTERPOSE void *aligned_alloc(size_t alignment, size_t size) {
    count_allocation();
    return __libc_memalign(alignment, size);
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
    *result = pointer;
    return 0;
}

FLUXION_INTERPOSE void *valloc(size_t size) {
    count_allocation();
    return __libc_valloc(size);
}

FLUXION_INTERPOSE void *pvalloc(size_t size) {
    count_allocation();
    return __libc_pvalloc(size);
}

uint64_t fluxion_thread_allocations(void) { return thread_allocations; }

uint64_t fluxion_total_allocations(void) {
    return __atomic_load_n(&total_allocations, __ATOMIC_RELAXED);
}

int fluxion_allocation_counting_enabled(void) { return 1; }

#else

// No interposition outside glibc: the counters exist so that callers compile, and
// fluxion_allocation_counting_enabled() tells them the numbers mean nothing.
uint64_t fluxion_thread_allocations(void) { return 0; }
uint64_t fluxion_total_allocations(void) { return 0; }
int fluxion_allocation_counting_enabled(void) { return 0; }

#endif
