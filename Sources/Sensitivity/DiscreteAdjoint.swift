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
/// References: A. Walther, "Automatic differentiation of explicit Runge–Kutta methods for
/// optimal control", Comput. Optim. Appl. 36, 2007; W. W. Hager, "Runge–Kutta methods in
/// optimal control and the transformed adjoint system", Numer. Math. 87, 2000.
final class DiscreteAdjointSweep {
    let rhs: CompiledRHS
    let n: Int
    let m: Int
    let workspace: Workspace

    init(_ rhs: CompiledRHS) {
        self.rhs = rhs
        n = rhs.states
        m = rhs.parameters
        workspace = rhs.vjpUP.makeWorkspace()
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

    /// ∂L/∂u₀ and ∂L/∂p for cotangents `ybar` (one row of n per saved time of `solution`).
    ///
    /// The steps come from the solution's full record (dense output on), or from its
    /// checkpoints (`checkpointEvery`): then each segment of steps is replayed forward from its
    /// checkpoint by `replay` (the integrator that solved) just before it is swept backwards.
    func gradient(solution: ODESolution, p: [Double], ybar: [Double], replay: ODEIntegrator? = nil) throws
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
        guard !tab.isImplicit else {
            throw AutodiffError(.invalidArgument, "the discrete adjoint differentiates explicit Runge–Kutta steps; \(tab.name) is not one (use ForwardSensitivity or a continuous adjoint)")
        }
        let slots = tab.slots
        let (rows, cs) = Self.slotRows(tab)
        let M = steps.count
        for q in 0..<M where steps.end[q] != steps.t[q] + steps.h[q] {
            throw AutodiffError(.invalidArgument, "the discrete adjoint does not differentiate through events yet (an event cut step \(q))")
        }
        // Where each saved point came from: the start, the end of a step, or inside one.
        var startBar = [Double](repeating: 0, count: n)
        var endBar = [[Double]](repeating: [], count: M)
        var inside = [[(theta: Double, bar: ArraySlice<Double>)]](repeating: [], count: M)
        let t0 = steps.t.first ?? (solution.t.first ?? 0)
        let forward = (steps.h.first ?? 1) > 0
        for (s, ts) in solution.t.enumerated() {
            let bar = ybar[(s * n)..<((s + 1) * n)]
            if bar.allSatisfy({ $0 == 0 }) { continue }
            if ts == t0 && s == 0 || M == 0 {
                for j in 0..<n { startBar[j] += bar[bar.startIndex + j] }
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
                if endBar[lo].isEmpty { endBar[lo] = [Double](repeating: 0, count: n) }
                for j in 0..<n { endBar[lo][j] += bar[bar.startIndex + j] }
            } else {
                inside[lo].append((theta, bar))
            }
        }

        // Working vectors in one allocation; the sweep below touches no arrays.
        let slotsN = slots * n
        let pCount = max(m, 1)
        let work = UnsafeMutablePointer<Double>.allocate(capacity: 4 * n + slotsN + 2 * pCount + 1)
        work.initialize(repeating: 0, count: 4 * n + slotsN + 2 * pCount + 1)
        defer { work.deallocate() }
        let lambda = work, Y = work + n, ybarOut = work + 2 * n, kbar = work + 3 * n
        let dp = kbar + slotsN, pbarOut = dp + pCount, time = pbarOut + pCount, carry = time + 1
        // FSAL: stage 0 of step m+1 and the last stage of step m are f at the same point, so
        // their cotangents are pulled back together (the VJP is linear in its cotangent): one
        // VJP per step saved. `carry` holds stage 0's cotangent until step m is swept.
        let fsalSlot = tab.fsal ? tab.stages - 1 : -1
        var carrying = false
        // Flat slot rows: offsets into the step's slots and h-free coefficients.
        let rowStart = UnsafeMutablePointer<Int>.allocate(capacity: rows.count + 1)
        defer { rowStart.deallocate() }
        let total = rows.reduce(0) { $0 + $1.count }
        let rowSlot = UnsafeMutablePointer<Int>.allocate(capacity: max(total, 1))
        let rowCoef = UnsafeMutablePointer<Double>.allocate(capacity: max(total, 1))
        defer { rowSlot.deallocate(); rowCoef.deallocate() }
        var fill = 0
        for (i, row) in rows.enumerated() {
            rowStart[i] = fill
            for (slot, a) in row { rowSlot[fill] = slot * n; rowCoef[fill] = a; fill += 1 }
        }
        rowStart[rows.count] = fill
        let program = rhs.vjpUP
        let ws = workspace
        try p.withUnsafeBufferPointer { pb in
            try steps.u0.withUnsafeBufferPointer { u0All in
                try steps.k.withUnsafeBufferPointer { kAll in
                    ws.bind(input: 0, Y)
                    ws.bind(input: 1, pb.baseAddress ?? UnsafePointer(time))
                    ws.bind(input: 2, time)
                    ws.bind(output: 0, ybarOut)
                    ws.bind(output: 1, pbarOut)
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
                        if !endBar[q].isEmpty { for j in 0..<n { lambda[j] += endBar[q][j] } }
                        for i in 0..<slotsN { kbar[i] = 0 }
                        // uₘ₊₁ = uₘ + h Σ bᵢ kᵢ.
                        for (i, b) in tab.b.enumerated() where b != 0 {
                            let w = h * b
                            for j in 0..<n { kbar[i * n + j] += w * lambda[j] }
                        }
                        // Saved points inside the step: uₘ + h Σ bᵢ(θ) kᵢ.
                        for (theta, bar) in inside[q] {
                            for j in 0..<n { lambda[j] += bar[bar.startIndex + j] }
                            for i in 0..<slots {
                                var w = 0.0, power = theta
                                for coefficient in tab.dense[i] { w += coefficient * power; power *= theta }
                                if w == 0 { continue }
                                for j in 0..<n { kbar[i * n + j] += h * w * bar[bar.startIndex + j] }
                            }
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
                            if i == 0, fsalSlot > 0, q > 0, steps.t[q - 1] + cs[fsalSlot] * steps.h[q - 1] == tq {
                                for j in 0..<n { carry[j] = ki[j] }
                                carrying = true
                                continue
                            }
                            for j in 0..<n { Y[j] = u0[j] }
                            for r in rowStart[i]..<rowStart[i + 1] {
                                let w = h * rowCoef[r], kr = kStep + rowSlot[r]
                                for j in 0..<n { Y[j] += w * kr[j] }
                            }
                            time[0] = tq + cs[i] * h
                            ws.bind(input: 3, ki)
                            program.run(ws)
                            for j in 0..<m { dp[j] += pbarOut[j] }
                            for j in 0..<n { lambda[j] += ybarOut[j] }
                            for r in rowStart[i]..<rowStart[i + 1] {
                                let w = h * rowCoef[r], kr = kbar + rowSlot[r]
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
                                      from: states + i * n, slots: stages + i * slotsN, next: states + (i + 1) * n)
            }
        }
        let i = q - c * every
        return (UnsafePointer(states + i * n), UnsafePointer(stages + i * slotsN))
    }
}
