import Foundation
import TextPlots

/// One top-level submission and what it produced, as a notebook cell: the record a saved
/// session carries and `fluxion open` shows again (without running anything).
public struct Cell: Sendable, Equatable {
    /// 1, 2, …: the order the submissions ran in.
    public var executionCount: Int
    /// The text submitted.
    public var source: String
    /// What it printed, showed and drew, in order.
    public var outputs: [CellOutput]

    public init(executionCount: Int, source: String, outputs: [CellOutput]) {
        self.executionCount = executionCount
        self.source = source
        self.outputs = outputs
    }
}

/// Something a cell produced.
public struct CellOutput: Sendable, Equatable {
    /// Text or a plot (a plot is kept as its text rendering).
    public enum Kind: String, Sendable {
        case text, plot
    }

    /// Where text came from: printed output, the displayed value, or an error.
    public enum Stream: String, Sendable {
        case stdout, result, error
    }

    public var kind: Kind
    public var stream: Stream
    public var text: String

    public init(kind: Kind, stream: Stream, text: String) {
        self.kind = kind
        self.stream = stream
        self.text = text
    }
}

/// What an interpreter keeps for sessions: the cells run so far, the latest plot, how
/// engine objects were made (`RecipeBook`), and where `train` autosaves by default.
public final class SessionState {
    /// Every cell run by `evaluateCell`, oldest first.
    public internal(set) var cells: [Cell] = []
    /// The latest plot made or changed (what the workbench's plot pane shows).
    public internal(set) var latestPlot: Plot?
    /// The seed the interpreter's random numbers started from.
    public internal(set) var seed: UInt64 = 42
    /// When set, `train` without `autosave=` autosaves here (the workbench's `:autosave NAME`).
    public var autosavePath: String?
    /// How engine objects were made, so a saved session can make them again.
    let recipes = RecipeBook()
    /// The cell being run: its outputs so far.
    var running: [CellOutput]?
    /// The plot the running cell made or changed last.
    var runningPlot: Plot?

    init() {}

    /// Adds printed text to the running cell, joining it to the text printed just before.
    func print(_ text: String) {
        guard var outputs = running else { return }
        if let last = outputs.indices.last, outputs[last].kind == .text, outputs[last].stream == .stdout {
            outputs[last].text += text
        } else {
            outputs.append(CellOutput(kind: .text, stream: .stdout, text: text))
        }
        running = outputs
    }
}

extension Interpreter {
    /// Runs one top-level submission (a REPL entry, a workbench input) and records it as a
    /// cell: its printed text, its displayed value (as `Runner` and the workbench show it),
    /// its errors and its plots. `evaluate(source:file:)` runs without recording.
    public func evaluateCell(source text: String, file: String = "<repl>") -> Evaluation {
        evaluateCell(source: text) { $0.evaluate(source: text, file: file) }
    }

    /// Records as a cell with `text` as its source whatever `body` evaluates (a tutorial cell
    /// parsed from its file runs as `run(parsed)`).
    public func evaluateCell(source text: String, running body: (Interpreter) -> Evaluation) -> Evaluation {
        let savedOutput = output, savedPlotted = plotted
        let session = self.session
        session.running = []
        session.runningPlot = nil
        output = { text in
            session.print(text)
            savedOutput(text)
        }
        plotted = { plot in
            session.runningPlot = plot
            session.latestPlot = plot
            savedPlotted?(plot)
        }
        let evaluation = body(self)
        output = savedOutput
        plotted = savedPlotted
        var outputs = session.running ?? []
        session.running = nil
        let diagnostics = evaluation.renderedDiagnostics()
        if !diagnostics.isEmpty {
            outputs.append(CellOutput(kind: .text, stream: evaluation.failed ? .error : .stdout, text: diagnostics))
        }
        let shown = !evaluation.failed && !evaluation.endsWithSemicolon && exitRequest == nil
        if case .engine(.plot(let object)) = evaluation.value, !evaluation.failed {
            // A plot is kept once, as it ended up: a loop of `plot!` calls is one output.
            session.latestPlot = object.plot
            outputs.append(CellOutput(kind: .plot, stream: shown ? .result : .stdout, text: object.text))
        } else if let plot = session.runningPlot {
            let text = PlotObject(plot: plot, style: unicode ? .braille : .ascii).text
            outputs.append(CellOutput(kind: .plot, stream: .stdout, text: text))
        }
        if shown, !evaluation.value.isPlot, !evaluation.value.isNothing {
            outputs.append(CellOutput(kind: .text, stream: .result, text: evaluation.value.display))
        }
        session.runningPlot = nil
        // Counted at the end: a `load_session` in this cell replaced the cells before it.
        let count = (session.cells.last?.executionCount ?? 0) + 1
        session.cells.append(Cell(executionCount: count, source: text, outputs: outputs))
        return evaluation
    }
}

extension Value {
    var isPlot: Bool { if case .engine(.plot) = self { return true } else { return false } }
    var isNothing: Bool { if case .nothing = self { return true } else { return false } }
}
