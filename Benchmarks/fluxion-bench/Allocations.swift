import CAllocCounter

/// Heap allocations made by the calling thread while `body` runs.
///
/// Counted by CAllocCounter's interposed allocator (malloc, calloc, realloc, the
/// memalign family; not free). Other threads' allocations are not included.
@inline(__always)
func allocations(during body: () -> Void) -> UInt64 {
    let before = fluxion_thread_allocations()
    body()
    return fluxion_thread_allocations() &- before
}

/// Whether allocation counts from this process can be trusted.
///
/// True only when the allocator is interposed *and* a Swift array allocation is seen to
/// move the counter; checked once, on first use. When false, cases report
/// `allocs_per_call` as null rather than a misleading 0.
let allocationCountingWorks: Bool = {
    guard fluxion_allocation_counting_enabled() != 0 else { return false }
    var sink = 0.0
    let counted = allocations {
        sink += makeArray(count: opaque(64)).reduce(0, +)
    }
    blackHole(sink)
    return counted >= 1
}()

@inline(never)
private func makeArray(count: Int) -> [Double] {
    [Double](repeating: 1.0, count: count)
}
