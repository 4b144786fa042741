import Autodiff
import DiffEq

/// The continuous adjoints of SciMLSensitivity (optimise-then-discretise) for a loss on the
/// states saved at times t₀ ≤ t₁ < … < t_N: the adjoint λ solves λ′ = −(∂f/∂u)ᵀλ backwards
/// from λ(t_N) = ȳ_N, jumping by ȳₛ at every saved time tₛ, and
/// ∂L/∂u₀ = λ(t₀) (+ ȳ₀ when t₀ is saved), ∂L/∂p = ∫_{t₀}^{t_N} (∂f/∂p)ᵀλ dt.
/// The four algorithms differ in where u(t) comes from and how the integral is taken:
///
/// 1. `backsolve`: z = [u, λ, μ] integrated backwards together, u′ = f(u), μ′ = −f_pᵀλ;
///    with checkpointing (the default) u is reset to the forward solve's saved value at every
///    saved time. Memory O(saved states), but u's backward solve is unstable for dissipative
///    systems.
/// 2. `interpolating`: z = [λ, μ] with u(t) from the forward solve's dense output, or (with
///    checkpointing, off by default) from the forward solve's steps replayed one segment of
///    `stepsPerCheckpoint` steps at a time from its checkpoints when the backward solve enters
///    the segment (the segment boundaries are stops of the backward solve). Memory: one
///    segment's stages and a state per segment, for a second forward pass.
/// 3. `quadrature`: z = λ, solved with dense output; then ∫ f_pᵀλ dt over each interval
///    between saved times by adaptive Gauss–Kronrod (7, 15) quadrature.
/// 4. `gauss`: z = λ, solved with dense output; ∫ f_pᵀλ dt over each accepted backward step
///    by Gauss–Legendre quadrature (⌊(q + 2)/2⌋ points for a method of order q, exact for
///    polynomials of degree q) on the step's own dense output of λ and the forward dense
///    output of u.
///
/// How the backward pass runs: one solve of the backward problem from t_N to t₀, with the
/// interior saved times as tstops and a discrete callback there (SciML's `PresetTimeCallback`)
/// that applies λ's jump (and the checkpoint's reset or re-solve), so the step size carries
/// over from one interval to the next as in SciML; no step crosses a saved time, so a step's
/// dense output never straddles a jump of λ. The Gauss and quadrature integrals are taken
/// after that solve from its recorded steps (the same sums as accumulating them step by
/// step, since they only read the steps). The backward solve uses the forward solve's method
/// and, unless `AdjointOptions` says otherwise, its tolerances, controller and step limits
/// (SciML's default).
///
/// Events (`DifferentiableEvent`): the event times of the forward solve are stops of the
/// backward solve too, where λ jumps by the transpose of the forward jump condition
/// (`EventPullback.continuousJump`) and the parameter integral gains its jump term; a
/// backsolve resets u to the recorded u⁻. u(t) is read on the side of an event the backward
/// solve is on (`TrajectorySource`), and the quadrature splits its intervals at events.
///
/// Mass-matrix problems M u′ = f (semi-explicit index-1 DAEs; interpolating, quadrature and
/// Gauss only): the backward solve is the adjoint DAE Mᵀλ′ = −f_uᵀλ, whose jumps at the saved
/// times route the algebraic variables' cotangents through the algebraic equations
/// (`MassMatrixAdjoint`).
///
/// References: SciMLSensitivity.jl documentation, "Mathematics of sensitivity analysis";
/// R. T. Q. Chen et al., "Neural ordinary differential equations", NeurIPS 2018; P. Kidger,
/// "On neural differential equations", PhD thesis, Oxford 2021, §5; S. Kim, W. Ji, S. Deng,
/// Y. Ma, C. Rackauckas, "Stiff neural ordinary differential equations", Chaos 31, 2021
/// (quadrature and interpolating adjoints); A. C. Hindmarsh et al., "SUNDIALS: Suite of
/// nonlinear and differential/algebraic equation solvers", ACM TOMS 31, 2005 (CVODES'
/// checkpointing).
final class ContinuousAdjoint {
    enum Kind: Sendable { case backsolve, interpolating, quadrature, gauss }

