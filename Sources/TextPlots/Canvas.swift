/// How a canvas turns pixels into characters.
public enum CanvasStyle: String, Sendable, CaseIterable {
    /// Unicode braille patterns (U+2800–U+28FF): 2 × 4 dots per cell, the finest resolution.
    case braille
    /// Quadrant block elements (▘▝▖▗▀▄▌▐▚▞▛▜▙▟█): 2 × 2 pixels per cell, no gaps; for fonts
    /// with poor braille.
    case block
    /// Plain ASCII (`' - _ . | / \ + #`): 2 × 3 pixels per cell classified into a stroke
    /// character; for files, logs and terminals without UTF-8 (`--no-unicode`). Everything a
    /// plot draws around an ASCII canvas (frame, ticks, legend, exponents) is ASCII too.
    case ascii

    /// Pixels per character cell, horizontally.
    public var pixelsPerColumn: Int { 2 }

    /// Pixels per character cell, vertically.
    public var pixelsPerRow: Int {
        switch self {
        case .braille: return 4
        case .block: return 2
        case .ascii: return 3
        }
    }

    /// Whether decorations may use non-ASCII characters.
    var isUnicode: Bool { self != .ascii }
}

/// A grid of character cells addressed as pixels, with one colour per cell.
///
/// Pixel (0, 0) is the top-left dot; `x` grows to the right and `y` downwards. Drawing outside
/// the canvas is clipped, never an error. A cell takes the colour of the last thing drawn into
/// it: with per-cell colour, two series crossing in one cell cannot both keep theirs (the
/// limitation UnicodePlots documents for its non-blending mode).
///
/// References: UnicodePlots.jl's `BrailleCanvas`, `BlockCanvas` and `AsciiCanvas`.
public struct Canvas: Sendable, Hashable {
    /// The largest width or height, in cells, a canvas will take; larger requests are clamped.
    public static let maximumCells = 4096

    /// Width in character cells.
    public let width: Int
    /// Height in character cells.
    public let height: Int
    /// The character set used for the cells.
    public let style: CanvasStyle
    private var bits: [UInt8]
    private var colors: [PlotColor]

    /// An empty canvas of `width` × `height` cells, each clamped to `0...maximumCells`.
    public init(width: Int, height: Int, style: CanvasStyle = .braille) {
        self.width = min(max(width, 0), Canvas.maximumCells)
        self.height = min(max(height, 0), Canvas.maximumCells)
        self.style = style
        bits = Array(repeating: 0, count: self.width * self.height)
        colors = Array(repeating: .default, count: self.width * self.height)
    }

    /// Width in pixels.
    public var pixelWidth: Int { width * style.pixelsPerColumn }
    /// Height in pixels.
    public var pixelHeight: Int { height * style.pixelsPerRow }

    /// The bit that dot (`dx`, `dy`) of a cell sets in its pattern (`dx` in 0..<2, `dy` in
    /// 0..<pixelsPerRow). For braille this is the Unicode dot numbering: dots 1–3 down the left
    /// column are bits 0–2, dots 4–6 down the right column bits 3–5, and the bottom row (dots
    /// 7, 8) bits 6 and 7; the character is U+2800 plus the pattern. Other styles number dots
    /// row by row. Out-of-range dots give 0.
    public static func dotBit(dx: Int, dy: Int, style: CanvasStyle) -> UInt8 {
        guard dx >= 0, dx < 2, dy >= 0, dy < style.pixelsPerRow else { return 0 }
        switch style {
        case .braille:
            if dy == 3 { return dx == 0 ? 0x40 : 0x80 }
            return UInt8(1) << UInt8(dx * 3 + dy)
        case .block, .ascii:
            return UInt8(1) << UInt8(dy * 2 + dx)
        }
    }

    /// Sets pixel (`x`, `y`) and gives its cell `color`; outside the canvas nothing happens.
    public mutating func set(x: Int, y: Int, color: PlotColor = .default) {
        guard x >= 0, y >= 0, x < pixelWidth, y < pixelHeight else { return }
        let cx = x / style.pixelsPerColumn, cy = y / style.pixelsPerRow
        let i = cy * width + cx
        bits[i] |= Canvas.dotBit(dx: x % style.pixelsPerColumn, dy: y % style.pixelsPerRow, style: style)
        colors[i] = color
    }

    /// Whether pixel (`x`, `y`) is set (false outside the canvas).
    public func isSet(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < pixelWidth, y < pixelHeight else { return false }
        let i = (y / style.pixelsPerRow) * width + x / style.pixelsPerColumn
        return bits[i] & Canvas.dotBit(dx: x % style.pixelsPerColumn, dy: y % style.pixelsPerRow, style: style) != 0
    }

    /// Draws the Bresenham segment between two pixels, both endpoints included, clipped to the
    /// canvas (any coordinates, however far outside, are fine).
    public mutating func line(from a: PixelPoint, to b: PixelPoint, color: PlotColor = .default) {
        line(Double(a.x), Double(a.y), Double(b.x), Double(b.y), color: color)
    }

