import Foundation

/// The continuous event phase, run on each accepted step (tprev → t, size h):
/// 1. scan: each group's conditions are evaluated on the step's dense output at its
///    `interpolationPoints` (θ = 1 is the accepted state itself), and each sign is compared
///    with the condition's reference sign (the last nonzero sign seen);
/// 2. locate: a sign change in a direction with an affect, or an exact zero, is an event;
///    its root is bracketed by the two probes and found by Illinois (left end of the bracket);
/// 3. fire: the earliest event cuts the step back to its time, saveat points before it are
///    saved, the state before, the affect and the state after (`fire`);
/// 4. reference signs: the firing condition is on its surface (sign 0) and takes its sign
///    from a point a little way into the next step (SciML's repeat nudge), so it is not found
///    again; the others take their sign at the new state, so a jump of the state across a
///    surface is not a crossing.
extension ODEIntegrator {
    @inline(__always) static func sign(_ v: Double) -> Int8 { v > 0 ? 1 : (v < 0 ? -1 : 0) }

    /// Group `g`'s conditions at the state `x` and `time`, into `out[g.offset ..< g.offset + g.length]`.
    @inline(__always)
    func evaluate(_ g: EventGroup, _ x: UnsafePointer<Double>, _ time: Double, into out: UnsafeMutablePointer<Double>) {
        g.condition(UnsafeMutableBufferPointer(start: out + g.offset, count: g.length),
                    UnsafeBufferPointer(start: x, count: n), time, self)
    }

    /// Group `g`'s conditions at θ of the current step; θ = 1 is the accepted state itself.
    func evaluate(_ g: EventGroup, theta: Double, tprev: Double, h: Double, storage ev: EventStorage,
                  into out: UnsafeMutablePointer<Double>) {
        if theta >= 1 { evaluate(g, u, t, into: out); return }
        interpolate(theta: theta, h: h, into: ev.state)
        evaluate(g, ev.state, tprev + theta * h, into: out)
    }

    /// Records every condition's value and sign at the current state (the start of a solve):
    /// a condition that starts on zero has no reference sign yet, so starting there is no event.
    func initializeEventSigns() {
        guard let ev = eventState.storage, ev.count > 0 else { return }
        for gi in ev.groups.indices { evaluate(ev.groups[gi], u, t, into: ev.values) }
        for q in 0..<ev.count { ev.signs[q] = Self.sign(ev.values[q]) }
        ev.justFired = -1
    }

    /// After an affect changed the state at this time: every condition's new value, and its
    /// sign where that is nonzero (a jump is not a crossing); condition `ev.justFired` stays
    /// on its surface.
    func refreshEventSigns() {
        guard let ev = eventState.storage, ev.count > 0 else { return }
        for gi in ev.groups.indices { evaluate(ev.groups[gi], u, t, into: ev.values) }
        for q in 0..<ev.count {
            let s = Self.sign(ev.values[q])
            if q == ev.justFired { ev.signs[q] = 0 } else if s != 0 { ev.signs[q] = s }
        }
    }

