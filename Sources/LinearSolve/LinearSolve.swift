// LinearSolve: the linear algebra under Fluxion's implicit solvers.
//
// - `DenseLU`, `BandedLU`, `SparseLU` (SuiteSparse KLU): factor once per Jacobian update,
//   solve many right-hand sides per step; `LinearSolver` lets a stiff solver pick one at
//   run time from the format of its matrix (`LinearSystemMatrix`).
// - `GMRES`: restarted, right-preconditioned, matrix-free, for Jacobian-free Newton-Krylov.
// - `AlgebraicMultigrid`: smoothed aggregation, one multigrid cycle as GMRES's preconditioner for
//   the Newton matrices of discretised PDEs (iteration counts independent of the grid).
//
// Contract for everything here: Float64, column-major storage in workspaces allocated at
// construction, no heap allocation inside factor or solve (KLU's first numeric factorisation
// and a re-pivoting fallback are the documented exceptions), and failures (a singular matrix,
// a Krylov method that does not converge) returned as values, never crashes.
// It depends on nothing else in Fluxion; DiffEq builds on it.

/// The outcome of a factorisation.
///
/// Indices are zero-based. A failed factorisation leaves the solver unusable for `solve`
/// (which then returns `false`) until the next successful `factor`.
public enum FactorizationStatus: Equatable, Sendable {
    /// The factors are complete and nonsingular.
    case success
    /// A pivot is exactly zero: U[k, k] = 0 (LAPACK's `info = k + 1`). For `SparseLU` the
    /// index is the column of the original matrix that produced the zero pivot.
    case singular(pivot: Int)
    /// A pivot is NaN or infinite: the matrix held non-finite entries.
    case nonFinite(pivot: Int)
    /// The matrix has the wrong size or a storage format this solver does not take.
    case unsupportedMatrix
    /// The factorisation library failed (KLU's status code: out of memory, invalid input,
    /// integer overflow).
    case libraryFailure(code: Int)

    /// Whether the factors may be used to solve.
    @inlinable public var isSuccess: Bool { self == .success }
}

/// A square matrix in one of the formats the solvers take; the stiff solvers choose the
/// format at run time (dense for small systems, banded for 1-D method-of-lines, sparse
/// for coloured Jacobians).
public enum LinearSystemMatrix: Sendable {
    case dense(DenseMatrix)
    case banded(BandMatrix)
    case sparse(SparseMatrixCSC)

    /// The number of rows (and columns, for the square matrices the solvers take).
    public var dimension: Int {
        switch self {
        case .dense(let m): return m.rowCount
        case .banded(let m): return m.dimension
        case .sparse(let m): return m.rowCount
        }
    }

    /// y = A x. `x` and `y` hold at least `dimension` values each and do not overlap.
    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        switch self {
        case .dense(let m): m.apply(x, into: y)
        case .banded(let m): m.apply(x, into: y)
        case .sparse(let m): m.apply(x, into: y)
        }
    }

    /// A solver for matrices of this format and size: `DenseLU`, `BandedLU` with the same
    /// bandwidths, or `SparseLU` (whose symbolic analysis happens at its first `factor`).
    public func makeSolver() -> any LinearSolver {
        switch self {
        case .dense(let m): return DenseLU(dimension: m.rowCount)
        case .banded(let m):
            return BandedLU(dimension: m.dimension, lowerBandwidth: m.lowerBandwidth,
                            upperBandwidth: m.upperBandwidth)
        case .sparse(let m): return SparseLU(dimension: m.rowCount)
        }
    }
}

/// A direct solver that factors a square matrix once and then solves many right-hand sides:
/// `DenseLU`, `BandedLU` or `SparseLU`, chosen at run time (`LinearSystemMatrix.makeSolver()`).
/// Matrix-free Newton-Krylov uses `GMRES` instead.
///
/// Contract:
/// 1. `factor` copies what it needs from the matrix (the caller may change the matrix
///    afterwards) and returns the status; it allocates nothing once the solver has seen a
///    matrix of the same shape (for `SparseLU`: the same sparsity pattern, unless the new
///    values force it to choose new pivots).
/// 2. `solve` overwrites `rhsCount` right-hand sides, stored column after column with
///    leading dimension `dimension`, by the solutions of A X = B. It returns `false`, and
///    leaves the buffer untouched, when there are no valid factors or the buffer is short.
/// 3. Neither method traps on user data: a singular or non-finite matrix is a status.
public protocol LinearSolver: AnyObject {
    /// The number of unknowns.
    var dimension: Int { get }
    /// The status of the last factorisation (`nil` before the first one).
    var status: FactorizationStatus? { get }
    /// Factors `matrix`, replacing earlier factors.
    @discardableResult func factor(_ matrix: LinearSystemMatrix) -> FactorizationStatus
    /// Solves A X = B in place for `rhsCount` right-hand sides stored in `b`.
    @discardableResult func solve(_ b: UnsafeMutableBufferPointer<Double>, rhsCount: Int) -> Bool
    /// Solves Aᵀ X = B in place for `rhsCount` right-hand sides stored in `b`.
    @discardableResult func solveTransposed(_ b: UnsafeMutableBufferPointer<Double>, rhsCount: Int) -> Bool
    /// An estimate of 1 / (‖A‖₁ ‖A⁻¹‖₁) for the last factored matrix; 0 when singular or
    /// not factored. Costs a few solves.
    func reciprocalCondition() -> Double
}

extension LinearSolver {
    /// Solves A x = b in place for one right-hand side (or `rhsCount` stored column after column).
    @inlinable @discardableResult
    public func solve(_ b: inout [Double], rhsCount: Int = 1) -> Bool {
        b.withUnsafeMutableBufferPointer { solve($0, rhsCount: rhsCount) }
    }

    /// Solves Aᵀ x = b in place for one right-hand side (or `rhsCount` stored column after column).
    @inlinable @discardableResult
    public func solveTransposed(_ b: inout [Double], rhsCount: Int = 1) -> Bool {
        b.withUnsafeMutableBufferPointer { solveTransposed($0, rhsCount: rhsCount) }
    }
}
