/// Solver options, with SciML's names and meanings (`abstol`, `reltol`, `saveat`, ...).
public struct SolverOptions: @unchecked Sendable {
    /// A tolerance for all components, or one per component.
    public enum Tolerance: Sendable, ExpressibleByFloatLiteral {
        case scalar(Double)
        case vector([Double])
        public init(floatLiteral v: Double) { self = .scalar(v) }
        /// Component i's tolerance (NaN past the end of a short vector: `run` refuses those).
        func value(_ i: Int) -> Double {
            switch self {
            case .scalar(let v): return v
            case .vector(let v): return i < v.count ? v[i] : .nan
            }
        }
    }

    /// Where to save: explicit times, or every `Δt` from the start (SciML's `saveat=0.1`).
    public enum SaveAt: Sendable {
        case times([Double])
        case every(Double)
    }

    public var abstol: Tolerance = 1e-6
    public var reltol: Tolerance = 1e-3
    /// The first step (nil: Hairer's initial-step algorithm), or the step of a fixed-step solve.
    public var dt: Double? = nil
    public var adaptive = true
    /// Smallest step allowed (nil: a few ulp of t); going below returns `dtLessThanMin`.
    public var dtmin: Double? = nil
    public var dtmax: Double? = nil
    /// Steps attempted (accepted + rejected) before returning `maxIters`.
    public var maxiters = 100_000
    public var saveat: SaveAt? = nil
    /// nil: true when `saveat` is not given.
    public var saveEverystep: Bool? = nil
    /// Whether t₀ is saved. nil: true unless `saveat` is given as times that do not include t₀
    /// (and every step is not saved), as SciML's `save_start`.
    public var saveStart: Bool? = nil
    /// Whether the end is saved (even when every step is saved, false leaves it out). nil: true
    /// unless `saveat` is given as times that do not include the end (and every step is not
    /// saved), as SciML's `save_end`; `saveat` as a step `.every(Δ)` saves the end.
    public var saveEnd: Bool? = nil
    /// Save only these components (0-based); an index outside the state is an `initialFailure`.
    public var saveIdxs: [Int]? = nil
    /// Keep every step's stages so `sol(t)` interpolates with the method's dense output.
    /// nil: true when saving every step of every component and `saveat` is not given.
    public var dense: Bool? = nil
    /// Record every accepted step's time and size, and the state at the start of every
    /// `checkpointEvery`-th step (without stages), for a checkpointed discrete adjoint that
    /// replays the steps between checkpoints (`ODESolution.checkpoints`). Ignored when `dense`.
    public var checkpointEvery: Int? = nil
    /// Times the solver must step to exactly.
    public var tstops: [Double] = []
    /// Discontinuities of f (in t); stepped to exactly, like tstops.
    public var dDiscontinuities: [Double] = []
    /// The norm of the scaled error (default: root mean square), given the values and t.
    public var internalnorm: ((UnsafeBufferPointer<Double>, Double) -> Double)? = nil
    /// Extra instability test on each accepted step: (dt, u, p, t) -> unstable?
    public var unstableCheck: ((Double, UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>, Double) -> Bool)? = nil
    /// Called after each accepted step with t; returning false interrupts the solve.
    public var progress: ((Double) -> Bool)? = nil
    /// Step-size control.
    public var controller: StepController = .pi
    /// Events and callbacks.
    public var callback: CallbackSet = CallbackSet()
    /// How the implicit methods solve with their Newton matrix W (SciML's `linsolve`).
    public var linsolve: LinearSolverChoice = .automatic

    public init() {}

    /// Why these options cannot be used for `n` states, or nil when they can.
    func problem(states n: Int) -> String? {
        if case .vector(let v) = abstol, v.count != n { return "abstol has \(v.count) entries for \(n) states" }
        if case .vector(let v) = reltol, v.count != n { return "reltol has \(v.count) entries for \(n) states" }
        if let idx = saveIdxs {
            for i in idx where i < 0 || i >= n { return "save_idxs contains \(i), outside 0..<\(n)" }
        }
        return nil
    }
}

/// Step-size controllers. All use OrdinaryDiffEq's safety factor 0.9 and step ratio limits
/// [1/5, 10] unless given.
public enum StepController: Sendable {
    /// Hairer's PI controller with the method's default gains (DP5: β₁ = 0.17, β₂ = 0.04 as in
    /// DOPRI5; otherwise β₁ = 7/(10 q), β₂ = 2/(5 q) for a method of order q, as OrdinaryDiffEq).
    case pi
    /// A PI controller with explicit gains.
    case piGains(beta1: Double, beta2: Double)
    /// Söderlind's PID controller with gains on the last three errors (e.g. (0.3, 0.4, 0) as
    /// diffrax suggests for stiff problems); the gains are divided by the estimate's order + 1.
    /// References: G. Söderlind, "Digital filters in adaptive time-stepping", ACM TOMS 29, 2003.
    case pid(beta1: Double, beta2: Double, beta3: Double)
}

