import DiffEq
import Foundation
import XCTest

/// Convergence order of every registered method on fixed-step ladders (DiffEqDevTools'
/// `test_convergence`), on four problems with closed-form solutions: linear and nonlinear,
/// autonomous and time-dependent (so a wrong stage time `c` shows), scalar and 2-D.
///
/// What is asserted, for every method and problem: the observed order is within 0.25 of p.
/// The exceptions are Verner's pairs, whose principal error coefficients are minimised to
/// ~10⁻³ of a Taylor term's (Vern6 on u′ = λu: 7!·|e₇| = 0.0018 against 8!·|e₈| = 0.23): the
/// next error term dominates at every error Float64 resolves, so they show p + 0.3 ... p + 1.5
/// and wobble by ±0.5 where the leading terms cancel (DiffEqDevTools tests them in BigFloat).
/// For them the observed order must be at least p − 0.5: a wrong coefficient or a stepping bug
/// loses a whole order or more.
///
/// Errors are trusted down to 1e-13 (20 ulp per step) and to the floor the method's rounded
/// coefficients set (`ConvergenceStudy.coefficientFloor`: about 1e-10 for Vern6).
final class ConvergenceTests: XCTestCase {
    /// The largest error over every saved step of a fixed-step solve with `steps` steps.
    static func globalError(_ tableau: ButcherTableau, _ cf: ClosedFormProblem, steps: Int) -> Double {
        var o = SolverOptions()
        o.adaptive = false
        o.dt = (cf.t1 - cf.t0) / Double(steps)
        o.dense = false
        let sol = solve(cf.problem, tableau, options: o)
        // Too coarse a step may blow up (infinite error); any other failure is a bug (NaN).
        if sol.retcode == .unstable { return .infinity }
        guard sol.retcode == .success, sol.t.count == steps + 1, sol.t.last == cf.t1 else { return .nan }
        var worst = 0.0
        for (i, t) in sol.t.enumerated() { worst = Swift.max(worst, maxAbsDifference(sol[i], cf.exact(t))) }
        return worst
    }

    /// Methods whose h^p regime lies below Float64's roundoff (see above).
    static let preasymptoticInFloat64: Set<String> = ["Vern6", "Vern7", "Vern8", "Vern9"]

    func check(_ name: String, _ tableau: ButcherTableau, _ cf: ClosedFormProblem, label: String) {
        let length = Swift.abs(cf.t1 - cf.t0)
        let coefficients = ConvergenceStudy.coefficientFloor(tableau, derivativeBound: cf.derivativeBound, length: length)
        let study = ConvergenceStudy.run(series: 1, length: length, floor: { _, steps, _ in
            Swift.max(ConvergenceStudy.roundoffFloor(steps: steps), coefficients)
        }) { [Self.globalError(tableau, cf, steps: $0)] }[0]
        print("convergence \(name) (p \(tableau.order)) on \(label): \(study)")
        XCTAssertFalse(study.errors.contains { $0.isNaN }, "\(name) on \(label): a fixed-step solve failed: \(study)")
        guard let order = study.order else {
            XCTFail("\(name) on \(label): too few errors above roundoff for an order: \(study)")
            return
        }
        let p = Double(tableau.order)
        if Self.preasymptoticInFloat64.contains(name) {
            XCTAssertGreaterThanOrEqual(order, p - 0.5, "\(name) on \(label) lost order: \(study)")
        } else {
            XCTAssertEqual(order, p, accuracy: 0.25, "\(name) on \(label): \(study)")
        }
    }

    func testEveryRegisteredMethodConvergesAtItsOrder() throws {
        for (name, make) in MethodRegistry.builders {
            let tableau = try make()
            for cf in ClosedFormProblem.all { check(name, tableau, cf, label: cf.name) }
        }
    }

    /// The same ladders backwards in time: a reverse solve has the same order.
    func testEveryRegisteredMethodConvergesBackwards() throws {
        let cf = ClosedFormProblem.phase(tspan: (4, 0))
        for (name, make) in MethodRegistry.builders { check(name, try make(), cf, label: "the phase equation backwards") }
    }

    /// N fixed steps of (t₁ − t₀)/N take exactly N steps and end exactly at t₁. The step times
    /// used to be a running sum, whose rounding left a sliver step of 1.6e-13 after 2896 steps
    /// of 4/2896 (2897 steps, two saved points 1.6e-13 apart).
    func testFixedStepsLandOnTheGrid() throws {
        let cf = ClosedFormProblem.phase()
        for steps in [3, 7, 181, 724, 2896] {
            var o = SolverOptions()
            o.adaptive = false
            o.dt = 4.0 / Double(steps)
            o.dense = false
            let sol = solve(cf.problem, try ButcherTableau.rk4(), options: o)
            XCTAssertEqual(sol.retcode, .success)
            XCTAssertEqual(sol.stats.naccept, steps, "dt = 4/\(steps)")
            XCTAssertEqual(sol.t.count, steps + 1, "dt = 4/\(steps)")
            XCTAssertEqual(sol.t.last, 4)
            for (i, t) in sol.t.enumerated() { XCTAssertEqual(t, Double(i) * 4 / Double(steps), accuracy: 1e-14) }
        }
        // Backwards, and restarting the grid at a tstop that is off it.
        var o = SolverOptions()
        o.adaptive = false
        o.dt = 0.3
        o.tstops = [1.0]
        let sol = solve(ClosedFormProblem.phase(tspan: (0, 2)).problem, try ButcherTableau.rk4(), options: o)
        let expected = [0, 0.3, 0.6, 0.9, 1.0, 1.3, 1.6, 1.9, 2.0]
        XCTAssertEqual(sol.t.count, expected.count)
        for (a, b) in zip(sol.t, expected) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        o.tstops = []
        o.dt = 0.1
        let back = solve(ClosedFormProblem.phase(tspan: (1, 0)).problem, try ButcherTableau.rk4(), options: o)
        XCTAssertEqual(back.t.count, 11)
        XCTAssertEqual(back.t.last, 0)
    }
}
