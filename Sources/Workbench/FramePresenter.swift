import TextPlots

/// One full screen's worth of cells, plus where the cursor goes.
public struct Frame: Sendable, Hashable {
    /// The cells; every line has the frame's width.
    public var text: StyledText
    /// The cursor position (the input line's editing point).
    public var cursorRow: Int, cursorColumn: Int

    /// A frame of `text` with the cursor at (`cursorRow`, `cursorColumn`).
    public init(text: StyledText, cursorRow: Int = 0, cursorColumn: Int = 0) {
        self.text = text
        self.cursorRow = cursorRow
        self.cursorColumn = cursorColumn
    }
}

/// A horizontal run of changed cells: what frame diffing hands to the screen.
public struct CellRun: Sendable, Hashable {
    /// Where the run starts.
    public var row: Int, column: Int
    /// The new cells.
    public var cells: [StyledCell]
}

/// Draws frames on a screen, sending only the cells that differ from the previous frame
/// (the ratatui model). A size change or `invalidate()` makes the next frame a full redraw.
public final class FramePresenter {
    private var previous: StyledText?
    private var previousCursor: (row: Int, column: Int)?

    /// A presenter with no previous frame: the first frame is drawn in full.
    public init() {}

    /// Forgets the previous frame (after a resize or anything else that spoiled the screen).
    public func invalidate() {
        previous = nil
        previousCursor = nil
    }

    /// The runs of cells in `new` that differ from `old`, row by row, left to right.
    /// Without an `old` of the same size, every row is one run.
    public static func diff(from old: StyledText?, to new: StyledText) -> [CellRun] {
        guard let old, old.height == new.height, old.width == new.width else {
            return new.lines.enumerated().map { CellRun(row: $0.offset, column: 0, cells: $0.element) }
        }
        var runs: [CellRun] = []
        for row in 0..<new.height {
            let a = old.lines[row], b = new.lines[row]
            var column = 0
            while column < b.count {
                if column < a.count, a[column] == b[column] {
                    column += 1
                    continue
                }
                let start = column
                while column < b.count, column >= a.count || a[column] != b[column] { column += 1 }
                runs.append(CellRun(row: row, column: start, cells: Array(b[start..<column])))
            }
        }
        return runs
    }

    /// Draws `frame` on `screen` and flushes; returns the number of cells sent. A frame
    /// equal to the previous one (cells and cursor) is skipped: nothing is sent or flushed.
    @discardableResult
    public func present(_ frame: Frame, on screen: Screen) -> Int {
        if let previous, let cursor = previousCursor, previous == frame.text,
           cursor == (frame.cursorRow, frame.cursorColumn) { return 0 }
        previousCursor = (frame.cursorRow, frame.cursorColumn)
        let full = previous.map { $0.height != frame.text.height || $0.width != frame.text.width } ?? true
        if full { screen.clear() }
        let runs = FramePresenter.diff(from: full ? nil : previous, to: frame.text)
        var count = 0
        for run in runs {
            screen.draw(StyledText(lines: [run.cells]), row: run.row, column: run.column)
            count += run.cells.count
        }
        screen.setCursor(row: frame.cursorRow, column: frame.cursorColumn)
        screen.flush()
        previous = frame.text
        return count
    }
}
