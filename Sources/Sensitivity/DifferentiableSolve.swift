import Autodiff
import DiffEq

/// How the gradient of a solve is computed (SciML's `sensealg`).
public enum SensitivityAlgorithm: String, Sendable, CaseIterable {
    /// Forward sensitivities (`ForwardSensitivity`): cheap for few states plus parameters.
    case forward = "ForwardSensitivity"
    /// Reverse mode through the solver's steps (discretise-then-optimise): the exact gradient
    /// of what was computed.
    case discreteAdjoint = "DiscreteAdjoint"
    /// Continuous adjoint with u solved backwards alongside λ and μ = ∫ (∂f/∂p)ᵀλ dt; with
    /// checkpointing (the default) u is reset to the forward solve's saved state at every saved
    /// time. Least memory; u's backward solve can be unstable. `AdjointOptions` tunes it.
    case backsolveAdjoint = "BacksolveAdjoint"
    /// Continuous adjoint on (λ, μ) with u(t) from the forward solve's dense output, or, with
    /// checkpointing (off by default, as in SciML), from each interval between saved times
    /// re-solved forward from its saved state during the backward pass.
    case interpolatingAdjoint = "InterpolatingAdjoint"
    /// Continuous adjoint on λ alone, with dense output; ∂L/∂p = ∫ (∂f/∂p)ᵀλ dt afterwards by
    /// adaptive Gauss–Kronrod quadrature between saved times. u(t) from the forward dense output.
    case quadratureAdjoint = "QuadratureAdjoint"
    /// Continuous adjoint on λ alone; ∫ (∂f/∂p)ᵀλ dt by Gauss–Legendre quadrature on every
    /// accepted backward step, from the dense outputs of λ and u (SciML's `GaussAdjoint`).
    case gaussAdjoint = "GaussAdjoint"

    /// The automatic choice when none is given: forward sensitivities up to 100 states plus
    /// parameters (SciML's rule of thumb); above, the discrete adjoint for an explicit method
    /// and the interpolating adjoint for a stiff one or a mass-matrix problem (the discrete
    /// adjoint differentiates explicit steps only, and a DAE is solved by a stiff method; SciML's
    /// default for stiff problems is an interpolating adjoint too).
    public static func automatic(states: Int, parameters: Int, stiff: Bool = false,
                                 massMatrix: Bool = false) -> SensitivityAlgorithm {
        if states + parameters <= 100 { return .forward }
        return stiff || massMatrix ? .interpolatingAdjoint : .discreteAdjoint
    }

    /// The continuous adjoint this case names, if it is one.
    var continuousKind: ContinuousAdjoint.Kind? {
        switch self {
        case .forward, .discreteAdjoint: return nil
        case .backsolveAdjoint: return .backsolve
        case .interpolatingAdjoint: return .interpolating
        case .quadratureAdjoint: return .quadrature
        case .gaussAdjoint: return .gauss
        }
    }
}

/// A solve whose saved states can be differentiated with respect to u₀ and p: the compiled
/// right-hand side, time span, method and options (which must fix the saved times with
/// `saveat`, so the output has a fixed shape), and the sensitivity algorithm (with the
/// continuous adjoints' `AdjointOptions`).
public final class DifferentiableSolve: @unchecked Sendable {
    public let rhs: CompiledRHS
    public let tspan: (Double, Double)
    public let tableau: ButcherTableau
    public let options: SolverOptions
    public let sensealg: SensitivityAlgorithm
    /// The options of the forward-sensitivity solve (its events carry the sensitivities too).
    let sensitivityOptions: SolverOptions
    /// Options of the continuous adjoints (ignored by the other algorithms).
    public let adjointOptions: AdjointOptions
    let sweep: DiscreteAdjointSweep
    let continuous: ContinuousAdjoint?
    /// Integrators kept between solves (re-initialised, never rebuilt): plain, and augmented
    /// with forward sensitivities.
    var integrator: ODEIntegrator?
    var sensitivityIntegrator: ODEIntegrator?
    /// The events of the plain solve, and the log of those that fired in the last one.
    let eventHandlers: [SensitivityEventHandler]
    let eventLog: EventLog

    /// The mass matrix M of M u′ = f (column-major; nil: the identity), constant, of a
    /// semi-explicit index-1 DAE when singular: its zero rows (algebraic equations) as many as its
    /// zero columns (algebraic variables), the rest a nonsingular block. ForwardSensitivity,
    /// InterpolatingAdjoint (with or without checkpointing), QuadratureAdjoint and GaussAdjoint
    /// differentiate it (the adjoints solve the adjoint DAE Mᵀλ′ = −f_uᵀλ, `MassMatrixAdjoint`);
    /// BacksolveAdjoint and DiscreteAdjoint refuse it, and the adjoints refuse events with it.
    /// The automatic choice is forward sensitivities up to 100 states plus parameters and the
    /// interpolating adjoint above. ∂L/∂u₀ is 0 on the algebraic variables: the solve replaces
    /// them by the values consistent with the differential ones.
    public let massMatrix: [Double]?

