import Foundation

/// Elementary functions for array kernels: branch-free, so loops over them vectorise.
///
/// glibc's `tanh` costs ~12 ns per element and blocks vectorisation; a neural right-hand
/// side spends most of its time there (notes/swift-perf.md). These versions stay within a
/// few ulp of libm (tested in FastMathTests).
@usableFromInline typealias V8 = SIMD8<Double>
@usableFromInline typealias U8 = SIMD8<UInt64>

public enum FastMath {
    /// tanh of one number: lane 0 of the eight-lane version, so scalar and vector results
    /// agree bit for bit by construction.
    @inlinable @inline(__always)
    public static func tanh(_ x: Double) -> Double {
        tanh(SIMD8<Double>(repeating: x))[0]
    }

    /// Eight lanes of tanh(x) = e / (e + 2) with e = expm1(2|x|), sign restored: no cancellation
    /// near 0, and exactly ±1 once |x| > 19.1 (where tanh rounds to 1). expm1(y) for
    /// 0 ≤ y ≤ 40 without branches: y = k ln2 + r with |r| ≤ ln2/2, then
    /// expm1(y) = 2ᵏ expm1(r) + (2ᵏ − 1), with expm1(r) by its Taylor series to r¹³
    /// (truncation below 1e-17 relative on that interval). Explicit SIMD vectorises whatever
    /// the loop around it looks like; the auto-vectoriser gives up on in-place loops inside
    /// the interpreter.
    /// References: Tang, "Table-driven implementation of the expm1 function in IEEE
    /// floating-point arithmetic", ACM TOMS 18(2), 1992 (the reduction).
    @inlinable @inline(__always)
    public static func tanh(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let bits = unsafeBitCast(x, to: U8.self)
        let sign = bits & 0x8000_0000_0000_0000
        let ax = unsafeBitCast(bits & 0x7FFF_FFFF_FFFF_FFFF, to: V8.self)
        var y = 2 * ax
        y.replace(with: 40.0, where: .!(y .< 40.0))
        let shifter = V8(repeating: 0x1.8p52)
        let shifted = y * 1.4426950408889634 + shifter
        let kf = shifted - shifter
        let r = (y - kf * 6.93147180369123816490e-01) - kf * 1.90821492927058770002e-10
        var p = V8(repeating: 1.0 / 6227020800.0)
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        let em1r = r + r * r * p
        let k = unsafeBitCast(shifted, to: U8.self) &- unsafeBitCast(shifter, to: U8.self)
        let twoK = unsafeBitCast((k &+ 1023) &<< 52, to: V8.self)
        let e = twoK * em1r + (twoK - 1)
        var out = unsafeBitCast(unsafeBitCast(e / (e + 2), to: U8.self) | sign, to: V8.self)
        out.replace(with: x, where: x .!= x)
        return out
    }

    /// `d[j] = tanh(a[j])` for `j < n`; `d` may equal `a`.
    @inlinable @inline(__always)
    public static func tanh(_ d: UnsafeMutablePointer<Double>, _ a: UnsafePointer<Double>, _ n: Int) {
        var j = 0
        while j + 8 <= n {
            let x = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Double>.self)
            UnsafeMutableRawPointer(d + j).storeBytes(of: tanh(x), as: SIMD8<Double>.self)
            j += 8
        }
        if j < n {
            // The last few elements as one padded vector.
            var x = SIMD8<Double>(repeating: 0)
            for l in 0..<(n - j) { x[l] = a[j + l] }
            let y = tanh(x)
            for l in 0..<(n - j) { d[j + l] = y[l] }
        }
    }
}