    /// Draws a segment between two points in continuous pixel coordinates (pixel `i` is
    /// centred on `i`), clipped to the canvas. Non-finite coordinates draw nothing.
    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double,
                              color: PlotColor = .default) {
        guard pixelWidth > 0, pixelHeight > 0 else { return }
        let xMax = Double(pixelWidth) - 0.5, yMax = Double(pixelHeight) - 0.5
        guard let (a, b, c, d) = Raster.clip(x0, y0, x1, y1, xMin: -0.5, xMax: xMax, yMin: -0.5, yMax: yMax)
        else { return }
        let p = PixelPoint(x: clampedInt(a, 0, pixelWidth - 1), y: clampedInt(b, 0, pixelHeight - 1))
        let q = PixelPoint(x: clampedInt(c, 0, pixelWidth - 1), y: clampedInt(d, 0, pixelHeight - 1))
        Raster.visitLine(from: p, to: q) { set(x: $0.x, y: $0.y, color: color) }
    }

    /// Sets the pixel nearest to a point in continuous pixel coordinates, if it is on the canvas.
    public mutating func point(_ x: Double, _ y: Double, color: PlotColor = .default) {
        guard x >= -0.5, y >= -0.5, x < Double(pixelWidth) - 0.5, y < Double(pixelHeight) - 0.5 else { return }
        set(x: clampedInt(x, 0, pixelWidth - 1), y: clampedInt(y, 0, pixelHeight - 1), color: color)
    }

    /// Fills the pixel rectangle spanned by two corners (inclusive, clipped, any order).
    public mutating func fill(from a: PixelPoint, to b: PixelPoint, color: PlotColor = .default) {
        guard pixelWidth > 0, pixelHeight > 0 else { return }
        let x0 = max(min(a.x, b.x), 0), x1 = min(max(a.x, b.x), pixelWidth - 1)
        let y0 = max(min(a.y, b.y), 0), y1 = min(max(a.y, b.y), pixelHeight - 1)
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 { set(x: x, y: y, color: color) }
        }
    }

    /// The dot pattern of cell (`column`, `row`), 0 outside the canvas.
    public func pattern(column: Int, row: Int) -> UInt8 {
        guard column >= 0, row >= 0, column < width, row < height else { return 0 }
        return bits[row * width + column]
    }

    /// The styled character of cell (`column`, `row`); empty cells (and cells outside the
    /// canvas) are spaces, never U+2800, which some fonts draw as faint dots.
    public func cell(column: Int, row: Int) -> StyledCell {
        guard column >= 0, row >= 0, column < width, row < height else { return .blank }
        let i = row * width + column
        return StyledCell(Canvas.glyph(bits[i], style: style), color: bits[i] == 0 ? .default : colors[i])
    }

    /// The canvas as text, `height` lines of `width` cells.
    public var styledText: StyledText {
        StyledText(lines: (0..<height).map { r in (0..<width).map { cell(column: $0, row: r) } })
    }

    /// The character showing dot pattern `bits` in `style` (a space for an empty pattern).
    public static func glyph(_ bits: UInt8, style: CanvasStyle) -> Character {
        if bits == 0 { return " " }
        switch style {
        case .braille:
            return Unicode.Scalar(0x2800 + UInt32(bits)).map(Character.init) ?? " "
        case .block:
            return blockGlyphs[Int(bits & 0x0F)]
        case .ascii:
            return asciiGlyph(bits & 0x3F)
        }
    }

    /// Quadrant characters indexed by pattern: bit 0 top-left, 1 top-right, 2 bottom-left,
    /// 3 bottom-right.
    private static let blockGlyphs: [Character] = [
        " ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█",
    ]

    /// Classifies a 2 × 3 pattern (bit `2·row + column`) into the ASCII character closest to
    /// the stroke: `'`, `-`, `.` or `_` in one row, `|` in one column, `/` or `\` for a slope,
    /// `#` when nearly full or a solid block, `=` for two rows, `+` otherwise.
    static func asciiGlyph(_ bits: UInt8) -> Character {
        var count = 0
        var rows: [Bool] = [false, false, false]
        var left = 0.0, leftCount = 0.0, right = 0.0, rightCount = 0.0
        for r in 0..<3 {
            for c in 0..<2 where bits & (UInt8(1) << UInt8(2 * r + c)) != 0 {
                count += 1
                rows[r] = true
                if c == 0 { left += Double(r); leftCount += 1 } else { right += Double(r); rightCount += 1 }
            }
        }
        if count == 0 { return " " }
        if count >= 5 { return "#" }
        let occupiedRows = rows.filter { $0 }.count
        if occupiedRows == 1 {
            if rows[0] { return "'" }
            if rows[1] { return "-" }
            return leftCount > 0 && rightCount > 0 ? "_" : "."
        }
        if leftCount == 0 || rightCount == 0 { return "|" }
        let meanLeft = left / leftCount, meanRight = right / rightCount
        if meanLeft > meanRight { return "/" }
        if meanLeft < meanRight { return "\\" }
        // Same height on both sides: two horizontal strokes, a filled block (a bar's top), or
        // a cross-like pattern.
        let leftBits = bits & 0b01_0101, rightBits = (bits >> 1) & 0b01_0101
        if leftBits == rightBits { return rows[1] ? "#" : "=" }
        return "+"
    }
}
