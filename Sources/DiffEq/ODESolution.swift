import Foundation

/// The result of a solve: saved times and states, a return code, statistics and, when the
/// solve kept them, every step's stages for interpolation at any time.
public struct ODESolution: Sendable, CustomStringConvertible {
    public let t: [Double]
    /// Saved states, row after row (`width` values per time).
    public let values: [Double]
    /// Components per saved state (all, or those of `saveIdxs`).
    public let width: Int
    public let retcode: ReturnCode
    public let stats: SolverStats
    /// Why the solve failed, when it did.
    public let message: String?
    let dense: DenseOutput?
    let saveIdxs: [Int]?
    /// The sparse step record of a solve run with `checkpointEvery`.
    public internal(set) var checkpoints: StepCheckpoints? = nil
    /// A composite solve's dense output before `dense` in time: one piece per run of steps
    /// taken by one method (each piece interpolates with its own method).
    var earlierDense: [DenseOutput] = []
    /// For a composite solve, which method produced each saved point: 1 the explicit method,
    /// 2 the stiff one (SciML's `alg_choice`); nil for a single method.
    public internal(set) var algChoice: [Int]? = nil

    /// The saved states as arrays (allocates one array per time).
    public var u: [[Double]] { (0..<t.count).map { Array(values[($0 * width)..<(($0 + 1) * width)]) } }

    /// The state saved at index i.
    public subscript(i: Int) -> ArraySlice<Double> { values[(i * width)..<((i + 1) * width)] }

    /// Component j over all saved times (Julia's `sol[j, :]`, 0-based here).
    public func component(_ j: Int) -> [Double] { (0..<t.count).map { values[$0 * width + j] } }

    /// Whether `sol(t)` uses the method's dense output (otherwise it interpolates linearly
    /// between saved points).
    public var hasDenseOutput: Bool { dense != nil }

    /// The state at time `time`: the method's dense output when the solve kept it, linear
    /// interpolation between saved points otherwise; nil outside the solved interval.
    /// With `derivative: k`, the k-th time derivative of that interpolant instead (k ≥ 2 only
    /// from the dense output; nil for the linear one, and for k < 0).
    public func callAsFunction(_ time: Double, derivative: Int = 0) -> [Double]? {
        guard derivative >= 0 else { return nil }
        // At a saved time, exactly what was saved (after an event, the state after it).
        if derivative == 0, let i = lastSavedIndex(at: time) { return Array(self[i]) }
        if let full = denseValue(time, derivative: derivative) {
            guard let idx = saveIdxs else { return full }
            return idx.map { $0 >= 0 && $0 < full.count ? full[$0] : .nan }
        }
        return linear(time, derivative: derivative)
    }

    /// The dense output at `time`, from the piece that covers it.
    func denseValue(_ time: Double, derivative: Int) -> [Double]? {
        for piece in earlierDense {
            if let value = piece.evaluate(time, derivative: derivative) { return value }
        }
        return dense?.evaluate(time, derivative: derivative)
    }

    /// The states at several times.
    public func callAsFunction(_ times: [Double], derivative: Int = 0) -> [[Double]?] {
        times.map { self($0, derivative: derivative) }
    }

