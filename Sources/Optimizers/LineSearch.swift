/// The outcome of a line search along a descent direction p from x: the step α, and
/// φ(α) = f(x + α p) and φ′(α) = ∇f(x + α p)ᵀp there.
public struct LineSearchResult: Sendable, Equatable {
    /// Whether the search's conditions hold at the step returned.
    public enum Status: Sendable, Equatable {
        /// The search's conditions hold at α (strong Wolfe for Moré–Thuente, Armijo for backtracking).
        case converged
        /// The conditions could not be met; α is the best step found, which may still decrease f.
        case warning(String)
    }

    /// α.
    public var step: Double
    /// φ(α).
    public var value: Double
    /// φ′(α).
    public var slope: Double
    /// Evaluations of φ made by the search.
    public var evaluations: Int
    /// Whether the conditions hold.
    public var status: Status

    public init(step: Double, value: Double, slope: Double, evaluations: Int, status: Status) {
        self.step = step
        self.value = value
        self.slope = slope
        self.evaluations = evaluations
        self.status = status
    }
}

/// A one-dimensional search for a step length along a descent direction.
///
/// Contract: `phi(α)` evaluates f(x + α p) and its slope (it may throw: the error ends the
/// search and the iteration). The result's α is the last α evaluated, so the caller's
/// workspace holds the point and gradient of the step returned. A non-finite φ(α) is treated
/// as "too far": the search shrinks α.
public protocol LineSearch: Sendable {
    var name: String { get }
    /// Searches from φ(0) = `value`, φ′(0) = `slope` < 0, trying `initialStep` first.
    func search(initialStep: Double, value: Double, slope: Double,
                _ phi: (Double) throws -> (value: Double, slope: Double)) throws -> LineSearchResult
}

/// Backtracking until the Armijo (sufficient decrease) condition φ(α) ≤ φ(0) + c₁ α φ′(0)
/// holds, shrinking α by safeguarded quadratic, then cubic, interpolation into
/// [ρ_lo α, ρ_hi α] (Nocedal & Wright 2006, Algorithm 3.1 and §3.5). Cheap and robust, but it
/// does not enforce the curvature condition, so a quasi-Newton update after it may be skipped
/// (when sᵀy ≤ 0).
///
/// References: L. Armijo, "Minimization of functions having Lipschitz continuous first partial
/// derivatives", Pacific J. Math. 16(1), 1966; J. Nocedal, S. J. Wright, "Numerical
/// Optimization", 2nd ed., Springer, 2006.
public struct BacktrackingArmijo: LineSearch, Equatable {
    /// c₁ of the sufficient decrease condition.
    public var c1: Double
    /// The new step lies in [ρ_lo α, ρ_hi α].
    public var shrinkLow: Double
    /// ρ_hi (see `shrinkLow`).
    public var shrinkHigh: Double
    /// Evaluations after which the search returns a warning.
    public var maxEvaluations: Int

    public init(c1: Double = 1e-4, shrinkLow: Double = 0.1, shrinkHigh: Double = 0.5, maxEvaluations: Int = 50) {
        self.c1 = c1
        self.shrinkLow = shrinkLow
        self.shrinkHigh = shrinkHigh
        self.maxEvaluations = maxEvaluations
    }

    public var name: String { "BacktrackingArmijo" }

    public func search(initialStep: Double, value phi0: Double, slope dphi0: Double,
                       _ phi: (Double) throws -> (value: Double, slope: Double)) throws -> LineSearchResult {
        guard dphi0 < 0, phi0.isFinite else {
            return LineSearchResult(step: 0, value: phi0, slope: dphi0, evaluations: 0,
                                    status: .warning("not a descent direction"))
        }
        var alpha = initialStep > 0 && initialStep.isFinite ? initialStep : 1
        var previous: (alpha: Double, value: Double)? = nil
        var evaluations = 0
        while true {
            let (f, g) = try phi(alpha)
            evaluations += 1
            if f.isFinite && f <= phi0 + c1 * alpha * dphi0 {
                return LineSearchResult(step: alpha, value: f, slope: g, evaluations: evaluations, status: .converged)
            }
            if evaluations >= maxEvaluations {
                return LineSearchResult(step: alpha, value: f, slope: g, evaluations: evaluations,
                                        status: .warning("no sufficient decrease after \(evaluations) evaluations"))
            }
            var next = shrinkHigh * alpha
            if f.isFinite {
                next = interpolatedStep(alpha: alpha, value: f, previous: previous, phi0: phi0, dphi0: dphi0)
                previous = (alpha, f)
            } else {
                previous = nil
            }
            alpha = Swift.min(Swift.max(next, shrinkLow * alpha), shrinkHigh * alpha)
        }
    }

    /// The minimiser of the quadratic through φ(0), φ′(0), φ(α), or (with an earlier trial) of
    /// the cubic through φ(0), φ′(0) and the last two trials.
    func interpolatedStep(alpha a1: Double, value f1: Double, previous: (alpha: Double, value: Double)?,
                          phi0: Double, dphi0: Double) -> Double {
        guard let (a0, f0) = previous, a0 != a1 else {
            let denominator = 2 * (f1 - phi0 - dphi0 * a1)
            return denominator > 0 ? -dphi0 * a1 * a1 / denominator : shrinkHigh * a1
        }
        let r1 = f1 - phi0 - dphi0 * a1, r0 = f0 - phi0 - dphi0 * a0
        let d = a0 * a0 * a1 * a1 * (a1 - a0)
        let a = (a0 * a0 * r1 - a1 * a1 * r0) / d
        let b = (-a0 * a0 * a0 * r1 + a1 * a1 * a1 * r0) / d
        if a == 0 { return b > 0 ? -dphi0 / (2 * b) : shrinkHigh * a1 }
        let discriminant = b * b - 3 * a * dphi0
        guard discriminant >= 0 else { return shrinkHigh * a1 }
        let x = (-b + discriminant.squareRoot()) / (3 * a)
        return x.isFinite ? x : shrinkHigh * a1
    }
}
