import Foundation
import LinearSolve

/// The history of a variable-order numerical differentiation formula: backward differences of
/// the solution on a grid of equal steps (rescaled when the step changes), the order, and the
/// step the differences are spaced for.
final class NDFState {
    let n: Int
    let maxOrder: Int
    /// Backward differences ∇ʲu, j = 0 ... maxOrder + 2, row after row (`(maxOrder + 3) × n`).
    let differences: UnsafeMutablePointer<Double>
    /// The last step's Newton correction u₁ − u_pred, the prediction, ψ, and scratch for rescaling.
    let correction: UnsafeMutablePointer<Double>
    let prediction: UnsafeMutablePointer<Double>
    let psi: UnsafeMutablePointer<Double>
    let scratch: UnsafeMutablePointer<Double>
    /// (maxOrder + 1)² matrices for the rescaling R·U.
    let r: UnsafeMutablePointer<Double>
    let u: UnsafeMutablePointer<Double>
    let ru: UnsafeMutablePointer<Double>
    var order = 1
    /// The step the differences are spaced for (0: no history; the next step starts at order 1).
    var spacing = 0.0
    var equalSteps = 0
    /// Newton iterations of the last step, and the step the method asks for next.
    var iterations = 0
    var proposedStep = 0.0

    // Shampine and Reichelt's NDF constants (κ) and the BDF sums γₖ = Σⱼ₌₁ᵏ 1/j.
    static let kappa: [Double] = [0, -0.1850, -1.0 / 9, -0.0823, -0.0415, 0]
    static let gammas: [Double] = (0...5).map { k in (0..<k).reduce(0.0) { $0 + 1 / Double($1 + 1) } }
    let alpha: UnsafeMutablePointer<Double>
    let gamma: UnsafeMutablePointer<Double>
    let errorConstant: UnsafeMutablePointer<Double>

    init(n: Int, maxOrder: Int) {
        self.n = n
        self.maxOrder = maxOrder
        func buffer(_ count: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count, 1))
            p.initialize(repeating: 0, count: Swift.max(count, 1))
            return p
        }
        differences = buffer((maxOrder + 3) * n)
        correction = buffer(n)
        prediction = buffer(n)
        psi = buffer(n)
        scratch = buffer((maxOrder + 1) * n)
        let m = (maxOrder + 1) * (maxOrder + 1)
        r = buffer(m)
        u = buffer(m)
        ru = buffer(m)
        alpha = buffer(7)
        gamma = buffer(7)
        errorConstant = buffer(7)
        for k in 0...5 {
            gamma[k] = Self.gammas[k]
            alpha[k] = (1 - Self.kappa[k]) * Self.gammas[k]
            errorConstant[k] = Self.kappa[k] * Self.gammas[k] + 1 / Double(k + 1)
        }
        gamma[6] = Self.gammas[5] + 1.0 / 6
        errorConstant[6] = 1.0 / 7
    }

    deinit {
        for p in [differences, correction, prediction, psi, scratch, r, u, ru, alpha, gamma, errorConstant] { p.deallocate() }
    }

    func reset() {
        spacing = 0
        order = 1
        equalSteps = 0
        proposedStep = 0
    }

    @inline(__always) func row(_ j: Int) -> UnsafeMutablePointer<Double> { differences + j * n }

    /// The accepted step's correction d = u₁ − u_pred updates the table: ∇ᵏ⁺²u = d − ∇ᵏ⁺¹u,
    /// ∇ᵏ⁺¹u = d, then ∇ʲu += ∇ʲ⁺¹u for j = k ... 0 (the differences now end at u₁).
    func pushCorrection() {
        let d = correction
        let top = row(order + 2), next = row(order + 1)
        for j in 0..<n { top[j] = d[j] - next[j]; next[j] = d[j] }
        for i in stride(from: order, through: 0, by: -1) {
            let ri = row(i), ri1 = row(i + 1)
            for j in 0..<n { ri[j] += ri1[j] }
        }
        equalSteps += 1
    }

    /// R(order, factor): Rᵢⱼ = Πₘ₌₁ⁱ (m − 1 − factor·j)/m, R₀ⱼ = 1 (into `out`, (order+1)²).
    func rescalingMatrix(order: Int, factor: Double, into out: UnsafeMutablePointer<Double>) {
        let m = order + 1
        for j in 0..<m { out[j] = 1 }
        for i in 1..<m {
            for j in 0..<m {
                let step = j == 0 ? 0 : (Double(i) - 1 - factor * Double(j)) / Double(i)
                out[i * m + j] = out[(i - 1) * m + j] * step
            }
        }
    }

    /// Re-spaces the differences from step h to factor·h: D ← (R·U)ᵀ D over rows 0 ... order.
    func rescale(by factor: Double) {
        let m = order + 1
        rescalingMatrix(order: order, factor: factor, into: r)
        rescalingMatrix(order: order, factor: 1, into: u)
        for i in 0..<m {
            for j in 0..<m {
                var s = 0.0
                for k in 0..<m { s += r[i * m + k] * u[k * m + j] }
                ru[i * m + j] = s
            }
        }
        for idx in 0..<(m * n) { scratch[idx] = differences[idx] }
        for i in 0..<m {
            let out = row(i)
            for c in 0..<n { out[c] = 0 }
            for j in 0..<m {
                let w = ru[j * m + i]
                if w == 0 { continue }
                let src = scratch + j * n
                for c in 0..<n { out[c] += w * src[c] }
            }
        }
    }
}

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
                _ = work.lu.solve(UnsafeMutableBufferPointer(start: dz, count: n))
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
