import DiffEq

/// Options of the continuous adjoints (`.backsolveAdjoint`, `.interpolatingAdjoint`,
/// `.quadratureAdjoint`, `.gaussAdjoint`); the other sensitivity algorithms ignore them.
///
/// The defaults are SciMLSensitivity's: checkpointing on for BacksolveAdjoint and off for
/// InterpolatingAdjoint, and the backward solve run with the forward solve's method,
/// tolerances, step limits and controller. The backward solve's error norm is the root mean
/// square over its whole state unless `seminorm` is set.
///
/// ```swift
/// var adjoint = AdjointOptions()
/// adjoint.seminorm = true            // error control on λ only
/// adjoint.reltol = 1e-8              // tighter than the forward solve
/// let ds = try DifferentiableSolve(rhs, tspan: (0, 1.5), tableau: dp5, options: o,
///                                  sensealg: .interpolatingAdjoint, adjointOptions: adjoint)
/// ```
public struct AdjointOptions: Sendable {
    /// Checkpoints (SciML's `checkpointing`; CVODES' check points): at the saved times for
    /// BacksolveAdjoint, every `stepsPerCheckpoint` steps for InterpolatingAdjoint; nil:
    /// SciML's default for the algorithm (on for BacksolveAdjoint, off for InterpolatingAdjoint).
    /// - BacksolveAdjoint: u, integrated backwards together with λ and μ, is reset at every
    ///   saved time to the value the forward solve saved there, so the backward trajectory
    ///   cannot drift away from the forward one (it does for a forward system that is stable
    ///   and so unstable backwards). Off: u runs freely from u(T) back to t₀.
    /// - InterpolatingAdjoint: the forward solve keeps each step's time and size and the
    ///   state every `stepsPerCheckpoint` steps, not the stages; during the backward pass each
    ///   segment of steps is replayed from its checkpoint (the same steps, same arithmetic)
    ///   when λ enters it, and the segment boundaries are stops of the backward solve. Memory:
    ///   one segment's stages, a state per segment and 3 numbers per step, for a second forward
    ///   pass. Off: u(t) is the forward solve's own dense output.
    /// - QuadratureAdjoint and GaussAdjoint always read the forward solve's dense output and
    ///   ignore this option.
    public var checkpointing: Bool?
    /// DiscreteAdjoint and InterpolatingAdjoint with `checkpointing` on: the forward solve
    /// records each step's time and size and the state every this many steps; the backward
    /// pass replays one segment at a time.
    /// Memory: one segment's stages plus a state per segment, for a second forward pass.
    public var stepsPerCheckpoint = 16
    /// Measures the backward solve's local error on λ alone (a seminorm): μ, the running
    /// integral of (∂f/∂p)ᵀλ, never feeds back into the solve, so its error cannot grow, and
    /// BacksolveAdjoint's re-integrated u had its error controlled by the forward solve (and
    /// checkpointing resets it). With many parameters μ dominates the state, and controlling
    /// its error forces steps that λ does not need; the seminorm saves them.
    ///
    /// The norm is the default root mean square with the scaled errors of μ (and u) counted as
    /// zero: sqrt(Σ_{j ∈ λ} eⱼ² / N) over the N components of the backward state. It never
    /// exceeds the full norm, so every step the full norm accepts is accepted, and λ's errors
    /// weigh what they weigh there; this is the full norm made blind to μ, as torchdiffeq's
    /// `adjoint_options=dict(norm="seminorm")` drops the parameter blocks from its default
    /// (mixed) norm, and as diffrax's `adjoint_rms_seminorm` (which also keeps u; its mean
    /// runs over (u, λ) only). SciML has no equivalent. QuadratureAdjoint and GaussAdjoint
    /// integrate λ alone, so for them the seminorm is the full norm. Default: off.
    ///
    /// References: P. Kidger, R. T. Q. Chen, T. Lyons, "'Hey, that's not an ODE': Faster ODE
    /// adjoints via seminorms", ICML 2021.
    public var seminorm: Bool
    /// Absolute tolerance of the backward solve; nil: the forward solve's. A per-component
    /// tolerance is used as given when it has one entry per component of the backward state;
    /// otherwise u (BacksolveAdjoint) keeps the forward per-component values and λ and μ take
    /// their smallest.
    public var abstol: SolverOptions.Tolerance?
    /// Relative tolerance of the backward solve; nil: the forward solve's (same rules as `abstol`).
    public var reltol: SolverOptions.Tolerance?
    /// Absolute tolerance of QuadratureAdjoint's Gauss–Kronrod quadrature of each interval's
    /// ∫ (∂f/∂p)ᵀλ dt (on the Euclidean norm of the error); nil: the backward solve's absolute
    /// tolerance (the largest entry of a per-component one). SciML defaults to 1e-6, which
    /// would cap the gradient's accuracy of a tight solve; tying it to the solve does not.
    public var quadratureAbstol: Double?
    /// Relative tolerance of QuadratureAdjoint's quadrature; nil: the backward solve's.
    public var quadratureReltol: Double?
    /// Subintervals QuadratureAdjoint may split one observation interval into before it takes
    /// the estimate it has (QuadGK's `maxevals` in panels of 15 evaluations).
    public var quadratureMaxPanels: Int

    public init(checkpointing: Bool? = nil, seminorm: Bool = false,
                abstol: SolverOptions.Tolerance? = nil, reltol: SolverOptions.Tolerance? = nil,
                quadratureAbstol: Double? = nil, quadratureReltol: Double? = nil, quadratureMaxPanels: Int = 1000) {
        self.checkpointing = checkpointing
        self.seminorm = seminorm
        self.abstol = abstol
        self.reltol = reltol
        self.quadratureAbstol = quadratureAbstol
        self.quadratureReltol = quadratureReltol
        self.quadratureMaxPanels = quadratureMaxPanels
    }
}
