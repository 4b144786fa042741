import Lang
import TextPlots

/// A title bar: `── Title ─────…` across `width` cells (ASCII dashes without Unicode); the
/// focused pane's (the one PageUp/PageDown scroll) is marked `▸ Title`, in yellow.
func titleBar(_ title: String, width: Int, unicode: Bool, focused: Bool = false) -> [StyledCell] {
    let dash: Character = unicode ? "─" : "-"
    var line = Array(repeating: StyledCell(dash, color: .brightBlack), count: width)
    var column = 2
    let shown = focused ? (unicode ? "▸ " : "> ") + title : title
    for ch in " \(shown) " where column < width {
        line[column] = StyledCell(ch, color: focused ? .yellow : .default, bold: ch != " ")
        column += 1
    }
    return line
}

/// The plot pane: a title bar, then the latest plot rendered to the rest of the pane.
public struct PlotPane {
    /// The plot to show, if any.
    public var plot: Plot?
    /// The canvas style.
    public var style: CanvasStyle

    /// A pane showing `plot` in `style`.
    public init(plot: Plot?, style: CanvasStyle) {
        self.plot = plot
        self.style = style
    }

    /// The pane as `width` × `height` cells.
    public func render(width: Int, height: Int) -> StyledText {
        var text = StyledText(width: width, height: height)
        guard height > 0 else { return text }
        let unicode = style != .ascii
        let title = plot.map { $0.title.isEmpty ? "Plot" : "Plot: \($0.title)" } ?? "Plot"
        text.lines[0] = titleBar(title, width: width, unicode: unicode)
        guard height > 1 else { return text }
        if let plot {
            let body = plot.render(width: width, height: height - 1, style: style)
            for (r, line) in body.lines.enumerated() where r + 1 < height {
                for (c, cell) in line.enumerated() { text.put(cell, row: r + 1, column: c) }
            }
        } else {
            let hint = "no plot yet: plot(...) shows here"
            text.write(hint, row: 1 + (height - 1) / 2, column: max(0, (width - hint.count) / 2), color: .brightBlack)
        }
        return text
    }
}

/// The REPL transcript pane: the latest lines, wrapped to the width, newest at the bottom.
public struct TranscriptPane {
    /// The lines, oldest first.
    public var lines: [TranscriptLine]
    /// Wrapped rows scrolled back from the bottom.
    public var scrollBack: Int
    /// Whether a title bar heads the pane.
    public var showsTitle: Bool
    /// Unicode title bar (or ASCII).
    public var unicode: Bool
    /// Whether PageUp/PageDown scroll this pane (its title is marked).
    public var focused = false

    /// A transcript pane.
    public init(lines: [TranscriptLine], scrollBack: Int = 0, showsTitle: Bool, unicode: Bool) {
        self.lines = lines
        self.scrollBack = scrollBack
        self.showsTitle = showsTitle
        self.unicode = unicode
    }

    /// The style of each kind of line.
    static func style(_ kind: TranscriptLine.Kind) -> (PlotColor, Bool) {
        switch kind {
        case .input: return (.default, true)
        case .output: return (.default, false)
        case .error: return (.red, false)
        case .info: return (.brightBlack, false)
        case .narrative: return (.cyan, false)
        }
    }

    /// `text` cut into rows of at most `width` characters (an empty text is one empty row).
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        let characters = Array(text)
        if characters.isEmpty { return [""] }
        return stride(from: 0, to: characters.count, by: width).map {
            String(characters[$0..<min($0 + width, characters.count)])
        }
    }

    /// The rows `lines` take when wrapped to `width` (as `wrap` cuts them).
    public static func rowCount(_ lines: [TranscriptLine], width: Int) -> Int {
        guard width > 0 else { return 0 }
        return lines.reduce(0) { $0 + max(1, ($1.text.count + width - 1) / width) }
    }

    /// The pane as `width` × `height` cells.
    public func render(width: Int, height: Int) -> StyledText {
        var text = StyledText(width: width, height: height)
        guard height > 0, width > 0 else { return text }
        var top = 0
        if showsTitle {
            text.lines[0] = titleBar("REPL", width: width, unicode: unicode, focused: focused)
            top = 1
        }
        let rows = height - top
        guard rows > 0 else { return text }
        // Wrap from the end only as far as needed: the cost stays bounded by the pane.
        var wrapped: [(String, TranscriptLine.Kind)] = []
        let needed = rows + max(0, scrollBack)
        for line in lines.reversed() {
            let pieces = TranscriptPane.wrap(line.text, width: width)
            for piece in pieces.reversed() { wrapped.append((piece, line.kind)) }
            if wrapped.count >= needed { break }
        }
        let skip = min(max(0, scrollBack), max(0, wrapped.count - rows))
        let visible = wrapped.dropFirst(skip).prefix(rows).reversed()
        for (n, (piece, kind)) in visible.enumerated() {
            let (color, bold) = TranscriptPane.style(kind)
            text.write(piece, row: top + n, column: 0, color: color, bold: bold)
        }
        return text
    }
}

/// The status line: mode, last result or error, key hints on the right.
public struct StatusLine {
    /// "ready", "continue", "evaluating".
    public var mode: String
    /// The last value, in one line.
    public var lastResult: String?
    /// The last error, shown instead of the result.
    public var error: String?
    /// A notice shown instead of both (the transcript is scrolled back).
    public var notice: String?
    /// Where the user is (a tutorial and its cell), after the mode.
    public var context: String?

    /// The key hints.
    public static let hints = "^C interrupt  ^D quit"
    /// The hints this line shows (a running job has its own).
    public var hints = StatusLine.hints

    /// A status line.
    public init(mode: String, lastResult: String?, error: String?, notice: String? = nil, context: String? = nil) {
        self.context = context
        self.mode = mode
        self.lastResult = lastResult
        self.error = error
        self.notice = notice
    }

    /// The line as `width` cells.
    public func render(width: Int) -> StyledText {
        var text = StyledText(width: width, height: 1)
        guard width > 0 else { return text }
        text.lines[0] = Array(repeating: StyledCell(" "), count: width)
        var modeText = " \(mode) "
        text.write(modeText, row: 0, column: 0, color: error == nil ? .green : .red, bold: true)
        if let context {
            text.write(context, row: 0, column: modeText.count + 1, color: .cyan)
            modeText += " " + context + " "
        }
        var message = ""
        var color = PlotColor.default
        if let notice {
            message = notice
            color = .yellow
        } else if let error {
            message = "error: " + error
            color = .red
        } else if let lastResult {
            message = lastResult
        }
        // A notice is its own key hint: it takes the hints' room.
        let hintsFit = notice == nil && width - modeText.count - hints.count - 3 >= 10
        let room = width - modeText.count - 1 - (hintsFit ? hints.count + 2 : 0)
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? ""
        if room > 0 {
            let shown = firstLine.count > room ? String(firstLine.prefix(max(0, room - 1))) + "…" : firstLine
            text.write(shown, row: 0, column: modeText.count + 1, color: color)
        }
        if hintsFit {
            text.write(hints, row: 0, column: width - hints.count - 1, color: .brightBlack)
        }
        return text
    }
}
