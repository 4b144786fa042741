import COpenBLAS

/// In-place LU factorisation with partial pivoting of a dense n×n matrix, PA = LU, with
/// LAPACK dgetrf/dgetrs semantics.
///
/// Contract:
/// 1. The matrix lives in the solver's own column-major workspace: fill it through
///    `subscript`, `withUnsafeMutableMatrix` or `load`, then call `factor()`; or call
///    `factor(_:)` with a `DenseMatrix`, which copies it in. Writing the workspace discards
///    earlier factors.
/// 2. `factor()` overwrites the workspace with L (unit, below the diagonal) and U, and
///    reports the first zero pivot (`.singular`) or a non-finite one (`.nonFinite`) as
///    LAPACK's `info` does; like dgetrf it completes the elimination in either case.
/// 3. `solve` and `solveTransposed` overwrite one or several right-hand sides in place.
/// 4. Everything is allocated in `init`: factor, solve and `reciprocalCondition` allocate
///    nothing. n = 2, 3, 4 factor in hand-unrolled SIMD kernels (bitwise the loops' result),
///    n ≥ `recursiveThreshold` by the recursive variant (`DenseRecursiveKernels.swift`),
///    whose pivots match the loops' up to rounding ties.
/// 5. Unlike dgetrs, solves multiply by reciprocals of U's diagonal computed once per
///    factorisation (a division's latency would chain through the back substitution);
///    solutions differ from LAPACK's by an ulp or so.
/// 6. An instance is not thread-safe; give each thread (each ensemble member) its own.
/// 7. From `lapackThreshold` on, `factor()` calls LAPACK's dgetrf from OpenBLAS (one
///    thread), whose blocked kernels beat the recursive Swift variant on large matrices; its
///    factors and pivots have the same layout, so the solves are the same code.
///
/// References: G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., 2013, §3.2–3.5
/// (Algorithms 3.4.1 and 3.4.2); S. Toledo, Locality of reference in LU decomposition with
/// partial pivoting, SIAM J. Matrix Anal. Appl. 18, 1997; E. Anderson et al., LAPACK Users'
/// Guide, 3rd ed., 1999 (dgetrf2, dgetf2, dgetrs, dgecon).
public final class DenseLU: LinearSolver {
    /// The number of rows and columns.
    public let dimension: Int
    /// Sizes from which `factor()` uses the recursive algorithm (LAPACK dgetrf2).
    public static let recursiveThreshold = 24
    /// The widest panel the recursive algorithm hands to the unblocked kernel.
    public static let recursionBase = 16
    /// Sizes from which `factor()` calls OpenBLAS's dgetrf, from `make bench
    /// CASE=dense_lu_crossover` on this project's machine (2 vCPU, AVX-512): the recursive
    /// Swift factorisation is as fast up to n = 64 (13 µs both), OpenBLAS 1.2× faster from
    /// n = 96 and 2.2× at n = 512.
    public static let defaultLAPACKThreshold = 96
    /// The size from which `factor()` calls OpenBLAS (tests and the crossover benchmark move it
    /// to compare the two; `Int.max` never calls it).
    nonisolated(unsafe) public static var lapackThreshold = defaultLAPACKThreshold

    @usableFromInline let a: UnsafeMutablePointer<Double>
    @usableFromInline let pivots: UnsafeMutablePointer<Int>
    /// 1 / U[k, k], set by a successful `factor`.
    private let inverseDiagonal: UnsafeMutablePointer<Double>
    /// x, v and the sign vector of the condition estimator, n values each.
    private let work: UnsafeMutablePointer<Double>
    /// LAPACK's 1-based pivots (n values; n > 4).
    private let lapackPivots: UnsafeMutablePointer<Int32>?
    /// ‖A‖₁ of the matrix last factored, for `reciprocalCondition()`.
    private var matrixOneNorm = 0.0
    /// The outcome of the last `factor`; `nil` before it and after the workspace is written.
    public private(set) var status: FactorizationStatus?

    /// A solver for n×n matrices; the workspace starts as the zero matrix.
    public init(dimension: Int) {
        self.dimension = Swift.max(0, dimension)
        let n = self.dimension
        a = .allocate(capacity: Swift.max(1, n * n))
        a.initialize(repeating: 0, count: Swift.max(1, n * n))
        pivots = .allocate(capacity: Swift.max(1, n))
        pivots.initialize(repeating: 0, count: Swift.max(1, n))
        inverseDiagonal = .allocate(capacity: Swift.max(1, n))
        inverseDiagonal.initialize(repeating: 0, count: Swift.max(1, n))
        work = .allocate(capacity: Swift.max(1, 3 * n))
        work.initialize(repeating: 0, count: Swift.max(1, 3 * n))
        if n > 4 {
            let ipiv = UnsafeMutablePointer<Int32>.allocate(capacity: n)
            ipiv.initialize(repeating: 0, count: n)
            lapackPivots = ipiv
            Self.singleThreadedBLAS
        } else {
            lapackPivots = nil
        }
    }

