import Autodiff
import DiffEq

/// The gradient of a loss on saved states through the steps an explicit Runge–Kutta solve
/// took: discretise-then-optimise, the exact gradient of what was computed (with the step
/// sizes the controller chose held fixed, as diffrax does).
///
/// Step m maps uₘ to uₘ₊₁ = uₘ + h Σ bᵢ kᵢ with kᵢ = f(Yᵢ), Yᵢ = uₘ + h Σⱼ aᵢⱼ kⱼ; saved points
/// inside a step come from the dense output uₘ + h Σ bᵢ(θ) kᵢ. Sweeping the steps backwards,
/// every slot's cotangent k̄ᵢ is pulled back through one VJP of f at Yᵢ (rebuilt from the
/// recorded slots, without evaluating f), giving λₘ = ∂L/∂uₘ and accumulating ∂L/∂p.
/// Cost: one VJP per stage per step, on top of the forward solve.
///
/// Events (`DifferentiableEvent`): a step cut at an event time τ = tₘ + θ*h ends in
/// u⁺ = a(U(θ*), p, τ), where U is the step's dense output and θ* the root of
/// g(U(θ), p, tₘ + θh), and every later step starts τ-dependently (their sizes held fixed).
/// The sweep then carries a time cotangent t̄ as well (from saved points, whose place in a
/// shifted step moves, and from f's time input), and pulls λ⁺ and t̄ back through the jump
/// and, by the implicit function theorem, through θ*: with θ̄ = ū⁻·U′(θ*) + τ̄h and
/// G_θ = g_u·U′(θ*) + g_t h, the root passes −θ̄/G_θ times (g_u, g_p, g_t) on.
///
/// References: A. Walther, "Automatic differentiation of explicit Runge–Kutta methods for
/// optimal control", Comput. Optim. Appl. 36, 2007; W. W. Hager, "Runge–Kutta methods in
/// optimal control and the transformed adjoint system", Numer. Math. 87, 2000.
final class DiscreteAdjointSweep {
    let rhs: CompiledRHS
    let n: Int
    let m: Int
    let workspace: Workspace
    /// The events of the solve (none: no events).
    let events: [SensitivityEventHandler]
    /// (u, p, t, v) -> ((∂f/∂u)ᵀv, (∂f/∂p)ᵀv, (∂f/∂t)ᵀv): with events, later step times depend on θ.
    let timedProgram: Program?
    let timedWorkspace: Workspace?
    /// Reused between gradients: the slot rows of the last tableau, the working vectors, and
    /// where the saved points sit.
    private var cachedLayout: SlotLayout?
    private var work: UnsafeMutablePointer<Double>?
    private var workCapacity = 0
    private(set) var endBars: [Double] = []
    private(set) var hasEnd: [Bool] = []
    private(set) var insidePoints: [InsidePoint] = []
    /// The programs and LU of the Rosenbrock sweep, made when first needed.
    var rosenbrockPieces: RosenbrockAdjointPieces?

    /// A saved point inside step `step` at θ, its cotangent at `ybar[row ..< row + n]`.
    struct InsidePoint {
        let step: Int
        let theta: Double
        let row: Int
    }

    /// The slot rows flattened: rows over earlier slots (`rowSlot` slot indices, `rowCoef`
    /// h-free coefficients, row i at `rowStart[i] ..< rowStart[i + 1]`) and each slot's time offset.
    final class SlotLayout {
        let name: String
        let rowStart: UnsafeMutablePointer<Int>
        let rowSlot: UnsafeMutablePointer<Int>
        let rowCoef: UnsafeMutablePointer<Double>
        let c: [Double]
        init(_ tab: ButcherTableau) {
            let (rows, c) = DiscreteAdjointSweep.slotRows(tab)
            let total = rows.reduce(0) { $0 + $1.count }
            rowStart = .allocate(capacity: rows.count + 1)
            rowSlot = .allocate(capacity: max(total, 1))
            rowCoef = .allocate(capacity: max(total, 1))
            var fill = 0
            for (i, row) in rows.enumerated() {
                rowStart[i] = fill
                for (j, a) in row { rowSlot[fill] = j; rowCoef[fill] = a; fill += 1 }
            }
            rowStart[rows.count] = fill
            name = tab.name
            self.c = c
        }
        deinit {
            rowStart.deallocate()
            rowSlot.deallocate()
            rowCoef.deallocate()
        }
    }

