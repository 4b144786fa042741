import Foundation

/// An explicit method paired with a stiff one, switching between them on stiffness
/// (SciML's `AutoTsit5(Rosenbrock23())`, `AutoVern7(Rodas5P())`): the solve starts with the
/// explicit method and hands over when `AutoSwitch` sees a run of stiff steps, and back
/// again when the stiffness goes.
public struct CompositeAlgorithm: Sendable {
    public let nonstiff: ButcherTableau
    public let stiff: ButcherTableau
    public var rules: AutoSwitch

    /// Fails when `nonstiff` is not an adaptive explicit method or `stiff` not an implicit one.
    public init(nonstiff: ButcherTableau, stiff: ButcherTableau, rules: AutoSwitch = AutoSwitch()) throws {
        guard nonstiff.family == .explicit, nonstiff.isAdaptive, nonstiff.stages >= 3 else {
            throw TableauError(method: "Auto\(nonstiff.name)",
                               reason: "the non-stiff method must be an adaptive explicit method of three stages or more (Tsit5, DP5, Vern7, ...)")
        }
        guard stiff.isImplicit else {
            throw TableauError(method: "Auto\(nonstiff.name)(\(stiff.name)())",
                               reason: "the second method must be a stiff one (Rosenbrock23, Rodas5P, KenCarp4, QNDF, ...)")
        }
        self.nonstiff = nonstiff
        self.stiff = stiff
        self.rules = rules
    }

    /// SciML's spelling, e.g. `AutoTsit5(Rosenbrock23())`.
    public var name: String { "Auto\(nonstiff.name)(\(stiff.name)())" }

    /// SciML's `DefaultODEAlgorithm` heuristic (OrdinaryDiffEqDefault's `nonstiffchoice` /
    /// `stiffchoice`), by tolerance and size:
    /// - non-stiff: Vern7 when the (smallest) relative tolerance is below 1e-6, else Tsit5;
    /// - stiff: QNDF for more than 50 states (SciML takes FBDF, KrylovFBDF past 500; QNDF is
    ///   the multistep method here), otherwise Rodas5P below reltol 1e-6 or with a mass
    ///   matrix, else Rosenbrock23;
    /// - with a mass matrix the explicit method cannot step (M u′ = f), so the stiff method
    ///   runs throughout (SciML starts stiff and never switches then).
    public static func defaultAlgorithm(for problem: ODEProblem, options: SolverOptions = SolverOptions()) -> CompositeAlgorithm {
        let reltol: Double
        switch options.reltol {
        case .scalar(let v): reltol = v
        case .vector(let v): reltol = v.min() ?? 1e-3
        }
        let n = problem.u0.count
        let hasMass = problem.f.massMatrix != nil
        do {
            let nonstiff = try MethodRegistry.method(named: reltol < 1e-6 ? "Vern7" : "Tsit5")
            let stiffName = n > 50 ? "QNDF" : (reltol < 1e-6 || hasMass) ? "Rodas5P" : "Rosenbrock23"
            return try CompositeAlgorithm(nonstiff: nonstiff, stiff: MethodRegistry.method(named: stiffName),
                                          rules: AutoSwitch(stiffFirst: hasMass))
        } catch {
            // The registry's own methods are checked by its tests.
            fatalError("the default methods failed to build: \(error)")
        }
    }
}

/// A composite solve: one integrator per method, made up front for the same problem and
/// options, taking turns. At a switch the new integrator takes over the state, time, step
/// (× or ÷ `dtFactor`), parameters, statistics, the step controller's history, the saved
/// points and the `saveat`/`tstops` positions, and the callbacks' event state; each run of
/// steps leaves one piece of dense output.
public final class CompositeIntegrator {
    public let algorithm: CompositeAlgorithm
    /// The explicit integrator, then the stiff one.
    public let integrators: [ODEIntegrator]
    let monitor: StiffnessMonitor
    let hasMassMatrix: Bool

    public init(_ problem: ODEProblem, _ algorithm: CompositeAlgorithm, options: SolverOptions = SolverOptions()) {
        self.algorithm = algorithm
        integrators = [ODEIntegrator(problem, algorithm.nonstiff, options: options),
                       ODEIntegrator(problem, algorithm.stiff, options: options)]
        hasMassMatrix = problem.f.massMatrix != nil
        monitor = StiffnessMonitor(rules: algorithm.rules, bound: algorithm.nonstiff.realStabilityBound)
    }

