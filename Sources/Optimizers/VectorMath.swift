// Small loops on buffers shared by the optimisers. Kept internal: the public surface works on
// the optimisers' own types.

@inline(__always)
func dot(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
    var s = 0.0
    for i in 0..<Swift.min(a.count, b.count) { s += a[i] * b[i] }
    return s
}

@inline(__always)
func dot(_ a: UnsafeMutableBufferPointer<Double>, _ b: UnsafeMutableBufferPointer<Double>) -> Double {
    dot(UnsafeBufferPointer(a), UnsafeBufferPointer(b))
}

/// The Euclidean norm, scaled so that huge entries do not overflow to ∞ (LAPACK's dnrm2 idea).
func norm2(_ a: UnsafeBufferPointer<Double>) -> Double {
    var scale = 0.0
    for x in a {
        if x.isNaN { return .nan }
        scale = Swift.max(scale, Swift.abs(x))
    }
    if scale == 0 || scale == .infinity { return scale }
    var s = 0.0
    for x in a { let y = x / scale; s += y * y }
    return scale * s.squareRoot()
}

func norm2(_ a: UnsafeMutableBufferPointer<Double>) -> Double { norm2(UnsafeBufferPointer(a)) }

/// max |aᵢ|, NaN if any entry is NaN.
func normInf(_ a: UnsafeBufferPointer<Double>) -> Double {
    var m = 0.0
    for x in a {
        if x.isNaN { return .nan }
        m = Swift.max(m, Swift.abs(x))
    }
    return m
}

func normInf(_ a: UnsafeMutableBufferPointer<Double>) -> Double { normInf(UnsafeBufferPointer(a)) }

/// A zeroed buffer owned by the caller (free it with `deallocate()`).
func zeroedBuffer(_ count: Int) -> UnsafeMutableBufferPointer<Double> {
    let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: Swift.max(count, 1))
    b.initialize(repeating: 0)
    return UnsafeMutableBufferPointer(rebasing: b[0..<count])
}

/// Frees a buffer made by `zeroedBuffer` (its base address is the allocation's).
func freeBuffer(_ b: UnsafeMutableBufferPointer<Double>) {
    b.baseAddress?.deallocate()
}