    public init(_ rhs: CompiledRHS, tspan: (Double, Double), tableau: ButcherTableau, options: SolverOptions,
                sensealg: SensitivityAlgorithm? = nil, adjointOptions: AdjointOptions = AdjointOptions(),
                events: [DifferentiableEvent] = [], massMatrix: [Double]? = nil) throws {
        guard options.saveat != nil else {
            throw AutodiffError(.invalidArgument, "a differentiable solve needs saveat: the saved times fix the output's shape")
        }
        guard options.callback.isEmpty else {
            // A plain callback changes u but not the sensitivities: its gradient would be wrong.
            throw AutodiffError(.invalidArgument, "a differentiable solve takes its events as DifferentiableEvent (events:), whose jumps are differentiated; options.callback must be empty")
        }
        let alg = sensealg ?? .automatic(states: rhs.states, parameters: rhs.parameters, stiff: tableau.isImplicit,
                                         massMatrix: massMatrix != nil)
        if let massMatrix {
            guard massMatrix.count == rhs.states * rhs.states else {
                throw AutodiffError(.shapeMismatch, "the mass matrix has \(massMatrix.count) entries for \(rhs.states) × \(rhs.states)")
            }
            guard alg != .discreteAdjoint else {
                throw AutodiffError(.invalidArgument, "DiscreteAdjoint does not differentiate a mass-matrix problem (a DAE); use ForwardSensitivity, InterpolatingAdjoint, QuadratureAdjoint or GaussAdjoint")
            }
        }
        self.massMatrix = massMatrix
        var plain = options
        var augmented = options
        let log = EventLog()
        let handlers = try events.enumerated().map {
            try SensitivityEventHandler($0.element, rhs: rhs, carriesSensitivities: false, log: log, index: $0.offset)
        }
        if !events.isEmpty {
            plain.callback = CallbackSet(handlers.map { $0.callback() })
            augmented.callback = CallbackSet(try events.map { try SensitivityEventHandler($0, rhs: rhs, carriesSensitivities: true).callback() })
        }
        eventLog = log
        eventHandlers = handlers
        self.rhs = rhs
        self.tspan = tspan
        self.tableau = tableau
        self.options = plain
        sensitivityOptions = augmented
        self.sensealg = alg
        self.adjointOptions = adjointOptions
        sweep = try DiscreteAdjointSweep(rhs, events: handlers)
        continuous = try alg.continuousKind.map {
            try ContinuousAdjoint(rhs, kind: $0, settings: adjointOptions, tableau: tableau, options: plain, tspan: tspan,
                                  events: handlers, massMatrix: massMatrix)
        }
    }

    /// The times of the events that fired in the last plain solve (not the forward-sensitivity one).
    public var eventTimes: [Double] { eventLog.fired.map(\.t) }

    /// Work done by the backward solve of the last continuous-adjoint pullback (nil for the
    /// other algorithms, or before a pullback ran).
    public var adjointStats: SolverStats? { continuous?.stats }

    /// Work done re-solving checkpoint intervals forward in the last pullback
    /// (InterpolatingAdjoint with checkpointing; nil otherwise).
    public var checkpointStats: SolverStats? { continuous?.resolveStats }

    /// The forward solve, keeping the steps when the sensitivity algorithm reads them (the
    /// discrete adjoint; the interpolating adjoint without checkpoints; the quadrature and Gauss adjoints).
    public func solve(u0: [Double], p: [Double]) throws -> ODESolution {
        try checkSizes(u0, p)
        eventLog.fired.removeAll(keepingCapacity: true)
        if let integrator {
            integrator.reinit(u0: u0, p: p)
            return integrator.solve()
        }
        var o = options
        o.saveIdxs = nil
        if sensealg == .discreteAdjoint && adjointOptions.checkpointing == true || continuous?.replaysSteps == true {
            o.dense = false
            o.checkpointEvery = Swift.max(1, adjointOptions.stepsPerCheckpoint)
        } else if sensealg == .discreteAdjoint || continuous?.needsForwardDense == true {
            o.dense = true
        }
        var function = try rhs.odeFunction()
        function.massMatrix = massMatrix
        let made = ODEIntegrator(ODEProblem(function, u0: u0, tspan: tspan, p: p), tableau, options: o)
        integrator = made
        return made.solve()
    }

