import Foundation
import Lang
import XCTest

/// The runner's REPL and script modes, interruption, and a no-crash fuzz of the interpreter.
final class InterpreterTests: XCTestCase {
    /// Runs `lines` through the plain REPL and returns what it wrote.
    func transcript(_ lines: [String]) -> (output: String, status: Int32) {
        var input = lines[...]
        var output = ""
        let interpreter = Interpreter(output: { _ in })
        let status = Runner.repl(interpreter: interpreter, readLine: { input.popFirst() }, write: { output += $0 })
        return (output, status)
    }

    func testReplShowsValuesLikeJulia() {
        let (output, status) = transcript([
            "using DiffEqFlux", "using Flux", "x = [1.0, 2.0];", "function f(u)", "    2u", "end", "f(x)",
            "A = [1 2; 3 4]", "nothing", "", "y = 1 +", "  2",
        ])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(output, """
            REPL[1]:1:1: note: 'using DiffEqFlux' is ignored: Fluxion's builtins are always available
              1 | using DiffEqFlux
                | ^~~~~~~~~~~~~~~~
            f (generic function with 1 method)
            2-element Vector{Float64}:
             2.0
             4.0
            2×2 Matrix{Int64}:
             1  2
             3  4
            3

            """)
    }

    func testReplSurvivesErrorsAndStopsAtExit() {
        let (output, status) = transcript(["v = [1, 2]", "v[3]", "v[1] + undefinedname", "1 +", "exit(4)", "println(\"never\")"])
        XCTAssertEqual(status, 4)
        XCTAssertTrue(output.contains("REPL[2]:1:3: error: BoundsError: attempt to access 2-element Vector{Int64} at index [3]"), output)
        XCTAssertTrue(output.contains("REPL[3]:1:8: error: UndefVarError: `undefinedname` not defined"), output)
        XCTAssertFalse(output.contains("never"))
    }

    func testReplReportsIncompleteInputAtEndOfFile() {
        let (output, _) = transcript(["function f(x)", "  x"])
        XCTAssertTrue(output.contains("error:"), output)
    }

    func testRunScriptPrintsOnlyOutputAndFailsWithStatusOne() {
        var printed = "", errors = ""
        let interpreter = Interpreter(output: { printed += $0 })
        let status = Runner.runScript("x = 2\nx + 1\nprintln(x * 3)\ny = x[5]\nprintln(\"after\")\n", file: "s.flx",
                                      interpreter: interpreter, errors: { errors += $0 })
        XCTAssertEqual(status, 1)
        XCTAssertEqual(printed, "6\n")
        XCTAssertEqual(errors, """
            s.flx:4:7: error: BoundsError: attempt to access Int64 at index [5]
              4 | y = x[5]
                |       ^
                = hint: valid indices are 1:1

            """)
        XCTAssertEqual(Runner.runScript("exit(3)", file: "e.flx", interpreter: Interpreter(output: { _ in }), errors: { _ in }), 3)
        XCTAssertEqual(Runner.runScript("1 +", file: "p.flx", interpreter: Interpreter(output: { _ in }), errors: { _ in }), 1)
    }

    func testInterruptStopsALoop() {
        let interpreter = Interpreter(output: { _ in })
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { interpreter.interrupt() }
        let evaluation = interpreter.evaluate(source: "i = 0\nwhile true\n  global i += 1\nend")
        XCTAssertEqual(evaluation.diagnostics.first?.message, "interrupted")
        XCTAssertEqual(evaluation.diagnostics.first?.span.line, 2)
        // The interpreter is still usable, and the flag does not leak into the next run.
        XCTAssertEqual(interpreter.evaluate(source: "i > 0").value, .bool(true))
    }

    func testGlobalsPersistAcrossEvaluations() {
        let interpreter = Interpreter(output: { _ in })
        _ = interpreter.evaluate(source: "f(x) = 2x\nk = 3")
        XCTAssertEqual(interpreter.evaluate(source: "f(k)").value, .int(6))
        XCTAssertEqual(interpreter.global("k"), .int(3))
    }

    func testRandomNumbersAreSeeded() {
        let first = Interpreter(seed: 7, output: { _ in }).evaluate(source: "rand(3)").value
        let second = Interpreter(seed: 7, output: { _ in }).evaluate(source: "rand(3)").value
        XCTAssertEqual(first, second)
        XCTAssertEqual(Interpreter(output: { _ in }).evaluate(source: "length(randn(2, 3))").value, .int(6))
    }

    /// Seeded random programs never crash the interpreter: each runs to a value or an error
    /// whose span lies inside its text and renders (a watchdog interrupts long loops).
    func testRandomProgramsDoNotCrash() {
        var failures = 0, successes = 0
        for seed in 0..<400 {
            var generator = RandomProgram(seed: UInt64(seed) &* 7919 &+ 11)
            let text = "x = 2.5; y = [1.0, 2.0]; v = [3, 1, 2]; A = [1.0 2.0; 3.0 4.0]; p = (t = 1.0, u = [1.0]);\n"
                + "f(a...; k = 1, tol = 1) = a; g(a...; k = 1, tol = 1) = 1.0; lotka!(a...; k = 1, tol = 1) = nothing;\n"
                + "θ = 0.5; u₀ = [1.0]; α₁ = 1; x̄ = 2.0; sol = (t = [0.0, 1.0], u = [1.0, 2.0], minimizer = 1.0);\n"
                + generator.program()
            let interpreter = Interpreter(seed: UInt64(seed), output: { _ in })
            DispatchQueue.global().asyncAfter(deadline: .now() + 1) { interpreter.interrupt() }
            let evaluation = interpreter.evaluate(source: text, file: "fuzz")
            let bytes = Array(text.utf8).count
            for diagnostic in evaluation.diagnostics where diagnostic.span.file == "fuzz" {
                XCTAssertTrue(diagnostic.span.start >= 0 && diagnostic.span.end <= bytes, "seed \(seed): span outside text")
            }
            _ = evaluation.renderedDiagnostics()
            _ = evaluation.value.display
            if evaluation.failed { failures += 1 } else { successes += 1 }
        }
        print("RandomProgram fuzz: \(successes) ran, \(failures) stopped with an error")
    }
}
