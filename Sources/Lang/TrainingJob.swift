import Foundation
import Optimizers
import TextPlots

/// Where a background training job is.
public enum TrainingJobState: String, Sendable {
    /// Waiting for the jobs before it (jobs run one at a time, first in first out).
    case queued
    /// Iterating.
    case running
    /// Parked between iterations by `:pause` or Ctrl-C until `:resume`.
    case paused
    /// Finished on its own (iteration limit, convergence, the callback).
    case done
    /// Ended by `:stop`; its result holds the best parameters seen.
    case stopped
    /// Ended by an error (in the loss, the callback or the set-up).
    case failed

    /// Whether the job has not ended yet.
    public var isActive: Bool { self == .queued || self == .running || self == .paused }
}

/// What the panes show of a job: a value copied out under the job's lock, so the UI thread
/// draws from it while the job's thread goes on.
public struct TrainingJobSnapshot: Sendable, Equatable {
    /// `1`, `2`, … in the order `train` made them.
    public var id: Int
    /// `Adam(0.05)`.
    public var optimizer: String
    public var state: TrainingJobState
    /// Iterations done, and the limit.
    public var iteration: Int, maxiters: Int
    /// The latest and the lowest finite loss (NaN before the first iteration).
    public var loss: Double, bestLoss: Double
    /// One loss per iteration.
    public var losses: [Double]
    /// The latest parameters, and the gradient of the latest loss evaluation (empty until known).
    public var parameters: [Double], gradient: [Double]
    /// A name per parameter: `θ[1]`, …, or `layer_1[3]`, `α` for a ComponentVector.
    public var names: [String]
    /// Seconds of training, pauses excluded.
    public var elapsed: Double
    /// Why it failed, or how it ended.
    public var message: String?

    public init(id: Int, optimizer: String, state: TrainingJobState, iteration: Int, maxiters: Int, loss: Double,
                bestLoss: Double, losses: [Double], parameters: [Double], gradient: [Double], names: [String],
                elapsed: Double, message: String? = nil) {
        self.id = id
        self.optimizer = optimizer
        self.state = state
        self.iteration = iteration
        self.maxiters = maxiters
        self.loss = loss
        self.bestLoss = bestLoss
        self.losses = losses
        self.parameters = parameters
        self.gradient = gradient
        self.names = names
        self.elapsed = elapsed
        self.message = message
    }

    /// Iterations per second.
    public var rate: Double { elapsed > 0 ? Double(iteration) / elapsed : 0 }

    /// Seconds left at the current rate (nil before the rate is known).
    public var eta: Double? {
        guard rate > 0, state.isActive else { return nil }
        return Double(max(0, maxiters - iteration)) / rate
    }
}

/// A `train` call running in the background (the workbench's `train`): it owns a snapshot
/// interpreter, trains on the jobs' thread, and hands its result back as a value.
///
/// `@unchecked Sendable`: the mutable state is read and written only under `lock`; the
/// `TrainingControl` is itself thread-safe.
public final class TrainingJob: @unchecked Sendable {
    public let id: Int
    /// `Adam(0.05)`.
    public let optimizer: String
    /// The iteration limit.
    public let maxiters: Int
    /// Pause, resume and cancel, from any thread.
    let control = TrainingControl()
    private let lock = NSCondition()
    private var state = TrainingJobState.queued
    private var losses: [Double] = []
    private var gradient: [Double] = []
    private var names: [String]
    private var latest: TrainingEvent?
    private var outcome: Result<TrainingObject, LangError>?
    private var stopRequested = false

    init(id: Int, optimizer: String, maxiters: Int, names: [String]) {
        self.id = id
        self.optimizer = optimizer
        self.maxiters = maxiters
        self.names = names
    }

    /// `TrainingJob #1: Adam(0.05), 300 iterations — running`
    public var summary: String {
        let s = snapshot
        var text = "TrainingJob #\(id): \(optimizer), \(maxiters) iterations — \(s.state.rawValue)"
        if s.state != .queued, s.state != .failed, s.iteration > 0 {
            text += " (iteration \(s.iteration), best loss \(TrainingProgress.short(s.bestLoss)))"
        }
        if s.state == .failed, let message = s.message { text += ": " + message }
        return text
    }

    /// The current state without waiting.
    public var currentState: TrainingJobState {
        lock.lock()
        defer { lock.unlock() }
        if state == .running && control.isPauseRequested { return .paused }
        return state
    }

    /// A copy of what the panes show.
    public var snapshot: TrainingJobSnapshot {
        let current = currentState
        lock.lock()
        defer { lock.unlock() }
        var message: String?
        switch outcome {
        case .success(let object)?: message = object.result.message
        case .failure(let error)?: message = error.message
        case nil: break
        }
        return TrainingJobSnapshot(
            id: id, optimizer: optimizer, state: current, iteration: latest?.iteration ?? 0, maxiters: maxiters,
            loss: latest?.loss ?? .nan, bestLoss: latest?.bestLoss ?? .nan, losses: losses,
            parameters: latest?.parameters ?? [], gradient: gradient, names: names,
            elapsed: latest?.elapsed ?? 0, message: message)
    }

    /// The result of a job that ended without an error (nil while it runs).
    var finishedResult: TrainingObject? {
        lock.lock()
        defer { lock.unlock() }
        if case .success(let object)? = outcome { return object }
        return nil
    }

    /// Parks the job before its next iteration; false when it has ended.
    @discardableResult
    public func pause() -> Bool {
        guard currentState.isActive else { return false }
        control.pause()
        return true
    }

