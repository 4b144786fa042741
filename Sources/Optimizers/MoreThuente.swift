/// The Moré–Thuente line search: a step satisfying the strong Wolfe conditions
///
///     φ(α) ≤ φ(0) + c₁ α φ′(0)   and   |φ′(α)| ≤ c₂ |φ′(0)|,
///
/// found by safeguarded cubic and quadratic interpolation inside an interval of uncertainty
/// that is guaranteed to contain such a step (MINPACK-2's `dcsrch`/`dcstep`, whose structure
/// this follows). Defaults are those of LineSearches.jl, which Optim.jl's BFGS uses.
///
/// Non-finite values (an ODE solve that blew up) are not part of the original algorithm:
/// a trial with a non-finite φ(α) or φ′(α) is bisected back towards the best step so far,
/// and later trials stay below it.
///
/// References: J. J. Moré, D. J. Thuente, "Line search algorithms with guaranteed sufficient
/// decrease", ACM Trans. Math. Software 20(3), 286–307, 1994; J. Nocedal, S. J. Wright,
/// "Numerical Optimization", 2nd ed., Springer, 2006, §3.5.
public struct MoreThuente: LineSearch, Equatable {
    /// c₁ (MINPACK's `ftol`): sufficient decrease.
    public var c1: Double
    /// c₂ (MINPACK's `gtol`): curvature; 0.9 suits quasi-Newton methods.
    public var c2: Double
    /// Relative width of the interval of uncertainty below which the search gives up.
    public var xTol: Double
    /// The smallest step tried.
    public var stepMin: Double
    /// The largest step tried.
    public var stepMax: Double
    /// Evaluations after which the search returns a warning.
    public var maxEvaluations: Int

    public init(c1: Double = 1e-4, c2: Double = 0.9, xTol: Double = 1e-8, stepMin: Double = 1e-16,
                stepMax: Double = 65536, maxEvaluations: Int = 100) {
        self.c1 = c1
        self.c2 = c2
        self.xTol = xTol
        self.stepMin = stepMin
        self.stepMax = stepMax
        self.maxEvaluations = maxEvaluations
    }

    public var name: String { "MoreThuente" }

    public func search(initialStep: Double, value finit: Double, slope ginit: Double,
                       _ phi: (Double) throws -> (value: Double, slope: Double)) throws -> LineSearchResult {
        guard ginit < 0, finit.isFinite, ginit.isFinite else {
            return LineSearchResult(step: 0, value: finit, slope: ginit, evaluations: 0,
                                    status: .warning("not a descent direction"))
        }
        let gtest = c1 * ginit
        var stp = Swift.min(Swift.max(initialStep.isFinite && initialStep > 0 ? initialStep : 1, stepMin), stepMax)
        var bracketed = false
        var stage1 = true
        var width = stepMax - stepMin, width1 = 2 * width
        // (stx, fx, gx): the best step so far; (sty, fy, gy): the other end of the interval.
        var stx = 0.0, fx = finit, gx = ginit
        var sty = 0.0, fy = finit, gy = ginit
        var stmin = 0.0, stmax = stp + 4 * stp
        // The smallest step seen to give a non-finite value: trials stay below it.
        var nonFinite = Double.infinity
        var evaluations = 0

        while true {
            var (f, g) = try phi(stp)
            evaluations += 1
            while !(f.isFinite && g.isFinite) {
                nonFinite = Swift.min(nonFinite, stp)
                if evaluations >= maxEvaluations || Swift.abs(stp - stx) <= stepMin {
                    return LineSearchResult(step: stp, value: f, slope: g, evaluations: evaluations,
                                            status: .warning("non-finite objective along the search direction"))
                }
                stp = stx + 0.5 * (stp - stx)
                (f, g) = try phi(stp)
                evaluations += 1
            }

            let ftest = finit + stp * gtest
            if stage1 && f <= ftest && g >= 0 { stage1 = false }

            var warning: String? = nil
            if bracketed && (stp <= stmin || stp >= stmax) { warning = "rounding errors prevent progress" }
            if bracketed && stmax - stmin <= xTol * stmax { warning = "interval of uncertainty below xTol" }
            if stp == stepMax && f <= ftest && g <= gtest { warning = "step at stepMax" }
            if stp == stepMin && (f > ftest || g >= gtest) { warning = "step at stepMin" }
            if f <= ftest && Swift.abs(g) <= c2 * (-ginit) {
                return LineSearchResult(step: stp, value: f, slope: g, evaluations: evaluations, status: .converged)
            }
            if let warning {
                return LineSearchResult(step: stp, value: f, slope: g, evaluations: evaluations, status: .warning(warning))
            }
            if evaluations >= maxEvaluations {
                return LineSearchResult(step: stp, value: f, slope: g, evaluations: evaluations,
                                        status: .warning("no strong Wolfe step after \(evaluations) evaluations"))
            }

            // In the first stage, while the decrease is not yet sufficient but f is lower, the
            // search works on the modified function ψ(α) = φ(α) − φ(0) − c₁ α φ′(0).
            var interval = SearchInterval(stx: stx, fx: fx, gx: gx, sty: sty, fy: fy, gy: gy, bracketed: bracketed)
            if stage1 && f <= fx && f > ftest {
                interval.fx -= stx * gtest
                interval.fy -= sty * gtest
                interval.gx -= gtest
                interval.gy -= gtest
                stp = interval.step(stp: stp, fp: f - stp * gtest, gp: g - gtest, stpmin: stmin, stpmax: stmax)
                interval.fx += interval.stx * gtest
                interval.fy += interval.sty * gtest
                interval.gx += gtest
                interval.gy += gtest
            } else {
                stp = interval.step(stp: stp, fp: f, gp: g, stpmin: stmin, stpmax: stmax)
            }
            (stx, fx, gx, sty, fy, gy, bracketed) = (interval.stx, interval.fx, interval.gx,
                                                     interval.sty, interval.fy, interval.gy, interval.bracketed)

            // Bisect when the interval does not shrink fast enough.
            if bracketed {
                if Swift.abs(sty - stx) >= 0.66 * width1 { stp = stx + 0.5 * (sty - stx) }
                width1 = width
                width = Swift.abs(sty - stx)
            }
            if bracketed {
                stmin = Swift.min(stx, sty)
                stmax = Swift.max(stx, sty)
            } else {
                stmin = stp + 1.1 * (stp - stx)
                stmax = stp + 4 * (stp - stx)
            }
            stp = Swift.min(Swift.max(stp, stepMin), stepMax)
            if stp >= nonFinite { stp = stx + 0.5 * (nonFinite - stx) }
            // No further progress possible: let the last trial be the best step.
            if bracketed && (stp <= stmin || stp >= stmax || stmax - stmin <= xTol * stmax) { stp = stx }
        }
    }
}

