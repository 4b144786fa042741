import DiffEq
import Foundation
import Lang
import XCTest

/// `EnsembleThreads` against `EnsembleSerial`: the same members, in the same order, bit for bit;
/// and threads only where the solves never call back into the interpreter.
final class LangEnsembleTests: XCTestCase {
    static let setup = """
        function lotka!(du, u, p, t)
            du[1] = p[1]*u[1] - p[2]*u[1]*u[2]
            du[2] = -p[3]*u[2] + p[4]*u[1]*u[2]
        end
        prob = ODEProblem(lotka!, [1.0, 1.0], (0.0, 10.0), [1.5, 1.0, 3.0, 1.0])
        prob_func(prob, i, repeat) = remake(prob, u0 = [1.0 + 0.05i, 1.0], p = [1.5, 1.0, 3.0, 1.0 + 0.01i])
        """

    func ensemble(_ interpreter: Interpreter, _ source: String) throws -> EnsembleSolutionObject {
        let evaluation = interpreter.evaluate(source: "sim = " + source)
        XCTAssertFalse(evaluation.failed, evaluation.renderedDiagnostics())
        guard case .engine(.ensembleSolution(let sim))? = interpreter.global("sim") else {
            throw XCTSkip("no ensemble solution")
        }
        return sim
    }

    func assertIdentical(_ a: EnsembleSolutionObject, _ b: EnsembleSolutionObject, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try XCTUnwrap(a.solutions, file: file, line: line), y = try XCTUnwrap(b.solutions, file: file, line: line)
        XCTAssertEqual(x.count, y.count, file: file, line: line)
        for (k, (s, r)) in zip(x, y).enumerated() {
            XCTAssertEqual(s.t, r.t, "member \(k + 1)", file: file, line: line)
            XCTAssertEqual(s.values, r.values, "member \(k + 1)", file: file, line: line)
            XCTAssertEqual(s.stats, r.stats, "member \(k + 1)", file: file, line: line)
        }
    }

    func testThreadsSolveTracedMembersConcurrentlyAndMatchSerialBitForBit() throws {
        let interpreter = Interpreter(output: { _ in })
        XCTAssertFalse(interpreter.evaluate(source: Self.setup).failed)
        let eprob = "EnsembleProblem(prob, prob_func = prob_func)"
        let serial = try ensemble(interpreter, "solve(\(eprob), Tsit5(), EnsembleSerial(), trajectories = 64)")
        let threads = try ensemble(interpreter, "solve(\(eprob), Tsit5(), EnsembleThreads(), trajectories = 64)")
        XCTAssertFalse(serial.ranConcurrently)
        XCTAssertEqual(threads.ranConcurrently, true, "traced members are solved on several threads")
        try assertIdentical(serial, threads)
        // The members differ (prob_func ran per member, in order).
        let first = try XCTUnwrap(threads.solutions?.first), last = try XCTUnwrap(threads.solutions?.last)
        XCTAssertEqual(first.values[0], 1.05)
        XCTAssertEqual(last.values[0], 1.0 + 0.05 * 64, accuracy: 1e-12)
        // Against each member solved alone.
        XCTAssertFalse(interpreter.evaluate(source: "alone = solve(prob_func(prob, 17, 1), Tsit5())").failed)
        guard case .engine(.solution(let alone))? = interpreter.global("alone") else { return XCTFail("no solution") }
        XCTAssertEqual(threads.solutions?[16].values, alone.solution.values)
    }

    func testInterpretedMembersAndLanguageCallbacksRunSeriallyUnderThreads() throws {
        let interpreter = Interpreter(output: { _ in })
        XCTAssertFalse(interpreter.evaluate(source: Self.setup + """

            slow = ODEProblem(lotka!, [1.0, 1.0], (0.0, 10.0), [1.5, 1.0, 3.0, 1.0], trace = false)
            function nudge!(integrator)
                integrator.u[2] = 0.5 * integrator.u[2]
            end
            stop = ContinuousCallback((u, t, integrator) -> u[1] - 2.5, nudge!)
            """).failed)
        for (name, keywords) in [("slow", ""), ("prob", ", callback = stop")] {
            let eprob = "EnsembleProblem(\(name), prob_func = prob_func)"
            let serial = try ensemble(interpreter, "solve(\(eprob), Tsit5(), EnsembleSerial(), trajectories = 6\(keywords))")
            let threads = try ensemble(interpreter, "solve(\(eprob), Tsit5(), EnsembleThreads(), trajectories = 6\(keywords))")
            XCTAssertFalse(threads.ranConcurrently, name)
            try assertIdentical(serial, threads)
        }
    }
}
