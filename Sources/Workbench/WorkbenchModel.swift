import Lang
import TextPlots

/// One line of the REPL transcript.
public struct TranscriptLine: Sendable, Hashable {
    /// What the line is, which decides its style.
    public enum Kind: Sendable, Hashable {
        /// Typed input, shown after its prompt.
        case input
        /// A value or printed output.
        case output
        /// An error message.
        case error
        /// A note from the workbench itself (`^C`, hints).
        case info
    }

    /// The kind.
    public var kind: Kind
    /// The text, without a newline.
    public var text: String

    /// A transcript line.
    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

/// Everything a frame is drawn from: a plain value, so panes are pure functions of it.
public struct WorkbenchModel {
    /// The transcript, oldest first (bounded by `maximumTranscriptLines`).
    public var transcript: [TranscriptLine] = []
    /// The plot shown in the plot pane: the latest plot value (a reference, so `plot!`
    /// changes show up).
    public var plot: PlotObject?
    /// Braille or ASCII (`--no-unicode`).
    public var plotStyle: CanvasStyle = .braille
    /// What the REPL is doing: "ready", "continue" (an incomplete input), "evaluating".
    public var mode = "ready"
    /// The last value shown, in one line.
    public var lastResult: String?
    /// The last error's first line; cleared by the next successful input.
    public var error: String?
    /// The input line: its prompt, its text, and the cursor's column within the text.
    public var prompt = "fluxion> "
    public var inputText = ""
    public var inputCursor = 0
    /// Transcript lines scrolled back from the bottom (0 shows the latest).
    public var scrollBack = 0

    /// The transcript keeps at most this many lines.
    public static let maximumTranscriptLines = 5000

    /// An empty model.
    public init() {}

    /// Appends lines, dropping the oldest beyond the bound.
    public mutating func append(_ kind: TranscriptLine.Kind, _ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            transcript.append(TranscriptLine(kind, String(line)))
        }
        if transcript.count > WorkbenchModel.maximumTranscriptLines {
            transcript.removeFirst(transcript.count - WorkbenchModel.maximumTranscriptLines)
        }
    }
}
