import Foundation
import LinearSolve

/// Constants of the Newton iterations.
/// References: E. Hairer and G. Wanner, Solving ODEs II, §IV.8 (stopping criterion (8.10),
/// Jacobian reuse, RADAU5's step freeze); OrdinaryDiffEq.jl's NLNewton (κ = 1/100, at most 10
/// iterations, divergence at θ > 2).
enum NewtonParameters {
    /// Stop when η‖Δ‖ ≤ κ, ‖·‖ scaled by the tolerances (so the iteration error is a hundredth of
    /// the local error allowed).
    static let kappa = 0.01
    static let maxIterations = 10
    /// A rate θ above this is divergence. Between 1 and 2 the iteration goes on (OrdinaryDiffEq's
    /// rule): from a poor predictor the first corrections often grow before they contract. Failing
    /// at θ ≥ 1, or when Hairer–Wanner's (8.11) predicts no convergence within the remaining
    /// iterations, rejected a third of the steps on ROBER at rtol 1e-6 with KenCarp4: after 400
    /// steps it had reached t ≈ 900, where it now reaches t = 1e5 in 127.
    static let divergentRate = 2.0
    /// A rate θ above this means the Jacobian is too old: the next step takes a new one.
    static let slowRate = 0.03
    /// After an accepted step, a proposed growth by a factor in [1, this] keeps h unchanged, so W
    /// is reused as it is (RADAU5's quot1/quot2). Reusing a W factored for another h instead
    /// slowed convergence enough on ROBER to double the rejected steps.
    static let keepStepBelow = 1.2
}

extension ODEIntegrator {
    /// One step of a diagonally implicit Runge–Kutta method (`SDIRKCoefficients`) of size h from
    /// (t, uprev) with slot 0 = f(t, uprev).
    ///
    /// Stage 0 is explicit: z₀ = h f(t, u₀). For i ≥ 1, zᵢ solves zᵢ = h f(t + cᵢh, Bᵢ + γ zᵢ)
    /// with Bᵢ = u₀ + Σⱼ₍ⱼ<ᵢ₎ aᵢⱼ zⱼ, by simplified Newton iterations W Δ = h f(Bᵢ + γ zᵢ) − zᵢ
    /// with W = I − γhJ: at most one LU per step, shared by the stages and kept across steps
    /// while h is unchanged (see `keepStepBelow`); J is kept across steps while the iterations
    /// converge fast (rate θ ≤ 0.03). An iteration stops when η‖Δ‖ ≤ κ (η = θ/(1 − θ)); it fails
    /// when θ > 2 (`divergentRate`) or after 10 iterations.
    /// A failure with an old Jacobian retries the step with a new one; with a fresh one it sets
    /// `nonlinearSolveFailed` and the loop halves the step.
    ///
    /// u₁ = u₀ + Σ bᵢ zᵢ goes to `u`, zᵢ/h to slot i; the error estimate W⁻¹ Σ b̃ᵢ zᵢ (filtered
    /// by W as Hairer and Wanner's SDIRK4 and Hosea and Shampine's TR-BDF2 do, so stiff components
    /// do not inflate it) is returned scaled.
    /// References: E. Hairer and G. Wanner, Solving ODEs II, §IV.8; M. E. Hosea and
    /// L. F. Shampine, "Analysis and implementation of TR-BDF2", Appl. Numer. Math. 20, 1996.
    func performSDIRKStep(_ h: Double, _ work: ImplicitWork) -> Double {
        let s = work.stages, n = self.n
        let co = work.coefficients
        let aM = co, cv = co + s * s, bv = cv + s, btv = bv + s, predictor = btv + s
        let z = work.increments
        let newton = work.newton
        let f0 = slot(0), base = work.stageBase, dz = work.rhs, fy = work.f1
        let gamma = work.gamma
        nonlinearSolveFailed = false
        for j in 0..<n { z[j] = h * f0[j] }

        var maxRate = 0.0, triedPredictor = false
        attempt: while true {
            guard let current = prepareNewtonMatrix(c: gamma * h, work) else { return .nan }
            maxRate = 0
            for stage in 1..<s {
                combineStages(into: base, base: uprev, weights: aM + stage * s, count: stage, stages: z)
                let zi = z + stage * n
                combineStages(into: zi, base: nil, weights: predictor + stage * s, count: stage, stages: z)
                let rate = solveStage(zi, base: base, time: t + cv[stage] * h, h: h, gamma: gamma,
                                      dz: dz, fy: fy, work)
                if rate.isNaN {
                    stats.nnonlinconvfail += 1
                    if !current {
                        // An old Jacobian may be why: take a new one and redo the step.
                        newton.refreshJacobian = true
                        continue attempt
                    }
                    if !triedPredictor {
                        // J at u₀ can miss the stiffness the step runs into (Robertson at t = 0,
                        // where y₂ = 0): linearise once more at the explicit Euler point u₀ + h f₀.
                        triedPredictor = true
                        for j in 0..<n { tmp[j] = uprev[j] + h * f0[j] }
                        retryWithJacobian(at: tmp, work)
                        continue attempt
                    }
                    newton.refreshJacobian = true
                    nonlinearSolveFailed = true
                    for j in 0..<n { u[j] = uprev[j] }
                    return 0
                }
                maxRate = Swift.max(maxRate, rate)
            }
            break
        }
        if maxRate > NewtonParameters.slowRate { newton.refreshJacobian = true }

        // u₁ = u₀ + Σ bᵢ zᵢ; slot i = zᵢ/h for the dense output and the solution record.
        combineStages(into: u, base: uprev, weights: bv, count: s, stages: z)
        let invH = 1 / h
        for m in 1..<s {
            let km = slot(m), zm = z + m * n
            for j in 0..<n { km[j] = zm[j] * invH }
        }
        endDerivativeValid = false
        guard adaptive else { return 0 }
        let estimate = work.dfdt
        combineStages(into: estimate, base: nil, weights: btv, count: s, stages: z)
        solveNewtonMatrix(estimate, work)
        stats.nsolve += 1
        return scaledErrorNorm(estimate)
    }

