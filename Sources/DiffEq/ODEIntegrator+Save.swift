extension ODEIntegrator {
    /// Sets up saving with SciML's defaults (OrdinaryDiffEq's `__init`): `saveat` points strictly
    /// inside the span are saved from the dense output; the start and end are saved by
    /// `save_start` / `save_end`, which default to true when saving every step, when `saveat`
    /// is empty or a step (`.every`), or when it lists t₀ (resp. the end).
    func configureSaving() {
        let o = options
        let tol = 1e-12 * Swift.max(1, Swift.abs(t0), Swift.abs(tEnd))
        var times: [Double] = []
        var saveatGiven = false, every = false
        saveStride = 0
        saveCount = 0
        switch o.saveat {
        case .none: break
        case .some(.every(let step)):
            saveatGiven = true
            every = true
            let d = Swift.abs(step)
            if d > 0, d.isFinite {
                // t₀ + kΔ for k = 1, 2, ..., computed (not accumulated) when needed, so an infinite
                // span saves without end; a point within 1e-9 Δ of the end is the end.
                let raw = Swift.abs(tEnd - t0) / d + 1e-9
                var count = raw < 1e15 ? Int(raw.rounded(.down)) : Int.max / 2
                if count > 0, Swift.abs(t0 + direction * Double(count) * d - tEnd) <= 1e-9 * d { count -= 1 }
                saveStride = d
                saveCount = count
            }
        case .some(.times(let ts)):
            saveatGiven = true
            times = ts.filter { direction * ($0 - t0) >= -tol && direction * ($0 - tEnd) <= tol }
                .sorted { direction * ($0 - $1) < 0 }
        }
        let containsStart = every || (times.first.map { Swift.abs($0 - t0) <= tol } ?? false)
        let containsEnd = every || (times.last.map { Swift.abs($0 - tEnd) <= tol } ?? false)
        saveEverystep = o.saveEverystep ?? !saveatGiven
        saveStart = o.saveStart ?? (saveEverystep || !saveatGiven || containsStart)
        saveEnd = o.saveEnd ?? (saveEverystep || !saveatGiven || containsEnd)
        saveIdxs = o.saveIdxs
        dense = o.dense ?? (saveEverystep && !saveatGiven && o.saveIdxs == nil)
        checkpointEvery = dense ? nil : o.checkpointEvery.map { Swift.max(1, $0) }
        // t₀ and the end are handled by saveStart and saveEnd.
        if !every {
            if let first = times.first, Swift.abs(first - t0) <= tol { times.removeFirst() }
            if let last = times.last, Swift.abs(last - tEnd) <= tol { times.removeLast() }
            saveCount = times.count
        }
        saveTimes = times
        saveIndex = 0

        var stops = o.tstops + o.dDiscontinuities + eventState.callbacks.discrete.flatMap(\.tstops)
        for cb in eventState.callbacks.discrete {
            guard let period = cb.period, period > 0, period.isFinite else { continue }
            var k = 1.0
            while direction * (t0 + direction * k * period - tEnd) < 0, k < 1e7 {
                stops.append(t0 + direction * k * period)
                k += 1
            }
        }
        stopTimes = stops.filter { direction * ($0 - t0) > tol && direction * ($0 - tEnd) < -tol }
            .sorted { direction * ($0 - $1) < 0 }
        stopIndex = 0

        ts.removeAll(keepingCapacity: true)
        us.removeAll(keepingCapacity: true)
        stepT.removeAll(keepingCapacity: true)
        stepH.removeAll(keepingCapacity: true)
        stepEnd.removeAll(keepingCapacity: true)
        stepU0.removeAll(keepingCapacity: true)
        stepK.removeAll(keepingCapacity: true)
        // Room for every saveat point (up to 2²⁰ of them: an infinite span saves without end).
        let expected = Swift.min(saveCount, 1 << 20) + 2
        ts.reserveCapacity(expected)
        us.reserveCapacity(expected * savedWidth)
    }

    /// Components saved per time point.
    var savedWidth: Int { saveIdxs?.count ?? n }

    /// Appends (t, u) to the solution.
    func saveCurrent() { save(time: t, values: u) }

    func save(time: Double, values x: UnsafePointer<Double>) {
        ts.append(time)
        if let idx = saveIdxs {
            for i in idx { us.append(i >= 0 && i < n ? x[i] : .nan) }
        } else {
            us.append(contentsOf: UnsafeBufferPointer(start: x, count: n))
        }
    }

    /// Makes the current step's lazy interpolation stages available (once per step).
    func prepareInterpolation(tprev: Double, h: Double) {
        if !extrasReady {
            if extraStageCount > 0 { computeExtraStages(tprev: tprev, h: h) }
            extrasReady = true
        }
    }

    /// The i-th `saveat` point after t₀.
    @inline(__always) func saveTime(_ i: Int) -> Double {
        saveStride > 0 ? t0 + direction * Double(i + 1) * saveStride : saveTimes[i]
    }

    /// Saves the `saveat` points in (tprev, limit] of the step (tprev, h) from its dense output.
    func saveDuring(tprev: Double, h: Double, upTo limit: Double) {
        let tol = 1e-12 * Swift.max(1, Swift.abs(limit))
        while saveIndex < saveCount {
            let ts = saveTime(saveIndex)
            guard direction * (ts - limit) <= tol else { break }
            if Swift.abs(ts - t) <= tol && limit == t {
                save(time: ts, values: u)
            } else {
                prepareInterpolation(tprev: tprev, h: h)
                interpolate(theta: (ts - tprev) / h, h: h, into: err)
                save(time: ts, values: err)
            }
            saveIndex += 1
        }
    }

    /// Records the step's start, size and end, and every `every`-th starting state.
    func saveCheckpointStep(tprev: Double, h: Double, every: Int) {
        if stepT.count % every == 0 { stepU0.append(contentsOf: UnsafeBufferPointer(start: uprev, count: n)) }
        stepT.append(tprev)
        stepH.append(h)
        stepEnd.append(t)
    }

    /// Records the step's dense data, valid from tprev to the current t.
    func saveDenseStep(tprev: Double, h: Double) {
        prepareInterpolation(tprev: tprev, h: h)
        stepT.append(tprev)
        stepH.append(h)
        stepEnd.append(t)
        stepU0.append(contentsOf: UnsafeBufferPointer(start: uprev, count: n))
        stepK.append(contentsOf: UnsafeBufferPointer(start: k, count: n * tableau.slots))
    }
}
