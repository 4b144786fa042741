import Foundation

extension ButcherTableau {
    /// How far the explicit method's stability region reaches along the negative real axis:
    /// the largest x with |R(−y)| ≤ 1 for all y in [0, x], R(z) = 1 + Σⱼ zʲ bᵀAʲ⁻¹𝟙 being the
    /// stability polynomial (DP5 3.31, Tsit5 3.51, Vern7 4.64, as OrdinaryDiffEq's
    /// `alg_stability_size`). Zero for the implicit families (their regions are unbounded).
    public var realStabilityBound: Double {
        guard family == .explicit, stages > 0 else { return 0 }
        let s = stages
        // γⱼ = bᵀAʲ⁻¹𝟙 for j = 1...s (A is strictly lower triangular, so Aˢ = 0).
        var v = [Double](repeating: 1, count: s)
        var gammas: [Double] = []
        for _ in 0..<s {
            gammas.append((0..<s).reduce(0) { $0 + b[$1] * v[$1] })
            v = (0..<s).map { i in (0..<s).reduce(0) { $0 + a[i * s + $1] * v[$1] } }
        }
        func r(_ y: Double) -> Double {
            var acc = 0.0, power = 1.0
            for g in gammas { power *= -y; acc += g * power }
            return Swift.abs(1 + acc)
        }
        // Scan outwards for the first point outside, then bisect to the boundary.
        let step = 1e-3
        var y = step
        while y < 100, r(y) <= 1 + 1e-13 { y += step }
        var lo = y - step, hi = y
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if r(mid) <= 1 + 1e-13 { lo = mid } else { hi = mid }
        }
        return lo
    }
}

/// OrdinaryDiffEq's `AutoSwitch` rules for a composite method: how many consecutive stiff
/// (non-stiff) steps switch to the stiff (explicit) method, and the thresholds.
///
/// A step is stiff when h·ρ exceeds `tolerance ×` the explicit method's stability bound
/// along the negative real axis (`ButcherTableau.realStabilityBound`), ρ being the dominant
/// eigenvalue estimate: on explicit steps Hairer–Wanner's ‖f(Yᵢ) − f(Yⱼ)‖/‖Yᵢ − Yⱼ‖ from the
/// last two stages (as DOPRI5 and OrdinaryDiffEq's Tsit5/DP5/Vern), on stiff steps ‖J‖∞ of
/// the step's Jacobian (as OrdinaryDiffEq's `calc_J` for composite methods). Steps are
/// counted as OrdinaryDiffEq does: positive for a run of stiff steps, negative for a run of
/// non-stiff ones; more than `maxStiffSteps` stiff steps switch to the stiff method, more
/// than `maxNonstiffSteps` non-stiff steps switch back. On a switch to the stiff method the
/// step grows by `dtFactor` (it is no longer limited by stability) and shrinks by it on the way
/// back. OrdinaryDiffEq's `switch_max` (skipping the error check after repeated stiff
/// detections) is not used: every step is error-controlled.
public struct AutoSwitch: Sendable {
    public var maxStiffSteps = 10
    public var maxNonstiffSteps = 3
    public var nonstiffTolerance = 0.9
    public var stiffTolerance = 0.9
    public var dtFactor = 2.0
    /// Start with the stiff method.
    public var stiffFirst = false

    public init(maxStiffSteps: Int = 10, maxNonstiffSteps: Int = 3, nonstiffTolerance: Double = 0.9,
                stiffTolerance: Double = 0.9, dtFactor: Double = 2, stiffFirst: Bool = false) {
        self.maxStiffSteps = maxStiffSteps
        self.maxNonstiffSteps = maxNonstiffSteps
        self.nonstiffTolerance = nonstiffTolerance
        self.stiffTolerance = stiffTolerance
        self.dtFactor = dtFactor
        self.stiffFirst = stiffFirst
    }
}

