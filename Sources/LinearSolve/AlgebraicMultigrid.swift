/// Smoothed-aggregation algebraic multigrid as a preconditioner: one cycle z = M⁻¹ r for a
/// sparse square A (the Newton matrix W of a discretised PDE), what SciML's "Solving Large
/// Stiff Equations" tutorial gets from AlgebraicMultigrid.jl for Krylov methods.
///
/// Contract:
/// 1. `init` builds the hierarchy from A's pattern and values: strong connections
///    |a_ij| ≥ θ_l √|a_ii a_jj| (θ_l = θ / 2^l on level l), aggregates of strongly connected
///    unknowns, the tentative prolongator (the constant on each aggregate, orthonormal
///    columns), smoothed by one damped Jacobi step, Galerkin coarse matrices R A P with
///    R = Pᵀ, until at most `Options.maximumCoarse` unknowns remain (or coarsening stalls).
/// 2. `update(values:reaggregate:)` takes new values on the same pattern. By default the
///    aggregates and every pattern are kept and only P's values, the Galerkin products and
///    the coarsest factorisation are recomputed: no allocation. With `reaggregate: true` the
///    hierarchy is chosen again from the new values (allocates).
/// 3. `apply` runs one cycle from a zero guess: `Options.sweeps` damped Jacobi sweeps (or
///    forward Gauss–Seidel), the coarse correction (`Options.coarseCorrections` of them on the
///    coarse levels: a W-cycle below the finest level), as many sweeps after (backward
///    Gauss–Seidel); on the coarsest level a dense LU solve (or, when
///    coarsening stalled above `Options.maximumDirect` unknowns, symmetric Gauss–Seidel
///    sweeps). It is a fixed linear map of r for fixed values, as a GMRES preconditioner
///    must be, and allocates nothing.
/// 4. Non-finite values make `update` return false and leave `isUsable` false; `apply` then
///    copies r to z (no preconditioning) instead of trapping.
///
/// References: P. Vaněk, J. Mandel, M. Brezina, Algebraic multigrid by smoothed aggregation
/// for second and fourth order elliptic problems, Computing 56, 1996; W. L. Briggs,
/// V. E. Henson, S. F. McCormick, A Multigrid Tutorial, 2nd ed., SIAM, 2000 (V- and W-cycles);
/// Y. Saad, Iterative Methods for Sparse Linear Systems, 2nd ed., SIAM, 2003, §13.
public final class AlgebraicMultigrid {
    /// The hierarchy's parameters: Vaněk et al.'s for the aggregation and the prolongator;
    /// the smoother and the cycle chosen by measurement on the 2-D Brusselator's W.
    public struct Options: Sendable, Equatable {
        /// θ, the strength-of-connection threshold on the finest level (Vaněk et al.'s 0.08;
        /// above 0 it keeps weakly coupled species of a reaction–diffusion system apart).
        public var strengthThreshold = 0.08
        /// The prolongator smoother's damping: ω = damping / ρ(D⁻¹A) (4/3 in Vaněk et al.).
        public var prolongationDamping = 4.0 / 3.0
        /// Coarsen until a level has at most this many unknowns.
        public var maximumCoarse = 100
        /// The coarsest level is factored densely up to this size, smoothed above it.
        public var maximumDirect = 400
        /// Symmetric Gauss–Seidel sweeps on a coarsest level too large to factor.
        public var coarseSweeps = 4
        /// The smoother before and after the coarse correction. Damped Jacobi by default: on
        /// the Brusselator's W two Jacobi sweeps give GMRES the same iteration counts as one
        /// Gauss–Seidel sweep in about 20 % less time, Gauss–Seidel's rows waiting on each other.
        public var smoother = Smoother.jacobi
        /// Smoothing sweeps before and after the coarse correction (each).
        public var sweeps = 2
        /// Coarse-grid corrections on each level below the finest: 1 is a V-cycle, 2 a W-cycle
        /// under a V-shaped top (the finest level, which costs most, corrects once). 2 by
        /// default: on the Brusselator's W (c = 0.1) GMRES then needs 9 iterations at N = 32,
        /// 64 and 128 where the V-cycle needs 9, 11 and 11, for a coarse part of the cycle that
        /// is a fraction of the finest level's work (coarsening by about 6 a level).
        public var coarseCorrections = 2
        /// The most levels, the finest included.
        public var maximumLevels = 12
        /// Coarsening stops when a level would keep more than this fraction of the unknowns.
        public var maximumCoarseningRatio = 0.8