    /// OpenBLAS set to one thread, once.
    private static let singleThreadedBLAS: Void = openblas_set_num_threads(1)

    deinit {
        a.deallocate()
        pivots.deallocate()
        inverseDiagonal.deallocate()
        work.deallocate()
        lapackPivots?.deallocate()
    }

    /// Whether the last factorisation succeeded and the workspace holds its factors.
    public var isFactored: Bool { status == .success }

    /// Entry (i, j) of the workspace: the matrix before `factor()`, the factors after.
    /// Out-of-range indices read as 0; writes to them are ignored. Writing discards the factors.
    public subscript(row: Int, column: Int) -> Double {
        get {
            guard row >= 0, row < dimension, column >= 0, column < dimension else { return 0 }
            return a[row + column * dimension]
        }
        set {
            guard row >= 0, row < dimension, column >= 0, column < dimension else { return }
            a[row + column * dimension] = newValue
            status = nil
        }
    }

    /// Calls `body` with the n×n column-major workspace for filling in place; discards the factors.
    @inlinable
    public func withUnsafeMutableMatrix<R>(_ body: (UnsafeMutableBufferPointer<Double>) throws -> R) rethrows -> R {
        invalidate()
        return try body(UnsafeMutableBufferPointer(start: a, count: dimension * dimension))
    }

    @usableFromInline func invalidate() { status = nil }

    /// Copies `matrix` into the workspace; `false` (workspace untouched) if it is not n×n.
    @discardableResult
    public func load(_ matrix: DenseMatrix) -> Bool {
        guard matrix.rowCount == dimension, matrix.columnCount == dimension else { return false }
        status = nil
        matrix.values.withUnsafeBufferPointer { src in
            guard let s = src.baseAddress else { return }
            a.update(from: s, count: dimension * dimension)
        }
        return true
    }

    /// The row interchanges of the last factorisation: row k was swapped with row
    /// `pivotIndices[k]` (zero-based). Allocates the returned array.
    public var pivotIndices: [Int] { Array(UnsafeBufferPointer(start: pivots, count: dimension)) }

    /// Factors the matrix in the workspace in place. Allocates nothing.
    @discardableResult
    public func factor() -> FactorizationStatus {
        let n = dimension
        switch n {
        case 0: return factorSized(0) { -1 }
        case 1: return factorSized(1) { denseFactorUnblocked(a, rows: 1, columns: 1, lda: 1, pivots: pivots) }
        case 2: return factorSized(2) { denseFactor2(a, pivots: pivots) }
        case 3: return factorSized(3) { denseFactor3(a, pivots: pivots) }
        case 4: return factorSized(4) { denseFactor4(a, pivots: pivots) }
        default:
            if let ipiv = lapackPivots, n >= Self.lapackThreshold, n <= Int(Int32.max) {
                return factorSized(n) {
                    var rows = Int32(n), info: Int32 = 0
                    dgetrf_(&rows, &rows, a, &rows, ipiv, &info)
                    for k in 0..<n { pivots[k] = Int(ipiv[k]) - 1 }
                    return info > 0 ? Int(info) - 1 : -1
                }
            }
            if n >= Self.recursiveThreshold {
                return factorSized(n) {
                    denseFactorRecursive(a, rows: n, columns: n, lda: n, pivots: pivots, base: Self.recursionBase)
                }
            }
            return factorSized(n) { denseFactorUnblocked(a, rows: n, columns: n, lda: n, pivots: pivots) }
        }
    }

    /// The norm, the `kernel` (returning the first zero pivot or -1), the status and the
    /// reciprocal diagonal, inlined per constant size so the small cases have no loops left.
    @inline(__always)
    private func factorSized(_ n: Int, _ kernel: () -> Int) -> FactorizationStatus {
        matrixOneNorm = denseOneNorm(a, n: n, lda: n)
        let zeroPivot = kernel()
        var result = FactorizationStatus.success
        for k in 0..<n where !a[k + k * n].isFinite {
            result = .nonFinite(pivot: k)
            break
        }
        if result == .success, zeroPivot >= 0 { result = .singular(pivot: zeroPivot) }
        if result == .success { for k in 0..<n { inverseDiagonal[k] = 1 / a[k + k * n] } }
        status = result
        return result
    }

