import Foundation
import Lang
import TextPlots

/// Something an evaluation produced, in the order it happened.
public enum EvaluationEvent: Sendable {
    /// Text printed by `print`, `println`, `display`, ….
    case output(String)
    /// A copy of a plot that was made or changed.
    case plot(Plot)
    /// A throttled report from a running `train`.
    case training(TrainingProgress)
    /// The evaluation ended with this result.
    case finished(Evaluation)
}

/// The events the evaluation thread posts for the UI thread, in order. `onFirstEvent`
/// runs (on the posting thread) when an event arrives in an empty queue, so a consumer
/// that drains everything is woken once per batch, not once per `println`.
final class EventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [EvaluationEvent] = []
    private var wake: (@Sendable () -> Void)?

    func post(_ event: EvaluationEvent) {
        lock.lock()
        let wasEmpty = events.isEmpty
        events.append(event)
        let wake = self.wake
        lock.unlock()
        if wasEmpty { wake?() }
    }

    func setWake(_ wake: (@Sendable () -> Void)?) {
        lock.lock()
        self.wake = wake
        lock.unlock()
    }

    var isEmpty: Bool {
        lock.lock()
        defer { lock.unlock() }
        return events.isEmpty
    }

    func take() -> [EvaluationEvent] {
        lock.lock()
        defer { lock.unlock() }
        let result = events
        events = []
        return result
    }
}

/// The one thread that evaluates: inputs run one at a time, in order; the interpreter is
/// touched only by this thread while an input runs. Results and output go to `events`.
final class EvaluationThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable (Interpreter) -> Evaluation] = []
    private var running = false
    private var stopped = false
    private let interpreter: Interpreter
    private let events: EventQueue
    /// Runs on the evaluation thread right after an evaluation returns, before its result
    /// is posted (the terminal clears its "Ctrl-C interrupts" state here).
    var didEvaluate: (@Sendable () -> Void)?

    init(interpreter: Interpreter, events: EventQueue) {
        self.interpreter = interpreter
        self.events = events
        let thread = Thread { [self] in work() }
        thread.name = "fluxion-evaluation"
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// Queues an input.
    func evaluate(_ text: String, file: String) {
        enqueue { $0.evaluateCell(source: text, file: file) }
    }

    /// Queues an input parsed beforehand (a tutorial cell, parsed from its file), recorded
    /// as a cell whose source is `code`.
    func run(_ parsed: ParseResult, source code: String) {
        enqueue { $0.evaluateCell(source: code) { $0.run(parsed) } }
    }

    private func enqueue(_ job: @escaping @Sendable (Interpreter) -> Evaluation) {
        condition.lock()
        jobs.append(job)
        running = true
        condition.signal()
        condition.unlock()
    }

    /// Whether an input is queued or running.
    var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running
    }

    /// Waits until nothing is queued or running, for at most `timeout` seconds; returns
    /// whether it is idle.
    @discardableResult
    func waitUntilIdle(timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while running {
            if !condition.wait(until: deadline) { return !running }
        }
        return true
    }

    /// Ends the thread once the queued inputs are done.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            let evaluation = job(interpreter)
            didEvaluate?()
            events.post(.finished(evaluation))
            condition.lock()
            if jobs.isEmpty { running = false }
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// The REPL logic of the workbench, independent of any terminal: lines go in, the
/// model comes out.
///
/// Lines accumulate while the input is incomplete (`Syntax.parse(...).isIncomplete`); a
/// complete input is evaluated; plot values go to the plot pane, everything else to the
/// transcript; errors also to the status line.
public final class WorkbenchSession {
    /// The interpreter; its output goes to the transcript.
    public let interpreter: Interpreter
    /// What the next frame shows.
    public var model = WorkbenchModel()
    /// Output and plots from the running evaluation, then its result.
    let events = EventQueue()
    private var pending: [String] = []
    private var entry = 0
    /// Printed text after the last newline, shown when the line completes or the input ends.
    private var partialOutput = ""
    private var evaluator: EvaluationThread?
    /// The exit status `exit()` asked for, read from the interpreter when an input ends.
    private var requestedExit: Int32?

    /// What `submit(_:)` and `start(_:)` did with a line.
    public enum Submission: Equatable {
        /// The line was empty, or is part of an incomplete input: nothing runs yet.
        case waiting
        /// A complete input started (`start`) or ran (`submit`).
        case evaluating
        /// An evaluation is still running; the line was not taken.
        case busy
    }

    /// The main and continuation prompts.
    public static let prompt = "fluxion> ", continuationPrompt = "       > "

    /// What the session keeps about background jobs (`WorkbenchSession+Jobs.swift`).
    var jobBook = JobBook()

