import DiffEq
import Foundation
import Lang
import XCTest

/// Language right-hand sides traced into the IR against the Swift API and the interpreter.
final class TracingTests: XCTestCase {
    func solution(_ interpreter: Interpreter, _ name: String) -> ODESolution? {
        guard case .engine(.solution(let object))? = interpreter.global(name) else { return nil }
        return object.solution
    }

    func testTracedLotkaVolterraIsBitwiseTheSwiftAPI() throws {
        let interpreter = Interpreter(output: { _ in })
        let evaluation = interpreter.evaluate(source: EngineBuiltinTests.lotkaVolterra + """

            slow = ODEProblem(lotka!, u0, (0.0, 10.0), p; trace=false)
            soli = solve(slow, Tsit5())
            """)
        XCTAssertFalse(evaluation.failed, evaluation.renderedDiagnostics())
        let problem = try XCTUnwrap(interpreter.global("prob"))
        XCTAssertTrue(problem.display.contains("traced: "), problem.display)
        let traced = try XCTUnwrap(solution(interpreter, "sol"))
        let interpreted = try XCTUnwrap(solution(interpreter, "soli"))
        let reference = solve(ODEProblem({ du, u, p, _ in
            du[0] = p[0] * u[0] - p[1] * u[0] * u[1]
            du[1] = -p[2] * u[1] + p[3] * u[0] * u[1]
        }, u0: [1.0, 1.0], tspan: (0.0, 10.0), p: [1.5, 1.0, 3.0, 1.0]), try MethodRegistry.method(named: "Tsit5"))
        XCTAssertEqual(traced.retcode, .success)
        XCTAssertEqual(traced.t, reference.t)
        XCTAssertEqual(traced.values, reference.values)
        XCTAssertEqual(traced.stats, reference.stats)
        XCTAssertEqual(traced(5.0), reference(5.0))
        XCTAssertEqual(traced.values, interpreted.values)
    }

    func testTracedControlFlowIsAnErrorNamingIfelse() {
        let interpreter = Interpreter(output: { _ in })
        let evaluation = interpreter.evaluate(source: """
            f(u, p, t) = u[1] > 0 && u[2] > 0 ? -u : u
            ODEProblem(f, [1.0, 1.0], (0.0, 1.0))
            """)
        XCTAssertTrue(evaluation.failed)
        XCTAssertTrue(evaluation.renderedDiagnostics().contains("ifelse"), evaluation.renderedDiagnostics())
    }

    func testUniversalODEWithANetworkIsTracedAndAgreesWithTheInterpretedOne() throws {
        let interpreter = Interpreter(output: { _ in })
        let evaluation = interpreter.evaluate(source: """
            rbf(x) = exp.(-(x .^ 2))
            U = Chain(Dense(2, 5, rbf), Dense(5, 5, rbf), Dense(5, 2))
            θ = initial_params(U)
            α = 1.3; δ = 1.8
            function ude!(du, u, p, t)
                û = U(u, p, nothing)[1]
                du[1] = α*u[1] + û[1]
                du[2] = -δ*u[2] + û[2]
            end
            prob = ODEProblem(ude!, [0.44, 4.6], (0.0, 5.0), θ)
            slow = ODEProblem(ude!, [0.44, 4.6], (0.0, 5.0), θ; trace=false)
            sol = solve(prob, Tsit5(), saveat=0.25)
            soli = solve(slow, Tsit5(), saveat=0.25)
            """)
        XCTAssertFalse(evaluation.failed, evaluation.renderedDiagnostics())
        let problem = try XCTUnwrap(interpreter.global("prob"))
        XCTAssertTrue(problem.display.contains("traced: "), problem.display)
        let traced = try XCTUnwrap(solution(interpreter, "sol"))
        let interpreted = try XCTUnwrap(solution(interpreter, "soli"))
        XCTAssertEqual(traced.retcode, .success)
        XCTAssertEqual(traced.t.count, 21)
        for (a, b) in zip(traced.values, interpreted.values) { XCTAssertEqual(a, b, accuracy: 1e-12) }
    }
}
