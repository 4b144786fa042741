// Unblocked dense LU kernels on raw column-major storage, LAPACK's dgetf2 and dgetrs in
// plain loops. They are `@inline(__always)` so that callers passing a constant size get
// fully unrolled copies (DenseLU's n ≤ 4 paths) from the same source, hence the same
// arithmetic in the same order as the general path.

/// The row-interchange threshold of dgetf2: pivots at least this large are inverted once
/// and multiplied; smaller ones are divided by, so that 1/pivot cannot overflow.
@usableFromInline let safeMinimum = Double.leastNormalMagnitude

/// LU with partial pivoting of the m×n matrix at `a` (leading dimension `lda`), in place:
/// A = P L U with L unit lower triangular (stored below the diagonal) and U upper
/// triangular. `pivots[k]` receives the row (relative to `a`) swapped with row k.
/// Rows are swapped across all n columns. Returns the first k with U[k, k] = 0, or -1.
///
/// References: G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., 2013,
/// Algorithm 3.4.1 (outer-product Gaussian elimination with partial pivoting);
/// LAPACK dgetf2 (Anderson et al., LAPACK Users' Guide, 3rd ed., 1999).
@inline(__always)
func denseFactorUnblocked(_ a: UnsafeMutablePointer<Double>, rows m: Int, columns n: Int, lda: Int,
                          pivots: UnsafeMutablePointer<Int>) -> Int {
    var info = -1
    let steps = Swift.min(m, n)
    var k = 0
    while k < steps {
        let colk = a + k * lda
        // Pivot: the first entry of largest magnitude (BLAS idamax), so NaN never wins a comparison.
        var p = k
        var best = Swift.abs(colk[k])
        var i = k + 1
        while i < m {
            let v = Swift.abs(colk[i])
            if v > best { best = v; p = i }
            i += 1
        }
        pivots[k] = p
        if colk[p] != 0 {
            if p != k {
                var j = 0
                while j < n {
                    let c = a + j * lda
                    let t = c[k]; c[k] = c[p]; c[p] = t
                    j += 1
                }
            }
            let pivot = colk[k]
            if Swift.abs(pivot) >= safeMinimum {
                let r = 1 / pivot
                i = k + 1
                while i < m { colk[i] *= r; i += 1 }
            } else {
                i = k + 1
                while i < m { colk[i] /= pivot; i += 1 }
            }
        } else if info < 0 {
            info = k
        }
        // Rank-one update of the trailing block, column by column (contiguous, vectorised).
        var j = k + 1
        while j < n {
            let cj = a + j * lda
            let t = cj[k]
            if t != 0 {
                i = k + 1
                while i < m { cj[i] -= colk[i] * t; i += 1 }
            }
            j += 1
        }
        k += 1
    }
    return info
}

/// Solves A x = b in place for one right-hand side, given the factors of `denseFactorUnblocked`
/// of an n×n matrix (leading dimension `lda`) and the reciprocals of U's diagonal:
/// b ← P b, then L, then U (LAPACK dgetrs, except that U's diagonal is applied by
/// multiplying with `inverseDiagonal`: a division's latency would otherwise chain through
/// the back substitution, ~3× the cost at n = 5; results move by an ulp or so).
///
/// References: Golub & Van Loan, Matrix Computations, 4th ed., 2013, §3.1 and §3.4.
@inline(__always)
func denseSolveFactored(_ a: UnsafePointer<Double>, n: Int, lda: Int, pivots: UnsafePointer<Int>,
                        inverseDiagonal: UnsafePointer<Double>, _ b: UnsafeMutablePointer<Double>) {
    var k = 0
    while k < n {
        let p = pivots[k]
        if p != k { let t = b[k]; b[k] = b[p]; b[p] = t }
        k += 1
    }
    k = 0
    while k < n {
        let bk = b[k]
        if bk != 0 {
            let col = a + k * lda
            var i = k + 1
            while i < n { b[i] -= bk * col[i]; i += 1 }
        }
        k += 1
    }
    k = n - 1
    while k >= 0 {
        if b[k] != 0 {
            let col = a + k * lda
            let bk = b[k] * inverseDiagonal[k]
            b[k] = bk
            var i = 0
            while i < k { b[i] -= bk * col[i]; i += 1 }
        }
        k -= 1
    }
}

/// Solves Aᵀ x = b in place for one right-hand side from the same factors:
/// Uᵀ, then Lᵀ, then the row interchanges in reverse order.
///
/// References: Golub & Van Loan, Matrix Computations, 4th ed., 2013, §3.4; LAPACK dgetrs ('T').
@inline(__always)
func denseSolveFactoredTransposed(_ a: UnsafePointer<Double>, n: Int, lda: Int, pivots: UnsafePointer<Int>,
                                  inverseDiagonal: UnsafePointer<Double>, _ b: UnsafeMutablePointer<Double>) {
    var i = 0
    while i < n {
        let col = a + i * lda
        var t = b[i]
        var k = 0
        while k < i { t -= col[k] * b[k]; k += 1 }
        b[i] = t * inverseDiagonal[i]
        i += 1
    }
    i = n - 1
    while i >= 0 {
        let col = a + i * lda
        var t = b[i]
        var k = i + 1
        while k < n { t -= col[k] * b[k]; k += 1 }
        b[i] = t
        i -= 1
    }
    var k = n - 1
    while k >= 0 {
        let p = pivots[k]
        if p != k { let t = b[k]; b[k] = b[p]; b[p] = t }
        k -= 1
    }
}

/// The 1-norm (largest absolute column sum) of the n×n matrix at `a`; NaN if any entry is NaN.
@inline(__always)
func denseOneNorm(_ a: UnsafePointer<Double>, n: Int, lda: Int) -> Double {
    var best = 0.0
    var j = 0
    while j < n {
        let col = a + j * lda
        var s = 0.0
        var i = 0
        while i < n { s += Swift.abs(col[i]); i += 1 }
        if s > best || s.isNaN { best = s }
        j += 1
    }
    return best
}