    func layout(for tab: ButcherTableau) -> SlotLayout {
        if let cachedLayout, cachedLayout.name == tab.name { return cachedLayout }
        let made = SlotLayout(tab)
        cachedLayout = made
        return made
    }

    /// `count` zeroed doubles, kept for the next gradient.
    func scratch(_ count: Int) -> UnsafeMutablePointer<Double> {
        if count > workCapacity {
            work?.deallocate()
            work = .allocate(capacity: count)
            workCapacity = count
        }
        let pointer = work.unsafelyUnwrapped
        pointer.initialize(repeating: 0, count: count)
        return pointer
    }

    deinit { work?.deallocate() }

    /// Where each saved point came from: the start (its cotangent added to `startBar`), the
    /// end of a step (`endBars`, n per step, flagged in `hasEnd`), or inside one
    /// (`insidePoints`, in step order).
    func placeSavedPoints(_ solution: ODESolution, _ steps: StepTimes, _ ybar: [Double],
                          startBar: UnsafeMutablePointer<Double>) {
        let M = steps.count
        if endBars.count < M * n { endBars = [Double](repeating: 0, count: M * n) }
        if hasEnd.count < M { hasEnd = [Bool](repeating: false, count: M) }
        for q in 0..<M where hasEnd[q] {
            hasEnd[q] = false
            for j in 0..<n { endBars[q * n + j] = 0 }
        }
        insidePoints.removeAll(keepingCapacity: true)
        let t0 = steps.t.first ?? (solution.t.first ?? 0)
        let forward = (steps.h.first ?? 1) > 0
        for s in 0..<solution.t.count {
            let ts = solution.t[s], row = s * n
            var zero = true
            for j in 0..<n where ybar[row + j] != 0 { zero = false; break }
            if zero { continue }
            if ts == t0 && s == 0 || M == 0 {
                for j in 0..<n { startBar[j] += ybar[row + j] }
                continue
            }
            // The step the point was saved in: the last one starting strictly before it.
            var lo = 0, hi = M - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if forward ? steps.t[mid] < ts : steps.t[mid] > ts { lo = mid } else { hi = mid - 1 }
            }
            let theta = (ts - steps.t[lo]) / steps.h[lo]
            if Swift.abs(theta - 1) <= 1e-13 {
                hasEnd[lo] = true
                for j in 0..<n { endBars[lo * n + j] += ybar[row + j] }
            } else {
                insidePoints.append(InsidePoint(step: lo, theta: theta, row: row))
            }
        }
    }

    init(_ rhs: CompiledRHS, events: [SensitivityEventHandler] = []) throws {
        self.rhs = rhs
        n = rhs.states
        m = rhs.parameters
        workspace = rhs.vjpUP.makeWorkspace()
        self.events = events
        timedProgram = events.isEmpty ? nil : try rhs.graph.vjp(wrt: [0, 1, 2]).compile()
        timedWorkspace = timedProgram?.makeWorkspace()
    }

    /// Rows over earlier slots and the time offset of every slot: stages, the end slot
    /// (row b, c = 1) and the interpolation stages.
    static func slotRows(_ tab: ButcherTableau) -> (rows: [[(Int, Double)]], c: [Double]) {
        let s = tab.stages
        var rows: [[(Int, Double)]] = []
        var c: [Double] = []
        for i in 0..<s {
            rows.append((0..<i).compactMap { j in tab.a[i * s + j] != 0 ? (j, tab.a[i * s + j]) : nil })
            c.append(tab.c[i])
        }
        rows.append(tab.fsal ? [] : tab.b.enumerated().compactMap { $0.element != 0 ? ($0.offset, $0.element) : nil })
        c.append(1)
        for e in tab.extraStages {
            rows.append(e.a.enumerated().compactMap { $0.element != 0 ? ($0.offset, $0.element) : nil })
            c.append(e.c)
        }
        return (rows, c)
    }

    /// ∂L/∂u₀ and ∂L/∂p for cotangents `ybar` (one row of n per saved time of `solution`), whose
    /// solve fired the events `fired`.
    ///
    /// The steps come from the solution's full record (dense output on), or from its
    /// checkpoints (`checkpointEvery`): then each segment of steps is replayed forward from its
    /// checkpoint by `replay` (the integrator that solved) just before it is swept backwards.
    func gradient(solution: ODESolution, p: [Double], ybar: [Double], replay: ODEIntegrator? = nil,
                  fired: [FiredEvent] = []) throws
        -> (du0: [Double], dp: [Double]) {
        let steps: StepTimes
        var replayer: StepReplayer? = nil
        if let full = solution.steps {
            steps = StepTimes(tableau: full.tableau, t: full.t, h: full.h, end: full.end, u0: full.u0, k: full.k)
        } else if let checkpoints = solution.checkpoints, let replay {
            steps = StepTimes(tableau: checkpoints.tableau, t: checkpoints.t, h: checkpoints.h, end: checkpoints.end, u0: [], k: [])
            replayer = StepReplayer(checkpoints, integrator: replay)
        } else {
            throw AutodiffError(.invalidArgument, "the discrete adjoint needs the solve's steps (dense output or checkpoints)")
        }
        let tab = steps.tableau
        if let form = try RosenbrockAdjointForm(tab) {
            guard fired.isEmpty else {
                throw AutodiffError(.invalidArgument, "the discrete adjoint through \(tab.name)'s steps does not take events yet (use ForwardSensitivity or a continuous adjoint)")
            }
            return try rosenbrockGradient(form, steps: steps, replayer: replayer, solution: solution, p: p, ybar: ybar)
        }
        guard !tab.isImplicit else {
            throw AutodiffError(.invalidArgument, "the discrete adjoint differentiates explicit Runge–Kutta and Rosenbrock (Rosenbrock23, Rosenbrock32, Rodas4, Rodas5P) steps; \(tab.name) is neither (use ForwardSensitivity or a continuous adjoint)")
        }
        let slots = tab.slots
        let layout = self.layout(for: tab)
        let cs = layout.c
        let M = steps.count
        // The events that cut steps, by step.
        var eventAt = [Int: FiredEvent]()
        if !fired.isEmpty { eventAt.reserveCapacity(fired.count) }
        for e in fired {
            guard e.step >= 0, e.step < M, e.event < events.count else {
                throw AutodiffError(.invalidArgument, "an event at t = \(e.t) does not belong to a recorded step")
            }
            eventAt[e.step] = e
        }
        for q in 0..<M where steps.end[q] != steps.t[q] + steps.h[q] && eventAt[q] == nil {
            throw AutodiffError(.invalidArgument, "step \(q) was cut at t = \(steps.end[q]) by a callback the discrete adjoint cannot differentiate (use DifferentiableEvent)")
        }
        let timed = !eventAt.isEmpty
        replayer?.applyJumps(fired, events: events, p: p)
        // Working vectors, kept between gradients (a pullback allocates only its results).
        let slotsN = slots * n
        let pCount = max(m, 1)
        let work = scratch(7 * n + slotsN + 2 * pCount + 2)
        let lambda = work, Y = work + n, ybarOut = work + 2 * n, kbar = work + 3 * n
        let dp = kbar + slotsN, pbarOut = dp + pCount, time = pbarOut + pCount, carry = time + 1
        // With events: the running time cotangent, f's time cotangent and U′(θ*).
        let tOut = carry + n, dU = tOut + 1, startBar = dU + n

        placeSavedPoints(solution, steps, ybar, startBar: startBar)
        var nextInside = insidePoints.count - 1
        var tbar = 0.0
        // FSAL: stage 0 of step m+1 and the last stage of step m are f at the same point, so
        // their cotangents are pulled back together (the VJP is linear in its cotangent): one
        // VJP per step saved. `carry` holds stage 0's cotangent until step m is swept.
        let fsalSlot = tab.fsal ? tab.stages - 1 : -1
        var carrying = false
        let rowStart = layout.rowStart, rowSlot = layout.rowSlot, rowCoef = layout.rowCoef
        let program = timed ? timedProgram.unsafelyUnwrapped : rhs.vjpUP
        let ws = timed ? timedWorkspace.unsafelyUnwrapped : workspace
        try p.withUnsafeBufferPointer { pb in
            try steps.u0.withUnsafeBufferPointer { u0All in
                try steps.k.withUnsafeBufferPointer { kAll in
                    ws.bind(input: 0, Y)
                    ws.bind(input: 1, pb.baseAddress ?? UnsafePointer(time))
                    ws.bind(input: 2, time)
                    ws.bind(output: 0, ybarOut)
                    ws.bind(output: 1, pbarOut)
                    if timed { ws.bind(output: 2, tOut) }
                    let u0Base = u0All.baseAddress, kBase0 = kAll.baseAddress
                    for q in stride(from: M - 1, through: 0, by: -1) {
                        let h = steps.h[q], tq = steps.t[q]
                        let u0: UnsafePointer<Double>, kStep: UnsafePointer<Double>
                        if let replayer {
                            (u0, kStep) = replayer.step(q)
                        } else {
                            u0 = u0Base.unsafelyUnwrapped + q * n
                            kStep = kBase0.unsafelyUnwrapped + q * slotsN
                        }
                        if hasEnd[q] {
                            for j in 0..<n { lambda[j] += endBars[q * n + j] }
                            // A saved point at a step's end sits at θ = 1 of a step that moves with tₘ.
                            if timed { tbar -= Self.slopeDot(tab, 1, kStep, endBars[(q * n)..<(q * n + n)], n: n) }
                        }
                        for i in 0..<slotsN { kbar[i] = 0 }
                        if let e = eventAt[q] {
                            // λ and t̄ are the cotangents of u⁺ and τ, the next step's start.
                            let theta = (e.t - tq) / h
                            let jump = e.uMinus.withUnsafeBufferPointer { u in
                                events[e.event].pullback(uMinus: u.baseAddress.unsafelyUnwrapped,
                                                         p: pb.baseAddress ?? UnsafePointer(time), t: e.t,
                                                         lambdaPlus: UnsafePointer(lambda))
                            }
                            for j in 0..<m { dp[j] += jump.pBar[j] }
                            let tauBar = tbar + jump.tBar
                            for j in 0..<n { dU[j] = 0 }
                            for i in 0..<slots {
                                let w = h * tab.denseWeight(i, theta, derivative: true)
                                if w != 0 { for j in 0..<n { dU[j] += w * kStep[i * n + j] } }
                            }
                            var thetaBar = tauBar * h, gTheta = jump.gT * h
                            for j in 0..<n { thetaBar += jump.uBar[j] * dU[j]; gTheta += jump.gU[j] * dU[j] }
                            let w = gTheta != 0 ? -thetaBar / gTheta : 0
                            for j in 0..<m { dp[j] += w * jump.gP[j] }
                            tbar = tauBar + w * jump.gT
                            // u⁻ = uₘ + h Σ bᵢ(θ*) kᵢ.
                            for j in 0..<n { lambda[j] = jump.uBar[j] + w * jump.gU[j] }
                            for i in 0..<slots {
                                let wi = h * tab.denseWeight(i, theta)
                                if wi != 0 { for j in 0..<n { kbar[i * n + j] += wi * lambda[j] } }
                            }
                        } else {
                            // uₘ₊₁ = uₘ + h Σ bᵢ kᵢ.
                            for (i, b) in tab.b.enumerated() where b != 0 {
                                let w = h * b
                                for j in 0..<n { kbar[i * n + j] += w * lambda[j] }
                            }
                        }
                        // Saved points inside the step: uₘ + h Σ bᵢ(θ) kᵢ.
                        while nextInside >= 0, insidePoints[nextInside].step == q {
                            let point = insidePoints[nextInside]
                            nextInside -= 1
                            let theta = point.theta, bar = ybar[point.row..<(point.row + n)]
                            for j in 0..<n { lambda[j] += bar[bar.startIndex + j] }
                            for i in 0..<slots {
                                let w = tab.denseWeight(i, theta)
                                if w == 0 { continue }
                                for j in 0..<n { kbar[i * n + j] += h * w * bar[bar.startIndex + j] }
                            }
                            if timed { tbar -= Self.slopeDot(tab, theta, kStep, bar, n: n) }
                        }
                        if carrying {
                            for j in 0..<n { kbar[fsalSlot * n + j] += carry[j] }
                            carrying = false
                        }
                        // Slots in reverse: pull k̄ᵢ back through f at Yᵢ.
                        for i in stride(from: slots - 1, through: 0, by: -1) {
                            let ki = kbar + i * n
                            var any = false
                            for j in 0..<n where ki[j] != 0 { any = true; break }
                            if !any { continue }
                            if i == 0, fsalSlot > 0, q > 0, steps.t[q - 1] + cs[fsalSlot] * steps.h[q - 1] == tq,
                               !timed || eventAt[q - 1] == nil {
                                for j in 0..<n { carry[j] = ki[j] }
                                carrying = true
                                continue
                            }
                            for j in 0..<n { Y[j] = u0[j] }
                            for r in rowStart[i]..<rowStart[i + 1] {
                                let w = h * rowCoef[r], kr = kStep + rowSlot[r] * n
                                for j in 0..<n { Y[j] += w * kr[j] }
                            }
                            time[0] = tq + cs[i] * h
                            ws.bind(input: 3, ki)
                            program.run(ws)
                            for j in 0..<m { dp[j] += pbarOut[j] }
                            for j in 0..<n { lambda[j] += ybarOut[j] }
                            if timed { tbar += tOut[0] }
                            for r in rowStart[i]..<rowStart[i + 1] {
                                let w = h * rowCoef[r], kr = kbar + rowSlot[r] * n
                                for j in 0..<n { kr[j] += w * ybarOut[j] }
                            }
                        }
                    }
                }
            }
        }
        for j in 0..<n { lambda[j] += startBar[j] }
        return (Array(UnsafeBufferPointer(start: lambda, count: n)), Array(UnsafeBufferPointer(start: dp, count: m)))
    }

    /// ū · Σᵢ bᵢ′(θ) kᵢ: how a point saved at θ of a step moves when the step's start time does
    /// (∂U/∂tₘ = −Σᵢ bᵢ′(θ) kᵢ at a fixed saved time, for U(θ) = uₘ + h Σᵢ bᵢ(θ) kᵢ).
    static func slopeDot(_ tab: ButcherTableau, _ theta: Double, _ k: UnsafePointer<Double>,
                         _ bar: ArraySlice<Double>, n: Int) -> Double {
        var acc = 0.0
        for i in 0..<tab.slots {
            let w = tab.denseWeight(i, theta, derivative: true)
            if w == 0 { continue }
            for j in 0..<n { acc += w * k[i * n + j] * bar[bar.startIndex + j] }
        }
        return acc
    }
}

