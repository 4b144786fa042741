extension ODEIntegrator {
    /// One explicit RK step of size `h` from (t, uprev) with slot 0 = f(t, uprev).
    /// Leaves the trial state in `u` and returns the scaled error estimate (0 without one).
    @inline(__always)
    func performStep(_ h: Double) -> Double {
        let s = tableau.stages
        let n = self.n
        let c = tableau.c
        for i in 1..<s {
            // The FSAL method's last stage is evaluated at u₁ itself: build it in `u`.
            let target = (tableau.fsal && i == s - 1) ? u : tmp
            for j in 0..<n { target[j] = uprev[j] }
            for r in rowStart[i]..<rowStart[i + 1] {
                let ki = slot(rowSlot[r])
                let w = h * rowCoef[r]
                for j in 0..<n { target[j] += w * ki[j] }
            }
            f.f(slot(i), target, p, t + c[i] * h)
        }
        stats.nf += s - 1
        if !tableau.fsal {
            for j in 0..<n { u[j] = uprev[j] }
            for (slotIndex, b) in zip(bSlots, bCoefs) {
                let ki = slot(slotIndex)
                let w = h * b
                for j in 0..<n { u[j] += w * ki[j] }
            }
        }
        endDerivativeValid = tableau.fsal
        guard tableau.isAdaptive && options.adaptive else { return 0 }
        if errorUsesEnd {
            f.f(slot(s), u, p, t + h)
            stats.nf += 1
            endDerivativeValid = true
        }
        for j in 0..<n { err[j] = 0 }
        for (slotIndex, e) in zip(eSlots, eCoefs) {
            let ki = slot(slotIndex)
            let w = h * e
            for j in 0..<n { err[j] += w * ki[j] }
        }
        for j in 0..<n {
            err[j] /= abstols[j] + reltols[j] * Swift.max(Swift.abs(uprev[j]), Swift.abs(u[j]))
        }
        if let norm = options.internalnorm {
            return norm(UnsafeBufferPointer(start: err, count: n), t)
        }
        var acc = 0.0
        for j in 0..<n { acc += err[j] * err[j] }
        return (acc / Double(Swift.max(n, 1))).squareRoot()
    }

    /// Makes slot `stages` (or the FSAL stage) hold f(t, u) for the accepted state.
    @inline(__always)
    func ensureEndDerivative() {
        if !endDerivativeValid {
            f.f(slot(tableau.endSlot), u, p, t)
            stats.nf += 1
            endDerivativeValid = true
        }
    }

    /// Evaluates the lazy interpolation stages for the step (tprev, uprev) → (t, u) of size h.
    func computeExtraStages(tprev: Double, h: Double) {
        let s = tableau.stages
        for (e, stage) in tableau.extraStages.enumerated() {
            let row = s + e
            for j in 0..<n { tmp[j] = uprev[j] }
            for r in rowStart[row]..<rowStart[row + 1] {
                let ki = slot(rowSlot[r])
                let w = h * rowCoef[r]
                for j in 0..<n { tmp[j] += w * ki[j] }
            }
            f.f(slot(s + 1 + e), tmp, p, tprev + stage.c * h)
            stats.nf += 1
        }
    }

    /// u(tprev + θh) from the current step's stages, into `out` (all n components).
    func interpolate(theta: Double, h: Double, into out: UnsafeMutablePointer<Double>) {
        for j in 0..<n { out[j] = uprev[j] }
        let slots = tableau.slots
        for i in 0..<slots {
            let row = tableau.dense[i]
            if row.isEmpty { continue }
            var bi = 0.0, power = theta
            for coefficient in row { bi += coefficient * power; power *= theta }
            if bi == 0 { continue }
            let ki = slot(i)
            let w = h * bi
            for j in 0..<n { out[j] += w * ki[j] }
        }
    }
}
