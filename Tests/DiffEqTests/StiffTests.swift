import DiffEq
import Foundation
import TestSupport
import XCTest

/// The stiff methods: Robertson's reference values, a stiff linear problem with a closed form,
/// convergence order, and the Jacobian accounting.
final class StiffTests: XCTestCase {
    static func robertson() -> ODEProblem {
        ODEProblem({ du, u, p, t in
            du[0] = -0.04 * u[0] + 1e4 * u[1] * u[2]
            du[1] = 0.04 * u[0] - 1e4 * u[1] * u[2] - 3e7 * u[1] * u[1]
            du[2] = 3e7 * u[1] * u[1]
        }, u0: [1, 0, 0], tspan: (0, 40))
    }

    func testRobertsonMatchesTheReferenceAtForty() throws {
        // Hairer & Wanner's test set (ROBER): y(40).
        let reference = [0.7158270687193267, 0.9185534764529951e-5, 0.2841637457458802]
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        let sol = solve(Self.robertson(), try MethodRegistry.method(named: "Rosenbrock23"), options: o)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        let end = Array(sol[sol.t.count - 1])
        for (a, b) in zip(end, reference) { XCTAssertEqual(a, b, accuracy: 2e-5 * abs(b)) }
        XCTAssertEqual(end.reduce(0, +), 1, accuracy: 1e-12, "mass is conserved (a linear invariant)")
        XCTAssertGreaterThan(sol.stats.nfdjacs, 0, "no Jacobian was given: finite differences, said in the stats")
        XCTAssertLessThan(sol.stats.naccept, 5000)
    }

    func testStiffLinearProblemWithFewSteps() throws {
        // u′ = −1000 (u − cos t) − sin t, u(0) = 1: u = cos t. An explicit method needs ~2000 steps.
        let problem = ODEProblem({ du, u, p, t in du[0] = -1000 * (u[0] - cos(t)) - sin(t) }, u0: [1], tspan: (0, 2),
                                 p: [])
        // At a loose tolerance the explicit method is held back by stability, the stiff one is not.
        var o = SolverOptions()
        o.reltol = 1e-3; o.abstol = 1e-5
        var jacobianCalls = 0
        var f = problem.f
        f.jac = { J, u, p, t in J[0] = -1000; jacobianCalls += 1 }
        let sol = solve(ODEProblem(f, u0: [1], tspan: (0, 2)), try .rosenbrock23(), options: o)
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(sol[sol.t.count - 1].first ?? .nan, cos(2.0), accuracy: 1e-4)
        XCTAssertLessThan(sol.stats.naccept, 100)
        XCTAssertEqual(sol.stats.nfdjacs, 0)
        XCTAssertGreaterThan(jacobianCalls, 0)
        let explicit = solve(problem, try .dp5(), options: o)
        XCTAssertGreaterThan(explicit.stats.nsteps, 5 * sol.stats.nsteps)
        // Dense output between steps.
        if let mid = sol(1.234)?.first { XCTAssertEqual(mid, cos(1.234), accuracy: 1e-3) } else { XCTFail("no dense output") }
    }

    func testSecondOrderConvergence() throws {
        // u′ = −u + t on (0, 1), u(0) = 1: u = t − 1 + 2e^{−t}.
        let problem = ODEProblem({ du, u, p, t in du[0] = -u[0] + t }, u0: [1], tspan: (0, 1))
        var errors: [Double] = [], dts: [Double] = []
        for k in 4...8 {
            var o = SolverOptions()
            o.adaptive = false; o.dt = 1 / Double(1 << k)
            let sol = solve(problem, try .rosenbrock23(), options: o)
            errors.append(abs((sol[sol.t.count - 1].first ?? .nan) - (2 * exp(-1.0))))
            dts.append(1 / Double(1 << k))
        }
        let slope = log(errors[0] / errors[errors.count - 1]) / log(dts[0] / dts[dts.count - 1])
        XCTAssertEqual(slope, 2, accuracy: 0.25)
    }
}