extension ButcherTableau {
    /// bᵢ(θ) of the dense output u₀ + h Σᵢ bᵢ(θ) kᵢ (bᵢ(θ) = Σₘ dense[i][m] θ^(m+1)), or its
    /// derivative bᵢ′(θ).
    func denseWeight(_ i: Int, _ theta: Double, derivative: Bool = false) -> Double {
        let row = dense[i]
        var w = 0.0, r = row.count - 1
        if derivative {
            while r >= 0 { w = w * theta + Double(r + 1) * row[r]; r -= 1 }
        } else {
            while r >= 0 { w = w * theta + row[r]; r -= 1 }
            w *= theta
        }
        return w
    }
}

/// The step times (and, for a full record, states and stages) a sweep reads.
struct StepTimes {
    let tableau: ButcherTableau
    let t: [Double], h: [Double], end: [Double]
    let u0: [Double], k: [Double]
    var count: Int { t.count }
}

/// Replays the steps between checkpoints: when the sweep reaches the last step of a segment,
/// the whole segment is recomputed forward from its checkpoint and kept until the sweep
/// leaves it, so memory holds one segment's stages rather than every step's.
final class StepReplayer {
    let checkpoints: StepCheckpoints
    let integrator: ODEIntegrator
    let n: Int, slotsN: Int, every: Int
    let states: UnsafeMutablePointer<Double>
    let stages: UnsafeMutablePointer<Double>
    var segment = -1
    /// Called after each replayed step (index, start state, stages, h, end state) to let the
    /// sweep apply an event's jump to the end state.
    var afterStep: ((Int, UnsafePointer<Double>, UnsafePointer<Double>, Double, UnsafeMutablePointer<Double>) -> Void)?
    /// The steps an event cut short.
    var cutSteps = Set<Int>()

