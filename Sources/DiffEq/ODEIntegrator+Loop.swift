extension ODEIntegrator {
    /// Runs the solve to the end of the time span (or until a callback terminates it, or a
    /// failure) and returns the solution. Stepping allocates nothing; the solution's arrays
    /// grow only when saving more points than were reserved.
    public func solve() -> ODESolution {
        run()
        return makeSolution()
    }

    /// Runs the solve, leaving the result in the integrator (`makeSolution()` reads it).
    public func run() {
        var message: String? = nil
        defer { if let message { self.message = message } }
        if let why = optionsProblem {
            retcode = .initialFailure
            message = why
            return
        }
        for i in 0..<n where !u[i].isFinite {
            retcode = .initialFailure
            message = "u0[\(i + 1)] is \(u[i])"
            return
        }
        guard t0.isFinite, !tEnd.isNaN else {
            retcode = .initialFailure
            message = "the time span (\(t0), \(tEnd)) is not valid"
            return
        }
        rhs(slot(0), u, p, t)
        stats.nf += 1
        for i in 0..<n where !slot(0)[i].isFinite {
            retcode = .initialFailure
            message = "f(u0, p, t0)[\(i + 1)] is \(slot(0)[i])"
            return
        }
        if let why = initializeAlgebraicVariables() {
            retcode = .initialFailure
            message = why
            return
        }
        initializeEventSigns()
        if saveStart { saveCurrent() }
        // PresetTimeCallbacks at t₀ act before the first step, which starts from their result.
        if applyInitialCallbacks() {
            rhs(slot(0), u, p, t)
            stats.nf += 1
        }
        if t0 == tEnd { finish(); return }

        if let given = options.dt {
            dt = direction * Swift.abs(given)
        } else if adaptive {
            dt = direction * initialStepSize()
        } else {
            retcode = .initialFailure
            message = "\(tableau.name) without an error estimate (or adaptive = false) needs a fixed step: give dt"
            return
        }
        fixedOrigin = t
        fixedCount = 0
        advance()
    }

    /// Steps from the current (t, u, dt) to the end of the span, or until a failure, a
    /// callback's `terminate!` or a composite solve's switch; saves the end unless switching.
    func advance() {
        var message: String? = nil
        defer { if let message { self.message = message } }
        let dtmax = dtmaxOption
        var rejectedNonFinite = false, rejectedNonConvergence = false
        loop: while true {
            if terminateRequested { retcode = .terminated; break }
            if direction * (t - tEnd) >= 0 { break }
            if stats.nsteps >= maxiters { retcode = .maxIters; break }
            if dt.isNaN { retcode = .dtNaN; break }

            // Choose the step: bounded by dtmax, the next stop and the end.
            while stopIndex < stopTimes.count, direction * (stopTimes[stopIndex] - t) <= 0 { stopIndex += 1 }
            let target = stopIndex < stopTimes.count ? stopTimes[stopIndex] : tEnd
            var h = dt
            // Fixed steps land on origin + k·dt rather than on a running sum, whose rounding
            // would leave a sliver step of ~1e-13 after N steps of (t₁ − t₀)/N.
            let onGrid = !adaptive && Swift.abs(h) <= dtmax
            var gridTime = 0.0
            if onGrid {
                gridTime = fixedOrigin + Double(fixedCount + 1) * dt
                h = gridTime - t
            } else if Swift.abs(h) > dtmax {
                h = direction * dtmax
            }
            var hitsTarget = false
            let reach = adaptive ? 1.01 * h : h * (1 + 1e-12)
            if direction * (t + reach - target) >= 0 { h = target - t; hitsTarget = true }
            let dtmin = dtminOption ?? (16 * Double.ulpOfOne * Swift.max(Swift.abs(t), 1))
            if Swift.abs(h) < dtmin, !hitsTarget {
                // Shrinking because every trial state came out NaN (an overflow: inf − inf, or f
                // undefined ahead) is the solution blowing up, not an error too large to control.
                if rejectedNonConvergence {
                    retcode = .convergenceFailure
                    message = "the implicit stage equations did not converge near t = \(t), at every step down to \(Swift.abs(h))"
                } else if rejectedNonFinite {
                    retcode = .unstable
                    message = "the solution became non-finite near t = \(t), at every step down to \(Swift.abs(h))"
                } else {
                    retcode = .dtLessThanMin
                    message = "the step fell to \(Swift.abs(h)) at t = \(t)"
                }
                break
            }

            for j in 0..<n { uprev[j] = u[j] }
            let e = performStep(h)
            stepsSinceStart += 1
            extrasReady = false
            if nonlinearSolveFailed {
                // Newton's iterations failed even with a fresh Jacobian: reject and halve the step.
                stats.nreject += 1
                guard adaptive else {
                    retcode = .convergenceFailure
                    message = "the implicit stage equations did not converge at t = \(t) with the fixed step \(Swift.abs(h))"
                    break
                }
                rejectedNonConvergence = true
                lastWasRejected = true
                dt = h / 2
                continue
            }
            rejectedNonConvergence = false

            if adaptive {
                // An infinite error estimate (an infinite stage with zero weight in b) is as
                // non-finite as a NaN state.
                var blewUp = false, hasNaN = !e.isFinite
                for j in 0..<n {
                    if u[j].isNaN { hasNaN = true } else if u[j].isInfinite { blewUp = true }
                }
                if blewUp {
                    retcode = .unstable
                    message = "the solution became infinite near t = \(t)"
                    for j in 0..<n { u[j] = uprev[j] }
                    break
                }
                rejectedNonFinite = hasNaN
                if hasNaN || e > 1 {
                    stats.nreject += 1
                    for j in 0..<n { u[j] = uprev[j] }
                    dt = rejectedStepSize(h, error: hasNaN ? .nan : e)
                    // The NDF picks its own step from its order's error estimate.
                    if !hasNaN, let ndf = implicitWork?.ndf, ndf.proposedStep != 0 { dt = ndf.proposedStep }
                    continue
                }
                dt = acceptedStepSize(h, error: e)
            }
            stats.naccept += 1
            stiffnessMonitor?.observe(self, h: h)

            // Accept: advance, then events, saving and the next step's first derivative.
            let tprev = t
            t = hitsTarget ? target : (onGrid ? gridTime : t + h)
            ensureEndDerivative()
            let cut = handleContinuousEvents(tprev: tprev, h: h)
            if !cut { saveDuring(tprev: tprev, h: h, upTo: t) }
            if dense {
                saveDenseStep(tprev: tprev, h: h)
            } else if let every = checkpointEvery {
                saveCheckpointStep(tprev: tprev, h: h, every: every)
            }
            // SciML: with save_end = false the last step is not saved, even when saving every step.
            if saveEverystep, !cut, saveEnd || t != tEnd { saveCurrent() }
            let modified = handleDiscreteCallbacks() || cut || uModifiedFlag
            uModifiedFlag = false
            if let ndf = implicitWork?.ndf {
                // The NDF's history takes the step, then chooses the next order and step.
                let next = ndfAccepted(h, error: e, restart: modified, ndf)
                if adaptive { dt = next }
            }
            if modified {
                rhs(slot(0), u, p, t)
                stats.nf += 1
            } else {
                let end = slot(tableau.endSlot)
                for j in 0..<n { slot(0)[j] = end[j] }
            }

            for j in 0..<n where !u[j].isFinite {
                retcode = .unstable
                message = "u[\(j + 1)] became \(u[j]) at t = \(t)"
                break loop
            }
            if let check = unstableCheck,
               check(dt, UnsafeBufferPointer(start: u, count: n), UnsafeBufferPointer(start: p, count: parameterCount), t) {
                retcode = .unstable
                message = "unstableCheck fired at t = \(t)"
                break
            }
            if let progress, !progress(t) {
                retcode = .interrupted
                break
            }
            if !adaptive {
                dt = options.dt.map { direction * Swift.abs($0) } ?? dt
                // After a stop or an event the grid restarts there, as SciML's fixed steps do.
                if hitsTarget || cut { fixedOrigin = t; fixedCount = 0 } else { fixedCount += 1 }
            }
            if let monitor = stiffnessMonitor, monitor.switchRequested, !terminateRequested, direction * (t - tEnd) < 0 {
                monitor.handoffPending = true
                return
            }
        }
        finish()
    }

    /// Saves the final state when asked and not already saved.
    func finish() {
        // (Indexing rather than `ts.last`, whose unspecialised generic form allocates in debug builds.)
        if saveEnd, ts.isEmpty || ts[ts.count - 1] != t {
            // A failed solve still saves where it stopped, so the partial solution is complete.
            saveCurrent()
        }
    }

    /// The solution of the last run.
    public func makeSolution() -> ODESolution {
        ODESolution(t: ts, values: us, width: savedWidth, retcode: retcode, stats: stats, message: message,
                    dense: dense ? DenseOutput(tableau: tableau, n: n, stepT: stepT, stepH: stepH, stepEnd: stepEnd,
                                               stepU0: stepU0, stepK: stepK) : nil,
                    saveIdxs: saveIdxs,
                    checkpoints: checkpointEvery.map {
                        StepCheckpoints(tableau: tableau, n: n, every: $0, t: stepT, h: stepH, end: stepEnd, states: stepU0)
                    })
    }

    /// Recomputes a recorded step of size `h` from state `x` at time `start` (ending at `end`)
    /// with the same arithmetic as the solve: every slot's derivative goes to `slots`
    /// (`tableau.slots × n`) and the step's end state to `next`. The integrator must have been
    /// made for the same problem, method and options; its own solve state is overwritten.
    /// `cut`: an event cut the step back to `end`; its end derivative was taken where the
    /// step itself ended (`start + h`), before the event was found.
    /// Exact for the explicit and Rosenbrock methods only: the Newton-solved families (SDIRK,
    /// NDF) carry state between steps: an SDIRK step replays only to the Newton tolerance (its
    /// Jacobian may differ), an NDF step not at all (it needs the history of earlier steps). The
    /// discrete adjoint refuses both.
    public func replayStep(start: Double, h: Double, end: Double, cut: Bool = false, from x: UnsafePointer<Double>,
                           slots out: UnsafeMutablePointer<Double>, next: UnsafeMutablePointer<Double>) {
        t = start
        for j in 0..<n { uprev[j] = x[j] }
        rhs(slot(0), uprev, p, t)
        stats.nf += 1
        _ = performStep(h)
        t = cut ? start + h : end
        ensureEndDerivative()
        if !tableau.extraStages.isEmpty { computeExtraStages(tprev: start, h: h) }
        for j in 0..<(n * tableau.slots) { out[j] = k[j] }
        for j in 0..<n { next[j] = u[j] }
    }
}

/// Solves an ODE problem with an explicit Runge–Kutta method (SciML's `solve(prob, Tsit5(); ...)`).
public func solve(_ problem: ODEProblem, _ tableau: ButcherTableau, options: SolverOptions = SolverOptions()) -> ODESolution {
    ODEIntegrator(problem, tableau, options: options).solve()
}
