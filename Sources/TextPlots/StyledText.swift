/// One character cell of rendered text: a character, its foreground colour, and boldness.
///
/// Every character TextPlots itself produces occupies one terminal column (braille, block
/// elements, box drawing, ASCII). Characters taken from user strings (titles, labels, series
/// names) are placed one per cell too; wide characters there are the caller's concern.
public struct StyledCell: Sendable, Hashable {
    /// The character shown in this cell.
    public var character: Character
    /// Its foreground colour.
    public var color: PlotColor
    /// Whether it is drawn bold.
    public var bold: Bool

    /// A cell; by default in the terminal's colour and not bold.
    public init(_ character: Character, color: PlotColor = .default, bold: Bool = false) {
        self.character = character
        self.color = color
        self.bold = bold
    }

    /// An empty cell (a space in the default style).
    public static let blank = StyledCell(" ")
}

/// Rendered text: lines of styled cells. This is what a plot renders to; the workbench draws
/// the cells through curses, tests compare `plainString`, and a plain terminal prints
/// `ansiString(colors:)`.
public struct StyledText: Sendable, Hashable {
    /// The lines, top to bottom. Plots render every line to the same number of cells.
    public var lines: [[StyledCell]]

    /// Text made of the given lines.
    public init(lines: [[StyledCell]]) {
        self.lines = lines
    }

    /// A blank block of `width` × `height` cells, each clamped to 0...`Canvas.maximumCells`.
    public init(width: Int, height: Int) {
        let w = min(max(0, width), Canvas.maximumCells), h = min(max(0, height), Canvas.maximumCells)
        lines = Array(repeating: Array(repeating: StyledCell.blank, count: w), count: h)
    }

    /// The number of lines.
    public var height: Int { lines.count }

    /// The length of the longest line, in cells.
    public var width: Int { lines.reduce(0) { max($0, $1.count) } }

    /// The text without any escapes: lines joined by "\n" (no final newline), trailing spaces
    /// of each line removed so that saved snapshots are stable in editors.
    public var plainString: String {
        lines.map { line in
            var end = line.count
            while end > 0, line[end - 1].character == " " { end -= 1 }
            return String(line[0..<end].map(\.character))
        }.joined(separator: "\n")
    }

    /// The text with SGR escapes for colour and bold, lines joined by "\n".
    ///
    /// With `colors == false` (NO_COLOR, `--no-color`) no colour escape is written; bold is
    /// still marked, as the NO_COLOR convention allows. A line whose last character is styled
    /// ends with a reset (`ESC[0m`), so lines can be printed independently. Trailing spaces are
    /// removed as in `plainString`.
    public func ansiString(colors: Bool = true) -> String {
        var out = ""
        for (n, line) in lines.enumerated() {
            if n > 0 { out += "\n" }
            var end = line.count
            while end > 0, line[end - 1].character == " " { end -= 1 }
            var current = StyledCell.blank
            for cell in line[0..<end] {
                let color = colors ? cell.color : .default
                // Spaces show no foreground, so they never force a style change.
                if cell.character != " ", color != current.color || cell.bold != current.bold {
                    out += "\u{1B}[0"
                    if cell.bold { out += ";1" }
                    if color != .default { out += ";\(color.sgrForeground)" }
                    out += "m"
                    current = StyledCell(" ", color: color, bold: cell.bold)
                }
                out.append(cell.character)
            }
            if current != StyledCell.blank { out += "\u{1B}[0m" }
        }
        return out
    }

    /// Whether colour may be used, following the NO_COLOR convention (no-color.org): false when
    /// `NO_COLOR` is set to a non-empty value. Pass `ProcessInfo.processInfo.environment`.
    public static func colorsEnabled(environment: [String: String]) -> Bool {
        guard let value = environment["NO_COLOR"] else { return true }
        return value.isEmpty
    }

    /// Writes `string` into line `row` from column `column` on, one character per cell; what
    /// falls outside the text is dropped (no line or cell is ever added).
    public mutating func write(_ string: String, row: Int, column: Int,
                               color: PlotColor = .default, bold: Bool = false) {
        guard row >= 0, row < lines.count else { return }
        var c = column
        for ch in string {
            if c >= lines[row].count { break }
            if c >= 0 { lines[row][c] = StyledCell(ch, color: color, bold: bold) }
            c += 1
        }
    }

    /// Writes a single cell, if it lies inside the text.
    public mutating func put(_ cell: StyledCell, row: Int, column: Int) {
        guard row >= 0, row < lines.count, column >= 0, column < lines[row].count else { return }
        lines[row][column] = cell
    }
}