    /// Resets both integrators for another solve (new initial state, parameters or span),
    /// keeping their memory, as `ODEIntegrator.reinit`.
    public func reinit(u0: [Double]? = nil, p: [Double]? = nil, tspan: (Double, Double)? = nil) {
        for integrator in integrators { integrator.reinit(u0: u0, p: p, tspan: tspan) }
    }

    /// Solves, switching methods as the stiffness detector asks (once; `reinit` before
    /// solving again).
    public func solve() -> ODESolution {
        if hasMassMatrix {
            // The explicit method cannot solve M u′ = f: the stiff method runs throughout.
            var solution = integrators[1].solve()
            solution.algChoice = [Int](repeating: 2, count: solution.t.count)
            return solution
        }
        monitor.current = algorithm.rules.stiffFirst ? 2 : 1
        monitor.count = 0
        monitor.normJacobianCount = -1
        var active = integrators[monitor.current - 1]
        for integrator in integrators { integrator.stiffnessMonitor = monitor }
        var choice: [Int] = []
        var pieces: [DenseOutput] = []
        var switches = 0
        monitor.handoffPending = false
        monitor.switchRequested = false
        active.run()
        while true {
            choice += [Int](repeating: monitor.current, count: active.ts.count - choice.count)
            guard monitor.handoffPending else { break }
            monitor.handoffPending = false
            monitor.switchRequested = false
            switches += 1
            if active.dense { pieces.append(active.takeDensePiece()) }
            let rules = algorithm.rules
            let next = integrators[2 - monitor.current]
            next.takeOver(from: active, stepFactor: monitor.current == 1 ? rules.dtFactor : 1 / rules.dtFactor)
            monitor.current = 3 - monitor.current
            active = next
            active.advance()
        }
        var solution = active.makeSolution()
        solution.earlierDense = pieces
        solution.algChoice = choice
        if switches > 0 { solution.checkpoints = nil }   // a replay needs one method throughout
        return solution
    }
}

extension ODEIntegrator {
    /// The dense output recorded so far, removed from the integrator (its memory is kept).
    func takeDensePiece() -> DenseOutput {
        let piece = DenseOutput(tableau: tableau, n: n, stepT: stepT, stepH: stepH, stepEnd: stepEnd,
                                stepU0: stepU0, stepK: stepK)
        stepT.removeAll(keepingCapacity: true)
        stepH.removeAll(keepingCapacity: true)
        stepEnd.removeAll(keepingCapacity: true)
        stepU0.removeAll(keepingCapacity: true)
        stepK.removeAll(keepingCapacity: true)
        return piece
    }

    /// Continues `other`'s solve from where it stopped, with the step scaled by `stepFactor`.
    /// Both were made for the same problem and options.
    func takeOver(from other: ODEIntegrator, stepFactor: Double) {
        t = other.t
        dt = other.dt * stepFactor
        for j in 0..<n { u[j] = other.u[j] }
        for j in 0..<parameterCount { p[j] = other.p[j] }
        stats = other.stats
        retcode = .success
        message = nil
        terminateRequested = false
        uModifiedFlag = false
        // The error controller's history carries over (its gains are this method's own).
        qold = other.qold
        logQold = other.logQold
        errors = other.errors
        lastWasRejected = other.lastWasRejected
        nonlinearSolveFailed = false
        implicitWork?.newton.reset()
        implicitWork?.ndf?.reset()
        stepsSinceStart = other.stepsSinceStart
        fixedOrigin = t
        fixedCount = 0
        // The solution being built, and where saving and stopping had got to.
        swap(&ts, &other.ts)
        swap(&us, &other.us)
        saveIndex = other.saveIndex
        stopIndex = other.stopIndex
        eventState = other.eventState
        extrasReady = false
        rhs(slot(0), u, p, t)
        stats.nf += 1
        endDerivativeValid = false
    }
}

/// Solves with a composite method (SciML's `solve(prob, AutoTsit5(Rosenbrock23()))`).
public func solve(_ problem: ODEProblem, _ algorithm: CompositeAlgorithm, options: SolverOptions = SolverOptions()) -> ODESolution {
    CompositeIntegrator(problem, algorithm, options: options).solve()
}

/// Solves with the default method (SciML's `solve(prob)`): `CompositeAlgorithm.defaultAlgorithm`.
public func solve(_ problem: ODEProblem, options: SolverOptions = SolverOptions()) -> ODESolution {
    solve(problem, CompositeAlgorithm.defaultAlgorithm(for: problem, options: options), options: options)
}
