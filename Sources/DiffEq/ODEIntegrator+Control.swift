import Foundation

extension ODEIntegrator {
    func configureController() {
        let q = Double(tableau.order)
        switch options.controller {
        case .pi:
            if tableau.name == "DP5" {
                beta1 = 0.2 - 0.75 * 0.04; beta2 = 0.04           // DOPRI5's gains
            } else {
                beta1 = 7 / (10 * q); beta2 = 2 / (5 * q)          // OrdinaryDiffEq's defaults
            }
            beta3 = 0
        case .piGains(let b1, let b2):
            beta1 = b1; beta2 = b2; beta3 = 0
        case .pid(let b1, let b2, let b3):
            let k = Double(Swift.min(tableau.order, tableau.embeddedOrder ?? tableau.order) + 1)
            beta1 = b1 / k; beta2 = b2 / k; beta3 = b3 / k
        }
    }

    /// The next step after an accepted step with scaled error `e` (Hairer's PI controller as
    /// in DOPRI5; with `.pid`, Söderlind's filter on the last three errors).
    /// References: E. Hairer, G. Wanner, "Solving ODEs II", §IV.2 (PI control);
    /// K. Gustafsson, "Control theoretic techniques for stepsize selection", ACM TOMS 17, 1991.
    func acceptedStepSize(_ h: Double, error e: Double) -> Double {
        var hnew: Double
        if case .pid = options.controller {
            let e0 = Swift.max(e, 1e-10)
            var factor = Foundation.pow(e0, -beta1) * Foundation.pow(errors.0, beta2) * Foundation.pow(errors.1, -beta3)
            factor = Swift.min(qmax, Swift.max(qmin, gamma * factor))
            errors = (e0, errors.0)
            hnew = h * factor
        } else {
            // e^β₁ / qold^β₂ as one exp of logs, reusing log(qold) from the last step:
            // one log and one exp per step instead of two pow.
            let logE = Foundation.log(e)
            var fac = Foundation.exp(beta1 * logE - beta2 * logQold)
            fac = Swift.max(1 / qmax, Swift.min(1 / qmin, fac / gamma))
            hnew = h / fac
            qold = Swift.max(e, 1e-4)
            logQold = e >= 1e-4 ? logE : Foundation.log(1e-4)
        }
        if lastWasRejected { hnew = direction * Swift.min(Swift.abs(hnew), Swift.abs(h)) }
        lastWasRejected = false
        // Newton-solved stages: a small growth is not worth a new factorisation of W.
        if let work = implicitWork, work.routine == .sdirk, !work.newton.refreshJacobian {
            let ratio = hnew / h
            if ratio >= 1, ratio <= NewtonParameters.keepStepBelow { hnew = h }
        }
        return hnew
    }

    /// The next step after a rejection with scaled error `e`.
    func rejectedStepSize(_ h: Double, error e: Double) -> Double {
        lastWasRejected = true
        if !e.isFinite { return h * qmin }
        return h / Swift.min(1 / qmin, Foundation.pow(e, beta1) / gamma)
    }

    /// Hairer's initial step: balances the first two derivatives' scales against the tolerance
    /// (one extra evaluation of f).
    /// References: E. Hairer, S. P. Nørsett, G. Wanner, "Solving ODEs I", §II.4 (code HINIT).
    func initialStepSize() -> Double {
        let f0 = slot(0)
        let hmax = Swift.min(options.dtmax ?? .infinity, Swift.abs(tEnd - t0))
        var dnf = 0.0, dny = 0.0
        for i in 0..<n {
            let sk = abstols[i] + reltols[i] * Swift.abs(u[i])
            dnf += (f0[i] / sk) * (f0[i] / sk)
            dny += (u[i] / sk) * (u[i] / sk)
        }
        var h = (dnf <= 1e-10 || dny <= 1e-10) ? 1e-6 : (dny / dnf).squareRoot() * 0.01
        h = Swift.min(h, hmax)
        // An explicit Euler step to estimate the second derivative (uses tmp and the error slot).
        for i in 0..<n { tmp[i] = u[i] + direction * h * f0[i] }
        rhs(err, tmp, p, t + direction * h)
        stats.nf += 1
        var der2 = 0.0
        for i in 0..<n {
            let sk = abstols[i] + reltols[i] * Swift.abs(u[i])
            let d = (err[i] - f0[i]) / sk
            der2 += d * d
        }
        der2 = der2.squareRoot() / h
        let der12 = Swift.max(Swift.abs(der2), dnf.squareRoot())
        // The NDF starts at order 1.
        let order = implicitWork?.ndf == nil ? Double(tableau.order) : 1
        let h1 = der12 <= 1e-15 ? Swift.max(1e-6, h * 1e-3) : Foundation.pow(0.01 / der12, 1 / order)
        h = Swift.min(100 * h, h1)
        h = Swift.min(h, hmax)
        // Never below 100× the loop's default dtmin: for a first-order method h₁ = 0.01/‖f′‖ reaches
        // 4e-16 when a zero component has abstol 1e-12 (HIRES with ImplicitEuler), and the solve
        // would stop as DtLessThanMin before its first step; the controller grows h from there.
        let floor = 100 * 16 * Double.ulpOfOne * Swift.max(Swift.abs(t), 1)
        h = Swift.max(h, Swift.min(floor, hmax))
        return h.isFinite ? h : 1e-6
    }
}
