/// The integrator interface affects use, discrete callbacks, and callbacks at t₀.
extension ODEIntegrator {
    /// Tells the integrator whether the affect running now changed `u` or `p` (SciML's
    /// `u_modified!`). Every affect starts with this true; an affect that changed nothing may
    /// set it false: a continuous event then saves no state after it, and a discrete callback
    /// keeps the step's end derivative instead of evaluating f again.
    public func uModified(_ modified: Bool) { uModifiedFlag = modified }

    /// Whether `t` is a whole number k ≥ 1 of periods after the start, as the stops a
    /// `PeriodicCallback` makes are (t₀ ± k·period, computed the same way, so equality is
    /// exact); never at the final time.
    public func isPeriodTime(_ t: Double, _ interval: Double) -> Bool {
        let period = Swift.abs(interval)
        guard period > 0, period.isFinite, t != tEnd else { return false }
        let k = (direction * (t - t0) / period).rounded()
        return k >= 1 && t == t0 + direction * k * period
    }

    /// Whether the last saved point is at the current time (a saveat point or the step's own
    /// save): the state before an affect is then not saved again. (Indexing, not `ts.last`,
    /// whose unspecialised form allocates in debug builds.)
    var savedAtCurrentTime: Bool { !ts.isEmpty && ts[ts.count - 1] == t }

    /// Runs one discrete affect with SciML's saving (`apply_discrete_callback!`): the state
    /// before unless already saved at this time, the affect, the state after. At t₀
    /// (`initial`) only the state after, and only if the affect changed it. Returns whether
    /// the affect left `uModified` true.
    func runDiscrete(_ cb: DiscreteCallback, initial: Bool = false) -> Bool {
        if !initial, cb.savePositions.0, !savedAtCurrentTime { saveCurrent() }
        uModifiedFlag = true
        cb.affect(self)
        let modified = uModifiedFlag
        uModifiedFlag = false
        if cb.savePositions.1, modified || !initial { saveCurrent() }
        return modified
    }

    /// Discrete callbacks after an accepted step (and after any continuous event in it), in
    /// order; returns whether any changed the state.
    func handleDiscreteCallbacks() -> Bool {
        let list = eventState.callbacks.discrete
        guard !list.isEmpty, let ev = eventState.storage else { return false }
        var modified = false
        for i in list.indices {
            let cb = list[i]
            // A time-based callback fires once per time, even if a zero-length step revisits it.
            if cb.isTimed, ev.lastFired[i] == t { continue }
            guard cb.condition(UnsafeBufferPointer(start: u, count: n), t, self) else { continue }
            if cb.isTimed { ev.lastFired[i] = t }
            if runDiscrete(cb) { modified = true }
        }
        if modified {
            endDerivativeValid = false
            refreshEventSigns()
        }
        return modified
    }

    /// `PresetTimeCallback`s whose times include t₀ fire before the first step, after t₀ is
    /// saved (SciML runs them in the callback's `initialize`); the state after is saved if
    /// `savePositions.1`. Returns whether the state changed (the caller re-evaluates f).
    func applyInitialCallbacks() -> Bool {
        let list = eventState.callbacks.discrete
        guard !list.isEmpty, let ev = eventState.storage else { return false }
        var modified = false
        for i in list.indices {
            let cb = list[i]
            guard case .preset = cb.schedule else { continue }
            // (An index loop, not `contains`: unspecialised generics allocate in debug builds.)
            var atStart = false
            for k in cb.tstops.indices where cb.tstops[k] == t { atStart = true }
            guard atStart else { continue }
            ev.lastFired[i] = t
            if runDiscrete(cb, initial: true) { modified = true }
        }
        if modified {
            endDerivativeValid = false
            initializeEventSigns()
        }
        return modified
    }
}