    let rhs: CompiledRHS
    let kind: Kind
    let settings: AdjointOptions
    let tableau: ButcherTableau
    let forwardOptions: SolverOptions
    let tspan: (Double, Double)
    let n: Int
    let m: Int
    let source = TrajectorySource()
    let gaussRule: (nodes: [Double], weights: [Double])

    /// The saved times of the current gradient along the direction of the solve, t₀ first
    /// (added when it was not saved), with the cotangent and the forward state at each.
    var times: [Double] = []
    var ybar: [Double] = []
    var states: [Double] = []
    var failure: String?
    var p: [Double] = []

    var backward: ODEIntegrator?
    var backwardStops: [Double] = []
    /// The events of the solve; those that fired in the solve being differentiated; and what
    /// happens at each stop of the backward solve, in the order it reaches them.
    let events: [SensitivityEventHandler]
    var fired: [FiredEvent] = []
    var stops: [Stop] = []
    var nextStop = 0
    /// The parameter cotangent of the event jumps, for the adjoints that integrate λ alone.
    var eventDp: [Double] = []
    /// Checkpointed interpolating adjoint: the forward steps' replayer and the loaded segment.
    var replayer: StepReplayer?
    var loadedSegment = -1
    var integrand: ParameterIntegrand?
    var quadrature: AdaptiveQuadrature?
    /// The mass matrix's split and the adjoint DAE's jumps (nil without a mass matrix).
    let dae: MassMatrixAdjoint?
    /// Statistics of the last backward solve, and of its checkpoint re-solves (when any).
    private(set) var stats: SolverStats?
    private(set) var resolveStats: SolverStats?
    /// Evaluations of the parameter integrand f_pᵀλ in the last gradient (quadrature and Gauss).
    var quadratureEvaluations = 0

    /// A stop of the backward solve: a saved time (node), an event, a segment boundary, or several.
    struct Stop {
        let t: Double
        var node: Int?
        var event: Int?
        var segment: Int?
    }

    init(_ rhs: CompiledRHS, kind: Kind, settings: AdjointOptions, tableau: ButcherTableau,
         options: SolverOptions, tspan: (Double, Double), events: [SensitivityEventHandler] = [],
         massMatrix: [Double]? = nil) throws {
        guard options.callback.discrete.isEmpty, options.callback.vector.isEmpty, options.callback.continuous.count == events.count else {
            throw AutodiffError(.invalidArgument, "the continuous adjoints differentiate through DifferentiableEvent only, not other callbacks")
        }
        if massMatrix != nil {
            guard kind != .backsolve else {
                // u solved backwards through the algebraic equations is the unstable direction
                // of an already unstable backward solve; SciMLSensitivity warns it is likely to fail.
                throw AutodiffError(.invalidArgument, "BacksolveAdjoint does not differentiate a mass-matrix problem (a DAE); use InterpolatingAdjoint (with checkpointing to save memory), QuadratureAdjoint, GaussAdjoint or ForwardSensitivity")
            }
            guard events.isEmpty else {
                throw AutodiffError(.invalidArgument, "the continuous adjoints do not differentiate events of a mass-matrix problem (a DAE) yet; use ForwardSensitivity")
            }
        }
        dae = try massMatrix.map { try MassMatrixAdjoint(rhs, mass: $0) }
        self.events = events
        self.rhs = rhs
        self.kind = kind
        self.settings = settings
        self.tableau = tableau
        forwardOptions = options
        self.tspan = tspan
        n = rhs.states
        m = rhs.parameters
        gaussRule = GaussLegendre.rule(points: Swift.max(2, (tableau.order + 2) / 2))
    }

