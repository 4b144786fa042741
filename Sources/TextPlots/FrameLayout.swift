/// The text layout around a canvas, shared by every plot kind: title, y label, a frame with
/// tick marks, y tick labels on the left, x tick labels and the x label below, and a panel
/// (legend or colour bar) on the right.
///
/// ```
///        title
///  ylabel
///      1 ┤⠀⠀⠀⠀⠀⠀⠀⠀│ ── sin
///        │        │ ── cos
///     -1 ┤        │
///        └┬──────┬┘
///         0      6
///           xlabel
/// ```
/// When space runs short the x label, the y label and the title go first (in that order),
/// then the panel, then the tick labels. The result always has exactly the requested number
/// of lines and cells per line.
struct FrameLayout {
    /// A block drawn to the right of the frame: `width` cells (including its leading space),
    /// filled for a given number of canvas rows.
    struct Panel {
        var width: Int
        var lines: (_ rows: Int) -> [[StyledCell]]
    }

    var title = ""
    var xLabel = ""
    var yLabel = ""
    /// The x axis for a canvas of the given width in cells.
    var xAxis: (_ columns: Int) -> ResolvedAxis
    /// The y axis for a canvas of the given height in cells.
    var yAxis: (_ rows: Int) -> ResolvedAxis
    var panel: Panel?

    /// Tick counts that keep labels apart: one x tick per 12 columns, one y tick per 3 rows
    /// (at least 3 from 4 rows on).
    static func xTickCount(columns: Int) -> Int { min(max(columns / 12 + 1, 2), 10) }
    static func yTickCount(rows: Int) -> Int { min(max(rows / 3 + 1, rows >= 4 ? 3 : 2), 10) }

