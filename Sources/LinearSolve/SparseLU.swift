import CKLU

/// Sparse LU factorisation through SuiteSparse KLU: a symbolic analysis (BTF and AMD
/// orderings) once per sparsity pattern, then numeric refactorisations that reuse both the
/// ordering and the pivot sequence while only the values change, which is what a stiff
/// solver's Jacobian updates do.
///
/// Contract:
/// 1. `analyze(_:)` (or the first `factor`) orders the pattern and allocates KLU's symbolic
///    object; a `factor` with a different pattern analyses again (counted in `statistics`).
/// 2. The first `factor` after an analysis is a full factorisation with partial pivoting
///    (allocates KLU's numeric object). Later ones call `klu_refactor`, which allocates
///    nothing; if the old pivot sequence turns out poor for the new values (crude rcond
///    below ε^(2/3) confirmed by `klu_condest`, or a zero pivot) the matrix is factored
///    again from scratch with fresh pivoting, as SUNDIALS' SUNLinSol_KLU does.
/// 3. A matrix with a NaN or infinite entry is `.nonFinite` (pivot: its column) and is
///    not passed to KLU; a singular one is `.singular(pivot:)` with the column of A at
///    which KLU found the zero pivot.
/// 4. `solve` and `solveTransposed` run `klu_solve`/`klu_tsolve` on KLU's own workspace
///    and allocate nothing.
///
/// References: T. A. Davis, E. Palamadai Natarajan, Algorithm 907: KLU, a direct sparse
/// solver for circuit simulation problems, ACM TOMS 37, 2010; J. R. Gilbert, T. Peierls,
/// Sparse partial pivoting in time proportional to arithmetic operations, SIAM J. Sci.
/// Stat. Comput. 9, 1988; A. C. Hindmarsh et al., SUNDIALS, ACM TOMS 31, 2005.
public final class SparseLU: LinearSolver {
    /// Counts of the expensive steps, to check that refactorisation is reused.
    public struct Statistics: Equatable, Sendable {
        /// Symbolic analyses (one per new pattern).
        public var analyses = 0
        /// Full numeric factorisations with pivoting (each allocates KLU's numeric object).
        public var factorizations = 0
        /// Allocation-free refactorisations that kept the previous pivot sequence.
        public var refactorizations = 0

        /// Counts as given (all zero by default).
        public init(analyses: Int = 0, factorizations: Int = 0, refactorizations: Int = 0) {
            self.analyses = analyses
            self.factorizations = factorizations
            self.refactorizations = refactorizations
        }
    }

    /// The number of rows and columns.
    public let dimension: Int
    /// The outcome of the last `factor` (`nil` before it).
    public private(set) var status: FactorizationStatus?
    /// What the factorisations so far have cost.
    public private(set) var statistics = Statistics()
    /// The crude reciprocal condition (min |U_kk| / max |U_kk|) under which a refactorisation
    /// is checked by `klu_condest` and redone with fresh pivoting: ε^(2/3), as in SUNDIALS.
    public static let refactorConditionThreshold = 3.6668528625010139e-11

    private let common: UnsafeMutablePointer<klu_common>
    private var symbolic: UnsafeMutablePointer<klu_symbolic>?
    private var numeric: UnsafeMutablePointer<klu_numeric>?
    /// The analysed pattern, kept to recognise it (array identity makes the check O(1)
    /// when the caller passes the same matrix again), and KLU's 32-bit copies of it.
    private var patternColPtr: [Int] = []
    private var patternRowIndex: [Int] = []
    private var ap = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    private var ai = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    private var ax = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var storedCount = 0

    /// A solver for n×n matrices; the analysis waits for the first pattern.
    public init(dimension: Int) {
        self.dimension = Swift.max(0, dimension)
        common = .allocate(capacity: 1)
        common.initialize(to: klu_common())
        klu_defaults(common)
    }