    /// Whether checkpoints are used (BacksolveAdjoint and InterpolatingAdjoint only).
    var usesCheckpoints: Bool {
        switch kind {
        case .backsolve: return settings.checkpointing ?? true
        case .interpolating: return settings.checkpointing ?? false
        case .quadrature, .gauss: return false
        }
    }
    /// Whether u(t) comes from the forward steps replayed from checkpoints (the checkpointed
    /// interpolating adjoint); the forward solve then records them with `checkpointEvery`.
    var replaysSteps: Bool { kind == .interpolating && usesCheckpoints }
    /// Whether the forward solve must keep its steps for u(t).
    var needsForwardDense: Bool { kind != .backsolve && !usesCheckpoints }
    /// Components of the backward state, and where λ sits in it.
    var width: Int {
        switch kind {
        case .backsolve: return 2 * n + m
        case .interpolating: return n + m
        case .quadrature, .gauss: return n
        }
    }
    var lambdaOffset: Int { kind == .backsolve ? n : 0 }

    /// (∂L/∂u₀, ∂L/∂p) for cotangents `ybar` of the states `solution` saved (rows of n), whose
    /// solve fired the events `fired`; `replay` is the integrator that solved (for checkpoints).
    func gradient(solution: ODESolution, u0: [Double], p: [Double], ybar cotangents: [Double],
                  fired: [FiredEvent] = [], replay: ODEIntegrator? = nil) throws -> (du0: [Double], dp: [Double]) {
        guard solution.width == n, cotangents.count == solution.t.count * n else {
            throw AutodiffError(.shapeMismatch, "the cotangents have \(cotangents.count) values for \(solution.t.count) saved states of \(n)")
        }
        makeNodes(solution, u0: u0, ybar: cotangents)
        stats = SolverStats()
        resolveStats = nil
        quadratureEvaluations = 0
        var du0 = Array(ybar[0..<n])
        let count = times.count
        guard count > 1 else { return (du0, [Double](repeating: 0, count: m)) }
        self.p = p
        self.fired = fired
        eventDp = [Double](repeating: 0, count: m)
        failure = nil
        defer { source.trajectory = nil; replayer = nil; loadedSegment = -1 }
        if kind != .backsolve {
            if usesCheckpoints {
                guard let checkpoints = solution.checkpoints, let replay else {
                    throw AutodiffError(.invalidArgument, "the checkpointed interpolating adjoint needs the forward solve's checkpoints")
                }
                replay.reinit(p: p)   // the replay must use this solve's parameters
                let made = StepReplayer(checkpoints, integrator: replay)
                made.applyJumps(fired, events: events, p: p)
                replayer = made
                resolveStats = SolverStats()
            } else {
                guard let steps = solution.steps, let trajectory = DenseInterpolant(steps) else {
                    throw AutodiffError(.invalidArgument, "this adjoint reads u(t) from the forward solve's dense output, which the solution did not keep")
                }
                source.trajectory = trajectory
            }
        }
        makeStops()
        let last = count - 1
        if replayer != nil { try load(segment: segment(holding: times[last])) }
        source.enter(from: times[last], to: stops.first?.t ?? times[0])
        var z0 = [Double](repeating: 0, count: width)
        if let dae {
            try z0.withUnsafeMutableBufferPointer { z in
                let zb = z.baseAddress.unsafelyUnwrapped
                try applyJump(dae, node: last, lambda: zb + lambdaOffset, parameters: zb + n)
            }
        } else {
            for j in 0..<n {
                z0[lambdaOffset + j] = ybar[last * n + j]
                if kind == .backsolve { z0[j] = states[last * n + j] }
            }
        }
        let integrator = backwardIntegrator(z0)
        nextStop = 0
        integrator.run()
        stats = integrator.stats
        if let failure { throw AutodiffError(.invalidArgument, "the adjoint's backward pass failed: \(failure)") }
        guard integrator.retcode == .success else {
            throw AutodiffError(.invalidArgument, "the backward (adjoint) solve failed (\(integrator.retcode)\(integrator.message.map { ": " + $0 } ?? "")) near t = \(integrator.t)")
        }
        guard nextStop == stops.count else {
            throw AutodiffError(.invalidArgument, "the backward solve did not stop at every saved time and event (\(stops.count - nextStop) left)")
        }
        let z = integrator.state
        var dp: [Double]
        switch kind {
        case .backsolve: dp = Array(z[(2 * n)..<(2 * n + m)])
        case .interpolating: dp = Array(z[n..<(n + m)])
        case .quadrature: dp = zip(try quadratureIntegral(integrator), eventDp).map { $0 + $1 }
        case .gauss: dp = zip(try gaussIntegral(integrator), eventDp).map { $0 + $1 }
        }
        if let dae {
            let lambda = Array(z[lambdaOffset..<(lambdaOffset + n)])
            du0 = try states.withUnsafeBufferPointer { s in
                try p.withUnsafeBufferPointer { pb in
                    try ybar.withUnsafeBufferPointer { yb in
                        try dp.withUnsafeMutableBufferPointer { d in
                            try dae.initialGradient(u0: s.baseAddress.unsafelyUnwrapped, t0: times[0],
                                                    p: pb.baseAddress ?? s.baseAddress.unsafelyUnwrapped,
                                                    ybar0: yb.baseAddress.unsafelyUnwrapped, lambda: lambda,
                                                    dp: d.baseAddress ?? UnsafeMutablePointer(mutating: s.baseAddress.unsafelyUnwrapped))
                        }
                    }
                }
            }
        } else {
            for j in 0..<n { du0[j] += z[lambdaOffset + j] }
        }
        return (du0, dp)
    }