    /// Lays out and renders; `body` draws the canvas cells (`columns` × `rows`) for the axes.
    func render(width: Int, height: Int, style: CanvasStyle,
                body: (_ columns: Int, _ rows: Int, ResolvedAxis, ResolvedAxis) -> [[StyledCell]]) -> StyledText {
        let w = min(max(width, 0), Canvas.maximumCells), h = min(max(height, 0), Canvas.maximumCells)
        var out = StyledText(width: w, height: h)
        guard w > 0, h > 0 else { return out }
        let unicode = style.isUnicode

        var showTitle = !title.isEmpty, showYLabel = !yLabel.isEmpty, showXLabel = !xLabel.isEmpty
        func canvasRows() -> Int { h - (showTitle ? 1 : 0) - (showYLabel ? 1 : 0) - 3 - (showXLabel ? 1 : 0) }
        if canvasRows() < 1 { showXLabel = false }
        if canvasRows() < 1 { showYLabel = false }
        if canvasRows() < 1 { showTitle = false }
        let rows = canvasRows()
        guard rows >= 1 else {
            out.write(Text.fit(title.isEmpty ? "plot" : title, w, unicode: unicode), row: 0, column: 0, bold: true)
            return out
        }

        let yAxis = self.yAxis(rows)
        let pixelRows = rows * style.pixelsPerRow
        var yTicks: [(row: Int, label: String)] = []
        for tick in yAxis.ticks.reversed() {
            guard let f = yAxis.fraction(tick.value) else { continue }
            let row = clampedInt((1 - f) * Double(pixelRows - 1), 0, pixelRows - 1) / style.pixelsPerRow
            if yTicks.last?.row != row { yTicks.append((row, tick.label)) }
        }
        var labelWidth = yTicks.reduce(0) { max($0, $1.label.count) }
        var panel = self.panel
        func canvasColumns() -> Int {
            w - (labelWidth > 0 ? labelWidth + 1 : 0) - 2 - (panel?.width ?? 0)
        }
        if canvasColumns() < 8, panel != nil { panel = nil }
        if canvasColumns() < 4 { labelWidth = min(labelWidth, max(0, w - 7)) }
        if canvasColumns() < 1 { labelWidth = 0 }
        let columns = canvasColumns()
        guard columns >= 1 else {
            out.write(Text.fit(title.isEmpty ? "plot" : title, w, unicode: unicode), row: 0, column: 0, bold: true)
            return out
        }
        let xAxis = self.xAxis(columns)
        let left = labelWidth > 0 ? labelWidth + 1 : 0  // column of the left border
        let canvasLeft = left + 1

        var row = 0
        if showTitle {
            // Centred over the canvas when it fits there, else over the whole width.
            let (text, start) = title.count <= columns
                ? (Text.centred(title, in: columns, unicode: unicode), canvasLeft)
                : (Text.centred(title, in: w, unicode: unicode), 0)
            out.write(text, row: row, column: start, bold: true)
            row += 1
        }
        if showYLabel {
            out.write(Text.fit(yLabel, w, unicode: unicode), row: row, column: 0)
            row += 1
        }

        let box = unicode ? Box.unicode : Box.ascii
        out.write(box.topLeft + String(repeating: box.horizontal, count: columns) + box.topRight,
                  row: row, column: left)
        row += 1
        let cells = body(columns, rows, xAxis, yAxis)
        let panelLines = panel?.lines(rows) ?? []
        for r in 0..<rows {
            let tick = yTicks.first { $0.row == r }
            if let tick, labelWidth > 0 {
                let label = Text.fit(tick.label, labelWidth, unicode: unicode)
                out.write(label, row: row + r, column: labelWidth - label.count)
            }
            out.write(tick == nil ? box.vertical : box.leftTick, row: row + r, column: left)
            if r < cells.count {
                for (c, cell) in cells[r].prefix(columns).enumerated() {
                    out.put(cell, row: row + r, column: canvasLeft + c)
                }
            }
            out.write(box.vertical, row: row + r, column: canvasLeft + columns)
            if r < panelLines.count {
                for (c, cell) in panelLines[r].enumerated() {
                    out.put(cell, row: row + r, column: canvasLeft + columns + 1 + c)
                }
            }
        }
        row += rows

        var xTicks: [(column: Int, label: String)] = []
        let pixelColumns = columns * style.pixelsPerColumn
        for tick in xAxis.ticks {
            guard let f = xAxis.fraction(tick.value) else { continue }
            let column = clampedInt(f * Double(pixelColumns - 1), 0, pixelColumns - 1) / style.pixelsPerColumn
            if xTicks.last?.column != column { xTicks.append((column, tick.label)) }
        }
        var bottom = box.bottomLeft
        for c in 0..<columns {
            bottom += xTicks.contains { $0.column == c } ? box.bottomTick : box.horizontal
        }
        out.write(bottom + box.bottomRight, row: row, column: left)
        row += 1

        // Tick labels centred under their marks, skipped where they would touch a neighbour.
        var nextFree = 0
        for tick in xTicks {
            let label = Text.fit(tick.label, w, unicode: unicode)
            let start = min(max(canvasLeft + tick.column - (label.count - 1) / 2, 0), max(w - label.count, 0))
            if start < nextFree { continue }
            out.write(label, row: row, column: start)
            nextFree = start + label.count + 1
        }
        row += 1
        if showXLabel {
            let (text, start) = xLabel.count <= columns
                ? (Text.centred(xLabel, in: columns, unicode: unicode), canvasLeft)
                : (Text.centred(xLabel, in: w, unicode: unicode), 0)
            out.write(text, row: row, column: start)
        }
        return out
    }
}

/// Frame characters.
struct Box {
    var topLeft, topRight, bottomLeft, bottomRight, horizontal, vertical, leftTick, bottomTick: String

    static let unicode = Box(topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
                             horizontal: "─", vertical: "│", leftTick: "┤", bottomTick: "┬")
    static let ascii = Box(topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
                           horizontal: "-", vertical: "|", leftTick: "+", bottomTick: "+")
}

/// Small string helpers for fixed-width layout (one character per cell).
enum Text {
    /// `s` cut to at most `width` characters, ending in "…" (ASCII "~") when cut.
    static func fit(_ s: String, _ width: Int, unicode: Bool) -> String {
        guard width > 0 else { return "" }
        guard s.count > width else { return s }
        return String(s.prefix(width - 1)) + (unicode ? "…" : "~")
    }

    /// `s` fitted to `width` and padded on the left to sit centred in it.
    static func centred(_ s: String, in width: Int, unicode: Bool) -> String {
        let t = fit(s, width, unicode: unicode)
        return String(repeating: " ", count: max(0, (width - t.count) / 2)) + t
    }

    /// Cells for `s` in one style.
    static func cells(_ s: String, color: PlotColor = .default, bold: Bool = false) -> [StyledCell] {
        s.map { StyledCell($0, color: color, bold: bold) }
    }
}
