import Foundation

/// What the event phase remembers between steps: each condition's sign at the end of the
/// last step (0 when it sits on its surface, right after its own event), and scratch space.
struct EventState {
    let callbacks: CallbackSet
    var signs: [Int8]
    var probe: [Double]
    var vectorOut: [[Double]]

    init(callbacks: CallbackSet, n: Int) {
        self.callbacks = callbacks
        signs = [Int8](repeating: 0, count: callbacks.conditionCount)
        probe = [Double](repeating: 0, count: n)
        vectorOut = callbacks.vector.map { [Double](repeating: 0, count: $0.length) }
    }
}

extension ODEIntegrator {
    @inline(__always) static func sign(_ v: Double) -> Int8 { v > 0 ? 1 : (v < 0 ? -1 : 0) }

    /// Whether `t` is a positive whole number of periods after the start.
    public func isPeriodTime(_ t: Double, _ interval: Double) -> Bool {
        let r = (t - t0) / interval
        return r >= 0.5 && Swift.abs(r - r.rounded()) < 1e-9
    }

    /// Condition `q` (continuous callbacks first, then the entries of vector callbacks) at the state `x`.
    func conditionValue(_ q: Int, _ x: UnsafePointer<Double>, _ time: Double) -> Double {
        let cs = eventState.callbacks
        let buffer = UnsafeBufferPointer(start: x, count: n)
        if q < cs.continuous.count { return cs.continuous[q].condition(buffer, time, self) }
        var r = q - cs.continuous.count
        for (v, cb) in cs.vector.enumerated() {
            if r < cb.length {
                eventState.vectorOut[v].withUnsafeMutableBufferPointer { out in cb.condition(out, buffer, time, self) }
                return eventState.vectorOut[v][r]
            }
            r -= cb.length
        }
        return .nan  // unreachable: q < conditionCount
    }

    func interpolationPoints(_ q: Int) -> Int {
        let cs = eventState.callbacks
        if q < cs.continuous.count { return cs.continuous[q].interpolationPoints }
        var r = q - cs.continuous.count
        for cb in cs.vector { if r < cb.length { return cb.interpolationPoints }; r -= cb.length }
        return 1
    }

    /// Whether a crossing of condition `q` upwards (or downwards) has an affect.
    func reacts(_ q: Int, upward: Bool) -> Bool {
        let cs = eventState.callbacks
        if q < cs.continuous.count {
            return upward ? cs.continuous[q].affect != nil : cs.continuous[q].affectNeg != nil
        }
        var r = q - cs.continuous.count
        for cb in cs.vector { if r < cb.length { return upward ? cb.affect != nil : cb.affectNeg != nil }; r -= cb.length }
        return false
    }

    /// Records every condition's sign at the current state (start of a solve).
    func initializeEventSigns() {
        for q in 0..<eventState.signs.count { eventState.signs[q] = Self.sign(conditionValue(q, u, t)) }
    }

    /// The value of condition `q` at θ of the current step (tprev, h).
    func conditionAt(_ q: Int, theta: Double, tprev: Double, h: Double) -> Double {
        eventState.probe.withUnsafeMutableBufferPointer { probe in
            let x = probe.baseAddress.unsafelyUnwrapped
            interpolate(theta: theta, h: h, into: x)
            return conditionValue(q, x, tprev + theta * h)
        }
    }

    /// The root of condition `q` in θ ∈ (a, b], where its sign changes from `sa`: the
    /// Illinois variant of regula falsi, returning the right end of the final bracket (the
    /// side past the crossing).
    /// References: M. Dowell and P. Jarratt, "A modified regula falsi method for computing the
    /// root of an equation", BIT 11, 1971.
    func findRoot(_ q: Int, a a0: Double, b b0: Double, fa fa0: Double, fb fb0: Double, tprev: Double, h: Double) -> Double {
        var a = a0, b = b0, fa = fa0, fb = fb0
        let tolerance = 4 * Double.ulpOfOne * Swift.max(1, Swift.abs(tprev + h)) / Swift.abs(h)
        var side = 0
        for _ in 0..<200 {
            if b - a <= tolerance { break }
            var m = (a * fb - b * fa) / (fb - fa)
            if !(m > a && m < b) { m = 0.5 * (a + b) }
            let fm = conditionAt(q, theta: m, tprev: tprev, h: h)
            if fm == 0 { b = m; fb = fm; break }
            if Self.sign(fm) == Self.sign(fb) {
                b = m; fb = fm
                if side == 1 { fa *= 0.5 }
                side = 1
            } else {
                a = m; fa = fm
                if side == -1 { fb *= 0.5 }
                side = -1
            }
        }
        return b
    }