    /// The last index saved at exactly `time`, if any (binary search in the direction of time).
    func lastSavedIndex(at time: Double) -> Int? {
        guard let first = t.first, let last = t.last else { return nil }
        let forward = last >= first
        var lo = 0, hi = t.count      // first index whose time is past `time`
        while lo < hi {
            let mid = (lo + hi) / 2
            if forward ? t[mid] <= time : t[mid] >= time { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 && t[lo - 1] == time ? lo - 1 : nil
    }

    func linear(_ time: Double, derivative: Int) -> [Double]? {
        guard let first = t.first, let last = t.last else { return nil }
        let lo = Swift.min(first, last), hi = Swift.max(first, last)
        guard time >= lo, time <= hi, derivative <= 1 else { return nil }
        if t.count == 1 { return derivative == 0 ? Array(self[0]) : [Double](repeating: 0, count: width) }
        let forward = last >= first
        // The last interval [t[i], t[i+1]] starting at or before `time`.
        var a = 0, b = t.count - 2
        while a < b {
            let mid = (a + b + 1) / 2
            if forward ? t[mid] <= time : t[mid] >= time { a = mid } else { b = mid - 1 }
        }
        let i = a
        let span = t[i + 1] - t[i]
        let theta = span == 0 ? 0 : (time - t[i]) / span
        return (0..<width).map { j in
            let a = values[i * width + j], b = values[(i + 1) * width + j]
            return derivative == 0 ? a + theta * (b - a) : (span == 0 ? 0 : (b - a) / span)
        }
    }

    public var description: String {
        var s = "ODESolution: retcode \(retcode), \(t.count) saved points, \(stats)"
        if let message { s += "\n  \(message)" }
        return s
    }
}

/// Every accepted step's start, size, state and stages, for `sol(t)`.
struct DenseOutput: Sendable {
    let tableau: ButcherTableau
    let n: Int
    let stepT: [Double]
    let stepH: [Double]
    let stepEnd: [Double]
    let stepU0: [Double]
    let stepK: [Double]

    func evaluate(_ time: Double, derivative: Int) -> [Double]? {
        guard let first = stepT.first, let last = stepEnd.last else { return nil }
        let forward = (stepH.first ?? 1) > 0
        guard forward ? (time >= first && time <= last) : (time <= first && time >= last) else { return nil }
        // The last step starting at or before `time` (binary search in the direction of time).
        var lo = 0, hi = stepT.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if forward ? stepT[mid] <= time : stepT[mid] >= time { lo = mid } else { hi = mid - 1 }
        }
        let h = stepH[lo]
        let theta = (time - stepT[lo]) / h
        let slots = tableau.slots
        let kBase = lo * slots * n
        var out = derivative == 0 ? Array(stepU0[(lo * n)..<((lo + 1) * n)]) : [Double](repeating: 0, count: n)
        // u(θ) = u₀ + h Σᵢ bᵢ(θ) kᵢ with bᵢ(θ) = Σₘ cᵢₘ θ^(m+1), θ = (t − tₛ)/h, so
        // dᵈu/dtᵈ = h^(1−d) Σᵢ Σₘ cᵢₘ (m+1)(m)⋯(m+2−d) θ^(m+1−d) kᵢ.
        let scale = Foundation.pow(h, Double(1 - derivative))
        for i in 0..<slots {
            let row = tableau.dense[i]
            if row.isEmpty { continue }
            let first = Swift.max(derivative - 1, 0)
            var w = 0.0, power = derivative == 0 ? theta : 1   // θ^(m+1−d) from m = first on
            for m in first..<Swift.max(row.count, first) {
                var falling = 1.0
                for r in 0..<derivative { falling *= Double(m + 1 - r) }
                w += row[m] * falling * power
                power *= theta
            }
            w *= scale
            if w == 0 { continue }
            for j in 0..<n { out[j] += w * stepK[kBase + i * n + j] }
        }
        return out
    }
}

/// The accepted steps of a solve that kept its dense output: what a discrete adjoint
/// differentiates. Step m runs from `t[m]` with size `h[m]` (valid up to `end[m]`, which is
/// `t[m] + h[m]` unless an event cut it), from state `u0[m·n ..< (m+1)·n]`, with slot i's
/// derivative at `k[(m·slots + i)·n ..< ...]`.
public struct StepRecord: Sendable {
    public let tableau: ButcherTableau
    public let n: Int
    public let t: [Double]
    public let h: [Double]
    public let end: [Double]
    public let u0: [Double]
    public let k: [Double]
    public var count: Int { t.count }
}

extension ODESolution {
    /// The recorded steps, when the solve kept its dense output (`options.dense`) and used one
    /// method throughout.
    public var steps: StepRecord? {
        guard earlierDense.isEmpty else { return nil }
        return dense.map { StepRecord(tableau: $0.tableau, n: $0.n, t: $0.stepT, h: $0.stepH, end: $0.stepEnd, u0: $0.stepU0, k: $0.stepK) }
    }
}

/// The steps of a solve recorded for replay: every accepted step's start time, size and end,
/// and the state at the start of every `every`-th step. A checkpointed discrete adjoint
/// replays the steps after each checkpoint (`ODEIntegrator.replayStep`) instead of storing
/// every step's stages.
public struct StepCheckpoints: Sendable {
    public let tableau: ButcherTableau
    public let n: Int
    public let every: Int
    public let t: [Double]
    public let h: [Double]
    public let end: [Double]
    /// The state at the start of step k·every, for k = 0, 1, ..., row after row.
    public let states: [Double]
    public var count: Int { t.count }
}
