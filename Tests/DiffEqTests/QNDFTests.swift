@testable import DiffEq
import Foundation
import TestSupport
import XCTest

/// QNDF, the variable-order NDF: each fixed order converges at its order from an exact history,
/// the adaptive solver raises its order on a smooth problem, restarts after an event, reports a
/// Newton failure as `convergenceFailure`, and steps without allocating.
final class QNDFTests: XCTestCase {
    /// Fixed steps of the order-k formula from the exact backward differences at t₀ (an exact
    /// start, as the order needs: the solver's own start at order 1 would cap any ladder at 2).
    /// Returns the largest error over the steps.
    static func fixedOrderError(order k: Int, steps: Int, _ cf: ClosedFormProblem) throws -> Double {
        var o = SolverOptions()
        o.adaptive = false
        o.abstol = 1e-13; o.reltol = 1e-13
        let h = (cf.t1 - cf.t0) / Double(steps)
        o.dt = h
        let integrator = ODEIntegrator(cf.problem, try .qndf(maxOrder: k), options: o)
        let work = try XCTUnwrap(integrator.implicitWork), state = try XCTUnwrap(work.ndf)
        let n = integrator.n
        // ∇ʲu at t₀ from u(t₀ − ih), i = 0 ... k.
        var table = (0...k).map { cf.exact(cf.t0 - Double($0) * h) }
        for j in 0...k {
            for c in 0..<n { state.row(j)[c] = table[0][c] }
            table = (0..<(table.count - 1)).map { i in zip(table[i], table[i + 1]).map { $0 - $1 } }
        }
        state.order = k
        state.spacing = h
        var worst = 0.0
        for step in 0..<steps {
            for c in 0..<n { integrator.uprev[c] = integrator.u[c] }
            integrator.rhs(integrator.slot(0), integrator.u, integrator.p, integrator.t)
            _ = integrator.performNDFStep(h, work, state)
            if integrator.nonlinearSolveFailed { return .nan }
            state.pushCorrection()
            integrator.t = cf.t0 + Double(step + 1) * h
            let exact = cf.exact(integrator.t)
            for c in 0..<n { worst = Swift.max(worst, Swift.abs(integrator.u[c] - exact[c])) }
        }
        return worst
    }

    func testEveryOrderConvergesAtItsOrder() throws {
        let cf = SDIRKTests.forcedLinear()
        for k in 1...5 {
            let study = ConvergenceStudy.run(series: 1, length: cf.t1 - cf.t0, maxSteps: 1024) { steps in
                [(try? Self.fixedOrderError(order: k, steps: steps, cf)) ?? .nan]
            }[0]
            print("convergence NDF order \(k) on \(cf.name): \(study)")
            XCTAssertFalse(study.errors.contains { $0.isNaN }, "order \(k): a step failed")
            let order = try XCTUnwrap(study.order, "order \(k): too few errors: \(study)")
            XCTAssertEqual(order, Double(k), accuracy: 0.3, "order \(k): \(study)")
        }
    }

    /// Adaptive: the order climbs above 1 on a smooth problem (few steps for a tight tolerance),
    /// and the error follows the tolerance.
    func testAdaptiveOrderSelection() throws {
        let cf = SDIRKTests.forcedLinear()
        var previous = Double.infinity
        for tol in [1e-4, 1e-6, 1e-8] {
            var o = SolverOptions()
            o.reltol = .scalar(tol); o.abstol = .scalar(tol)
            let sol = solve(cf.problem, try .qndf(), options: o)
            XCTAssertEqual(sol.retcode, .success)
            var worst = 0.0
            for (i, t) in sol.t.enumerated() { worst = Swift.max(worst, maxAbsDifference(sol[i], cf.exact(t))) }
            print("QNDF tol \(tol): error \(worst), \(sol.stats)")
            XCTAssertLessThan(worst, 300 * tol)
            XCTAssertLessThan(worst, previous)
            previous = worst
            if tol == 1e-8 {
                // Order 1 alone would need ~1/√tol = 10⁴ steps.
                XCTAssertLessThan(sol.stats.nsteps, 1500)
            }
        }
    }

    /// A callback that changes u restarts the history (order 1 from the new state): the solution
    /// after the jump matches the closed form from there.
    func testRestartAfterACallbackChangesTheState() throws {
        // u′ = −u, u(0) = 1; at t = 1 u is set to 2, so u(t) = 2e^{−(t−1)} after.
        let problem = ODEProblem({ du, u, _, _ in du[0] = -u[0] }, u0: [1], tspan: (0, 3))
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-10
        o.callback = CallbackSet(PresetTimeCallback([1]) { integrator in
            integrator.state[0] = 2
            integrator.uModified()
        })
        let sol = solve(problem, try .qndf(), options: o)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        XCTAssertEqual(sol[sol.t.count - 1].first ?? .nan, 2 * Foundation.exp(-2.0), accuracy: 1e-6)
    }

    func testNewtonFailureIsAConvergenceFailure() throws {
        let problem = ODEProblem({ du, u, _, _ in du[0] = u[0] > 0 ? -1e4 : 1e4 }, u0: [1], tspan: (0, 1))
        var o = SolverOptions()
        o.dt = 0.1
        o.dtmin = 1e-3
        let sol = solve(problem, try .qndf(), options: o)
        XCTAssertEqual(sol.retcode, .convergenceFailure, sol.description)
        XCTAssertGreaterThan(sol.stats.nnonlinconvfail, 0)
    }

    func testDescription() throws {
        XCTAssertEqual(try ButcherTableau.qndf().description, "QNDF (variable order 1–5)")
        XCTAssertEqual(try ButcherTableau.kenCarp4().description, "KenCarp4 (order 4(3), 6 stages)")
    }

    func testBadMaxOrderIsRefused() {
        XCTAssertThrowsError(try ButcherTableau.qndf(maxOrder: 6)) { error in
            XCTAssertTrue("\(error)".contains("maxOrder must be 1 ... 5"), "\(error)")
        }
    }

    /// Backwards in time (h < 0) the Newton-solved families work unchanged: u′ = −u + t from
    /// t = 2 back to 0, u = t − 1 + 2e^{−t}.
    func testBackwardsInTime() throws {
        let exact = { (t: Double) in t - 1 + 2 * Foundation.exp(-t) }
        let problem = ODEProblem({ du, u, _, t in du[0] = -u[0] + t }, u0: [exact(2)], tspan: (2, 0))
        for name in ["TRBDF2", "KenCarp4", "Kvaerno5", "QNDF"] {
            var o = SolverOptions()
            o.reltol = 1e-8; o.abstol = 1e-10
            let sol = solve(problem, try MethodRegistry.method(named: name), options: o)
            XCTAssertEqual(sol.retcode, .success, name)
            XCTAssertEqual(sol.t.last ?? .nan, 0, name)
            XCTAssertEqual(sol[sol.t.count - 1].first ?? .nan, exact(0), accuracy: 2e-5, name)  // backwards the mode e^{−t} grows
            XCTAssertEqual(sol(1.3)?.first ?? .nan, exact(1.3), accuracy: 1e-5, "\(name) dense output backwards")
        }
    }
}
