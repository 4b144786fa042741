// Hand-unrolled LU factorisation for n = 2, 3 and 4 (Lotka–Volterra, Robertson and other
// small models): the rows live in SIMD registers instead of memory, which the general
// loops do not get from the compiler at these sizes. Release, one core: 3×3 factor 45 ns in
// the loops, ~30 ns here; 4×4 66 ns and ~26 ns. Each step is a step of
// `denseFactorUnblocked` in the same order, so for finite entries pivots and factors are
// bitwise those of the loops (checked by LinearSolveTests against the same elimination in
// BandedLU). The solves need no separate code: `denseSolveFactored` with a constant n
// unrolls well.

/// `denseFactorUnblocked` for n = 2, 3 or 4 (a constant at the call site) on the matrix at
/// `a` (leading dimension n), with the rows in SIMD4 registers (unused lanes and rows are
/// zero): an interchange swaps two registers, an elimination step is one vector
/// multiply-subtract per row, after which the lanes left of the pivot column (the row's
/// multipliers) are put back. For finite entries this is the loops' arithmetic (x − l·0 = x
/// exactly, so not skipping zero multipliers changes nothing but the sign of a zero).
///
/// References: Golub & Van Loan, Matrix Computations, 4th ed., 2013, Algorithm 3.4.1.
@inline(__always)
func denseFactorSmall(_ a: UnsafeMutablePointer<Double>, n: Int, pivots: UnsafeMutablePointer<Int>) -> Int {
    typealias Row = SIMD4<Double>
    @inline(__always)
    func load(_ i: Int) -> Row {
        switch n {
        case 2: return Row(a[i], a[i + 2], 0, 0)
        case 3: return Row(a[i], a[i + 3], a[i + 6], 0)
        default: return Row(a[i], a[i + 4], a[i + 8], a[i + 12])
        }
    }
    var r0 = load(0), r1 = load(1)
    var r2 = n > 2 ? load(2) : Row(), r3 = n > 3 ? load(3) : Row()
    var info = -1
    @inline(__always)
    func eliminate(_ row: inout Row, _ pivotRow: Row, _ k: Int, _ reciprocal: Double, _ divide: Bool) {
        let l = divide ? row[k] / pivotRow[k] : row[k] * reciprocal
        var updated = row - l * pivotRow
        for lane in 0..<k { updated[lane] = row[lane] }
        updated[k] = l
        row = updated
    }
    @inline(__always)
    func scale(_ pivot: Double) -> (Double, Bool) {
        Swift.abs(pivot) >= safeMinimum ? (1 / pivot, false) : (pivot, true)
    }
    // Step 0: pivot among rows 0..<n, then eliminate below.
    var p = 0
    var best = Swift.abs(r0[0])
    if Swift.abs(r1[0]) > best { best = Swift.abs(r1[0]); p = 1 }
    if n > 2, Swift.abs(r2[0]) > best { best = Swift.abs(r2[0]); p = 2 }
    if n > 3, Swift.abs(r3[0]) > best { p = 3 }
    pivots[0] = p
    if p == 1 { swap(&r0, &r1) } else if p == 2 { swap(&r0, &r2) } else if p == 3 { swap(&r0, &r3) }
    if r0[0] != 0 {
        let (r, divide) = scale(r0[0])
        eliminate(&r1, r0, 0, r, divide)
        if n > 2 { eliminate(&r2, r0, 0, r, divide) }
        if n > 3 { eliminate(&r3, r0, 0, r, divide) }
    } else {
        info = 0
    }
    // Step 1.
    if n > 2 {
        p = 1
        best = Swift.abs(r1[1])
        if Swift.abs(r2[1]) > best { best = Swift.abs(r2[1]); p = 2 }
        if n > 3, Swift.abs(r3[1]) > best { p = 3 }
        pivots[1] = p
        if p == 2 { swap(&r1, &r2) } else if p == 3 { swap(&r1, &r3) }
        if r1[1] != 0 {
            let (r, divide) = scale(r1[1])
            eliminate(&r2, r1, 1, r, divide)
            if n > 3 { eliminate(&r3, r1, 1, r, divide) }
        } else if info < 0 {
            info = 1
        }
    }
    // Step 2.
    if n > 3 {
        p = Swift.abs(r3[2]) > Swift.abs(r2[2]) ? 3 : 2
        pivots[2] = p
        if p == 3 { swap(&r2, &r3) }
        if r2[2] != 0 {
            let (r, divide) = scale(r2[2])
            eliminate(&r3, r2, 2, r, divide)
        } else if info < 0 {
            info = 2
        }
    }
    // The last pivot.
    let last = n == 2 ? r1[1] : n == 3 ? r2[2] : r3[3]
    pivots[n - 1] = n - 1
    if last == 0, info < 0 { info = n - 1 }
    for j in 0..<n {
        a[n * j] = r0[j]; a[n * j + 1] = r1[j]
        if n > 2 { a[n * j + 2] = r2[j] }
        if n > 3 { a[n * j + 3] = r3[j] }
    }
    return info
}

/// `denseFactorSmall` compiled separately per size, so that each copy is optimised alone.
@inline(never) func denseFactor2(_ a: UnsafeMutablePointer<Double>, pivots: UnsafeMutablePointer<Int>) -> Int {
    denseFactorSmall(a, n: 2, pivots: pivots)
}
@inline(never) func denseFactor3(_ a: UnsafeMutablePointer<Double>, pivots: UnsafeMutablePointer<Int>) -> Int {
    denseFactorSmall(a, n: 3, pivots: pivots)
}
@inline(never) func denseFactor4(_ a: UnsafeMutablePointer<Double>, pivots: UnsafeMutablePointer<Int>) -> Int {
    denseFactorSmall(a, n: 4, pivots: pivots)
}