/// MINPACK-2's `dcstep`: the interval of uncertainty [stx, sty] and the next trial step.
struct SearchInterval {
    var stx: Double, fx: Double, gx: Double
    var sty: Double, fy: Double, gy: Double
    var bracketed: Bool

    /// Updates the interval with the trial (stp, fp, gp) and returns the next trial step,
    /// by the four cases of Moré & Thuente (1994), §4.
    mutating func step(stp: Double, fp: Double, gp: Double, stpmin: Double, stpmax: Double) -> Double {
        let oppositeSign = (gp < 0 && gx > 0) || (gp > 0 && gx < 0)
        var stpf: Double
        if fp > fx {
            // Case 1: a higher value; the minimum is bracketed. Cubic if closer to stx, else
            // the mean of cubic and quadratic.
            let theta = 3 * (fx - fp) / (stp - stx) + gx + gp
            let s = Swift.max(Swift.abs(theta), Swift.abs(gx), Swift.abs(gp))
            var gamma = s * ((theta / s) * (theta / s) - (gx / s) * (gp / s)).squareRoot()
            if stp < stx { gamma = -gamma }
            let p = (gamma - gx) + theta
            let q = ((gamma - gx) + gamma) + gp
            let stpc = stx + (p / q) * (stp - stx)
            let stpq = stx + ((gx / ((fx - fp) / (stp - stx) + gx)) / 2) * (stp - stx)
            stpf = Swift.abs(stpc - stx) < Swift.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2
            bracketed = true
        } else if oppositeSign {
            // Case 2: lower value, derivatives of opposite sign; bracketed. The step farther
            // from stp of cubic and secant.
            let theta = 3 * (fx - fp) / (stp - stx) + gx + gp
            let s = Swift.max(Swift.abs(theta), Swift.abs(gx), Swift.abs(gp))
            var gamma = s * ((theta / s) * (theta / s) - (gx / s) * (gp / s)).squareRoot()
            if stp > stx { gamma = -gamma }
            let p = (gamma - gp) + theta
            let q = ((gamma - gp) + gamma) + gx
            let stpc = stp + (p / q) * (stx - stp)
            let stpq = stp + (gp / (gp - gx)) * (stx - stp)
            stpf = Swift.abs(stpc - stp) > Swift.abs(stpq - stp) ? stpc : stpq
            bracketed = true
        } else if Swift.abs(gp) < Swift.abs(gx) {
            // Case 3: lower value, same sign, the derivative shrinks in magnitude.
            let theta = 3 * (fx - fp) / (stp - stx) + gx + gp
            let s = Swift.max(Swift.abs(theta), Swift.abs(gx), Swift.abs(gp))
            var gamma = s * Swift.max(0, (theta / s) * (theta / s) - (gx / s) * (gp / s)).squareRoot()
            if stp > stx { gamma = -gamma }
            let p = (gamma - gp) + theta
            let q = (gamma + (gx - gp)) + gamma
            let r = p / q
            let stpc: Double
            if r < 0 && gamma != 0 {
                stpc = stp + r * (stx - stp)
            } else {
                stpc = stp > stx ? stpmax : stpmin
            }
            let stpq = stp + (gp / (gp - gx)) * (stx - stp)
            if bracketed {
                stpf = Swift.abs(stpc - stp) < Swift.abs(stpq - stp) ? stpc : stpq
                stpf = stp > stx ? Swift.min(stp + 0.66 * (sty - stp), stpf) : Swift.max(stp + 0.66 * (sty - stp), stpf)
            } else {
                stpf = Swift.abs(stpc - stp) > Swift.abs(stpq - stp) ? stpc : stpq
                stpf = Swift.min(Swift.max(stpf, stpmin), stpmax)
            }
        } else {
            // Case 4: lower value, same sign, the derivative does not shrink.
            if bracketed {
                let theta = 3 * (fp - fy) / (sty - stp) + gy + gp
                let s = Swift.max(Swift.abs(theta), Swift.abs(gy), Swift.abs(gp))
                var gamma = s * ((theta / s) * (theta / s) - (gy / s) * (gp / s)).squareRoot()
                if stp > sty { gamma = -gamma }
                let p = (gamma - gp) + theta
                let q = ((gamma - gp) + gamma) + gy
                stpf = stp + (p / q) * (sty - stp)
            } else {
                stpf = stp > stx ? stpmax : stpmin
            }
        }
        // Update the interval.
        if fp > fx {
            (sty, fy, gy) = (stp, fp, gp)
        } else {
            if oppositeSign { (sty, fy, gy) = (stx, fx, gx) }
            (stx, fx, gx) = (stp, fp, gp)
        }
        return stpf
    }
}