    /// Simplified Newton iterations for one stage: zᵢ (holding the predictor) is updated in place
    /// until η‖Δ‖ ≤ κ. Returns the largest rate θ seen (0 after one iteration), or NaN when the
    /// iterations diverge, stall or run out.
    func solveStage(_ zi: UnsafeMutablePointer<Double>, base: UnsafePointer<Double>, time: Double, h: Double,
                    gamma: Double, dz: UnsafeMutablePointer<Double>, fy: UnsafeMutablePointer<Double>,
                    _ work: ImplicitWork) -> Double {
        let n = self.n
        let newton = work.newton
        let kappa = NewtonParameters.kappa, maxIterations = NewtonParameters.maxIterations
        // Hairer's start: the last η, pulled towards 1 so a lucky step is not trusted forever.
        var eta = Foundation.pow(Swift.max(newton.eta, Double.ulpOfOne), 0.8)
        var previousNorm = 0.0, maxRate = 0.0
        for iteration in 0..<maxIterations {
            for j in 0..<n { tmp[j] = base[j] + gamma * zi[j] }
            rhs(fy, tmp, p, time)
            stats.nf += 1
            stats.nnonliniter += 1
            for j in 0..<n { dz[j] = h * fy[j] - zi[j] }
            solveNewtonMatrix(dz, work)
            stats.nsolve += 1
            var acc = 0.0
            for j in 0..<n {
                let w = abstols[j] + reltols[j] * Swift.max(Swift.abs(uprev[j]), Swift.abs(tmp[j]))
                let d = dz[j] / w
                acc += d * d
                zi[j] += dz[j]
            }
            let norm = (acc / Double(Swift.max(n, 1))).squareRoot()
            guard norm.isFinite else { return .nan }
            var converging = true
            if iteration > 0 {
                let rate = norm / previousNorm
                maxRate = Swift.max(maxRate, rate)
                if rate > NewtonParameters.divergentRate { return .nan }
                converging = rate < 1
                if converging { eta = rate / (1 - rate) }
            }
            if norm == 0 || (converging && eta * norm <= kappa) {
                newton.eta = eta
                return maxRate
            }
            previousNorm = norm
        }
        return .nan
    }
}