    /// Lets a paused job go on; false when it has ended.
    @discardableResult
    public func resume() -> Bool {
        guard currentState.isActive else { return false }
        control.resume()
        return true
    }

    /// Ends the job before its next iteration (a queued job ends before it starts); it keeps
    /// the best parameters seen as its result. False when it had already ended.
    @discardableResult
    public func stop() -> Bool {
        lock.lock()
        let active = state.isActive
        if active { stopRequested = true }
        lock.unlock()
        if active { control.cancel() }
        return active
    }

    /// Waits for the job to end and returns its result (or raises its error). Checks
    /// `interpreter`'s interrupt flag twenty times a second: Ctrl-C ends the waiting, not the job.
    func wait(_ interpreter: Interpreter, _ span: SourceSpan) throws -> TrainingObject {
        lock.lock()
        defer { lock.unlock() }
        while outcome == nil {
            _ = lock.wait(until: Date(timeIntervalSinceNow: 0.05))
            if outcome == nil, interpreter.interruptPending() {
                throw LangError("interrupted while waiting for job #\(id) (it goes on; :stop \(id) ends it)", at: span)
            }
        }
        switch outcome {
        case .success(let object)?: return object
        case .failure(let error)?: throw error
        case nil: throw LangError("job #\(id) has no result", at: span)
        }
    }

    /// Waits at most `timeout` seconds for the job to end; returns whether it ended.
    @discardableResult
    public func waitUntilFinished(timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        lock.lock()
        defer { lock.unlock() }
        while outcome == nil {
            if !lock.wait(until: deadline) { return outcome != nil }
        }
        return true
    }

    // MARK: the job's thread

    /// Marks the job running; false when it was stopped while queued.
    func begin() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !stopRequested else { return false }
        state = .running
        return true
    }

    /// Records an iteration (the training loop's per-iteration report).
    func record(_ event: TrainingEvent) {
        lock.lock()
        latest = event
        losses.append(event.loss)
        lock.unlock()
    }

    /// Records the gradient of the latest loss evaluation.
    func recordGradient(_ values: [Double]) {
        lock.lock()
        gradient = values
        lock.unlock()
    }

    /// Ends the job with its result or error.
    func finish(_ result: Result<TrainingObject, LangError>) {
        lock.lock()
        outcome = result
        switch result {
        case .success: state = stopRequested ? .stopped : .done
        case .failure: state = stopRequested ? .stopped : .failed
        }
        lock.broadcast()
        lock.unlock()
    }

    /// Ends a job stopped before it started: its result is its starting point.
    func finishUnstarted(_ theta: [Double], axes: ComponentAxes?) {
        let result = TrainingResult(restoring: theta, minimum: .nan, bestIteration: 0, losses: [], iterations: 0,
                                    evaluations: 0, elapsed: 0, stopReason: .cancelled,
                                    message: "stopped before it started; the initial parameters are returned",
                                    method: optimizer)
        finish(.success(TrainingObject(result, axes: axes)))
    }
}

/// The workbench's background training jobs: they run one at a time, first in first out,
/// on one thread (the machine's other core stays with the REPL and the screen; two jobs
/// at once would each run at half speed and finish no sooner than in turn).
///
/// `@unchecked Sendable`: the mutable state is read and written only under `condition`.
public final class TrainingJobs: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [TrainingJob] = []
    private var queue: [(TrainingJob, () -> Void)] = []
    private var output: [(Int, String)] = []
    private var plot: Plot?
    private var worker: Thread?
    /// Runs (on the job's thread) when a job prints or changes state, so a waiting UI wakes.
    public var wake: (@Sendable () -> Void)?

    public init() {}

    /// Every job so far, oldest first.
    public var all: [TrainingJob] {
        condition.lock()
        defer { condition.unlock() }
        return jobs
    }

    /// The job numbered `id`.
    public func job(_ id: Int) -> TrainingJob? { all.first { $0.id == id } }

    /// The newest job.
    public var latest: TrainingJob? { all.last }

    /// Whether a job is queued, running or paused.
    public var hasActive: Bool { all.contains { $0.currentState.isActive } }

    /// Text the jobs' loss functions printed since the last call, by job.
    public func takeOutput() -> [(job: Int, text: String)] {
        condition.lock()
        defer { condition.unlock() }
        let taken = output
        output = []
        return taken.map { (job: $0.0, text: $0.1) }
    }

    /// The latest plot a job's loss or callback made since the last call.
    public func takePlot() -> Plot? {
        condition.lock()
        defer { condition.unlock() }
        let taken = plot
        plot = nil
        return taken
    }

    func show(_ made: Plot) {
        condition.lock()
        plot = made
        condition.unlock()
        wake?()
    }

    /// Stops every job (the workbench is quitting).
    public func stopAll() {
        for job in all { job.stop() }
    }

    func nextID() -> Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count + 1
    }

    func print(_ text: String, job: Int) {
        condition.lock()
        output.append((job, text))
        condition.unlock()
        wake?()
    }

    /// Queues `job`, whose work `run` does on the jobs' thread.
    func submit(_ job: TrainingJob, _ run: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        queue.append((job, run))
        if worker == nil {
            let thread = Thread { [self] in work() }
            thread.name = "fluxion-training"
            thread.stackSize = Interpreter.evaluationStackSize
            worker = thread
            thread.start()
        }
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let (_, run) = queue.removeFirst()
            condition.unlock()
            run()
            wake?()
        }
    }
}
