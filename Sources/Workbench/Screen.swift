import TextPlots

/// The size of a screen or pane, in character cells.
public struct ScreenSize: Sendable, Hashable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int

    /// A size of `width` × `height` cells (negative values count as 0).
    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
    }
}

/// Where the workbench draws: a grid of styled cells.
///
/// Two implementations: `CursesScreen` (ncursesw, what people see) and `HeadlessScreen`
/// (in memory, for snapshot tests). Only the UI thread may use a screen (DESIGN.md:
/// only the UI thread calls curses). Drawing is buffered until `flush()`.
public protocol Screen: AnyObject {
    /// The current size.
    var size: ScreenSize { get }
    /// Draws `text` with its top-left cell at (`row`, `column`); what falls outside the
    /// screen is dropped.
    func draw(_ text: StyledText, row: Int, column: Int)
    /// Blanks every cell.
    func clear()
    /// Places the visible cursor (nil hides it); takes effect at the next flush.
    func setCursor(row: Int, column: Int)
    /// Makes everything drawn so far visible.
    func flush()
}
