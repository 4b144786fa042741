import TextPlots

/// An in-memory screen: a cell grid that tests read back as text.
///
/// It counts the cells drawn, so tests can check that frame diffing draws only what
/// changed. `flush()` only counts flushes.
public final class HeadlessScreen: Screen {
    /// The cells, row by row.
    public private(set) var cells: StyledText
    /// The cursor position set last.
    public private(set) var cursor: (row: Int, column: Int) = (0, 0)
    /// Cells written by `draw` since creation (or since `resetCounters()`).
    public private(set) var cellsDrawn = 0
    /// Calls of `clear()` and `flush()` since creation (or since `resetCounters()`).
    public private(set) var clears = 0, flushes = 0

    /// A blank screen of `width` × `height` cells.
    public init(width: Int, height: Int) {
        cells = StyledText(width: width, height: height)
    }

    public var size: ScreenSize { ScreenSize(width: cells.width, height: cells.height) }

    public func draw(_ text: StyledText, row: Int, column: Int) {
        for (dy, line) in text.lines.enumerated() {
            for (dx, cell) in line.enumerated() {
                let r = row + dy, c = column + dx
                guard r >= 0, r < cells.height, c >= 0, c < cells.lines[r].count else { continue }
                cells.put(cell, row: r, column: c)
                cellsDrawn += 1
            }
        }
    }

    public func clear() {
        cells = StyledText(width: cells.width, height: cells.height)
        clears += 1
    }

    public func setCursor(row: Int, column: Int) { cursor = (row, column) }

    public func flush() { flushes += 1 }

    /// Changes the size (as a terminal resize does); the contents are blanked.
    public func resize(width: Int, height: Int) {
        cells = StyledText(width: width, height: height)
    }

    /// Zeroes `cellsDrawn`, `clears` and `flushes`.
    public func resetCounters() {
        cellsDrawn = 0
        clears = 0
        flushes = 0
    }

    /// The screen as text: rows joined by newlines, trailing spaces removed.
    public var rendered: String { cells.plainString }
}
