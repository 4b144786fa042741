import DiffEq
import Foundation
import XCTest

/// Mass-matrix problems M u′ = f(u, p, t) with the Rosenbrock methods: Robertson as an index-1
/// DAE against its ODE form, consistent initialisation of the algebraic variable, a
/// nonsingular M against a closed form, and the errors for what cannot be solved.
final class MassMatrixTests: XCTestCase {
    /// Robertson with the third equation replaced by the conservation law y₁ + y₂ + y₃ = 1
    /// (M = diag(1, 1, 0)), as in SciML's DAE tutorial.
    static func robertsonDAE(u0: [Double] = [1, 0, 0], tEnd: Double = 40) -> ODEProblem {
        var f = ODEFunction({ du, u, p, t in
            du[0] = -0.04 * u[0] + 1e4 * u[1] * u[2]
            du[1] = 0.04 * u[0] - 1e4 * u[1] * u[2] - 3e7 * u[1] * u[1]
            du[2] = u[0] + u[1] + u[2] - 1
        })
        f.massMatrix = [1, 0, 0, 0, 1, 0, 0, 0, 0]
        return ODEProblem(f, u0: u0, tspan: (0, tEnd))
    }

    func options() -> SolverOptions {
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        o.saveat = .times([0.4, 4, 40])
        return o
    }

    func testRobertsonDAEMatchesTheODEForm() throws {
        let ode = solve(StiffTests.robertson(), try MethodRegistry.method(named: "Rodas5P"), options: options())
        XCTAssertEqual(ode.retcode, .success)
        for name in ["Rodas5P"] {
            let dae = solve(Self.robertsonDAE(), try MethodRegistry.method(named: name), options: options())
            XCTAssertEqual(dae.retcode, .success, "\(name): \(dae.message ?? "")")
            guard dae.t == ode.t else { return XCTFail("\(name): saved at \(dae.t)") }
            for s in 0..<ode.t.count {
                for j in 0..<3 {
                    let a = dae[s][dae[s].startIndex + j], b = ode[s][ode[s].startIndex + j]
                    XCTAssertEqual(a, b, accuracy: 2e-6 * abs(b) + 1e-13, "\(name) at t = \(ode.t[s]), y\(j + 1)")
                }
                // The algebraic equation holds at every saved point (to the tolerance).
                XCTAssertEqual(dae[s].reduce(0, +), 1, accuracy: 1e-10, name)
            }
        }
        // Hairer & Wanner's reference at 40, as for the ODE form.
        let dae = solve(Self.robertsonDAE(), try MethodRegistry.method(named: "Rodas5P"), options: options())
        let reference = [0.7158270687193267, 0.9185534764529951e-5, 0.2841637457458802]
        for (a, b) in zip(dae[dae.t.count - 1], reference) { XCTAssertEqual(a, b, accuracy: 1e-7 * b) }
    }

    func testInconsistentAlgebraicVariableIsInitialised() throws {
        var o = options()
        o.saveStart = true
        let sol = solve(Self.robertsonDAE(u0: [1, 0, 0.5]), try MethodRegistry.method(named: "Rodas5P"), options: o)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        guard sol.t.count == 4 else { return XCTFail("saved at \(sol.t)") }
        XCTAssertEqual(sol[0][sol[0].startIndex + 2], 0, accuracy: 1e-14, "y₃(0) made consistent: 1 − y₁ − y₂")
        let consistent = solve(Self.robertsonDAE(), try MethodRegistry.method(named: "Rodas5P"), options: o)
        for (a, b) in zip(sol.values, consistent.values) { XCTAssertEqual(a, b, accuracy: 1e-12 + 1e-9 * abs(b)) }
    }