        /// The defaults.
        public init() {}
    }

    /// The relaxation that removes the error the coarse levels cannot represent.
    public enum Smoother: Sendable, Equatable {
        /// Forward Gauss–Seidel before, backward after (symmetric for symmetric A).
        case gaussSeidel
        /// Damped Jacobi, ω = 4 / (3 ρ(D⁻¹A)) with ρ bounded by Gershgorin's theorem.
        case jacobi
    }

    /// The number of unknowns.
    public let dimension: Int
    /// The parameters the hierarchy was built with.
    public let options: Options
    /// Whether the last setup had finite values (otherwise `apply` is the identity).
    public private(set) var isUsable = false
    /// Hierarchies built from scratch (the first setup and each `reaggregate`).
    public private(set) var aggregations = 0
    /// Value-only setups that kept the aggregates.
    public private(set) var numericUpdates = 0

    var levels: [MultigridLevel]
    /// Where each stored entry of the CSC input goes in the finest CSR matrix.
    private let fromInput: UnsafeMutablePointer<Int>
    private let inputCount: Int
    private var coarseLU: DenseLU?

    /// A hierarchy for the square matrix `matrix`; nil if it is not square.
    public init?(_ matrix: SparseMatrixCSC, options: Options = Options()) {
        guard matrix.rowCount == matrix.columnCount else { return nil }
        let n = matrix.rowCount
        dimension = n
        self.options = options
        // The CSC input's transpose pattern is A's CSR pattern: count rows, then place entries.
        let t = MultigridLevel.transpose(rows: n, columns: n, rowPtr: matrix.colPtr, col: matrix.rowIndex)
        levels = [MultigridLevel(n: n, rowPtr: t.rowPtr, col: t.col)]
        inputCount = matrix.storedCount
        fromInput = copiedBuffer(t.map)
        _ = matrix.values.withUnsafeBufferPointer { update(values: $0, reaggregate: true) }
    }

    deinit { fromInput.deallocate() }

    /// The unknowns on each level, finest first.
    public var levelSizes: [Int] { levels.map(\.n) }

    /// Stored entries on all levels over those of A (the operator complexity).
    public var operatorComplexity: Double {
        Double(levels.reduce(0) { $0 + $1.nnz }) / Double(Swift.max(levels[0].nnz, 1))
    }

    /// Takes new values of A in the pattern given to `init` (CSC order) and recomputes the
    /// hierarchy's values, keeping the aggregates unless `reaggregate`. False when a value is
    /// not finite or `values` is short (the preconditioner is then the identity).
    @discardableResult
    public func update(values: UnsafeBufferPointer<Double>, reaggregate: Bool = false) -> Bool {
        isUsable = false
        guard values.count >= inputCount else { return false }
        let fine = levels[0]
        for p in 0..<inputCount { fine.val[fromInput[p]] = values[p] }
        guard fine.refreshDiagonal() else { return false }
        if reaggregate {
            aggregations += 1
            buildHierarchy()
        } else {
            numericUpdates += 1
            for l in 0..<(levels.count - 1) {
                guard let transfer = levels[l].transfer else { break }
                transfer.smoothProlongator(levels[l], damping: options.prolongationDamping)
                transfer.galerkin(levels[l], into: levels[l + 1])
                guard levels[l + 1].refreshDiagonal() else { return false }
            }
        }
        isUsable = factorCoarsest()
        return isUsable
    }

