import DiffEq
import Foundation
import XCTest

/// Order of every registered method's dense output (`sol(t)` and `sol(t, derivative: 1)`)
/// at interior points of fixed steps.
///
/// A dense output of order q has local error O(h^(q+1)) on a step that starts from the exact
/// solution; on a fixed-step solve the step's start carries the global error O(h^p), so the
/// interpolated value converges at order min(p, q + 1) and its time derivative at min(p, q).
/// Both are asserted as lower bounds: observed ≥ expected − 0.25 (− 0.5 for Verner's pairs,
/// − 2 where their interpolants' rounding leaves only a coarse window).
///
/// The floor below which an error is not trusted includes the interpolant's own rounding:
/// it is evaluated as Σᵢ h bᵢ(θ) kᵢ with monomial coefficients up to 10⁶ (Verner's 8(7)), whose
/// cancellation costs digits (Vern8's derivative stalls at 1e-9, Vern6's at 1e-10). That
/// rounding is measured on u′ = 1, which every interpolant reproduces exactly, so all it
/// shows is rounding; twice it, scaled by |f|, is the floor (the stalls measured on the test
/// problems are 0.2 to 1 times it).
final class DenseOutputTests: XCTestCase {
    static let thetas = [0.3, 0.7]

    /// The largest errors of `sol(t)` and of `sol(t, derivative: 1)` at θ = 0.3, 0.7 of every step.
    static func interpolationErrors(_ tableau: ButcherTableau, _ cf: ClosedFormProblem, steps: Int) -> [Double] {
        var o = SolverOptions()
        o.adaptive = false
        o.dt = (cf.t1 - cf.t0) / Double(steps)
        o.dense = true
        let sol = solve(cf.problem, tableau, options: o)
        if sol.retcode == .unstable { return [.infinity, .infinity] }   // too coarse: blew up
        guard sol.retcode == .success, sol.hasDenseOutput, sol.t.count == steps + 1 else { return [.nan, .nan] }
        var worst = [0.0, 0.0]
        for i in 0..<(sol.t.count - 1) {
            for theta in thetas {
                let t = sol.t[i] + theta * (sol.t[i + 1] - sol.t[i])
                guard let value = sol(t), let slope = sol(t, derivative: 1) else { return [.nan, .nan] }
                worst[0] = Swift.max(worst[0], maxAbsDifference(value, cf.exact(t)))
                worst[1] = Swift.max(worst[1], maxAbsDifference(slope, cf.exactDerivative(t)))
            }
        }
        return worst
    }

    /// The largest rounding error of `sol(t)` per unit step and of `sol(t, derivative: 1)`,
    /// on u′ = 1 with steps of 1/8 (exact in binary), over θ = 0.05, 0.1, ..., 0.95.
    static func interpolationRounding(_ tableau: ButcherTableau) -> (value: Double, derivative: Double) {
        var o = SolverOptions()
        o.adaptive = false
        o.dt = 0.125
        o.dense = true
        let sol = solve(ODEProblem({ du, _, _, _ in du[0] = 1 }, u0: [0], tspan: (0, 1)), tableau, options: o)
        var value = 0.0, derivative = 0.0
        for i in 0..<8 {
            for j in 1..<20 {
                let t = 0.125 * (Double(i) + Double(j) / 20)
                value = Swift.max(value, Swift.abs((sol(t)?[0] ?? .infinity) - t) / 0.125)
                derivative = Swift.max(derivative, Swift.abs((sol(t, derivative: 1)?[0] ?? .infinity) - 1))
            }
        }
        return (Swift.max(value, Double.ulpOfOne), Swift.max(derivative, Double.ulpOfOne))
    }

    func testDenseOutputOrderOfEveryRegisteredMethod() throws {
        for (name, make) in MethodRegistry.builders {
            let tableau = try make()
            let q = tableau.denseOrder, p = tableau.order
            let rounding = Self.interpolationRounding(tableau)
            for cf in ClosedFormProblem.all {
                let fmax = cf.derivativeBound, length = cf.t1 - cf.t0
                let coefficients = ConvergenceStudy.coefficientFloor(tableau, derivativeBound: fmax, length: length)
                let studies = ConvergenceStudy.run(series: 2, length: length, floor: { k, steps, dt in
                    let interpolation = 2 * fmax * (k == 0 ? rounding.value * dt : rounding.derivative)
                    return Swift.max(ConvergenceStudy.roundoffFloor(steps: steps), coefficients, interpolation)
                }) { Self.interpolationErrors(tableau, cf, steps: $0) }
                for (k, study) in studies.enumerated() {
                    let what = k == 0 ? "sol(t)" : "sol(t, derivative: 1)"
                    let expected = Double(k == 0 ? Swift.min(p, q + 1) : Swift.min(p, q))
                    print("dense \(what) \(name) (p \(p), q \(q), rounding \(k == 0 ? rounding.value : rounding.derivative)) on \(cf.name): \(study)")
                    XCTAssertFalse(study.errors.contains { $0.isNaN }, "\(name) \(what) on \(cf.name): a solve failed: \(study)")
                    guard let order = study.order else {
                        XCTFail("\(name) \(what) on \(cf.name): too few errors above the floor: \(study)")
                        continue
                    }
                    // Verner's interpolants, like their steps, are pre-asymptotic at every error
                    // Float64 resolves (see ConvergenceTests); where their rounding floor leaves
                    // fewer than five points, all at dt ≥ 0.36 (≤ 11 steps), only a gross loss of
                    // order can be told.
                    var slack = 0.25
                    if ConvergenceTests.preasymptoticInFloat64.contains(name) {
                        slack = study.window.count == ConvergenceStudy.points ? 0.5 : 2
                    }
                    XCTAssertGreaterThanOrEqual(order, expected - slack, "\(name) \(what) on \(cf.name): \(study)")
                }
            }
        }
    }
}