    /// A solver analysed for the pattern of `pattern` (its values are not used).
    public convenience init(pattern: SparseMatrixCSC) {
        self.init(dimension: pattern.rowCount)
        analyze(pattern)
    }

    deinit {
        releaseFactors()
        ap.deallocate()
        ai.deallocate()
        ax.deallocate()
        common.deinitialize(count: 1)
        common.deallocate()
    }

    private func releaseFactors() {
        if numeric != nil { _ = klu_free_numeric(&numeric, common) }
        if symbolic != nil { _ = klu_free_symbolic(&symbolic, common) }
        numeric = nil
        symbolic = nil
    }

    /// Whether the last factorisation succeeded.
    public var isFactored: Bool { status == .success }

    /// The entries of the factors L and U (diagonals included) and of the off-diagonal blocks
    /// of the block-triangular form, from the last successful factorisation (0 before it):
    /// the fill-in, which sets the cost of a refactorisation and of a solve.
    public var factorEntries: Int {
        guard status == .success, let numeric else { return 0 }
        return Int(numeric.pointee.lnz) + Int(numeric.pointee.unz) + Int(numeric.pointee.nzoff)
    }

    /// Orders the pattern of `pattern` and allocates KLU's symbolic object (discarding any
    /// earlier factors). Returns `.success`, `.unsupportedMatrix` (not n×n, or too large for
    /// KLU's 32-bit indices) or `.libraryFailure`.
    @discardableResult
    public func analyze(_ pattern: SparseMatrixCSC) -> FactorizationStatus {
        releaseFactors()
        status = nil
        patternColPtr = []
        patternRowIndex = []
        storedCount = 0
        let n = dimension, nnz = pattern.storedCount
        guard pattern.rowCount == n, pattern.columnCount == n, n < Int(Int32.max), nnz < Int(Int32.max) else {
            status = .unsupportedMatrix
            return .unsupportedMatrix
        }
        ap.deallocate(); ai.deallocate(); ax.deallocate()
        ap = .allocate(capacity: n + 1)
        ai = .allocate(capacity: Swift.max(1, nnz))
        ax = .allocate(capacity: Swift.max(1, nnz))
        for j in 0...n { ap[j] = Int32(truncatingIfNeeded: pattern.colPtr[j]) }
        for p in 0..<nnz { ai[p] = Int32(truncatingIfNeeded: pattern.rowIndex[p]); ax[p] = 0 }
        symbolic = klu_analyze(Int32(n), ap, ai, common)
        guard symbolic != nil else {
            let failure = FactorizationStatus.libraryFailure(code: Int(common.pointee.status))
            status = failure
            return failure
        }
        patternColPtr = pattern.colPtr
        patternRowIndex = pattern.rowIndex
        storedCount = nnz
        statistics.analyses += 1
        return .success
    }

    /// Factors `matrix`: a refactorisation when its pattern is the analysed one, else an
    /// analysis and a full factorisation first.
    @discardableResult
    public func factor(_ matrix: SparseMatrixCSC) -> FactorizationStatus {
        guard matrix.rowCount == dimension, matrix.columnCount == dimension else {
            status = .unsupportedMatrix
            return .unsupportedMatrix
        }
        if symbolic == nil || matrix.colPtr != patternColPtr || matrix.rowIndex != patternRowIndex {
            let analysis = analyze(matrix)
            guard analysis == .success else { return analysis }
        }
        return matrix.values.withUnsafeBufferPointer { factor(values: $0) }
    }

