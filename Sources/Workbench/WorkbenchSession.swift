import Foundation
import Lang
import TextPlots

/// Collects what the interpreter prints while an input runs (it prints from the
/// evaluation thread while the UI thread waits).
final class OutputSink: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    func write(_ string: String) {
        lock.lock()
        text += string
        lock.unlock()
    }

    func take() -> String {
        lock.lock()
        defer { lock.unlock() }
        let result = text
        text = ""
        return result
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
    private let sink: OutputSink
    private var pending: [String] = []
    private var entry = 0

    /// The main and continuation prompts.
    public static let prompt = "fluxion> ", continuationPrompt = "       > "

    /// A session with a fresh interpreter; `unicode == false` draws plots in ASCII.
    public init(unicode: Bool = true) {
        let sink = OutputSink()
        self.sink = sink
        interpreter = Interpreter(output: { sink.write($0) })
        interpreter.unicode = unicode
        model.plotStyle = unicode ? .braille : .ascii
    }

    /// Whether lines are waiting for the rest of an incomplete input.
    public var isContinuing: Bool { !pending.isEmpty }

    /// Whether `exit()` was called; the app should quit with this status.
    public var exitRequest: Int32? { interpreter.exitRequest }

    /// Drops a partly typed multi-line input (Ctrl-C).
    public func cancelPending() {
        pending = []
        model.mode = "ready"
        model.prompt = WorkbenchSession.prompt
    }

    /// Takes one line of input; evaluates once the input is complete. `willEvaluate` runs
    /// just before a (possibly long) evaluation, so the caller can show "evaluating".
    public func submit(_ line: String, willEvaluate: () -> Void = {}) {
        let prompt = pending.isEmpty ? WorkbenchSession.prompt : WorkbenchSession.continuationPrompt
        model.append(.input, prompt + line)
        model.scrollBack = 0
        pending.append(line)
        let text = pending.joined(separator: "\n")
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            cancelPending()
            return
        }
        if Syntax.parse(text).isIncomplete {
            model.mode = "continue"
            model.prompt = WorkbenchSession.continuationPrompt
            return
        }
        pending = []
        model.prompt = WorkbenchSession.prompt
        model.mode = "evaluating"
        willEvaluate()
        entry += 1
        let evaluation = interpreter.evaluate(source: text, file: "REPL[\(entry)]")
        model.mode = "ready"
        let printed = sink.take()
        if !printed.isEmpty {
            model.append(.output, printed.hasSuffix("\n") ? String(printed.dropLast()) : printed)
        }
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
            model.plot = object
            model.lastResult = "plot shown in the plot pane"
            if !evaluation.endsWithSemicolon { model.append(.info, "[plot: shown in the plot pane]") }
            return
        }
        if evaluation.endsWithSemicolon || interpreter.exitRequest != nil { return }
        if case .nothing = evaluation.value { return }
        let shown = evaluation.value.display
        model.append(.output, shown)
        model.lastResult = shown.split(separator: "\n").first.map(String.init) ?? shown
    }
}
