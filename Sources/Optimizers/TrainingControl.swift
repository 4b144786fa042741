import Foundation

/// The handle another thread holds on a training run: pause, resume and cancel it, and read
/// the latest `TrainingEvent` (the workbench redraws from it at ≤ 30 Hz) and, at the end,
/// the result.
///
/// The training loop calls in at the top of every iteration: there it parks while paused
/// and ends with `.cancelled` once cancelled, so the effect is seen within one iteration
/// (an iteration in progress is never interrupted). One control belongs to one run; a run
/// given an already cancelled control stops before its first iteration. Pausing from the
/// training thread itself (inside the callback) parks the run until another thread resumes it.
///
/// `@unchecked Sendable`: every stored property is read and written only while `condition`
/// (an `NSCondition`, i.e. a mutex with a condition variable) is locked.
public final class TrainingControl: @unchecked Sendable {
    private let condition = NSCondition()
    private var pauseRequested = false
    private var parked = false
    private var cancelled = false
    private var finished = false
    private var latest: TrainingEvent?
    private var published = 0
    private var outcome: TrainingResult?

    public init() {}

    /// Asks the run to stop before its next iteration until `resume()`.
    public func pause() { locked { pauseRequested = true } }

    /// Lets a paused run go on.
    public func resume() {
        locked {
            pauseRequested = false
            condition.broadcast()
        }
    }

    /// Ends the run before its next iteration (also while paused); it returns `.cancelled`
    /// with the best parameters so far.
    public func cancel() {
        locked {
            cancelled = true
            condition.broadcast()
        }
    }

    /// Whether a pause has been asked for (and not resumed).
    public var isPauseRequested: Bool { locked { pauseRequested } }
    /// Whether the run is parked between iterations by a pause.
    public var isPaused: Bool { locked { parked } }
    /// Whether `cancel()` has been called.
    public var isCancelled: Bool { locked { cancelled } }
    /// Whether the run has returned its result.
    public var isFinished: Bool { locked { finished } }

    /// The newest event, if any iteration has completed.
    public var latestEvent: TrainingEvent? { locked { latest } }
    /// How many events have been published: a reader redraws when this changes.
    public var eventCount: Int { locked { published } }
    /// The newest event and its number, in one locked read.
    public func snapshot() -> (event: TrainingEvent?, count: Int) { locked { (latest, published) } }
    /// The run's result once it has finished.
    public var result: TrainingResult? { locked { outcome } }

    /// Waits until the run is parked by a pause (true), or finished or `timeout` seconds
    /// passed (false).
    @discardableResult
    public func waitUntilPaused(timeout: Double) -> Bool {
        wait(timeout: timeout) { parked || finished } && locked { parked }
    }

    /// Waits until the run has finished (true) or `timeout` seconds passed (false).
    @discardableResult
    public func waitUntilFinished(timeout: Double) -> Bool {
        wait(timeout: timeout) { finished }
    }

    /// Waits until at least `count` events have been published or the run finished (true),
    /// or `timeout` seconds passed (false).
    @discardableResult
    public func waitForEvents(_ count: Int, timeout: Double) -> Bool {
        wait(timeout: timeout) { published >= count || finished }
    }

    // MARK: - The training loop's side

    /// Parks while paused; false once cancelled.
    func checkpoint() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while pauseRequested && !cancelled {
            if !parked {
                parked = true
                condition.broadcast()
            }
            condition.wait()
        }
        parked = false
        return !cancelled
    }

    func publish(_ event: TrainingEvent) {
        locked {
            latest = event
            published += 1
            condition.broadcast()
        }
    }

    func finish(_ result: TrainingResult) {
        locked {
            outcome = result
            finished = true
            parked = false
            condition.broadcast()
        }
    }

    private func wait(timeout: Double, until done: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Swift.max(timeout, 0))
        condition.lock()
        defer { condition.unlock() }
        while !done() {
            if !condition.wait(until: deadline) { return done() }
        }
        return true
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }
}
