import LinearSolve

/// Newton–Krylov's state: GMRES on W v = d·v − s·J v with J v at the point the Jacobian was
/// last "taken" (Newton's simplified iterations keep it, as they keep a factored W), and the
/// preconditioner: the inverse of W's diagonal when a sparsity pattern gives J's diagonal, or
/// an algebraic multigrid hierarchy for W assembled on that pattern.
final class KrylovNewtonSystem {
    let gmres: GMRES
    /// `.none` whenever there is no sparsity pattern to read J from.
    let preconditioner: KrylovPreconditioner
    let point: UnsafeMutablePointer<Double>
    let f0: UnsafeMutablePointer<Double>
    var time = 0.0
    /// The right-hand side b, copied (GMRES improves x in place).
    let b: UnsafeMutablePointer<Double>
    /// u + εv for a finite-difference J v.
    let shifted: UnsafeMutablePointer<Double>
    /// 1 / W[i, i] (ones without a preconditioner).
    let inverseDiagonal: UnsafeMutablePointer<Double>
    var diagonal = 1.0, scale = 0.0
    /// For `.amg`: W in CSC on J's pattern and the diagonal (never factored), and its
    /// hierarchy, built at the first W.
    let assembly: SparseNewtonSystem?
    private(set) var amg: AlgebraicMultigrid?
    /// Set by a new Jacobian: the next W chooses its aggregates again. A new hγ alone keeps
    /// them and recomputes the hierarchy's values, which allocates nothing, unless s/d moved by
    /// more than `reaggregationRatio` since they were chosen (strong connections depend on it:
    /// the W of a tiny first step is nearly I and coarsens to nothing).
    var jacobianChanged = true
    private var aggregatedScale = 0.0
    static let reaggregationRatio = 8.0
    /// GMRES runs that stopped short of the tolerance (their iterate is used: inexact Newton).
    var unconverged = 0
    var iterations = 0

    init(n: Int, restart: Int, reltol: Double, preconditioner: KrylovPreconditioner, assembly: SparseNewtonSystem?) {
        // A Newton correction needs no more than a few restarts; a hard problem without a
        // preconditioner fails the Newton iteration instead of spinning here.
        gmres = GMRES(dimension: n, restart: restart, absoluteTolerance: 0, relativeTolerance: reltol,
                      maxIterations: Swift.max(4 * restart, 100))
        self.preconditioner = preconditioner
        self.assembly = assembly
        point = zeroedBuffer(n)
        f0 = zeroedBuffer(n)
        b = zeroedBuffer(n)
        shifted = zeroedBuffer(n)
        inverseDiagonal = zeroedBuffer(n)
        for i in 0..<n { inverseDiagonal[i] = 1 }
    }

    deinit {
        point.deallocate(); f0.deallocate(); b.deallocate(); shifted.deallocate(); inverseDiagonal.deallocate()
    }

    /// Whether the Jacobian must be evaluated on the sparsity pattern for the preconditioner.
    var usesSparseJacobian: Bool { preconditioner != .none }

    /// Keeps W = d·I − s·J's coefficients for the operator and sets the preconditioner up from
    /// `storage` (J on the pattern); false when W has non-finite entries.
    func prepare(diagonal d: Double, jacobianScale s: Double, _ storage: SparseJacobianStorage?) -> Bool {
        diagonal = d
        scale = s
        guard let storage else { return true }
        switch preconditioner {
        case .none:
            return true
        case .jacobi:
            for i in 0..<storage.n {
                let k = storage.diagonalIndex[i]
                let wii = d - (k >= 0 ? s * storage.values[k] : 0)
                inverseDiagonal[i] = wii != 0 && wii.isFinite ? 1 / wii : 1
            }
            return true
        case .amg:
            guard let assembly else { return true }
            assembly.assemble(diagonal: d, jacobianScale: s, storage)
            let values = UnsafeBufferPointer(start: assembly.values, count: assembly.nnz)
            let ratio = Swift.abs(s / d), change = ratio / aggregatedScale
            // Measured on the Brusselator (N = 32, Gauss–Seidel V-cycle): choosing the aggregates
            // at every new hγ gave KenCarp4 the same Krylov iterations (8.2 a solve) as keeping
            // them until the Jacobian changes, QNDF 7.3 instead of 7.8, at the cost of an
            // allocating setup each time; keeping the first ones for good left QNDF a one-level
            // hierarchy (13 a solve).
            let reaggregate = jacobianChanged || !(change <= Self.reaggregationRatio && change >= 1 / Self.reaggregationRatio)
            jacobianChanged = false
            if reaggregate { aggregatedScale = ratio }
            if let amg { return amg.update(values: values, reaggregate: reaggregate) }
            guard let w = assembly.matrix(storage.n), let made = AlgebraicMultigrid(w) else { return false }
            amg = made
            return made.isUsable
        }
    }
}