    /// The adjoint DAE's jump at saved time `node` into λ, with its parameter term into μ
    /// (`parameters`, the interpolating adjoint) or `eventDp` (the adjoints that solve λ alone).
    func applyJump(_ dae: MassMatrixAdjoint, node s: Int, lambda: UnsafeMutablePointer<Double>,
                   parameters: UnsafeMutablePointer<Double>) throws {
        try states.withUnsafeBufferPointer { st in
            try ybar.withUnsafeBufferPointer { yb in
                try p.withUnsafeBufferPointer { pb in
                    try eventDp.withUnsafeMutableBufferPointer { e in
                        // Without parameters nothing is written through `dp`.
                        let u = st.baseAddress.unsafelyUnwrapped + s * n
                        let dp = kind == .interpolating ? parameters : (e.baseAddress ?? parameters)
                        try dae.jump(state: u, t: times[s], p: pb.baseAddress ?? u, ybar: yb.baseAddress.unsafelyUnwrapped + s * n,
                                     lambda: lambda, dp: dp)
                    }
                }
            }
        }
    }

    /// The stops strictly inside (t₀, t_N), in the order the backward solve reaches them: the
    /// interior saved times, the events (one at t_N is not observed: its saved state is u⁻),
    /// and the boundaries of the replay's segments.
    func makeStops() {
        let direction: Double = tspan.1 >= tspan.0 ? 1 : -1
        let first = times[0], last = times[times.count - 1]
        var byTime = [Double: Stop]()
        func add(_ t: Double, _ change: (inout Stop) -> Void) {
            guard direction * (t - first) > 0, direction * (last - t) > 0 else { return }
            var stop = byTime[t] ?? Stop(t: t)
            change(&stop)
            byTime[t] = stop
        }
        for s in 1..<(times.count - 1) { add(times[s]) { $0.node = s } }
        for (i, e) in fired.enumerated() { add(e.t) { $0.event = i } }
        if let replayer {
            let c = replayer.checkpoints
            for segment in 1..<Swift.max(1, (c.count + c.every - 1) / c.every) { add(c.t[segment * c.every]) { $0.segment = segment - 1 } }
        }
        stops = byTime.values.sorted { direction * $0.t > direction * $1.t }
    }

    /// The replay's segment whose steps hold `time` (the earlier one at a boundary).
    func segment(holding time: Double) -> Int {
        guard let c = replayer?.checkpoints else { return 0 }
        let direction: Double = tspan.1 >= tspan.0 ? 1 : -1
        var segment = 0
        while (segment + 1) * c.every < c.count, direction * c.t[(segment + 1) * c.every] < direction * time { segment += 1 }
        return segment
    }

