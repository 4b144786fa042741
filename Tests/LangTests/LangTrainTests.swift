import Foundation
import Lang
import XCTest

/// `train`: progress reports (throttled), printed progress lines, and Ctrl-C.
final class LangTrainTests: XCTestCase {
    final class Reports: @unchecked Sendable {
        let lock = NSLock()
        var items: [TrainingProgress] = []
        func add(_ p: TrainingProgress) { lock.lock(); items.append(p); lock.unlock() }
        var all: [TrainingProgress] { lock.lock(); defer { lock.unlock() }; return items }
    }

    func testResultDisplayLeadsWithTheBestLossAndElidesLongParameters() {
        let interpreter = Interpreter(output: { _ in })
        let result = interpreter.evaluate(source: """
            loss(θ) = sum(abs2, θ .- 1.0)
            train(loss, zeros(20), LBFGS(), maxiters=50, progress=false)
            """)
        XCTAssertFalse(result.failed, result.renderedDiagnostics())
        let lines = result.value.display.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("LBFGS: best loss ") ?? false, lines.first ?? "")
        XCTAssertTrue(lines.last?.hasSuffix("(20 elements; res.u shows all)") ?? false, lines.last ?? "")
        XCTAssertEqual(lines.last?.components(separatedBy: ", ").count, 6, lines.last ?? "")  // three, the ellipsis, two
    }

    func testProgressHookIsCalledThrottledAndLast() {
        var printed = ""
        let interpreter = Interpreter(output: { printed += $0 })
        let reports = Reports()
        interpreter.trainingProgress = { reports.add($0) }
        let start = Date()
        let result = interpreter.evaluate(source: """
            loss(θ) = sum(abs2, θ .- [1.0, 2.0])
            res = train(loss, [0.0, 0.0], Adam(0.01), maxiters=20000)
            res.iterations
            """)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertFalse(result.failed, result.renderedDiagnostics())
        XCTAssertEqual(result.value.repr, "20000")
        XCTAssertEqual(printed, "", "the hook replaces the printed lines")
        let items = reports.all
        XCTAssertGreaterThanOrEqual(items.count, 1)
        XCTAssertLessThanOrEqual(Double(items.count), elapsed * 10 + 2, "at most ten reports a second plus the last")
        guard let last = items.last else { return }
        XCTAssertTrue(last.finished)
        XCTAssertEqual(last.iteration, 20000)
        XCTAssertEqual(last.maxiters, 20000)
        XCTAssertEqual(last.losses.count, 20000)
        XCTAssertEqual(last.method, "Adam")
        XCTAssertEqual(items.filter(\.finished).count, 1)
        XCTAssertTrue(zip(items, items.dropFirst()).allSatisfy { $0.iteration < $1.iteration })
    }

    func testScriptsPrintThrottledProgressLines() {
        var printed = ""
        let interpreter = Interpreter(output: { printed += $0 })
        let result = interpreter.evaluate(source: """
            loss(θ) = sum(abs2, θ .- [1.0, 2.0])
            res = train(loss, [0.0, 0.0], Adam(0.1), maxiters=300)
            """)
        XCTAssertFalse(result.failed, result.renderedDiagnostics())
        let lines = printed.split(separator: "\n")
        XCTAssertGreaterThanOrEqual(lines.count, 1)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("train: iter ") && $0.hasSuffix(" it/s") }, printed)
        XCTAssertTrue(lines.last?.hasPrefix("train: iter 300/300  loss ") ?? false, printed)
        XCTAssertTrue(result.value.display.contains("MaxIters"), result.value.display)
    }

    func testInterruptStopsTraining() {
        let interpreter = Interpreter(output: { _ in })
        let reports = Reports()
        interpreter.trainingProgress = { reports.add($0) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { interpreter.interrupt() }
        let start = Date()
        let result = interpreter.evaluate(source: """
            loss(θ) = sum(abs2, θ .- [1.0, 2.0])
            train(loss, [0.0, 0.0], Descent(1e-9), maxiters=100000000)
            """)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertEqual(result.diagnostics.first?.message, "interrupted")
        XCTAssertEqual(reports.all.last?.finished, true)
    }
}