/// The linear solver of the implicit methods (Rosenbrock, SDIRK, QNDF) for W = M/(hγ) − J or
/// I − γhJ, with SciML's names.
public enum LinearSolverChoice: Sendable, Equatable {
    /// KLU when the function has a sparsity pattern, at least `sparseMinimumStates` states, a
    /// density of at most `sparseMaximumDensity` and at most `sparseMaximumEntriesPerColumn`
    /// entries a column on average; dense LU otherwise.
    ///
    /// Measured (`make bench CASE=linsolve_crossover`: forming W, refactoring, one solve): on
    /// the periodic 2-D 5-point stencil KLU is 1.2× faster than dense LU at n = 25, 1.8× at 49,
    /// 3.6× at 100, 10× at 400; on random patterns (the worst fill-in) it wins up to about six
    /// entries a column (n = 50: 1.3× at 12 % density, 0.7× at 21 %; n = 400: 1.9× at 1.2 %,
    /// 0.16× at 3.2 %). Jacobians of discretised PDEs and reaction networks are structured, so
    /// the limits sit between the two.
    ///
    /// GMRES with the AMG preconditioner is not chosen automatically. On the 2-D Brusselator
    /// (`make bench CASE=brusselator_2d`, rtol 1e-6) it overtakes KLU only from about 8 000
    /// states (N = 64: QNDF 2.7 s against 5.1 s, KenCarp4 5.8 s against 6.8 s; N = 32: 0.52
    /// and 1.19 s against 0.47 and 0.71 s), Rosenbrock methods cannot use it, and aggregation
    /// suits diffusion-dominated W rather than sparse Jacobians in general.
    case automatic
    /// Dense LU of the full W (the Jacobian from `jac` or finite differences column by column).
    case dense
    /// Banded LU (LAPACK's dgbtrf) with `lower` sub- and `upper` super-diagonals: the
    /// Jacobian from `sparseJac` when the sparsity pattern lies in the band, coloured finite
    /// differences over the band otherwise (lower + upper + 1 evaluations of f).
    case banded(lower: Int, upper: Int)
    /// Sparse LU through SuiteSparse KLU on `ODEFunction.sparsity` (merged with the diagonal
    /// and the mass matrix's pattern): the symbolic analysis once, numeric refactorisations
    /// after; the Jacobian from `sparseJac` or coloured finite differences.
    case klu
    /// Newton–Krylov: restarted GMRES on W v = v − γh J v, matrix-free with J v from
    /// `ODEFunction.jvp` (finite differences of f otherwise), stopping at a residual of
    /// `reltol`·‖b‖, right-preconditioned by `preconditioner` (see `KrylovPreconditioner`).
    /// SDIRK and QNDF only: Rosenbrock methods are derived for exact solves with W and are
    /// refused.
    case gmres(restart: Int = 30, reltol: Double = 1e-6, preconditioner: KrylovPreconditioner = .jacobi)

    /// The earlier spelling of `.gmres`: `jacobi` false is `preconditioner: .none`.
    public static func gmres(restart: Int = 30, reltol: Double = 1e-6, jacobi: Bool) -> LinearSolverChoice {
        .gmres(restart: restart, reltol: reltol, preconditioner: jacobi ? .jacobi : .none)
    }

    /// The automatic choice's size floor: below it a dense LU of W costs less than KLU's
    /// bookkeeping whatever the density.
    public static let sparseMinimumStates = 50
    /// The automatic choice's density ceiling (stored entries of ∂f/∂u over n²).
    public static let sparseMaximumDensity = 0.1
    /// The automatic choice's ceiling on stored entries per column: denser rows fill KLU's
    /// factors towards dense ones (a 3-D 27-point stencil is still below it).
    public static let sparseMaximumEntriesPerColumn = 30
}

/// GMRES's preconditioner M ≈ W in Newton–Krylov (`LinearSolverChoice.gmres`), applied on the
/// right so that the residual GMRES tests is W's own.
public enum KrylovPreconditioner: Sendable, Equatable {
    /// None: the Krylov iterations grow with W's condition number.
    case none
    /// W's diagonal, when `ODEFunction.sparsity` gives J's diagonal cheaply (none otherwise).
    /// Enough when hγ‖J‖ is moderate; on diffusion it leaves iterations growing like the grid
    /// size N (the condition number like N²).
    case jacobi
    /// Smoothed-aggregation algebraic multigrid (`AlgebraicMultigrid`, one cycle) on W
    /// assembled in CSC from the sparse Jacobian, and GMRES multiplies by that W instead of
    /// forming J v: iteration counts that grow slowly with the grid on diffusion-dominated W,
    /// as AlgebraicMultigrid.jl gives SciML's Krylov methods. Needs `ODEFunction.sparsity`.
    /// The aggregates are chosen when the Jacobian is new (allocating); a new hγ only
    /// recomputes the hierarchy's values.
    case amg
}