    /// Looks for the earliest event in the step just accepted (tprev → t, size h). When one
    /// is found the step is cut back to it, the affect runs and `true` is returned; saveat
    /// points up to the event have been saved by then.
    func handleContinuousEvents(tprev: Double, h: Double) -> Bool {
        let count = eventState.signs.count
        guard count > 0 else { return false }
        prepareInterpolation(tprev: tprev, h: h)
        var best: (theta: Double, q: Int, upward: Bool)? = nil
        for q in 0..<count {
            var leftSign = eventState.signs[q]
            var leftTheta = 0.0
            var leftValue = 0.0
            let points = interpolationPoints(q)
            for m in 1...points {
                let theta = Double(m) / Double(points)
                if let b = best, theta - 1.0 / Double(points) >= b.theta { break }
                let value = m == points ? conditionValue(q, u, t) : conditionAt(q, theta: theta, tprev: tprev, h: h)
                let s = Self.sign(value)
                if leftSign != 0, s != 0, s != leftSign, reacts(q, upward: leftSign < 0) {
                    let lv = leftTheta == 0 ? -Double(s) : leftValue   // only the sign matters at θ = 0
                    let root = findRoot(q, a: leftTheta, b: theta, fa: lv, fb: value, tprev: tprev, h: h)
                    if best.map({ root < $0.theta }) ?? true { best = (root, q, leftSign < 0) }
                    break
                }
                if s != 0 { leftSign = s }
                leftTheta = theta
                leftValue = value
            }
        }
        guard let event = best else {
            for q in 0..<count {
                let s = Self.sign(conditionValue(q, u, t))
                if s != 0 { eventState.signs[q] = s }
            }
            return false
        }
        // Cut the step back to the event.
        let te = event.theta >= 1 ? t : tprev + event.theta * h
        saveDuring(tprev: tprev, h: h, upTo: te)
        if event.theta < 1 {
            interpolate(theta: event.theta, h: h, into: u)
            t = te
        }
        applyEvent(event.q, upward: event.upward)
        for q in 0..<count where q != event.q {
            let s = Self.sign(conditionValue(q, u, t))
            if s != 0 { eventState.signs[q] = s }
        }
        eventState.signs[event.q] = 0   // on its surface: only a later crossing counts
        endDerivativeValid = false
        return true
    }

    func applyEvent(_ q: Int, upward: Bool) {
        let cs = eventState.callbacks
        var positions = (true, true)
        var run: () -> Void = {}
        if q < cs.continuous.count {
            let cb = cs.continuous[q]
            positions = cb.savePositions
            if let a = upward ? cb.affect : cb.affectNeg { run = { a(self) } }
        } else {
            var r = q - cs.continuous.count
            for cb in cs.vector {
                if r < cb.length {
                    positions = cb.savePositions
                    let index = r
                    if let a = upward ? cb.affect : cb.affectNeg { run = { a(self, index) } }
                    break
                }
                r -= cb.length
            }
        }
        if positions.0 { saveCurrent() }
        run()
        if positions.1 { saveCurrent() }
    }

    /// Discrete callbacks after an accepted step; returns whether any fired.
    func handleDiscreteCallbacks() -> Bool {
        var fired = false
        for cb in eventState.callbacks.discrete where cb.condition(UnsafeBufferPointer(start: u, count: n), t, self) {
            if cb.savePositions.0 { saveCurrent() }
            cb.affect(self)
            if cb.savePositions.1 { saveCurrent() }
            fired = true
        }
        if fired { endDerivativeValid = false }
        return fired
    }
}