    init(_ checkpoints: StepCheckpoints, integrator: ODEIntegrator) {
        self.checkpoints = checkpoints
        self.integrator = integrator
        n = checkpoints.n
        every = checkpoints.every
        slotsN = checkpoints.tableau.slots * n
        states = .allocate(capacity: (every + 1) * n)
        stages = .allocate(capacity: max(every * slotsN, 1))
    }

    deinit {
        states.deallocate()
        stages.deallocate()
    }

    /// Makes the replay end each step an event cut in the event's u⁺ = a(U(θ*), p, τ), as the
    /// solve did (U: the step's dense output).
    func applyJumps(_ fired: [FiredEvent], events: [SensitivityEventHandler], p: [Double]) {
        guard !fired.isEmpty else { afterStep = nil; cutSteps = []; return }
        var eventAt = [Int: FiredEvent]()
        for e in fired { eventAt[e.step] = e }
        cutSteps = Set(eventAt.keys)
        let tab = checkpoints.tableau, n = self.n, starts = checkpoints.t
        let uMinus = ScratchBuffer(count: n)
        afterStep = { q, u0, k, h, next in
            guard let e = eventAt[q], e.event < events.count else { return }
            let theta = (e.t - starts[q]) / h
            let x = uMinus.pointer
            for j in 0..<n { x[j] = u0[j] }
            for i in 0..<tab.slots {
                let w = h * tab.denseWeight(i, theta)
                if w != 0 { for j in 0..<n { x[j] += w * k[i * n + j] } }
            }
            p.withUnsafeBufferPointer { pb in
                events[e.event].jump(UnsafePointer(x), p: pb.baseAddress ?? UnsafePointer(x), t: e.t, into: next)
            }
        }
    }