    /// The saved states, and a pullback from their cotangents (one row of n per saved time)
    /// to (∂L/∂u₀, ∂L/∂p).
    public func solveWithPullback(u0: [Double], p: [Double]) throws
        -> (solution: ODESolution, pullback: ([Double]) throws -> (du0: [Double], dp: [Double])) {
        try checkSizes(u0, p)
        let n = rhs.states, m = rhs.parameters
        switch sensealg {
        case .discreteAdjoint:
            let sol = try solve(u0: u0, p: p)
            try checkRetcode(sol)
            let replay = sol.checkpoints == nil ? nil : integrator
            let fired = eventLog.fired
            return (sol, { [sweep] ybar in
                replay?.reinit(p: p)   // the replay must use this solve's parameters
                return try sweep.gradient(solution: sol, p: p, ybar: ybar, replay: replay, fired: fired)
            })
        case .forward:
            let z0 = ForwardSensitivity.initialState(u0: u0, m: m)
            let augmented: ODESolution
            if let sensitivityIntegrator {
                sensitivityIntegrator.reinit(u0: z0, p: p)
                augmented = sensitivityIntegrator.solve()
            } else {
                var o = sensitivityOptions
                o.saveIdxs = nil
                o.dense = false
                // Per-state tolerances apply to each sensitivity column of that state as well.
                o.abstol = ForwardSensitivity.widen(options.abstol, columns: 1 + n + m)
                o.reltol = ForwardSensitivity.widen(options.reltol, columns: 1 + n + m)
                var augmentedFunction = try ForwardSensitivity.augmented(rhs)
                // M S′ = (∂f/∂u) S + ∂f/∂p: M on every block. The integrator makes the algebraic
                // rows of S consistent at t₀ as it does u's (they are linear in S).
                augmentedFunction.massMatrix = massMatrix.map { ForwardSensitivity.blockDiagonal($0, n: n, blocks: 1 + n + m) }
                let made = ODEIntegrator(ODEProblem(augmentedFunction, u0: z0, tspan: tspan, p: p),
                                         tableau, options: o)
                sensitivityIntegrator = made
                augmented = made.solve()
            }
            try checkRetcode(augmented)
            let width = n * (1 + n + m)
            var values = [Double](); values.reserveCapacity(augmented.t.count * n)
            for s in 0..<augmented.t.count { values += augmented.values[(s * width)..<(s * width + n)] }
            let sol = ODESolution(t: augmented.t, values: values, width: n, retcode: augmented.retcode,
                                  stats: augmented.stats, message: augmented.message)
            return (sol, { ybar in ForwardSensitivity.gradient(augmented, n: n, m: m, ybar: ybar) })
        case .backsolveAdjoint, .interpolatingAdjoint, .quadratureAdjoint, .gaussAdjoint:
            guard let continuous else {
                throw AutodiffError(.invalidArgument, "\(sensealg.rawValue) was not set up")
            }
            let sol = try solve(u0: u0, p: p)
            try checkRetcode(sol)
            let fired = eventLog.fired
            let replay = sol.checkpoints == nil ? nil : integrator
            return (sol, { ybar in try continuous.gradient(solution: sol, u0: u0, p: p, ybar: ybar, fired: fired, replay: replay) })
        }
    }

    /// The value and gradient of a loss of the saved states; `loss` returns the value and
    /// its gradient with respect to the saved values (rows of n per time).
    public func gradient(u0: [Double], p: [Double], loss: (ODESolution) throws -> (value: Double, ybar: [Double])) throws
        -> (value: Double, du0: [Double], dp: [Double]) {
        let (sol, pullback) = try solveWithPullback(u0: u0, p: p)
        let (value, ybar) = try loss(sol)
        guard ybar.count == sol.values.count else {
            throw AutodiffError(.shapeMismatch, "the loss's gradient has \(ybar.count) values for \(sol.values.count) saved ones")
        }
        let (du0, dp) = try pullback(ybar)
        return (value, du0, dp)
    }

    func checkSizes(_ u0: [Double], _ p: [Double]) throws {
        guard u0.count == rhs.states, p.count == rhs.parameters else {
            throw AutodiffError(.shapeMismatch, "solve: u0 has \(u0.count) values and p \(p.count); the right-hand side takes vector(\(rhs.states)) and vector(\(rhs.parameters))")
        }
    }

    func checkRetcode(_ sol: ODESolution) throws {
        guard sol.retcode == .success else {
            throw AutodiffError(.invalidArgument, "the solve failed (\(sol.retcode)\(sol.message.map { ": " + $0 } ?? "")); its gradient is not defined")
        }
    }
}

extension Tape {
    /// `solve` as a primitive of the tape: the saved states as a `count × n` matrix (one row
    /// per saved time), differentiable with respect to `u0` and `p` by the solve's sensealg.
    public func solve(_ problem: DifferentiableSolve, u0: Variable, p: Variable) throws -> Variable {
        let (sol, pullback) = try problem.solveWithPullback(u0: u0.values, p: p.values)
        let shape = Shape.matrix(sol.t.count, problem.rhs.states)
        let outputs = try primitive([u0, p], outputShapes: [shape], name: "solve") { _ in
            ([sol.values], { cotangents in
                let (du0, dp) = try pullback(cotangents[0])
                return [du0, dp]
            })
        }
        return outputs[0]
    }
}
