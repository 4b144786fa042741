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
}