/// Watches a composite solve's accepted steps and asks for a switch (`ODEIntegrator+Loop`
/// reads `switchRequested` after each accepted step and hands over to the other integrator).
final class StiffnessMonitor {
    let rules: AutoSwitch
    /// The explicit method's stability bound along the negative real axis.
    let bound: Double
    /// 1: the explicit method is stepping, 2: the stiff one (SciML's `alg_choice`).
    var current: Int
    /// Run length of stiff (> 0) or non-stiff (< 0) steps.
    var count = 0
    var switchRequested = false
    /// The loop stopped for a switch (before the end): the other method continues.
    var handoffPending = false
    /// The last step's h·ρ / bound, for tests and diagnostics.
    var lastStiffness = 0.0
    /// The last eigenvalue estimate ρ of each method (explicit, stiff): SciML's `eigen_est`.
    var lastEstimates = (0.0, 0.0)
    /// ‖J‖∞ of the stiff method's Jacobian, computed when `stats.njacs` was `normJacobianCount`.
    var jacobianNorm = 0.0
    var normJacobianCount = -1

    init(rules: AutoSwitch, bound: Double) {
        self.rules = rules
        self.bound = bound
        current = rules.stiffFirst ? 2 : 1
    }

    /// Counts the accepted step of size `h` just taken by `integrator` (whose stages are still
    /// in place) and requests a switch when a run is long enough.
    func observe(_ integrator: ODEIntegrator, h: Double) {
        let rho: Double
        if current == 1 {
            rho = integrator.stageEigenvalueEstimate(h)
        } else {
            // ‖J‖∞ costs n² (an SDIRK or NDF step reuses J for many steps): once per Jacobian.
            if integrator.stats.njacs != normJacobianCount {
                jacobianNorm = integrator.jacobianNormEstimate()
                normJacobianCount = integrator.stats.njacs
            }
            rho = jacobianNorm
        }
        if current == 1 { lastEstimates.0 = rho } else { lastEstimates.1 = rho }
        let stiffness = Swift.abs(rho * h) / bound
        lastStiffness = stiffness
        let stiff = stiffness > (current == 1 ? rules.nonstiffTolerance : rules.stiffTolerance)
        count = stiff ? (count < 0 ? 1 : count + 1) : (count > 0 ? -1 : count - 1)
        if current == 1, count > rules.maxStiffSteps { switchRequested = true }
        if current == 2, count < -rules.maxNonstiffSteps { switchRequested = true }
    }
}

extension ODEIntegrator {
    /// Hairer–Wanner's estimate of the dominant eigenvalue's size from the last two stages of
    /// the explicit step just taken: ρ ≈ ‖f(Yₛ) − f(Yₛ₋₁)‖ / ‖Yₛ − Yₛ₋₁‖. For an FSAL method
    /// Yₛ is u₁ itself (in `u`) and Yₛ₋₁ the last argument built in `tmp`; otherwise `tmp`
    /// holds Yₛ and Yₛ₋₁ is rebuilt into `err` (free once the error is measured).
    /// Reference: E. Hairer, G. Wanner, "Solving ODEs II", §IV.2 (stiffness detection).
    func stageEigenvalueEstimate(_ h: Double) -> Double {
        let s = tableau.stages
        guard s >= 3 else { return 0 }
        let last: UnsafeMutablePointer<Double>, previous: UnsafeMutablePointer<Double>
        if tableau.fsal {
            last = u
            previous = tmp
        } else {
            last = tmp
            previous = err
            combine(row: s - 2, h: h, base: uprev, into: err)
        }
        let fLast = slot(s - 1), fPrevious = slot(s - 2)
        var num = 0.0, den = 0.0
        for j in 0..<n {
            let df = fLast[j] - fPrevious[j], dy = last[j] - previous[j]
            num += df * df
            den += dy * dy
        }
        return den > 0 ? (num / den).squareRoot() : 0
    }

    /// ‖J‖∞ of the implicit method's last Jacobian: dense column-major, or the stored pattern of
    /// the sparse and banded kinds. A Krylov W without a pattern never forms J; it reports ∞ so
    /// the composite stays on the stiff method rather than switching on no evidence.
    func jacobianNormEstimate() -> Double {
        guard let matrix = implicitWork?.matrix else { return 0 }
        if let stored = matrix.sparseJacobian {
            var rows = [Double](repeating: 0, count: n)
            for j in 0..<n {
                for k in stored.colPtr[j]..<stored.colPtr[j + 1] {
                    rows[stored.rowIndex[k]] += Swift.abs(stored.values[k])
                }
            }
            return rows.max() ?? 0
        }
        guard matrix.kind == .dense else { return .infinity }
        var largest = 0.0
        for i in 0..<n {
            var row = 0.0
            for j in 0..<n { row += Swift.abs(matrix.jacobian[i + j * n]) }
            largest = Swift.max(largest, row)
        }
        return largest
    }
}
