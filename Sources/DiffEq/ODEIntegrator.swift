import Foundation
import LinearSolve

/// The state of an explicit Runge–Kutta solve, stepped by a loop of small phases
/// (`ODEIntegrator+Loop.swift`): choose a step, take it (`+Step`), control the error
/// (`+Control`), handle events (`+Events`), save (`+Save`).
///
/// All working memory is allocated when the integrator is made; stepping allocates nothing.
/// `reinit` reuses it for another solve (an ensemble member, a training iteration).
///
/// Room for other problem types, without rewriting the loop:
/// - SDEs: a `noise` phase draws the step's Brownian increments into a preallocated buffer
///   before `performStep`, and a stochastic tableau family adds its own stepping routine;
///   rejections keep the increments (a Brownian bridge splits them).
/// - DDEs: f receives a history function that reads `solution`'s dense output (and the
///   current step's stages for lags shorter than the step); discontinuities propagate by
///   adding `t + τ` to `dDiscontinuities` as they are crossed.
/// - Jumps: rate functions are continuous callbacks on an integrated intensity; the
///   existing event phase finds their times and applies the jump as the `affect`.
public final class ODEIntegrator {
    public let tableau: ButcherTableau
    public let f: ODEFunction
    public let n: Int
    var options: SolverOptions

    // Problem data (mutable through reinit and callbacks).
    public internal(set) var t: Double
    var t0: Double
    var tEnd: Double
    /// +1 forwards in time, −1 backwards.
    var direction: Double
    public internal(set) var dt: Double

    // Memory: one allocation for every vector.
    let memory: UnsafeMutablePointer<Double>
    /// The current state (after an accepted step), its predecessor, a stage argument and the error.
    public let u: UnsafeMutablePointer<Double>
    let uprev: UnsafeMutablePointer<Double>
    let tmp: UnsafeMutablePointer<Double>
    let err: UnsafeMutablePointer<Double>
    let abstols: UnsafeMutablePointer<Double>
    let reltols: UnsafeMutablePointer<Double>
    /// Stage derivatives: slot i at `k + i*n` (stages, end derivative, interpolation stages).
    let k: UnsafeMutablePointer<Double>
    /// The parameters; callbacks may change them.
    public let p: UnsafeMutablePointer<Double>
    public let parameterCount: Int
    /// The initial state `reinit` returns to.
    var initialState: [Double]

    /// The right-hand side, held directly so a call loads one closure.
    let rhs: RHSFunction
    // Sparse tableau rows, in pointers the stepping loops read without checks: row i's
    // nonzero a entries are rowOffset[rowStart[i]..<rowStart[i+1]] (slot offsets into `k`,
    // i.e. slot·n) with coefficients rowCoef. Rows 0..<stages are the stages, then the
    // interpolation stages, then b (the solution) and btilde (the error).
    let rowStart: UnsafeMutablePointer<Int>
    let rowOffset: UnsafeMutablePointer<Int>
    let rowCoef: UnsafeMutablePointer<Double>
    /// The stages' c, then the interpolation stages'.
    let cs: UnsafeMutablePointer<Double>
    let extraStageCount: Int
    let bRow: Int, eRow: Int
    /// Dense output: for each slot, `denseDegree` coefficients at denseCoef[slot·denseDegree].
    let denseCoef: UnsafeMutablePointer<Double>
    let denseDegree: Int
    /// The slots with a nonzero dense-output row, and scratch for their weights.
    let denseSlots: UnsafeMutablePointer<Int>
    let denseSlotCount: Int
    let denseWeights: UnsafeMutablePointer<Double>
    let adaptive: Bool
    /// Working memory of the implicit families (nil for explicit methods).
    let implicitWork: ImplicitWork?
    // Options read on every step, held directly (not through the options struct).
    let internalnorm: ((UnsafeBufferPointer<Double>, Double) -> Double)?
    let unstableCheck: ((Double, UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>, Double) -> Bool)?
    let progress: ((Double) -> Bool)?
    let maxiters: Int
    let dtmaxOption: Double
    let dtminOption: Double?
    /// Why the options cannot be used for this problem (checked once; `run` reports it).
    let optionsProblem: String?
    /// Whether the error estimate needs f(t + h, u₁) before acceptance (non-FSAL with a weight on it).
    let errorUsesEnd: Bool

    // Step control state.
    var qold = 1e-4
    var logQold = log(1e-4)
    var errors: (Double, Double) = (1, 1)   // previous two accepted errors (PID)
    var lastWasRejected = false
    var beta1 = 0.0, beta2 = 0.0, beta3 = 0.0
    let gamma = 0.9, qmin = 0.2, qmax = 10.0