    /// Coarsens level by level from the finest, computing each coarse matrix before choosing
    /// its aggregates.
    private func buildHierarchy() {
        levels.removeSubrange(1...)
        levels[0].transfer = nil
        var theta = options.strengthThreshold
        while let last = levels.last, last.n > options.maximumCoarse, levels.count < options.maximumLevels,
              let (transfer, coarse) = last.coarsen(threshold: theta, maximumRatio: options.maximumCoarseningRatio) {
            transfer.smoothProlongator(last, damping: options.prolongationDamping)
            transfer.galerkin(last, into: coarse)
            guard coarse.refreshDiagonal() else { break }
            last.transfer = transfer
            levels.append(coarse)
            theta *= 0.5
        }
        let coarsest = levels[levels.count - 1]
        coarseLU = coarsest.n <= options.maximumDirect ? DenseLU(dimension: coarsest.n) : nil
    }

    /// Factors the coarsest matrix densely when it is small enough; false when that fails.
    private func factorCoarsest() -> Bool {
        guard let lu = coarseLU else { return true }
        let coarsest = levels[levels.count - 1], n = coarsest.n
        lu.withUnsafeMutableMatrix { w in
            for q in 0..<(n * n) { w[q] = 0 }
            for i in 0..<n { for k in coarsest.rowPtr[i]..<coarsest.rowPtr[i + 1] { w[i + coarsest.col[k] * n] += coarsest.val[k] } }
        }
        return lu.factor() == .success
    }

    /// z = M⁻¹ r by one cycle (r and z hold at least `dimension` values and do not overlap).
    public func apply(_ r: UnsafeBufferPointer<Double>, _ z: UnsafeMutableBufferPointer<Double>) {
        let n = dimension
        guard r.count >= n, z.count >= n else { return }
        guard isUsable else { for i in 0..<n { z[i] = r[i] }; return }
        let fine = levels[0]
        for i in 0..<n { fine.b[i] = r[i] }
        cycle(0)
        for i in 0..<n { z[i] = fine.x[i] }
    }

    /// y = A x with the values of the last `update` (x and y hold at least `dimension` values
    /// and do not overlap): the operator the hierarchy preconditions, for GMRES.
    public func multiply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        guard x.count >= dimension, y.count >= dimension, let source = x.baseAddress else { return }
        let fine = levels[0], v = UnsafeMutablePointer(mutating: source)
        for i in 0..<dimension { y[i] = fine.rowProduct(i, v) }
    }

    /// `apply` on arrays.
    public func apply(_ r: [Double], into z: inout [Double]) {
        r.withUnsafeBufferPointer { rb in z.withUnsafeMutableBufferPointer { apply(rb, $0) } }
    }

    private func cycle(_ l: Int) {
        let level = levels[l]
        for i in 0..<level.n { level.x[i] = 0 }
        guard let transfer = level.transfer, l + 1 < levels.count else {
            solveCoarsest(level)
            return
        }
        let coarse = levels[l + 1]
        smooth(level, before: true)
        // Above an exactly solved coarsest level a second Galerkin correction would find a zero
        // restricted residual (R(b − A P x_c) = R b − A_c x_c = 0).
        let exact = l + 2 == levels.count && coarseLU != nil
        for _ in 0..<(l == 0 || exact ? 1 : options.coarseCorrections) {
            level.residual()
            transfer.restrict(level, to: coarse)
            cycle(l + 1)
            transfer.prolongate(coarse, to: level)
        }
        smooth(level, before: false)
    }

    /// `sweeps` sweeps of the smoother, the first from x = 0 before the correction.
    private func smooth(_ level: MultigridLevel, before: Bool) {
        for sweep in 0..<options.sweeps {
            switch options.smoother {
            case .gaussSeidel: level.gaussSeidel(forward: before)
            case .jacobi: level.jacobi(fromZero: before && sweep == 0)
            }
        }
    }

    private func solveCoarsest(_ level: MultigridLevel) {
        if let lu = coarseLU {
            for i in 0..<level.n { level.x[i] = level.b[i] }
            lu.solve(UnsafeMutableBufferPointer(start: level.x, count: level.n))
        } else {
            for _ in 0..<options.coarseSweeps {
                level.gaussSeidel(forward: true)
                level.gaussSeidel(forward: false)
            }
        }
    }
}