    /// Factors the analysed pattern with new `values` (one per stored entry, in the
    /// pattern's order). `.unsupportedMatrix` before an analysis or on a count mismatch.
    @discardableResult
    public func factor(values: UnsafeBufferPointer<Double>) -> FactorizationStatus {
        guard symbolic != nil, values.count == storedCount else {
            status = .unsupportedMatrix
            return .unsupportedMatrix
        }
        status = nil
        for p in 0..<storedCount {
            let v = values[p]
            if !v.isFinite {
                var column = 0
                while column < dimension, Int(ap[column + 1]) <= p { column += 1 }
                status = .nonFinite(pivot: column)
                return .nonFinite(pivot: column)
            }
            ax[p] = v
        }
        if numeric != nil, refactor() {
            statistics.refactorizations += 1
            status = .success
            return .success
        }
        if numeric != nil { _ = klu_free_numeric(&numeric, common) }
        numeric = klu_factor(ap, ai, ax, symbolic, common)
        let result: FactorizationStatus
        if numeric != nil, common.pointee.status == KLU_OK {
            statistics.factorizations += 1
            result = .success
        } else if common.pointee.status == KLU_SINGULAR {
            result = .singular(pivot: Int(common.pointee.singular_col))
        } else {
            result = .libraryFailure(code: Int(common.pointee.status))
        }
        if result != .success, numeric != nil { _ = klu_free_numeric(&numeric, common) }
        status = result
        return result
    }

    /// `klu_refactor` with the old pivots; `false` when it fails or the pivots have gone bad.
    private func refactor() -> Bool {
        guard klu_refactor(ap, ai, ax, symbolic, numeric, common) == 1, common.pointee.status == KLU_OK else {
            return false
        }
        guard klu_rcond(symbolic, numeric, common) == 1 else { return false }
        let rcond = common.pointee.rcond
        if rcond.isNaN { return false }
        if rcond < Self.refactorConditionThreshold {
            guard klu_condest(ap, ax, symbolic, numeric, common) == 1 else { return false }
            let condest = common.pointee.condest
            if !(condest <= 1 / Self.refactorConditionThreshold) { return false }
        }
        return true
    }

    /// Factors a `.sparse` matrix; other formats are `.unsupportedMatrix`.
    @discardableResult
    public func factor(_ matrix: LinearSystemMatrix) -> FactorizationStatus {
        if case .sparse(let m) = matrix { return factor(m) }
        status = .unsupportedMatrix
        return .unsupportedMatrix
    }

    /// Solves A X = B in place for `rhsCount` right-hand sides stored column after column
    /// (leading dimension n); `false`, `b` untouched, without valid factors or when `b` is short.
    @discardableResult
    public func solve(_ b: UnsafeMutableBufferPointer<Double>, rhsCount: Int) -> Bool {
        let n = dimension
        guard status == .success, rhsCount >= 0, b.count >= n * rhsCount, rhsCount < Int(Int32.max) else { return false }
        guard n > 0, rhsCount > 0, let base = b.baseAddress else { return true }
        return klu_solve(symbolic, numeric, Int32(n), Int32(rhsCount), base, common) == 1
    }

    /// Solves A x = b in place for one right-hand side.
    @discardableResult
    public func solve(_ b: UnsafeMutableBufferPointer<Double>) -> Bool { solve(b, rhsCount: 1) }

    /// Solves Aᵀ X = B in place, with the conventions of `solve`.
    @discardableResult
    public func solveTransposed(_ b: UnsafeMutableBufferPointer<Double>, rhsCount: Int) -> Bool {
        let n = dimension
        guard status == .success, rhsCount >= 0, b.count >= n * rhsCount, rhsCount < Int(Int32.max) else { return false }
        guard n > 0, rhsCount > 0, let base = b.baseAddress else { return true }
        return klu_tsolve(symbolic, numeric, Int32(n), Int32(rhsCount), base, common) == 1
    }

    /// 1 / cond₁(A) from KLU's Hager–Higham estimator (`klu_condest`); 0 when singular or
    /// not factored.
    ///
    /// References: Higham, ACM TOMS 14, 1988 (Algorithm 674); Davis & Palamadai Natarajan, 2010.
    public func reciprocalCondition() -> Double {
        guard status == .success else { return 0 }
        guard dimension > 0 else { return 1 }
        guard klu_condest(ap, ax, symbolic, numeric, common) == 1 else { return 0 }
        let condest = common.pointee.condest
        return condest > 0 && condest.isFinite ? 1 / condest : 0
    }
}
