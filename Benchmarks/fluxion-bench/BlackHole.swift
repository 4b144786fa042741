// Barriers against the optimiser, for benchmark loops.

/// Returns its argument through a function the optimiser cannot see into, so a constant
/// stays unknown at compile time.
@_optimize(none) @inline(never)
func opaque<T>(_ value: T) -> T { value }

/// Consumes a value so that the work producing it cannot be removed as dead code.
///
/// Unoptimised and never inlined: neither Swift's nor LLVM's optimiser may assume it
/// ignores its argument, so a pointer passed here keeps every store through it alive.
@_optimize(none) @inline(never)
func blackHole<T>(_ value: T) {}