    /// The steps of segment c (replayed when not the current one): their indices, starting
    /// states (n each) and stages (slots × n each).
    func segment(_ c: Int) -> (Range<Int>, UnsafePointer<Double>, UnsafePointer<Double>) {
        let first = c * every
        _ = step(first)
        return (first..<Swift.min(checkpoints.count, first + every), UnsafePointer(states), UnsafePointer(stages))
    }

    /// The starting state and the stages of step q, replaying its segment when needed.
    func step(_ q: Int) -> (UnsafePointer<Double>, UnsafePointer<Double>) {
        let c = q / every
        if c != segment {
            segment = c
            let first = c * every, last = Swift.min(checkpoints.count, first + every)
            for j in 0..<n { states[j] = checkpoints.states[c * n + j] }
            for r in first..<last {
                let i = r - first
                integrator.replayStep(start: checkpoints.t[r], h: checkpoints.h[r], end: checkpoints.end[r],
                                      cut: cutSteps.contains(r), from: states + i * n, slots: stages + i * slotsN, next: states + (i + 1) * n)
                afterStep?(r, states + i * n, stages + i * slotsN, checkpoints.h[r], states + (i + 1) * n)
            }
        }
        let i = q - c * every
        return (UnsafePointer(states + i * n), UnsafePointer(stages + i * slotsN))
    }
}