    /// Replays segment `c` of the forward steps and makes it the trajectory u(t) is read from.
    func load(segment c: Int) throws {
        guard let replayer, c != loadedSegment else { return }
        let before = replayer.integrator.stats.nf
        let (range, u0, k) = replayer.segment(c)
        let tab = replayer.checkpoints.tableau
        source.trajectory = DenseInterpolant(
            tableau: tab, n: n, t: Array(replayer.checkpoints.t[range]), h: Array(replayer.checkpoints.h[range]),
            end: Array(replayer.checkpoints.end[range]),
            u0: Array(UnsafeBufferPointer(start: u0, count: range.count * n)),
            k: Array(UnsafeBufferPointer(start: k, count: range.count * tab.slots * n)))
        loadedSegment = c
        var total = resolveStats ?? SolverStats()
        total.nf += replayer.integrator.stats.nf - before
        total.naccept += range.count
        resolveStats = total
    }
    /// The nodes: t₀ with u₀, then every saved time (cotangents of equal times summed).
    func makeNodes(_ sol: ODESolution, u0: [Double], ybar cotangents: [Double]) {
        let direction: Double = tspan.1 >= tspan.0 ? 1 : -1
        let tol = 1e-12 * Swift.max(1, Swift.abs(tspan.0), Swift.abs(tspan.1))
        times.removeAll(keepingCapacity: true)
        ybar.removeAll(keepingCapacity: true)
        states.removeAll(keepingCapacity: true)
        times.append(tspan.0)
        ybar += [Double](repeating: 0, count: n)
        states += u0
        for (s, ts) in sol.t.enumerated() {
            if direction * (ts - times[times.count - 1]) <= tol {
                let row = (times.count - 1) * n
                for j in 0..<n { ybar[row + j] += cotangents[s * n + j] }
                // The state the solve saved (for a DAE, u₀ with its algebraic part made consistent).
                for j in 0..<n { states[row + j] = sol.values[s * n + j] }
            } else {
                times.append(ts)
                ybar += cotangents[(s * n)..<((s + 1) * n)]
                states += sol.values[(s * n)..<((s + 1) * n)]
            }
        }
    }

    /// The backward integrator over (t_N, t₀), made once and re-initialised afterwards.
    func backwardIntegrator(_ z0: [Double]) -> ODEIntegrator {
        let count = times.count
        let span = (times[count - 1], times[0])
        let stops = self.stops.map(\.t)
        if let backward, stops == backwardStops {
            backward.reinit(u0: z0, p: p, tspan: span)
            return backward
        }
        var o = SolverOptions()
        o.abstol = tolerance(settings.abstol ?? forwardOptions.abstol)
        o.reltol = tolerance(settings.reltol ?? forwardOptions.reltol)
        o.adaptive = forwardOptions.adaptive
        o.dt = forwardOptions.adaptive ? nil : forwardOptions.dt
        o.dtmin = forwardOptions.dtmin
        o.dtmax = forwardOptions.dtmax
        o.maxiters = forwardOptions.maxiters
        o.controller = forwardOptions.controller
        o.tstops = stops + forwardOptions.tstops + forwardOptions.dDiscontinuities
        o.saveEverystep = false
        o.saveStart = false
        o.saveEnd = false
        o.dense = kind == .quadrature || kind == .gauss
        if settings.seminorm { o.internalnorm = Self.seminorm(lambdaOffset..<(lambdaOffset + n)) }
        // The jumps at the saved times and events, and the segment changes, as SciML's
        // PresetTimeCallback: the times are tstops, so a step ends exactly on each.
        let stopSet = Set(stops)
        o.callback.discrete = [DiscreteCallback(condition: { _, t, _ in stopSet.contains(t) }, affect: { [weak self] integrator in
            self?.observe(integrator)
        }, savePositions: (false, false))]
        var fn: ODEFunction
        switch kind {
        case .backsolve: fn = AdjointRHS.backsolve(rhs)
        case .interpolating: fn = AdjointRHS.interpolating(rhs, source)
        case .quadrature, .gauss: fn = AdjointRHS.lambdaOnly(rhs, source)
        }
        if let dae { fn.massMatrix = dae.backwardMass(extra: width - n) }
        let made = ODEIntegrator(ODEProblem(fn, u0: z0, tspan: span, p: p), tableau, options: o)
        backward = made
        backwardStops = stops
        return made
    }