    /// Looks for the earliest event in the step just accepted. When there is one, the step is
    /// cut back to it (t and u are the event's), saveat points before it are saved, the
    /// callback fires, and `true` is returned.
    func handleContinuousEvents(tprev: Double, h: Double) -> Bool {
        guard let ev = eventState.storage, ev.count > 0 else { return false }
        ev.justFired = -1
        prepareInterpolation(tprev: tprev, h: h)
        var best: (theta: Double, q: Int, upward: Bool, group: Int)? = nil
        var bestTheta = Double.infinity
        for q in 0..<ev.count {
            ev.leftSign[q] = ev.signs[q]
            ev.leftTheta[q] = 0
            ev.leftValue[q] = ev.values[q]
        }
        // Index loops throughout: iterators allocate in unoptimised builds.
        for gi in ev.groups.indices {
            let g = ev.groups[gi]
            let range = g.offset..<(g.offset + g.length)
            let width = 1 / Double(g.points)
            var onSurface = false
            for q in range where ev.leftSign[q] == 0 { onSurface = true }
            if onSurface {
                // On a surface: the sign a little way into the step is the reference.
                let nudge = Swift.min(0.01, width)
                evaluate(g, theta: nudge, tprev: tprev, h: h, storage: ev, into: ev.probe)
                for q in range where ev.leftSign[q] == 0 {
                    let v = ev.probe[q]
                    if v != 0, !v.isNaN { ev.leftSign[q] = Self.sign(v); ev.leftTheta[q] = nudge; ev.leftValue[q] = v }
                }
            }
            for m in 1...g.points {
                // Nothing in this group can come before an event already found.
                if Double(m - 1) * width >= bestTheta { break }
                let theta = m == g.points ? 1 : Double(m) * width
                evaluate(g, theta: theta, tprev: tprev, h: h, storage: ev, into: ev.probe)
                var found = false
                for q in range {
                    let v = ev.probe[q]
                    if v.isNaN { continue }   // no information: the bracket stays open
                    let s = Self.sign(v), left = ev.leftSign[q]
                    if left != 0, s != left, g.reacts(upward: left < 0) {
                        let root = s == 0 ? theta : findRoot(g, q, a: ev.leftTheta[q], b: theta, fa: ev.leftValue[q],
                                                             fb: v, tprev: tprev, h: h, storage: ev)
                        if best == nil || root < bestTheta {
                            best = (root, q, left < 0, gi)
                            bestTheta = root
                        }
                        found = true
                    }
                    if s != 0 { ev.leftSign[q] = s; ev.leftTheta[q] = theta; ev.leftValue[q] = v }
                }
                if found { break }
            }
        }
        guard let event = best else {
            // Every group was scanned to θ = 1: the probe holds the end values.
            for q in 0..<ev.count { ev.signs[q] = ev.leftSign[q]; ev.values[q] = ev.probe[q] }
            return false
        }
        let te = event.theta >= 1 ? t : tprev + event.theta * h
        // The next step is no longer than the cut one (nor shorter than 1% of the full one):
        // an exactly integrated flight (a parabola) would otherwise let steps grow tenfold per
        // event until a whole later flight fits inside one probe interval and is missed.
        if adaptive {
            dt = direction * Swift.min(Swift.abs(dt), Swift.max(Swift.abs(te - tprev), Swift.abs(h) / 100))
        }
        saveDuring(tprev: tprev, h: h, upTo: te)
        if event.theta < 1 {
            interpolate(theta: event.theta, h: h, into: u)
            t = te
        }
        let g = ev.groups[event.group]
        fire(g, index: event.q - g.offset, upward: event.upward)
        ev.justFired = event.q
        refreshEventSigns()
        endDerivativeValid = false
        return true
    }

    /// Saves the state before (with `saveEverystep` always, as it ends the cut step; else if
    /// `savePositions.0`), runs the affect, and saves the state after if `savePositions.1`
    /// and the affect left `uModified` true (SciML's `apply_callback!`).
    func fire(_ g: EventGroup, index: Int, upward: Bool) {
        let stepSave = saveEverystep && (saveEnd || t != tEnd)
        if stepSave || g.savePositions.0, !savedAtCurrentTime { saveCurrent() }
        uModifiedFlag = true
        if upward { g.affect?(self, index) } else { g.affectNeg?(self, index) }
        let modified = uModifiedFlag
        uModifiedFlag = false
        if modified, g.savePositions.1 { saveCurrent() }
    }

    /// The root of condition `q` (of group `g`) in θ ∈ [a, b], where it changes sign from
    /// `fa` to `fb`: the Illinois variant of regula falsi, returning the left end of the final
    /// bracket (the side not yet crossed), or a point where the condition is exactly zero.
    /// A NaN counts as the far side. Bisection takes over if convergence is slow.
    /// References: M. Dowell and P. Jarratt, "A modified regula falsi method for computing the
    /// root of an equation", BIT 11, 1971.
    func findRoot(_ g: EventGroup, _ q: Int, a a0: Double, b b0: Double, fa fa0: Double, fb fb0: Double,
                  tprev: Double, h: Double, storage ev: EventStorage) -> Double {
        var a = a0, b = b0, fa = fa0, fb = fb0
        let far = Self.sign(fb)
        // A few ulp of t, in θ.
        let tolerance = 4 * Double.ulpOfOne * Swift.max(1, Swift.abs(tprev), Swift.abs(tprev + h)) / Swift.abs(h)
        var side = 0
        for iteration in 0..<120 {
            if b - a <= tolerance { break }
            var m = a + (b - a) * (fa / (fa - fb))
            if iteration >= 60 || !(m > a && m < b) { m = 0.5 * (a + b) }
            if !(m > a && m < b) { break }   // the bracket is as small as floating point allows
            evaluate(g, theta: m, tprev: tprev, h: h, storage: ev, into: ev.scratch)
            let fm = ev.scratch[q]
            if fm == 0 { return m }
            if fm.isNaN || Self.sign(fm) == far {
                b = m; fb = fm
                if side == 1 { fa *= 0.5 }
                side = 1
            } else {
                a = m; fa = fm
                if side == -1 { fb *= 0.5 }
                side = -1
            }
        }
        return a
    }
}
