import Foundation
import Optimizers
import XCTest

/// Pause, resume and cancel; the latest-event mailbox. Every wait is bounded, so a broken
/// control fails the test instead of hanging it.
final class TrainingControlTests: XCTestCase {
    func testCancelFromTheCallbackThreadStopsBeforeTheNextIteration() {
        let control = TrainingControl()
        let result = train(TestProblems.quadratic, [0, 0, 0, 0], Adam(), maxiters: 100, control: control) { event in
            if event.iteration == 5 { control.cancel() }
            return false
        }
        XCTAssertEqual(result.stopReason, .cancelled)
        XCTAssertEqual(result.iterations, 5)
        XCTAssertTrue(control.isCancelled)
        XCTAssertTrue(control.isFinished)
        XCTAssertEqual(control.result?.stopReason, .cancelled)
        XCTAssertEqual(control.eventCount, 5)
        XCTAssertEqual(control.latestEvent?.iteration, 5)
        XCTAssertEqual(control.latestEvent?.parameters.count, 4)
    }

    func testAControlCancelledBeforehandStopsAtOnce() {
        let control = TrainingControl()
        control.cancel()
        let result = train(TestProblems.quadratic, [1, 2, 3, 4], Adam(), maxiters: 100, control: control)
        XCTAssertEqual(result.stopReason, .cancelled)
        XCTAssertEqual(result.iterations, 0)
        XCTAssertEqual(result.minimizer, [1, 2, 3, 4])
        XCTAssertNil(control.latestEvent)
    }

    /// Trains on a background thread until cancelled; the result lands in the control.
    func startBackgroundTraining(_ control: TrainingControl) {
        let thread = Thread {
            _ = train(TestProblems.rosenbrock, [-1.2, 1], Adam(0.001), maxiters: 100_000_000,
                      stopping: StoppingRules(timeLimit: 60), control: control)
        }
        thread.start()
    }

    func testPauseFromAnotherThreadStopsIterationsUntilResumed() {
        let control = TrainingControl()
        let clock = ContinuousClock(), started = clock.now
        startBackgroundTraining(control)
        XCTAssertTrue(control.waitForEvents(20, timeout: 10), "training started")

        control.pause()
        XCTAssertTrue(control.isPauseRequested)
        XCTAssertTrue(control.waitUntilPaused(timeout: 10), "the loop parks")
        XCTAssertTrue(control.isPaused)
        let parkedAt = control.eventCount
        // Paused: nothing happens for 0.2 s.
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(control.eventCount, parkedAt, "no iterations while paused")
        XCTAssertTrue(control.isPaused)
        XCTAssertFalse(control.isFinished)

        control.resume()
        XCTAssertTrue(control.waitForEvents(parkedAt + 20, timeout: 10), "iterations resume")
        XCTAssertFalse(control.isPaused)

        control.cancel()
        XCTAssertTrue(control.waitUntilFinished(timeout: 10), "cancel ends the run")
        let result = control.result
        XCTAssertEqual(result?.stopReason, .cancelled)
        XCTAssertGreaterThanOrEqual(result?.iterations ?? 0, parkedAt + 20)
        XCTAssertEqual(result?.iterations, control.eventCount)
        // Elapsed time leaves the pause out: the run was parked for at least 0.2 s of it.
        let wall = clock.now - started
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
        XCTAssertLessThanOrEqual(result?.elapsed ?? .infinity, wallSeconds - 0.2)
    }

    func testCancelWhilePausedEndsTheRun() {
        let control = TrainingControl()
        startBackgroundTraining(control)
        XCTAssertTrue(control.waitForEvents(5, timeout: 10))
        control.pause()
        XCTAssertTrue(control.waitUntilPaused(timeout: 10))
        let parkedAt = control.eventCount
        control.cancel()
        XCTAssertTrue(control.waitUntilFinished(timeout: 10))
        XCTAssertEqual(control.result?.stopReason, .cancelled)
        XCTAssertEqual(control.result?.iterations, parkedAt)
        XCTAssertFalse(control.isPaused)
    }

    func testMailboxIsReadableWhileTraining() {
        let control = TrainingControl()
        startBackgroundTraining(control)
        var lastIteration = 0
        for _ in 0..<20 {
            XCTAssertTrue(control.waitForEvents(lastIteration + 1, timeout: 10))
            let (event, count) = control.snapshot()
            guard let event else { return XCTFail("an event after waiting for one") }
            XCTAssertGreaterThan(event.iteration, lastIteration)
            XCTAssertEqual(event.iteration, count)
            XCTAssertEqual(event.method, "Adam")
            lastIteration = event.iteration
        }
        control.cancel()
        XCTAssertTrue(control.waitUntilFinished(timeout: 10))
    }

    func testWaitsTimeOut() {
        let control = TrainingControl()
        XCTAssertFalse(control.waitUntilFinished(timeout: 0.01))
        XCTAssertFalse(control.waitUntilPaused(timeout: 0.01))
        XCTAssertFalse(control.waitForEvents(1, timeout: 0.01))
    }
}