    /// A session with a fresh interpreter; `unicode == false` draws plots in ASCII.
    /// `backgroundTraining` makes `train` start a background job and return it at once
    /// (the terminal workbench); otherwise `train` runs within the evaluation.
    public init(unicode: Bool = true, backgroundTraining: Bool = false) {
        let events = self.events
        interpreter = Interpreter(output: { events.post(.output($0)) })
        if backgroundTraining { interpreter.jobs = TrainingJobs() }
        interpreter.plotted = { events.post(.plot($0)) }
        interpreter.trainingProgress = { events.post(.training($0)) }
        interpreter.unicode = unicode
        model.plotStyle = unicode ? .braille : .ascii
    }

    deinit { evaluator?.stop() }

    /// The colon commands (`:help` and the session commands; the terminal workbench adds
    /// the tutorial player's).
    public private(set) lazy var commands: ColonCommands = {
        let table = ColonCommands(session: self)
        registerSessionCommands(table)
        registerJobCommands(table)
        return table
    }()

    /// Whether lines are waiting for the rest of an incomplete input.
    public var isContinuing: Bool { !pending.isEmpty }

    /// Whether `exit()` was called; the app should quit with this status.
    public var exitRequest: Int32? { requestedExit }

    /// Whether an input runs on the evaluation thread (`start`).
    public private(set) var isEvaluating = false

    /// When the running input started.
    public private(set) var evaluationStart: Date?

    /// Drops a partly typed multi-line input (Ctrl-C).
    public func cancelPending() {
        pending = []
        model.mode = "ready"
        model.prompt = WorkbenchSession.prompt
    }

    /// Takes one line of input; evaluates once the input is complete, synchronously on the
    /// calling thread. `willEvaluate` runs just before a (possibly long) evaluation, so the
    /// caller can show "evaluating".
    public func submit(_ line: String, willEvaluate: () -> Void = {}) {
        guard !isEvaluating, !commands.handle(line), let (text, file) = accept(line) else { return }
        willEvaluate()
        finish(interpreter.evaluateCell(source: text, file: file))
    }

    /// Takes one line of input; once the input is complete, starts evaluating it on the
    /// evaluation thread and returns at once. Output, plots and the result arrive as events:
    /// `applyEvents()` shows them. `wake` runs on another thread when events are waiting.
    public func start(_ line: String, wake: (@Sendable () -> Void)? = nil) -> Submission {
        if isEvaluating { return .busy }
        if commands.handle(line) { return .waiting }
        guard let (text, file) = accept(line) else { return .waiting }
        if evaluator == nil { evaluator = EvaluationThread(interpreter: interpreter, events: events) }
        if let wake { events.setWake(wake) }
        isEvaluating = true
        evaluationStart = Date()
        evaluator?.evaluate(text, file: file)
        return .evaluating
    }

    /// Starts an input prepared elsewhere (a tutorial cell): echoes `code` as typed lines,
    /// then evaluates `parsed` on the evaluation thread, as `start(_:wake:)` does.
    public func start(echoing code: String, parsed: ParseResult, wake: (@Sendable () -> Void)? = nil) -> Submission {
        if isEvaluating { return .busy }
        echo(code)
        if evaluator == nil { evaluator = EvaluationThread(interpreter: interpreter, events: events) }
        if let wake { events.setWake(wake) }
        isEvaluating = true
        evaluationStart = Date()
        evaluator?.run(parsed, source: code)
        return .evaluating
    }

    /// Evaluates a prepared input synchronously (`submit(_:)` for a tutorial cell).
    public func submit(echoing code: String, parsed: ParseResult) {
        guard !isEvaluating else { return }
        echo(code)
        finish(interpreter.evaluateCell(source: code) { $0.run(parsed) })
    }

    /// Shows a prepared input in the transcript as if typed, dropping any partial input.
    private func echo(_ code: String) {
        pending = []
        model.append(.input, Runner.echo(code, prompt: WorkbenchSession.prompt,
                                         continuation: WorkbenchSession.continuationPrompt))
        model.scrollBack = 0
        model.prompt = WorkbenchSession.prompt
        model.mode = "evaluating"
    }

    /// Sets what runs on the evaluation thread right after each evaluation returns.
    func setDidEvaluate(_ action: (@Sendable () -> Void)?) {
        if evaluator == nil { evaluator = EvaluationThread(interpreter: interpreter, events: events) }
        evaluator?.didEvaluate = action
    }

    /// Whether events are waiting for `applyEvents()`.
    public var hasEvents: Bool { !events.isEmpty }

