import Foundation
import LinearSolve

/// Constants of the NDF Newton iterations (MATLAB's ode15s and scipy's BDF).
enum NDFParameters {
    static let maxIterations = 4
    static let minFactor = 0.2, maxFactor = 10.0
}

extension ODEIntegrator {
    /// One step of the variable-order NDF (orders 1 ... maxOrder) of size h from (t, uprev) with
    /// slot 0 = f(t, uprev), in the quasi-constant-step form: the history is a table of backward
    /// differences on an equal grid, rescaled (interpolated) when h changes. The corrector
    /// αₖ(u₁ − u_pred) + γₖ Σⱼ ∇ʲu = h f(t + h, u₁) (with κ's NDF correction) is solved by
    /// simplified Newton with W = I − (h/αₖ)J (J kept until an iteration fails; W refactored when
    /// h or the order changes); the error estimate is (κₖγₖ + 1/(k+1))·(u₁ − u_pred).
    /// `ndfAccepted` updates the differences and picks the next order and step after acceptance.
    /// References: L. F. Shampine and M. W. Reichelt, "The MATLAB ODE suite", SIAM J. Sci. Comput.
    /// 18(1), 1997 (NDFs, quasi-constant steps); E. Hairer and G. Wanner, Solving ODEs II, §III.5;
    /// scipy.integrate's BDF (the difference-table rescaling R·U).
    func performNDFStep(_ h: Double, _ work: ImplicitWork, _ state: NDFState) -> Double {
        let n = self.n, f0 = slot(0)
        let newton = work.newton
        nonlinearSolveFailed = false
        if state.spacing == 0 {
            // A fresh start (first step, or after an event or a callback changed u): order 1.
            for j in 0..<n { state.row(0)[j] = uprev[j]; state.row(1)[j] = h * f0[j] }
            for r in 2..<(state.maxOrder + 3) { for j in 0..<n { state.row(r)[j] = 0 } }
            state.order = 1
            state.equalSteps = 0
            state.spacing = h
        } else if h != state.spacing {
            state.rescale(by: h / state.spacing)
            state.spacing = h
            state.equalSteps = 0
        }
        let order = state.order
        let alpha = state.alpha[order]
        let c = h / alpha
        let prediction = state.prediction, psi = state.psi, d = state.correction
        for j in 0..<n { prediction[j] = 0; psi[j] = 0 }
        for r in 0...order {
            let dr = state.row(r)
            for j in 0..<n { prediction[j] += dr[j] }
            if r > 0 {
                let g = state.gamma[r] / alpha
                for j in 0..<n { psi[j] += g * dr[j] }
            }
        }
        var rtol = Double.infinity
        for j in 0..<n { rtol = Swift.min(rtol, reltols[j]) }
        let tolerance = Swift.max(10 * Double.ulpOfOne / rtol, Swift.min(0.03, rtol.squareRoot()))

        var triedPredictor = false
        attempt: while true {
            guard let current = prepareNewtonMatrix(c: c, work) else { return .nan }
            // Newton: u = u_pred + d, solving W Δ = c f(u) − ψ − d.
            for j in 0..<n { u[j] = prediction[j]; d[j] = 0 }
            var previous = 0.0, converged = false
            state.iterations = 0
            for k in 0..<NDFParameters.maxIterations {
                rhs(work.f1, u, p, t + h)
                stats.nf += 1
                stats.nnonliniter += 1
                state.iterations += 1
                let dz = work.rhs
                var finite = true
                for j in 0..<n {
                    dz[j] = c * work.f1[j] - psi[j] - d[j]
                    if !dz[j].isFinite { finite = false }
                }
                if !finite { break }
                solveNewtonMatrix(dz, work)
                stats.nsolve += 1
                var acc = 0.0
                for j in 0..<n {
                    let s = dz[j] / (abstols[j] + reltols[j] * Swift.abs(prediction[j]))
                    acc += s * s
                }
                let norm = (acc / Double(Swift.max(n, 1))).squareRoot()
                let rate = k > 0 ? norm / previous : -1
                if k > 0, rate >= 1 || Foundation.pow(rate, Double(NDFParameters.maxIterations - k)) / (1 - rate) * norm > tolerance {
                    break
                }
                for j in 0..<n { u[j] += dz[j]; d[j] += dz[j] }
                if norm == 0 || (k > 0 && rate / (1 - rate) * norm < tolerance) { converged = true; break }
                previous = norm
            }
            if !converged {
                stats.nnonlinconvfail += 1
                if !current {
                    newton.refreshJacobian = true
                    continue attempt
                }
                if !triedPredictor {
                    // Linearise once more at the predicted u₁ (as scipy's BDF does) before giving up.
                    triedPredictor = true
                    retryWithJacobian(at: prediction, work)
                    continue attempt
                }
                for j in 0..<n { u[j] = uprev[j] }
                nonlinearSolveFailed = true
                return 0
            }
            break
        }
        let s1 = slot(1), invH = 1 / h
        for j in 0..<n { s1[j] = (u[j] - uprev[j]) * invH }
        endDerivativeValid = false
        let e = scaledErrorNorm(d, times: state.errorConstant[order])
        let safety = 0.9 * Double(2 * NDFParameters.maxIterations + 1) / Double(2 * NDFParameters.maxIterations + state.iterations)
        let factor = e > 0 ? Swift.max(NDFParameters.minFactor, safety * Foundation.pow(e, -1 / Double(order + 1))) : NDFParameters.minFactor
        state.proposedStep = h * Swift.min(factor, 1)
        return e
    }

    /// After an accepted step of size h with error norm e: pushes the correction into the
    /// difference table and, once the step has been kept for order + 1 steps, picks the order
    /// (k − 1, k or k + 1) whose error estimate allows the largest step. Returns the next step.
    /// `restart`: an event or a callback changed u, so the history starts again at order 1.
    func ndfAccepted(_ h: Double, error e: Double, restart: Bool, _ state: NDFState) -> Double {
        if restart { state.spacing = 0; return h }
        state.pushCorrection()
        let order = state.order
        guard state.equalSteps >= order + 1 else { return h }
        let lower = order > 1 ? scaledErrorNorm(state.row(order), times: state.errorConstant[order - 1]) : .infinity
        let higher = order < state.maxOrder ? scaledErrorNorm(state.row(order + 2), times: state.errorConstant[order + 1]) : .infinity
        func factor(_ norm: Double, _ q: Int) -> Double { norm > 0 ? Foundation.pow(norm, -1 / Double(q)) : .infinity }
        let candidates = (factor(lower, order), factor(e, order + 1), factor(higher, order + 2))
        var best = candidates.1, change = 0
        if candidates.0 > best { best = candidates.0; change = -1 }
        if candidates.2 > best { best = candidates.2; change = 1 }
        state.order = order + change
        // The next order choice waits for order + 1 steps again (with fixed steps too, where no
        // rescaling resets the count).
        state.equalSteps = 0
        let safety = 0.9 * Double(2 * NDFParameters.maxIterations + 1) / Double(2 * NDFParameters.maxIterations + state.iterations)
        return h * Swift.min(NDFParameters.maxFactor, safety * best)
    }
}