    public internal(set) var stats = SolverStats()
    public internal(set) var retcode: ReturnCode = .success
    /// Why the last solve failed, when it did.
    public internal(set) var message: String?
    var terminateRequested = false
    /// The last step's implicit stage equations did not converge (the step is rejected).
    var nonlinearSolveFailed = false
    /// Set by callbacks that change u: the end derivative is recomputed.
    var uModifiedFlag = false
    var endDerivativeValid = false
    var stepsSinceStart = 0
    /// Fixed steps: the time the current grid starts from and the steps taken on it.
    var fixedOrigin = 0.0
    var fixedCount = 0

    // Saving.
    /// The `saveat` points strictly inside the span: `saveTimes`, or t₀ + kΔ (k = 1...saveCount)
    /// when `saveStride` Δ is nonzero.
    var saveTimes: [Double] = []
    var saveStride = 0.0
    var saveCount = 0
    var saveIndex = 0
    var saveEverystep = true
    var saveStart = true
    var saveEnd = true
    var saveIdxs: [Int]? = nil
    var dense = true
    /// Steps between recorded states when recording for replay (nil: not recording).
    var checkpointEvery: Int? = nil
    var stopTimes: [Double] = []
    var stopIndex = 0
    /// The solution being built.
    var ts: [Double] = []
    var us: [Double] = []
    /// Dense data per accepted step: start time, step, u₀ and all slots.
    var stepT: [Double] = []
    var stepH: [Double] = []
    var stepU0: [Double] = []
    var stepK: [Double] = []
    var stepEnd: [Double] = []
    /// Whether the current step's interpolation stages have been evaluated.
    var extrasReady = false
    var eventState: EventState
    /// The stiffness detector of a composite solve (nil otherwise); when it asks for a switch
    /// the loop stops after the accepted step and leaves the rest to the other method.
    var stiffnessMonitor: StiffnessMonitor?

    /// Makes an integrator for `problem` with `tableau`, ready to `solve()`.
    public init(_ problem: ODEProblem, _ tableau: ButcherTableau, options: SolverOptions = SolverOptions()) {
        self.tableau = tableau
        var f = problem.f.perIntegrator?() ?? problem.f
        // A per-integrator copy brings its own closures; the mass matrix is the problem's.
        f.massMatrix = problem.f.massMatrix
        self.f = f
        n = problem.u0.count
        self.options = options
        t0 = problem.tspan.0
        tEnd = problem.tspan.1
        t = t0
        direction = tEnd >= t0 ? 1 : -1
        dt = 0
        parameterCount = problem.p.count
        initialState = problem.u0
        let slots = tableau.slots
        let total = n * (6 + slots) + max(parameterCount, 1)
        memory = .allocate(capacity: max(total, 1))
        memory.initialize(repeating: 0, count: max(total, 1))
        u = memory
        uprev = memory + n
        tmp = memory + 2 * n
        err = memory + 3 * n
        abstols = memory + 4 * n
        reltols = memory + 5 * n
        k = memory + 6 * n
        p = memory + n * (6 + slots)
        for (i, v) in problem.p.enumerated() { p[i] = v }

        // Nonzero structure of the tableau, so a stage touches only the slots it uses.
        let s = tableau.stages
        let n = problem.u0.count
        var starts = [0], offsets: [Int] = [], coefs: [Double] = []
        func addRow(_ row: [Double]) {
            for (j, v) in row.enumerated() where v != 0 { offsets.append(j * n); coefs.append(v) }
            starts.append(offsets.count)
        }
        for i in 0..<s { addRow((0..<i).map { tableau.a[i * s + $0] }) }
        for e in tableau.extraStages { addRow(e.a) }
        addRow(tableau.b)
        addRow(tableau.btilde)
        bRow = s + tableau.extraStages.count
        eRow = bRow + 1
        rowStart = .allocate(capacity: starts.count)
        rowStart.initialize(from: starts, count: starts.count)
        rowOffset = .allocate(capacity: max(offsets.count, 1))
        rowOffset.initialize(from: offsets, count: offsets.count)
        rowCoef = .allocate(capacity: max(coefs.count, 1))
        rowCoef.initialize(from: coefs, count: coefs.count)
        extraStageCount = tableau.extraStages.count
        let allC = tableau.c + tableau.extraStages.map(\.c)
        cs = .allocate(capacity: max(allC.count, 1))
        cs.initialize(from: allC, count: allC.count)
        let degree = tableau.dense.map(\.count).max() ?? 0
        denseDegree = degree
        denseCoef = .allocate(capacity: max(tableau.slots * degree, 1))
        denseCoef.initialize(repeating: 0, count: max(tableau.slots * degree, 1))
        for (i, row) in tableau.dense.enumerated() { for (m, v) in row.enumerated() { denseCoef[i * degree + m] = v } }
        let used = tableau.dense.indices.filter { tableau.dense[$0].contains { $0 != 0 } }
        denseSlotCount = used.count
        denseSlots = .allocate(capacity: max(used.count, 1))
        denseSlots.initialize(from: used, count: used.count)
        denseWeights = .allocate(capacity: max(used.count, 1))
        denseWeights.initialize(repeating: 0, count: max(used.count, 1))
        rhs = f.f
        adaptive = options.adaptive && tableau.isAdaptive
        // A choice that cannot be used fails the run with its reason (`optionsProblem`); the
        // work is then made matrix-free, so a refused large problem allocates no n × n W.
        let linearSolver = tableau.isImplicit ? NewtonMatrix.resolve(options.linsolve, f, n: n, tableau: tableau) : .success(.dense)
        implicitWork = tableau.isImplicit
            ? ImplicitWork(n: n, family: tableau.family, mass: f.massMatrix, linearSolver: (try? linearSolver.get()) ?? .krylov,
                           choice: options.linsolve, function: f)
            : nil
        internalnorm = options.internalnorm
        unstableCheck = options.unstableCheck
        progress = options.progress
        maxiters = options.maxiters
        dtmaxOption = options.dtmax.map(Swift.abs) ?? .infinity
        dtminOption = options.dtmin.map(Swift.abs)
        optionsProblem = options.problem(states: n) ?? Self.massMatrixProblem(f.massMatrix, n: n, tableau: tableau)
            ?? { if case .failure(let why) = linearSolver { return why.message } else { return nil } }()
        errorUsesEnd = !tableau.fsal && tableau.btilde[s] != 0
        eventState = EventState(callbacks: options.callback, n: n)
        configure(u0: problem.u0)
    }