    /// Shows the output and plots that arrived, and the result if the input ended; returns
    /// whether the model changed.
    @discardableResult
    public func applyEvents() -> Bool {
        let taken = events.take()
        for event in taken {
            switch event {
            case .output(let text): addOutput(text)
            case .plot(let plot): model.plot = plot
            case .training(let progress): showTraining(progress)
            case .finished(let evaluation):
                isEvaluating = false
                evaluationStart = nil
                training = nil
                show(evaluation)
            }
        }
        return !taken.isEmpty
    }

    /// Waits for the running evaluation to end, for at most `timeout` seconds, and stops
    /// the evaluation thread; returns whether it ended.
    @discardableResult
    public func stopEvaluating(timeout: TimeInterval) -> Bool {
        guard let evaluator else { return true }
        let idle = evaluator.waitUntilIdle(timeout: timeout)
        evaluator.stop()
        self.evaluator = nil
        return idle
    }

    /// The latest progress of a `train` running in the evaluation (nil when none runs).
    public private(set) var training: TrainingProgress?

    /// Shows training progress in the status line and the loss curve (log scale) in the plot pane.
    private func showTraining(_ progress: TrainingProgress) {
        training = progress.finished ? nil : progress
        model.mode = Self.trainingMode(progress)
        var plot = Plot.lines([progress.losses], names: ["loss"], title: "\(progress.method) loss")
        plot.xLabel = "iteration"
        plot.yScale = .log10
        model.plot = plot
    }

    /// "training 120/300  loss 3.2e-02  41 it/s"
    static func trainingMode(_ p: TrainingProgress) -> String {
        "training \(p.iteration)/\(p.maxiters)  loss \(TrainingProgress.short(p.loss))  \(Int(p.rate.rounded())) it/s"
    }

    /// The status-line mode while evaluating: "evaluating 1.2 s", or training progress.
    public func evaluatingMode(now: Date = Date()) -> String {
        if let training { return Self.trainingMode(training) }
        guard let evaluationStart else { return model.mode }
        let seconds = max(0, now.timeIntervalSince(evaluationStart))
        return "evaluating " + String(format: "%.1f s", (seconds * 10).rounded(.down) / 10)
    }

    /// Echoes the line; returns the complete input and its file name, or nil while the
    /// input is empty or incomplete.
    private func accept(_ line: String) -> (String, String)? {
        let prompt = pending.isEmpty ? WorkbenchSession.prompt : WorkbenchSession.continuationPrompt
        model.append(.input, prompt + line)
        model.scrollBack = 0
        pending.append(line)
        let text = pending.joined(separator: "\n")
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            cancelPending()
            return nil
        }
        if Syntax.parse(text).isIncomplete {
            model.mode = "continue"
            model.prompt = WorkbenchSession.continuationPrompt
            return nil
        }
        pending = []
        model.prompt = WorkbenchSession.prompt
        model.mode = "evaluating"
        entry += 1
        return (text, "REPL[\(entry)]")
    }

    /// Adds printed text to the transcript, line by line; a trailing partial line waits.
    private func addOutput(_ text: String) {
        partialOutput += text
        guard let last = partialOutput.lastIndex(of: "\n") else { return }
        model.append(.output, String(partialOutput[..<last]))
        partialOutput = String(partialOutput[partialOutput.index(after: last)...])
    }

    /// Ends a synchronous evaluation: shows what it printed and its result.
    private func finish(_ evaluation: Evaluation) {
        applyEvents()
        show(evaluation)
    }

    /// Shows the result of an input that ended (its output is already shown).
    private func show(_ evaluation: Evaluation) {
        model.mode = "ready"
        if !partialOutput.isEmpty {
            model.append(.output, partialOutput)
            partialOutput = ""
        }
        requestedExit = interpreter.exitRequest
        let diagnostics = evaluation.renderedDiagnostics()
        if evaluation.failed {
            model.append(.error, diagnostics.hasSuffix("\n") ? String(diagnostics.dropLast()) : diagnostics)
            let first = evaluation.diagnostics.first { $0.severity == .error }
            model.error = first.map { $0.message } ?? "error"
            return
        }
        if !diagnostics.isEmpty {
            model.append(.info, diagnostics.hasSuffix("\n") ? String(diagnostics.dropLast()) : diagnostics)
        }
        model.error = nil
        if case .engine(.plot(let object)) = evaluation.value {
            model.plot = object.plot
            model.lastResult = "plot shown in the plot pane"
            if !evaluation.endsWithSemicolon { model.append(.info, "[plot: shown in the plot pane]") }
            return
        }
        if evaluation.endsWithSemicolon || requestedExit != nil { return }
        if case .nothing = evaluation.value { return }
        let shown = evaluation.value.display
        model.append(.output, shown)
        model.lastResult = shown.split(separator: "\n").first.map(String.init) ?? shown
    }
}
