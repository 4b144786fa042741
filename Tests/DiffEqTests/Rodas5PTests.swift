import DiffEq
import Foundation
import TestSupport
import XCTest

/// Rodas5P: Robertson's reference values, 5th-order convergence, a stiff linear problem,
/// dense output and allocation-free steps.
final class Rodas5PTests: XCTestCase {
    func testRobertsonAtFortyMatchesTheReference() throws {
        // Hairer & Wanner's test set (ROBER): y(40).
        let reference = [0.7158270687193267, 0.9185534764529951e-5, 0.2841637457458802]
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        let sol = solve(StiffTests.robertson(), try MethodRegistry.method(named: "Rodas5P"), options: o)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        let end = Array(sol[sol.t.count - 1])
        for (a, b) in zip(end, reference) { XCTAssertEqual(a, b, accuracy: 1e-6 * abs(b)) }
        XCTAssertEqual(end.reduce(0, +), 1, accuracy: 1e-12, "mass is conserved (a linear invariant)")
        XCTAssertGreaterThan(sol.stats.nfdjacs, 0)
        print("Rodas5P Robertson t=40: steps \(sol.stats.naccept) accepted, \(sol.stats.nreject) rejected, "
              + "errors \(zip(end, reference).map { abs($0 - $1) / abs($1) })")
    }

    func testRobertsonToLongTimes() throws {
        let reference = [1.7865921142322466e-02, 7.2747514685287435e-08, 9.8213400611016388e-01]
        var o = SolverOptions()
        o.reltol = 1e-6; o.abstol = 1e-8
        let problem = StiffTests.robertson()
        let sol = solve(ODEProblem(problem.f, u0: [1, 0, 0], tspan: (0, 1e5)), try .rodas5P(), options: o)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        let end = Array(sol[sol.t.count - 1])
        let worst = zip(end, reference).map { abs($0 - $1) / abs($1) }.max() ?? .nan
        XCTAssertLessThanOrEqual(worst, 1e-5)
        XCTAssertLessThan(sol.stats.nsteps, 400)
        print("Rodas5P Robertson t=1e5: steps \(sol.stats.nsteps), max relative error \(worst)")
    }

    func testFifthOrderConvergence() throws {
        // u′ = −u + t on (0, 1), u(0) = 1: u = t − 1 + 2e^{−t}.
        let problem = ODEProblem({ du, u, p, t in du[0] = -u[0] + t }, u0: [1], tspan: (0, 1))
        var errors: [Double] = [], dts: [Double] = []
        for k in 1...4 {  // errors from ~1e-7 down to ~1e-12, above rounding
            var o = SolverOptions()
            o.adaptive = false; o.dt = 1 / Double(1 << k)
            let sol = solve(problem, try .rodas5P(), options: o)
            errors.append(abs((sol[sol.t.count - 1].first ?? .nan) - (2 * exp(-1.0))))
            dts.append(1 / Double(1 << k))
        }
        let slope = log(errors[0] / errors[errors.count - 1]) / log(dts[0] / dts[dts.count - 1])
        print("Rodas5P convergence errors \(errors), slope \(slope)")
        XCTAssertGreaterThanOrEqual(slope, 4.5)
    }

    func testStiffLinearProblemInFewStepsWithDenseOutput() throws {
        // u′ = −1000 (u − cos t) − sin t, u(0) = 1: u = cos t.
        let problem = ODEProblem({ du, u, p, t in du[0] = -1000 * (u[0] - cos(t)) - sin(t) }, u0: [1], tspan: (0, 2))
        var o = SolverOptions()
        o.reltol = 1e-6; o.abstol = 1e-8
        let sol = solve(problem, try .rodas5P(), options: o)
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(sol[sol.t.count - 1].first ?? .nan, cos(2.0), accuracy: 1e-6)
        let explicit = solve(problem, try .dp5(), options: o)
        XCTAssertGreaterThan(explicit.stats.nsteps, 5 * sol.stats.nsteps)
        // Dense output between the steps, after the initial transient.
        var worst = 0.0
        for i in 0..<sol.t.count - 1 where sol.t[i] > 0.05 {
            for theta in [0.17, 0.5, 0.83] {
                let time = sol.t[i] + theta * (sol.t[i + 1] - sol.t[i])
                guard let v = sol(time)?.first else { XCTFail("no dense output"); return }
                worst = max(worst, abs(v - cos(time)))
            }
        }
        XCTAssertLessThan(worst, 1e-5)
        print("Rodas5P stiff linear: \(sol.stats.nsteps) steps (DP5 \(explicit.stats.nsteps)), dense error \(worst)")
    }

    func testDenseOutputOnASmoothProblem() throws {
        // u′ = −u + t: the interpolant between steps follows the solution to the tolerance.
        let problem = ODEProblem({ du, u, p, t in du[0] = -u[0] + t }, u0: [1], tspan: (0, 5))
        var o = SolverOptions()
        o.reltol = 1e-7; o.abstol = 1e-9
        let sol = solve(problem, try .rodas5P(), options: o)
        var worst = 0.0
        for i in 0...500 {
            let time = 5 * Double(i) / 500
            guard let v = sol(time)?.first else { XCTFail("no dense output"); return }
            worst = max(worst, abs(v - (time - 1 + 2 * exp(-time))))
        }
        XCTAssertLessThan(worst, 1e-6)
        print("Rodas5P smooth dense: \(sol.stats.nsteps) steps, worst \(worst)")
    }

    func testStepsAllocateNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        var o = SolverOptions()
        o.reltol = 1e-6; o.abstol = 1e-8
        o.saveat = .every(4)
        o.dense = false
        // Every stiff method of the registry (Rosenbrock, SDIRK with its Newton iterations, NDF).
        for name in MethodRegistry.stiffBuilders.map(\.name) {
            let integrator = ODEIntegrator(StiffTests.robertson(), try MethodRegistry.method(named: name), options: o)
            integrator.run()
            XCTAssertEqual(integrator.retcode, .success, name)
            integrator.reinit()
            let count = allocations { integrator.run() }
            XCTAssertEqual(count, 0, name)
        }
    }
}