    deinit {
        memory.deallocate()
        rowStart.deallocate()
        rowOffset.deallocate()
        rowCoef.deallocate()
        cs.deallocate()
        denseCoef.deallocate()
        denseSlots.deallocate()
        denseWeights.deallocate()
    }

    /// Why a mass matrix cannot be used with this method, if it cannot.
    static func massMatrixProblem(_ mass: [Double]?, n: Int, tableau: ButcherTableau) -> String? {
        guard let mass else { return nil }
        if mass.count != n * n { return "the mass matrix has \(mass.count) entries for \(n) × \(n)" }
        if mass.contains(where: { !$0.isFinite }) { return "the mass matrix has a non-finite entry" }
        switch tableau.family {
        case .rosenbrock: return nil
        case .rosenbrock23, .rosenbrock32:
            // ode23s's error estimate is not made for algebraic equations (MATLAB's ode23s
            // requires a nonsingular M too); Rodas methods are built for index-1 DAEs.
            let singular = (0..<n).contains { i in (0..<n).allSatisfy { mass[i + $0 * n] == 0 } }
            return singular ? "\(tableau.name) takes a nonsingular mass matrix only; for a DAE (a zero row of M) use Rodas5P or Rodas4" : nil
        default:
            return "\(tableau.name) cannot solve M u′ = f with a mass matrix; use a Rosenbrock method (Rodas5P, Rodas4, Rosenbrock23)"
        }
    }

    /// Slot i of the stage derivatives.
    @inline(__always) func slot(_ i: Int) -> UnsafeMutablePointer<Double> { k + i * n }

    /// Resets for a new solve from `u0` (and optionally new parameters and time span),
    /// keeping all memory.
    public func reinit(u0: [Double]? = nil, p newP: [Double]? = nil, tspan: (Double, Double)? = nil) {
        if let newP { for i in 0..<min(newP.count, parameterCount) { p[i] = newP[i] } }
        if let tspan { t0 = tspan.0; tEnd = tspan.1; direction = tEnd >= t0 ? 1 : -1 }
        if let u0, u0.count == n { initialState = u0 }
        configure(u0: initialState)
    }

    func configure(u0: [Double]) {
        for i in 0..<min(n, u0.count) { u[i] = u0[i] }
        t = t0
        dt = 0
        stats = SolverStats()
        retcode = .success
        message = nil
        terminateRequested = false
        uModifiedFlag = false
        endDerivativeValid = false
        qold = 1e-4
        logQold = log(1e-4)
        errors = (1, 1)
        lastWasRejected = false
        stepsSinceStart = 0
        nonlinearSolveFailed = false
        implicitWork?.newton.reset()
        implicitWork?.ndf?.reset()
        for i in 0..<n {
            abstols[i] = options.abstol.value(i)
            reltols[i] = options.reltol.value(i)
        }
        configureController()
        eventState = EventState(callbacks: options.callback, n: n)
        configureSaving()
    }

    /// Asks the solve to stop after the current step, with retcode `terminated`.
    public func terminate() { terminateRequested = true }

    /// Tells the integrator a callback changed `u` (or `p`), so derivatives are recomputed.
    public func uModified() { uModifiedFlag = true }

    /// The current state as a buffer.
    public var state: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: u, count: n) }
    /// The parameters as a buffer.
    public var parameters: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: p, count: parameterCount) }
}