    /// The default root-mean-square error norm with only `block` (λ) summed: the other
    /// components' scaled errors count as zero, not as absent (the mean is still over the whole
    /// state), so this seminorm never exceeds the full norm and weighs λ's errors as it does.
    static func seminorm(_ block: Range<Int>) -> (UnsafeBufferPointer<Double>, Double) -> Double {
        { e, _ in
            var acc = 0.0
            for j in block { acc += e[j] * e[j] }
            return (acc / Double(Swift.max(e.count, 1))).squareRoot()
        }
    }

    /// A tolerance for the backward state: a scalar or a full-width vector as given; a
    /// vector of another width gives u its forward values (BacksolveAdjoint) and λ, μ its smallest.
    func tolerance(_ given: SolverOptions.Tolerance) -> SolverOptions.Tolerance {
        guard case .vector(let v) = given, v.count != width else { return given }
        var out = [Double](repeating: v.min() ?? 0, count: width)
        if kind == .backsolve, v.count == n { for j in 0..<n { out[j] = v[j] } }
        return .vector(out)
    }

    /// The callback at a stop: an event's jump, then the saved time's jump of λ (the state
    /// saved at an event time is u⁻) and its checkpoint, then the replay's segment change.
    func observe(_ integrator: ODEIntegrator) {
        var i = nextStop
        if !(i < stops.count && stops[i].t == integrator.t) {
            guard let found = stops.firstIndex(where: { $0.t == integrator.t }) else { return }
            i = found
        }
        nextStop = i + 1
        let stop = stops[i]
        let z = integrator.state.baseAddress.unsafelyUnwrapped
        if let e = stop.event {
            let event = fired[e]
            let jump = event.uMinus.withUnsafeBufferPointer { u in
                p.withUnsafeBufferPointer { pb in
                    events[event.event].pullback(uMinus: u.baseAddress.unsafelyUnwrapped,
                                                 p: pb.baseAddress ?? u.baseAddress.unsafelyUnwrapped, t: event.t,
                                                 lambdaPlus: UnsafePointer(z + lambdaOffset))
                }
            }
            let (lambdaMinus, pBar) = jump.continuousJump(lambdaPlus: UnsafePointer(z + lambdaOffset))
            for j in 0..<n { z[lambdaOffset + j] = lambdaMinus[j] }
            switch kind {
            case .backsolve:
                for j in 0..<n { z[j] = event.uMinus[j] }
                for j in 0..<m { z[2 * n + j] += pBar[j] }
            case .interpolating:
                for j in 0..<m { z[n + j] += pBar[j] }
            case .quadrature, .gauss:
                for j in 0..<m { eventDp[j] += pBar[j] }
            }
        }
        if let s = stop.node, let dae {
            do { try applyJump(dae, node: s, lambda: z + lambdaOffset, parameters: z + n) } catch {
                failure = "\(error)"
                integrator.terminate()
            }
        } else if let s = stop.node {
            for j in 0..<n { z[lambdaOffset + j] += ybar[s * n + j] }
            if usesCheckpoints, kind == .backsolve {
                for j in 0..<n { z[j] = states[s * n + j] }
            }
        }
        if let segment = stop.segment {
            do { try load(segment: segment) } catch {
                failure = "\(error)"
                integrator.terminate()
            }
        }
        source.enter(from: stop.t, to: i + 1 < stops.count ? stops[i + 1].t : times[0])
        // A discrete callback that fired counts as having changed u: the integrator
        // re-evaluates the right-hand side before the next step.
    }
}