    func testNonsingularMassMatrixMatchesTheClosedForm() throws {
        // 2u₁′ = −u₁, 3u₂′ = u₁ − u₂ with a coupling entry in M: M = [2 0; 1 3].
        // Then u₁ = e^{−t/2}, and 3u₂′ = u₁ − u₂ − u₁′ = (3/2) u₁ − u₂.
        var f = ODEFunction({ du, u, p, t in
            du[0] = -u[0]
            du[1] = u[0] - u[1]
        })
        f.massMatrix = [2, 1, 0, 3]   // column-major: M[1,0] = 1
        var o = SolverOptions()
        o.reltol = 1e-10; o.abstol = 1e-12
        o.saveat = .times([1, 2, 5])
        for name in ["Rodas5P", "Rosenbrock23"] {
            if name == "Rosenbrock23" { o.reltol = 1e-8; o.abstol = 1e-10 }
            let sol = solve(ODEProblem(f, u0: [1, 0], tspan: (0, 5)), try MethodRegistry.method(named: name), options: o)
            XCTAssertEqual(sol.retcode, .success, name)
            for (s, t) in sol.t.enumerated() {
                let u1 = exp(-t / 2)
                // u₂ = (3/2)(e^{−t/2} − e^{−t/3}) / (1/3 − 1/2) · (1/3) … solved: u₂ = 3 (e^{−t/3} − e^{−t/2}).
                let u2 = 3 * (exp(-t / 3) - exp(-t / 2))
                let tol = name == "Rodas5P" ? 1e-8 : 1e-5
                XCTAssertEqual(sol[s][sol[s].startIndex], u1, accuracy: tol, "\(name) u1(\(t))")
                XCTAssertEqual(sol[s][sol[s].startIndex + 1], u2, accuracy: tol, "\(name) u2(\(t))")
            }
        }
    }

    func testWhatCannotBeSolvedIsSaid() throws {
        // An explicit method.
        let explicit = solve(Self.robertsonDAE(), try MethodRegistry.method(named: "Tsit5"), options: options())
        XCTAssertEqual(explicit.retcode, .initialFailure)
        XCTAssertTrue(explicit.message?.contains("Rosenbrock") ?? false, explicit.message ?? "")
        // Rosenbrock23 with a singular M.
        let ode23s = solve(Self.robertsonDAE(), try MethodRegistry.method(named: "Rosenbrock23"), options: options())
        XCTAssertEqual(ode23s.retcode, .initialFailure)
        XCTAssertTrue(ode23s.message?.contains("Rodas5P") ?? false, ode23s.message ?? "")
        // A mass matrix of the wrong size.
        var wrong = Self.robertsonDAE()
        wrong.f.massMatrix = [1, 0, 0, 1]
        let sized = solve(wrong, try MethodRegistry.method(named: "Rodas5P"), options: options())
        XCTAssertEqual(sized.retcode, .initialFailure)
        XCTAssertTrue(sized.message?.contains("4 entries for 3 × 3") ?? false, sized.message ?? "")
        // An algebraic equation that does not involve the algebraic variable (index > 1 there).
        var f = ODEFunction({ du, u, p, t in
            du[0] = -u[0]
            du[1] = u[0] - 2
        })
        f.massMatrix = [1, 0, 0, 0]
        let singular = solve(ODEProblem(f, u0: [1, 0], tspan: (0, 1)), try MethodRegistry.method(named: "Rodas5P"))
        XCTAssertEqual(singular.retcode, .initialFailure)
        XCTAssertTrue(singular.message?.contains("singular") ?? false, singular.message ?? "")
        // No real solution: u₂² + 1 = 0.
        var g = ODEFunction({ du, u, p, t in
            du[0] = -u[0]
            du[1] = u[1] * u[1] + 1
        })
        g.massMatrix = [1, 0, 0, 0]
        let unsolvable = solve(ODEProblem(g, u0: [1, 0.5], tspan: (0, 1)), try MethodRegistry.method(named: "Rodas5P"))
        XCTAssertEqual(unsolvable.retcode, .initialFailure)
        XCTAssertTrue(unsolvable.message?.contains("not consistent") ?? false, unsolvable.message ?? "")
    }
}
