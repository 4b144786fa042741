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
        /// Tutorial prose.
        case narrative
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

/// The pane that PageUp and PageDown scroll.
public enum FocusedPane: String, Sendable {
    case transcript, parameters
}

/// Everything a frame is drawn from: a plain value, so panes are pure functions of it.
public struct WorkbenchModel {
    /// The transcript, oldest first (bounded by `maximumTranscriptLines`).
    public var transcript: [TranscriptLine] = []
    /// The plot shown in the plot pane: a copy of the latest plot made or changed (a
    /// value, so the evaluation thread never shares it with the UI).
    public var plot: Plot?
    /// Braille or ASCII (`--no-unicode`).
    public var plotStyle: CanvasStyle = .braille
    /// What the REPL is doing: "ready", "continue" (an incomplete input), "evaluating"
    /// (the terminal shows "evaluating 1.2 s").
    public var mode = "ready"
    /// The last value shown, in one line.
    public var lastResult: String?
    /// The last error's first line; cleared by the next successful input.
    public var error: String?
    /// Where the user is, shown after the mode: "tutorial getting-started — cell 3/9".
    public var context: String?
    /// The input line: its prompt, its text, and the cursor's column within the text.
    public var prompt = "fluxion> "
    public var inputText = ""
    public var inputCursor = 0
    /// Wrapped transcript rows scrolled back from the bottom (0 shows the latest; set by
    /// `scrollPages`, reset by every entered line).
    public var scrollBack = 0

    /// The arrangement of the panes (`:layout`).
    public var layout = LayoutKind.repl
    /// The pane PageUp/PageDown scroll (Ctrl-O or F6 cycles).
    public var focus = FocusedPane.transcript
    /// The job the loss pane, the parameter table and the status line show: the running
    /// one, else the last one (nil before the first).
    public var job: TrainingJobSnapshot?
    /// Rows of the parameter table scrolled past.
    public var parameterScroll = 0
    /// A notice for the status line (a paused job, a quit to confirm); the next input clears it.
    public var notice: String?

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

    /// The transcript pane's text rows (its height without the title bar) on a screen of `size`.
    public static func transcriptRows(screen size: ScreenSize, layout kind: LayoutKind = .repl) -> Int {
        let layout = Layout(size: size, kind: kind)
        return max(0, layout.transcript.height - (layout.isCompact ? 0 : 1))
    }

    /// The furthest the transcript can scroll back on a screen of `size`: the wrapped rows
    /// that do not fit in the pane.
    public func maximumScrollBack(screen size: ScreenSize) -> Int {
        let width = Layout(size: size, kind: layout).transcript.width
        let rows = WorkbenchModel.transcriptRows(screen: size, layout: layout)
        guard width > 0, rows > 0 else { return 0 }
        return max(0, TranscriptPane.rowCount(transcript, width: width) - rows)
    }

    /// Scrolls the transcript by `pages` pages of (pane height − 1) rows on a screen of
    /// `size`: positive goes back (PageUp), negative forward (PageDown); clamped to
    /// 0...`maximumScrollBack`.
    public mutating func scrollPages(_ pages: Int, screen size: ScreenSize) {
        let page = max(1, WorkbenchModel.transcriptRows(screen: size, layout: layout) - 1)
        let target = scrollBack + pages * page
        scrollBack = min(max(0, target), maximumScrollBack(screen: size))
    }

    /// Scrolls the parameter table by `pages` pages (positive goes down the table), clamped
    /// so that its last row stays at the bottom.
    public mutating func scrollParameters(_ pages: Int, screen size: ScreenSize) {
        guard let rect = Layout(size: size, kind: layout).parameters else { return }
        let rows = ParameterPane.bodyRows(height: rect.height)
        let count = job?.parameters.count ?? 0
        parameterScroll = min(max(0, parameterScroll + pages * max(1, rows - 1)), max(0, count - rows))
    }

    /// The next pane that scrolls: the transcript, then the parameter table when it shows.
    public mutating func cycleFocus(screen size: ScreenSize) {
        let hasTable = Layout(size: size, kind: layout).parameters != nil
        focus = focus == .transcript && hasTable ? .parameters : .transcript
    }

    /// The status-line notice while scrolled back by `rows` (nil at the bottom).
    public static func scrollNotice(_ rows: Int) -> String? {
        guard rows > 0 else { return nil }
        return "scrolled back \(rows) line\(rows == 1 ? "" : "s") — PgDn to return"
    }
}
