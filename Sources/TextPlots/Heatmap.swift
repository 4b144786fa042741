/// A matrix shown as coloured cells, with axes and a colour bar: u(x, t) of a PDE, a loss
/// landscape, a Jacobian's magnitude.
///
/// `values[i][j]` is the value at row `i`, column `j`; column 0 sits at the left end of
/// `xRange` and row 0 at the bottom of `yRange` (y grows upwards, as in a plot). Ragged rows
/// count their missing entries as NaN; non-finite values are left blank. When the matrix has
/// more rows or columns than the text has cells, each cell shows the mean of the entries it
/// covers; when fewer, entries are repeated.
public struct Heatmap: Sendable, Equatable {
    /// The matrix, row-major, row 0 at the bottom.
    public var values: [[Double]]
    /// The x values of the first and last column (default: 1 and the column count).
    public var xRange: (lower: Double, upper: Double)
    /// The y values of the first and last row (default: 1 and the row count).
    public var yRange: (lower: Double, upper: Double)
    /// The colour map.
    public var colorScale: ColorScale
    /// Values mapped to the ends of the colour scale; nil uses the finite minimum and maximum.
    public var valueLimits: (lower: Double, upper: Double)?
    /// Title, shown bold above the frame.
    public var title: String
    /// Label of the x axis.
    public var xLabel: String
    /// Label of the y axis.
    public var yLabel: String
    /// Whether the colour bar is drawn.
    public var showColorBar: Bool
    /// Default total width in cells, used by `render()`.
    public var width: Int
    /// Default total height in cells (lines).
    public var height: Int
    /// Default canvas style.
    public var style: CanvasStyle

    /// A heatmap of `values` (`values[i][j]` at y row `i`, x column `j`).
    public init(_ values: [[Double]], x: (Double, Double)? = nil, y: (Double, Double)? = nil,
                colorScale: ColorScale = .viridis, valueLimits: (Double, Double)? = nil,
                title: String = "", xLabel: String = "", yLabel: String = "", showColorBar: Bool = true,
                width: Int = 72, height: Int = 20, style: CanvasStyle = .braille) {
        self.values = values
        let columns = values.reduce(0) { max($0, $1.count) }
        xRange = x.map { (lower: $0.0, upper: $0.1) } ?? (1, Double(max(columns, 1)))
        yRange = y.map { (lower: $0.0, upper: $0.1) } ?? (1, Double(max(values.count, 1)))
        self.colorScale = colorScale
        self.valueLimits = valueLimits.map { (lower: $0.0, upper: $0.1) }
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.showColorBar = showColorBar
        self.width = width
        self.height = height
        self.style = style
    }

    /// A space–time picture of a PDE solution: `snapshots[k]` is u(·, t_k) on the spatial grid.
    /// Time runs along x over `t`, space along y over `x`.
    public static func spaceTime(_ snapshots: [[Double]], x: (Double, Double), t: (Double, Double),
                                 colorScale: ColorScale = .viridis, title: String = "") -> Heatmap {
        let points = snapshots.reduce(0) { max($0, $1.count) }
        let matrix = (0..<points).map { i in snapshots.map { i < $0.count ? $0[i] : .nan } }
        return Heatmap(matrix, x: t, y: x, colorScale: colorScale, title: title, xLabel: "t", yLabel: "x")
    }

    /// Field-by-field equality (tuples cannot be synthesised).
    public static func == (a: Heatmap, b: Heatmap) -> Bool {
        a.values == b.values && a.xRange == b.xRange && a.yRange == b.yRange && a.colorScale == b.colorScale
            && a.valueLimits?.lower == b.valueLimits?.lower && a.valueLimits?.upper == b.valueLimits?.upper
            && a.title == b.title && a.xLabel == b.xLabel && a.yLabel == b.yLabel
            && a.showColorBar == b.showColorBar && a.width == b.width && a.height == b.height && a.style == b.style
    }

    /// The number of columns (the longest row).
    public var columnCount: Int { values.reduce(0) { max($0, $1.count) } }

    /// The values mapped to the ends of the colour scale: `valueLimits` if usable, else the
    /// finite extremes (widened when equal; [0, 1] when there are none).
    public var resolvedValueLimits: (lower: Double, upper: Double) {
        if let l = valueLimits, l.lower.isFinite, l.upper.isFinite, l.lower != l.upper {
            return (min(l.lower, l.upper), max(l.lower, l.upper))
        }
        var lo = Double.infinity, hi = -Double.infinity
        for row in values {
            for v in row where v.isFinite {
                lo = min(lo, v)
                hi = max(hi, v)
            }
        }
        if !(lo <= hi) { return (0, 1) }
        if lo == hi { return (lo - 0.5, hi + 0.5) }
        return (lo, hi)
    }

    /// Where `v` falls between `limits` (0…1, beyond for values outside them). The limits are
    /// passed in because resolving them scans the whole matrix.
    static func unit(_ v: Double, _ limits: (lower: Double, upper: Double)) -> Double {
        let t = (v * 0.5 - limits.lower * 0.5) / (limits.upper * 0.5 - limits.lower * 0.5)
        return t.isFinite ? t : 0.5
    }

    /// The matrix averaged down (or repeated up) to `rows` × `columns`, top row first; NaN
    /// where a block holds no finite value.
    public func resampled(columns: Int, rows: Int) -> [[Double]] {
        let nr = values.count, nc = columnCount
        let columns = min(max(columns, 0), Canvas.maximumCells), rows = min(max(rows, 0), Canvas.maximumCells)
        guard nr > 0, nc > 0, columns > 0, rows > 0 else {
            return Array(repeating: Array(repeating: .nan, count: columns), count: rows)
        }
        func span(_ k: Int, _ cells: Int, _ n: Int) -> Range<Int> {
            let lo = k * n / cells, hi = (k + 1) * n / cells
            return hi > lo ? lo..<hi : min(lo, n - 1)..<min(lo, n - 1) + 1
        }
        let columnSpans = (0..<columns).map { span($0, columns, nc) }
        return (0..<rows).map { r in
            // Text row r counts from the top; matrix rows count from the bottom.
            let rowSpan = span(rows - 1 - r, rows, nr)
            return columnSpans.map { cs in
                // A running mean on halved values: stays finite even for entries near ±1e308.
                var mean = 0.0, count = 0.0
                for i in rowSpan {
                    let row = values[i]
                    for j in cs where j < row.count && row[j].isFinite {
                        count += 1
                        mean += (row[j] * 0.5 - mean * 0.5) / count * 2
                    }
                }
                return count > 0 ? mean : .nan
            }
        }
    }

    /// A label for a colour-bar value.
    static func valueLabel(_ v: Double, _ limits: (lower: Double, upper: Double)) -> String {
        let step = NiceTicks.step(lower: limits.lower, upper: limits.upper, count: 20)
        return NiceTicks.label(v, step: step.isFinite ? step : 1)
    }
}
