import DiffEq

/// A solve's recorded steps (`ODESolution.steps`) as a function of time, evaluated without
/// allocating: the forward trajectory u(t) that the interpolating, quadrature and Gauss
/// adjoints read inside their backward right-hand sides, and the backward λ(t) that the
/// quadrature adjoints integrate against.
///
/// Step m runs from `t[m]` by `h[m]` (in either direction of time) and its dense output is
/// u(t[m] + θh) = u₀ + h Σᵢ bᵢ(θ) kᵢ with bᵢ(θ) = Σₖ dense[i][k] θ^(k+1), the method's own
/// continuous extension (`ButcherTableau.dense`).
final class DenseInterpolant: @unchecked Sendable {
    let n: Int
    let count: Int
    let slots: Int
    /// +1 when the recorded solve ran forwards in time, −1 backwards.
    let direction: Double
    let t: [Double]
    let h: [Double]
    /// Where each step's span ends: t + h, or the event time that cut it.
    let end: [Double]
    let u0: [Double]
    let k: [Double]
    /// The slots with a dense-output row, and their rows padded to `degree` coefficients.
    let usedSlots: [Int]
    let coefficients: [Double]
    let degree: Int

    /// Nil when the record has no steps.
    convenience init?(_ steps: StepRecord) {
        guard steps.count > 0 else { return nil }
        self.init(tableau: steps.tableau, n: steps.n, t: steps.t, h: steps.h, end: steps.end, u0: steps.u0, k: steps.k)
    }

    /// Steps given as arrays (at least one): starts, sizes, ends, starting states and stages.
    init(tableau tab: ButcherTableau, n: Int, t: [Double], h: [Double], end: [Double], u0: [Double], k: [Double]) {
        self.n = n
        count = t.count
        slots = tab.slots
        direction = h[0] >= 0 ? 1 : -1
        self.t = t
        self.h = h
        self.end = end
        self.u0 = u0
        self.k = k
        let degree = tab.dense.map(\.count).max() ?? 0
        self.degree = degree
        var used: [Int] = [], coefficients: [Double] = []
        for (i, row) in tab.dense.enumerated() where row.contains(where: { $0 != 0 }) {
            used.append(i)
            coefficients += row + [Double](repeating: 0, count: degree - row.count)
        }
        usedSlots = used
        self.coefficients = coefficients
    }

    /// The step whose span holds `time`: `hint` or a neighbour when it is there (solves and
    /// quadratures walk through time), otherwise by bisection. A time before the record maps
    /// to the first step and one after it to the last (their polynomials extrapolate). On the
    /// boundary of two steps, the earlier one when `preferEarlier` (they differ at an event).
    func step(containing time: Double, hint: Int, preferEarlier: Bool = false) -> Int {
        let s = direction * time
        @inline(__always) func holds(_ m: Int) -> Bool {
            (m == 0 || direction * t[m] <= s) && (m == count - 1 || s <= direction * end[m])
        }
        var found = -1
        if hint >= 0, hint < count {
            if holds(hint) { found = hint } else if hint + 1 < count, holds(hint + 1) { found = hint + 1 }
            else if hint > 0, holds(hint - 1) { found = hint - 1 }
        }
        if found < 0 {
            var lo = 0, hi = count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if direction * t[mid] <= s { lo = mid } else { hi = mid - 1 }
            }
            found = lo
        }
        if preferEarlier {
            if found > 0, s == direction * t[found], end[found - 1] == t[found] { return found - 1 }
        } else if found + 1 < count, s == direction * end[found], t[found + 1] == end[found] {
            return found + 1
        }
        return found
    }

    /// The state at `time` from step `m`'s dense output, into `out` (n values).
    func evaluate(step m: Int, at time: Double, into out: UnsafeMutablePointer<Double>) {
        let hm = h[m]
        let theta = (time - t[m]) / hm
        let base = m * n
        for j in 0..<n { out[j] = u0[base + j] }
        let kBase = m * slots * n
        for q in 0..<usedSlots.count {
            let slot = usedSlots[q]
            var b = 0.0
            var r = degree - 1
            while r >= 0 { b = b * theta + coefficients[q * degree + r]; r -= 1 }
            let w = hm * theta * b
            if w == 0 { continue }
            let offset = kBase + slot * n
            for j in 0..<n { out[j] += w * k[offset + j] }
        }
    }

    /// The state at `time`, updating `hint` to the step used.
    @inline(__always)
    func evaluate(at time: Double, hint: inout Int, preferEarlier: Bool = false, into out: UnsafeMutablePointer<Double>) {
        hint = step(containing: time, hint: hint, preferEarlier: preferEarlier)
        evaluate(step: hint, at: time, into: out)
    }
}