    /// Copies `matrix` in and factors it; `.unsupportedMatrix` unless it is n×n.
    @discardableResult
    public func factor(_ matrix: DenseMatrix) -> FactorizationStatus {
        guard load(matrix) else {
            status = .unsupportedMatrix
            return .unsupportedMatrix
        }
        return factor()
    }

    /// Factors a matrix given in any format (band and sparse matrices are expanded into the
    /// dense workspace without allocating).
    @discardableResult
    public func factor(_ matrix: LinearSystemMatrix) -> FactorizationStatus {
        switch matrix {
        case .dense(let m): return factor(m)
        case .banded(let m):
            guard m.dimension == dimension else { break }
            status = nil
            a.update(repeating: 0, count: dimension * dimension)
            m.forEachEntry { i, j, v in a[i + j * dimension] = v }
            return factor()
        case .sparse(let m):
            guard m.rowCount == dimension, m.columnCount == dimension else { break }
            status = nil
            a.update(repeating: 0, count: dimension * dimension)
            m.forEachEntry { i, j, v in a[i + j * dimension] += v }
            return factor()
        }
        status = .unsupportedMatrix
        return .unsupportedMatrix
    }

    /// Solves A X = B in place for `rhsCount` right-hand sides stored column after column in
    /// `b` (leading dimension n). Returns `false`, leaving `b` untouched, without valid
    /// factors or when `b` is shorter than n·rhsCount. Allocates nothing.
    @discardableResult
    public func solve(_ b: UnsafeMutableBufferPointer<Double>, rhsCount: Int) -> Bool {
        let n = dimension
        guard status == .success, rhsCount >= 0, b.count >= n * rhsCount else { return false }
        guard n > 0, let base = b.baseAddress else { return true }
        for r in 0..<rhsCount {
            let x = base + r * n
            switch n {
            case 1: denseSolveFactored(a, n: 1, lda: 1, pivots: pivots, inverseDiagonal: inverseDiagonal, x)
            case 2: denseSolveFactored(a, n: 2, lda: 2, pivots: pivots, inverseDiagonal: inverseDiagonal, x)
            case 3: denseSolveFactored(a, n: 3, lda: 3, pivots: pivots, inverseDiagonal: inverseDiagonal, x)
            case 4: denseSolveFactored(a, n: 4, lda: 4, pivots: pivots, inverseDiagonal: inverseDiagonal, x)
            default: denseSolveFactored(a, n: n, lda: n, pivots: pivots, inverseDiagonal: inverseDiagonal, x)
            }
        }
        return true
    }

    /// Solves A x = b in place for one right-hand side in `b` (at least n values).
    @discardableResult
    public func solve(_ b: UnsafeMutableBufferPointer<Double>) -> Bool { solve(b, rhsCount: 1) }

    /// Solves Aᵀ X = B in place, with the conventions of `solve`.
    @discardableResult
    public func solveTransposed(_ b: UnsafeMutableBufferPointer<Double>, rhsCount: Int) -> Bool {
        let n = dimension
        guard status == .success, rhsCount >= 0, b.count >= n * rhsCount else { return false }
        guard n > 0, let base = b.baseAddress else { return true }
        for r in 0..<rhsCount {
            denseSolveFactoredTransposed(a, n: n, lda: n, pivots: pivots, inverseDiagonal: inverseDiagonal, base + r * n)
        }
        return true
    }

    /// An estimate of the reciprocal condition number 1 / (‖A‖₁ ‖A⁻¹‖₁) of the last factored
    /// matrix (LAPACK dgecon, 1-norm): 0 when singular or not factored, 1 for the identity,
    /// tiny (≲ 1e-16) when the matrix is numerically singular. About five solves; allocates nothing.
    ///
    /// References: Higham, ACM TOMS 14, 1988 (Algorithm 674); LAPACK dgecon.
    public func reciprocalCondition() -> Double {
        let n = dimension
        guard status == .success else { return 0 }
        guard n > 0 else { return 1 }
        guard matrixOneNorm > 0, matrixOneNorm.isFinite else { return 0 }
        let inverseNorm = estimateInverseOneNorm(
            n: n, x: work, v: work + n, signs: work + 2 * n,
            solve: { denseSolveFactored(a, n: n, lda: n, pivots: pivots, inverseDiagonal: inverseDiagonal, $0) },
            solveTransposed: {
                denseSolveFactoredTransposed(a, n: n, lda: n, pivots: pivots, inverseDiagonal: inverseDiagonal, $0)
            })
        guard inverseNorm > 0, inverseNorm.isFinite else { return 0 }
        return (1 / inverseNorm) / matrixOneNorm
    }
}
