/// A rectangle of cells on the screen.
public struct Rect: Sendable, Hashable {
    /// The top-left cell.
    public var row: Int, column: Int
    /// The extent in cells.
    public var width: Int, height: Int

    /// A rectangle; negative extents count as 0.
    public init(row: Int, column: Int, width: Int, height: Int) {
        self.row = row
        self.column = column
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// Whether it holds no cell.
    public var isEmpty: Bool { width == 0 || height == 0 }
}

/// The arrangements `:layout` switches between.
public enum LayoutKind: String, Sendable, CaseIterable {
    /// The plot pane over the REPL.
    case repl
    /// The plot and the loss side by side over the parameter table and the REPL.
    case training

    /// One line for `:layout`.
    public var summary: String {
        switch self {
        case .repl: return "plot over the REPL"
        case .training: return "plot and loss over the parameter table and the REPL"
        }
    }
}

/// Where each pane goes for a screen size and layout kind: a pure function of both.
///
/// The REPL layout stacks the plot pane over the REPL transcript, with the status line
/// and the input line at the bottom. The training layout splits the top into the plot
/// (left) and the loss (right), and the bottom into the parameter table (left, at most 40
/// columns) and the transcript. Below `minimumFull` only the transcript, status and input
/// are shown.
public struct Layout: Sendable, Hashable {
    /// The plot pane, nil in the small-terminal fallback.
    public var plot: Rect?
    /// The loss pane and the parameter table (training layout only).
    public var loss: Rect?, parameters: Rect?
    /// The transcript pane (its first row is the pane's title bar when a plot pane shows).
    public var transcript: Rect
    /// The status line (one row).
    public var status: Rect
    /// The input line (one row).
    public var input: Rect
    /// The screen size it was made for.
    public var size: ScreenSize

    /// The smallest size that gets the full layout.
    public static let minimumFull = ScreenSize(width: 60, height: 16)

    /// Whether this is the small-terminal fallback.
    public var isCompact: Bool { plot == nil }

    /// The layout for a screen of `size`.
    public init(size: ScreenSize, kind: LayoutKind = .repl) {
        self.size = size
        let w = size.width, h = size.height
        input = Rect(row: h - 1, column: 0, width: w, height: h >= 1 ? 1 : 0)
        status = Rect(row: h - 2, column: 0, width: w, height: h >= 2 ? 1 : 0)
        let body = max(0, h - 2)
        if w >= Layout.minimumFull.width, h >= Layout.minimumFull.height {
            // The plot gets a little over half the body; the transcript keeps at least 5 rows.
            let plotHeight = min(body - 5, max(8, (body * 11) / 20))
            plot = Rect(row: 0, column: 0, width: w, height: plotHeight)
            transcript = Rect(row: plotHeight, column: 0, width: w, height: body - plotHeight)
            if kind == .training {
                let half = w / 2
                plot = Rect(row: 0, column: 0, width: half, height: plotHeight)
                loss = Rect(row: 0, column: half, width: w - half, height: plotHeight)
                let table = min(40, max(24, (w * 3) / 10))
                parameters = Rect(row: plotHeight, column: 0, width: table, height: body - plotHeight)
                transcript = Rect(row: plotHeight, column: table, width: w - table, height: body - plotHeight)
            }
        } else {
            plot = nil
            transcript = Rect(row: 0, column: 0, width: w, height: body)
        }
    }
}
