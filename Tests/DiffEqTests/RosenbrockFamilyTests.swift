import DiffEq
import Foundation
import TestSupport
import XCTest

/// Rodas4 and Rosenbrock32 beside Rosenbrock23 and Rodas5P: observed convergence order,
/// Robertson's reference values, dense output that ends at the propagated state, the
/// Robertson DAE, and allocation-free steps.
final class RosenbrockFamilyTests: XCTestCase {
    /// Observed order on u′ = −u + t + A(u − ...)·0, closed form u = t − 1 + 2e^{−t}, a
    /// nonautonomous problem (so ∂f/∂t is exercised), fixed steps.
    func observedOrder(_ name: String, steps: [Int]) throws -> Double {
        let problem = ODEProblem({ du, u, p, t in du[0] = -u[0] + t }, u0: [1], tspan: (0, 1))
        var errors: [Double] = []
        for count in steps {
            var o = SolverOptions()
            o.adaptive = false; o.dt = 1 / Double(count)
            let sol = solve(problem, try MethodRegistry.method(named: name), options: o)
            errors.append(abs((sol[sol.t.count - 1].first ?? .nan) - 2 * exp(-1.0)))
        }
        let slope = log(errors[0] / errors[errors.count - 1]) / log(Double(steps[steps.count - 1]) / Double(steps[0]))
        print("\(name): errors \(errors), observed order \(slope)")
        return slope
    }

    func testObservedOrders() throws {
        XCTAssertEqual(try observedOrder("Rodas4", steps: [8, 16, 32, 64]), 4, accuracy: 0.3)
        XCTAssertEqual(try observedOrder("Rosenbrock32", steps: [16, 32, 64, 128]), 3, accuracy: 0.3)
        XCTAssertEqual(try observedOrder("Rosenbrock23", steps: [16, 32, 64, 128]), 2, accuracy: 0.3)
    }

    func testRobertsonReference() throws {
        // Hairer & Wanner's ROBER at t = 40.
        let reference = [0.7158270687193267, 0.9185534764529951e-5, 0.2841637457458802]
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        for (name, tolerance) in [("Rodas4", 1e-6), ("Rosenbrock32", 1e-4)] {
            let sol = solve(StiffTests.robertson(), try MethodRegistry.method(named: name), options: o)
            XCTAssertEqual(sol.retcode, .success, "\(name): \(sol.message ?? "")")
            let end = Array(sol[sol.t.count - 1])
            for (a, b) in zip(end, reference) { XCTAssertEqual(a, b, accuracy: tolerance * abs(b), name) }
            print("\(name) Robertson t=40: \(sol.stats)")
        }
    }

    func testDenseOutputEndsWhereTheStepDoes() throws {
        let problem = ODEProblem({ du, u, p, t in du[0] = -1000 * (u[0] - cos(t)) - sin(t) }, u0: [1], tspan: (0, 2))
        var o = SolverOptions()
        o.reltol = 1e-6; o.abstol = 1e-8
        for name in ["Rodas4", "Rosenbrock32"] {
            let sol = solve(problem, try MethodRegistry.method(named: name), options: o)
            XCTAssertEqual(sol.retcode, .success, name)
            var worst = 0.0, jump = 0.0
            for i in 0..<sol.t.count - 1 where sol.t[i] > 0.05 {
                for theta in [0.25, 0.5, 0.75] {
                    let time = sol.t[i] + theta * (sol.t[i + 1] - sol.t[i])
                    guard let v = sol(time)?.first else { return XCTFail("no dense output") }
                    worst = max(worst, abs(v - cos(time)))
                }
                // Just before a step's end, the interpolant is at the saved state.
                let near = sol.t[i + 1] - 1e-9 * (sol.t[i + 1] - sol.t[i])
                jump = max(jump, abs((sol(near)?.first ?? .nan) - sol[i + 1][sol[i + 1].startIndex]))
            }
            XCTAssertLessThan(worst, 2e-5, name)
            XCTAssertLessThan(jump, 1e-9, "\(name): the dense output is continuous across steps")
        }
    }

    func testRodas4SolvesTheRobertsonDAE() throws {
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        o.saveat = .times([0.4, 4, 40])
        let ode = solve(StiffTests.robertson(), try MethodRegistry.method(named: "Rodas5P"), options: o)
        let dae = solve(MassMatrixTests.robertsonDAE(), try MethodRegistry.method(named: "Rodas4"), options: o)
        XCTAssertEqual(dae.retcode, .success, dae.message ?? "")
        guard dae.t == ode.t else { return XCTFail("saved at \(dae.t)") }
        for (a, b) in zip(dae.values, ode.values) { XCTAssertEqual(a, b, accuracy: 1e-6 * abs(b) + 1e-13) }
        let ode23s = solve(MassMatrixTests.robertsonDAE(), try MethodRegistry.method(named: "Rosenbrock32"), options: o)
        XCTAssertEqual(ode23s.retcode, .initialFailure, "a singular M needs a Rodas method")
    }

    func testStepsAllocateNothing() throws {
        guard allocationCounterIsActive else { throw XCTSkip("needs the interposed allocator") }
        for name in ["Rodas4", "Rosenbrock32"] {
            var o = SolverOptions()
            o.saveEverystep = false
            let integrator = ODEIntegrator(StiffTests.robertson(), try MethodRegistry.method(named: name), options: o)
            integrator.run()
            integrator.reinit()
            let count = allocations { integrator.run() }
            XCTAssertEqual(count, 0, name)
        }
    }
}
