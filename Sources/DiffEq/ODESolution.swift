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
    /// With `derivative: 1`, the time derivative instead.
    public func callAsFunction(_ time: Double, derivative: Int = 0) -> [Double]? {
        if let dense, let full = dense.evaluate(time, derivative: derivative) {
            guard let idx = saveIdxs else { return full }
            return idx.map { full[$0] }
        }
        return linear(time, derivative: derivative)
    }

    /// The states at several times.
    public func callAsFunction(_ times: [Double], derivative: Int = 0) -> [[Double]?] {
        times.map { self($0, derivative: derivative) }
    }

    func linear(_ time: Double, derivative: Int) -> [Double]? {
        guard let first = t.first, let last = t.last else { return nil }
        let lo = Swift.min(first, last), hi = Swift.max(first, last)
        guard time >= lo, time <= hi, derivative <= 1 else { return nil }
        if t.count == 1 { return derivative == 0 ? Array(self[0]) : [Double](repeating: 0, count: width) }
        let forward = last >= first
        var i = 0
        while i < t.count - 2, forward ? t[i + 1] < time : t[i + 1] > time { i += 1 }
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
        for i in 0..<slots {
            let row = tableau.dense[i]
            if row.isEmpty { continue }
            var w = 0.0, power = 1.0
            for (m, coefficient) in row.enumerated() {
                if derivative == 0 {
                    power *= theta
                    w += coefficient * power            // h Σ c θ^(m+1)
                } else {
                    w += coefficient * Double(m + 1) * power / h   // d/dt: Σ c (m+1) θ^m / h
                    power *= theta
                }
            }
            if derivative == 0 { w *= h } else { w *= h }
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
    /// The recorded steps, when the solve kept its dense output (`options.dense`).
    public var steps: StepRecord? {
        dense.map { StepRecord(tableau: $0.tableau, n: $0.n, t: $0.stepT, h: $0.stepH, end: $0.stepEnd, u0: $0.stepU0, k: $0.stepK) }
    }
}
