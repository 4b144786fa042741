import XCTest
import Lang
import TextPlots
@testable import Workbench

/// The evaluation thread: output and plots arrive as events while the input runs, in
/// order, then the result; Ctrl-C interrupts; a busy session refuses new input.
final class AsyncEvaluationTests: XCTestCase {
    /// Applies events until `done` holds or `timeout` seconds pass; returns whether it held.
    func pump(_ session: WorkbenchSession, timeout: TimeInterval = 20, until done: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            session.applyEvents()
            if done() { return true }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return false
    }

    func outputs(_ session: WorkbenchSession) -> [String] {
        session.model.transcript.filter { $0.kind == .output }.map(\.text)
    }

    func testOutputArrivesInOrderThenResult() {
        let session = WorkbenchSession()
        defer { session.stopEvaluating(timeout: 5) }
        let woken = Wakes()
        XCTAssertEqual(session.start("for i in 1:3; println(\"line \", i); end; print(\"tail\"); 6*7",
                                     wake: { woken.add() }), .evaluating)
        XCTAssertTrue(session.isEvaluating)
        XCTAssertEqual(session.model.mode, "evaluating")
        XCTAssertTrue(pump(session) { !session.isEvaluating })
        XCTAssertEqual(outputs(session), ["line 1", "line 2", "line 3", "tail", "42"])
        XCTAssertEqual(session.model.lastResult, "42")
        XCTAssertEqual(session.model.mode, "ready")
        XCTAssertGreaterThan(woken.count, 0)
        // The next input runs on the same thread and sees the same globals.
        XCTAssertEqual(session.start("x = 5", wake: nil), .evaluating)
        XCTAssertTrue(pump(session) { !session.isEvaluating })
        XCTAssertEqual(session.start("x + 1"), .evaluating)
        XCTAssertTrue(pump(session) { !session.isEvaluating })
        XCTAssertEqual(session.model.lastResult, "6")
    }

    func testOutputIsLiveAndInterruptEndsTheRun() {
        let session = WorkbenchSession()
        defer { session.stopEvaluating(timeout: 5) }
        XCTAssertEqual(session.start("println(\"first\"); p = plot([1,2,3]); while true; end"), .evaluating)
        // The printed line and the plot show while the loop still runs.
        XCTAssertTrue(pump(session) { outputs(session).contains("first") && session.model.plot != nil })
        XCTAssertTrue(session.isEvaluating)
        XCTAssertTrue(session.evaluatingMode().hasPrefix("evaluating "), session.evaluatingMode())
        XCTAssertTrue(session.evaluatingMode().hasSuffix(" s"), session.evaluatingMode())
        // A line entered meanwhile is refused and not echoed.
        let lines = session.model.transcript.count
        XCTAssertEqual(session.start("1+1"), .busy)
        XCTAssertEqual(session.model.transcript.count, lines)
        session.interpreter.interrupt()
        XCTAssertTrue(pump(session) { !session.isEvaluating })
        XCTAssertEqual(session.model.error, "interrupted")
        let texts = session.model.transcript.map(\.text)
        let first = texts.firstIndex(of: "first"), error = texts.lastIndex { $0.contains("interrupted") }
        XCTAssertNotNil(first)
        XCTAssertNotNil(error)
        if let first, let error { XCTAssertLessThan(first, error) }
        // The session carries on.
        XCTAssertEqual(session.start("1+1"), .evaluating)
        XCTAssertTrue(pump(session) { !session.isEvaluating })
        XCTAssertEqual(session.model.lastResult, "2")
        XCTAssertNil(session.model.error)
    }

    func testPlotInLoopUpdatesLive() {
        let session = WorkbenchSession()
        defer { session.stopEvaluating(timeout: 5) }
        XCTAssertEqual(session.start("p = plot([1.0, 2.0]); for k in 1:3; plot!(p, [1.0, 2.0], [k, k]); end; 0"),
                       .evaluating)
        var seriesCounts: [Int] = []
        XCTAssertTrue(pump(session) {
            // Apply one batch at a time is not guaranteed; record what the pane would show.
            if let plot = session.model.plot, seriesCounts.last != plot.series.count {
                seriesCounts.append(plot.series.count)
            }
            return !session.isEvaluating
        })
        XCTAssertEqual(session.model.plot?.series.count, 4)
        XCTAssertEqual(seriesCounts.last, 4)
        XCTAssertEqual(session.model.lastResult, "0")
    }

    func testIncompleteInputWaitsAndSyncPathStillWorks() {
        let session = WorkbenchSession()
        defer { session.stopEvaluating(timeout: 5) }
        XCTAssertEqual(session.start("function g(x)"), .waiting)
        XCTAssertFalse(session.isEvaluating)
        XCTAssertEqual(session.start("  x + 1"), .waiting)
        XCTAssertEqual(session.start("end"), .evaluating)
        XCTAssertTrue(pump(session) { !session.isEvaluating })
        session.submit("g(1)")
        XCTAssertEqual(session.model.lastResult, "2")
    }

    func testExitRequestArrivesWithTheResult() {
        let session = WorkbenchSession()
        defer { session.stopEvaluating(timeout: 5) }
        XCTAssertEqual(session.start("exit(3)"), .evaluating)
        XCTAssertTrue(pump(session) { !session.isEvaluating })
        XCTAssertEqual(session.exitRequest, 3)
    }
}

/// Counts wake-ups from the evaluation thread.
final class Wakes: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() {
        lock.lock()
        value += 1
        lock.unlock()
    }
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

/// `train` in the workbench: progress in the status line and the loss curve in the plot pane.
final class TrainingProgressTests: XCTestCase {
    func testStatusShowsTrainingProgress() {
        let session = WorkbenchSession()
        defer { session.stopEvaluating(timeout: 5) }
        XCTAssertEqual(session.start("loss(θ) = sum(abs2, θ .- [1.0, 2.0]); "
                                     + "res = train(loss, [0.0, 0.0], Descent(1e-9), maxiters=100000000)"), .evaluating)
        var seen = false
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline && !seen {
            session.applyEvents()
            seen = session.training != nil
            Thread.sleep(forTimeInterval: 0.005)
        }
        XCTAssertTrue(seen)
        let mode = session.evaluatingMode()
        XCTAssertTrue(mode.hasPrefix("training ") && mode.contains("/100000000") && mode.hasSuffix(" it/s"), mode)
        XCTAssertEqual(session.model.mode, mode)
        XCTAssertEqual(session.model.plot?.yScale, .log10)
        XCTAssertEqual(session.model.plot?.series.count, 1)
        session.interpreter.interrupt()
        while Date() < deadline && session.isEvaluating {
            session.applyEvents()
            Thread.sleep(forTimeInterval: 0.005)
        }
        XCTAssertFalse(session.isEvaluating)
        XCTAssertNil(session.training)
        XCTAssertEqual(session.model.error, "interrupted")
    }
}
