import DiffEq
import Foundation
import Lang
import XCTest

/// The engine builtins against the engine's Swift API, and their behaviour in the REPL.
final class EngineBuiltinTests: XCTestCase {
    static let lotkaVolterra = """
        function lotka!(du, u, p, t)
            du[1] = p[1]*u[1] - p[2]*u[1]*u[2]
            du[2] = -p[3]*u[2] + p[4]*u[1]*u[2]
        end
        p = [1.5, 1.0, 3.0, 1.0]; u0 = [1.0, 1.0]
        prob = ODEProblem(lotka!, u0, (0.0, 10.0), p)
        sol = solve(prob, Tsit5())
        sol2 = solve(prob, Vern7(), saveat=0.1, abstol=1e-8, reltol=1e-8)
        """

    /// The same problem solved through the Swift API.
    func swiftSolve(_ method: String, options: SolverOptions) throws -> ODESolution {
        let problem = ODEProblem({ du, u, p, _ in
            du[0] = p[0] * u[0] - p[1] * u[0] * u[1]
            du[1] = -p[2] * u[1] + p[3] * u[0] * u[1]
        }, u0: [1.0, 1.0], tspan: (0.0, 10.0), p: [1.5, 1.0, 3.0, 1.0])
        return solve(problem, try MethodRegistry.method(named: method), options: options)
    }

    func interpretedSolution(_ interpreter: Interpreter, _ name: String) -> ODESolution? {
        guard case .engine(.solution(let object))? = interpreter.global(name) else { return nil }
        return object.solution
    }

    func testInterpretedLotkaVolterraMatchesTheSwiftAPI() throws {
        let interpreter = Interpreter(output: { _ in })
        let evaluation = interpreter.evaluate(source: Self.lotkaVolterra)
        XCTAssertFalse(evaluation.failed, evaluation.renderedDiagnostics())
        let interpreted = try XCTUnwrap(interpretedSolution(interpreter, "sol"))
        let reference = try swiftSolve("Tsit5", options: SolverOptions())
        XCTAssertEqual(interpreted.retcode, .success)
        XCTAssertEqual(interpreted.t, reference.t)
        XCTAssertEqual(interpreted.values, reference.values)
        XCTAssertEqual(interpreted.stats, reference.stats)
        XCTAssertEqual(interpreted(5.0), reference(5.0))

        var options = SolverOptions()
        options.saveat = .every(0.1)
        options.abstol = 1e-8
        options.reltol = 1e-8
        let interpreted2 = try XCTUnwrap(interpretedSolution(interpreter, "sol2"))
        let reference2 = try swiftSolve("Vern7", options: options)
        XCTAssertEqual(interpreted2.t.count, 101)
        XCTAssertEqual(interpreted2.t, reference2.t)
        XCTAssertEqual(interpreted2.values, reference2.values)
    }

    func testReplSurvivesAnErrorInsideTheRightHandSide() {
        var input = [
            "function bad!(du, u, p, t)", "    du[1] = u[3]", "end",
            "sol = solve(ODEProblem(bad!, [1.0, 1.0], (0.0, 1.0)), Tsit5())",
            "function f!(du, u, p, t)", "    du[1] = -u[1]", "end",
            "solve(ODEProblem(f!, [1.0], (0.0, 1.0)), Tsit5()).retcode",
        ][...]
        var output = ""
        let status = Runner.repl(interpreter: Interpreter(output: { _ in }), readLine: { input.popFirst() },
                                 write: { output += $0 })
        XCTAssertEqual(status, 0)
        XCTAssertTrue(output.contains("REPL[1]:2:15: error: BoundsError"), output)
        XCTAssertTrue(output.contains("raised in bad! while solving, at t = 0.0"), output)
        XCTAssertTrue(output.hasSuffix(":Success\n"), output)
    }

    func testSolutionAndPlotDisplay() {
        let interpreter = Interpreter(output: { _ in })
        _ = interpreter.evaluate(source: Self.lotkaVolterra)
        let shown = interpreter.evaluate(source: "sol").value.display
        XCTAssertTrue(shown.hasPrefix("retcode: Success\nmethod: Tsit5()"), shown)
        let plot = interpreter.evaluate(source: "plot(sol, title=\"LV\")").value.display
        XCTAssertTrue(plot.contains("u1(t)") && plot.contains("u2(t)") && plot.contains("LV"), plot)
        XCTAssertEqual(plot.split(separator: "\n").count, 20)
        XCTAssertTrue(plot.unicodeScalars.contains { (0x2800...0x28FF).contains($0.value) }, "braille by default")
        interpreter.unicode = false
        let ascii = interpreter.evaluate(source: "plot(sol)").value.display
        XCTAssertTrue(ascii.unicodeScalars.allSatisfy(\.isASCII), ascii)
    }
}
