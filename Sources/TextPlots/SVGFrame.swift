/// The plot area of an SVG document.
struct SVGArea {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    /// Horizontal position of fraction `f` of the x range.
    func px(_ f: Double) -> Double { x + f * width }
    /// Vertical position of fraction `f` of the y range (0 at the bottom).
    func py(_ f: Double) -> Double { y + (1 - f) * height }

    /// The part of a segment inside the area (slightly enlarged so edge lines show), or nil.
    func clip(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> (Double, Double, Double, Double)? {
        Raster.clip(x0, y0, x1, y1, xMin: x - 1, xMax: x + width + 1, yMin: y - 1, yMax: y + height + 1)
    }
}

/// The SVG counterpart of `FrameLayout`: title, axes with ticks and tick labels, axis labels,
/// and room on the right for a legend or colour bar.
struct SVGFrame {
    var title = ""
    var xLabel = ""
    var yLabel = ""
    /// The x axis for a plot area of the given width in pixels.
    var xAxis: (_ pixels: Int) -> ResolvedAxis
    /// The y axis for a plot area of the given height in pixels.
    var yAxis: (_ pixels: Int) -> ResolvedAxis
    /// Pixels reserved right of the plot area.
    var panelWidth: Double = 0

    static let characterWidth = 7.2

    /// Clamps a requested document size.
    static func clampSize(_ width: Int, _ height: Int) -> (Int, Int) {
        (min(max(width, 64), 16384), min(max(height, 64), 16384))
    }

    /// Starts a document: computes the plot area and its axes, draws title and labels.
    func begin(width: Int, height: Int) -> (SVGWriter, SVGArea, ResolvedAxis, ResolvedAxis) {
        let (w, h) = SVGFrame.clampSize(width, height)
        var svg = SVGWriter(width: w, height: h)
        let top = title.isEmpty ? 16.0 : 40.0
        let bottom = 34.0 + (xLabel.isEmpty ? 0 : 20)
        let plotHeight = max(Double(h) - top - bottom, 10)
        let yAxis = self.yAxis(clampedInt(plotHeight, 10, 16384))
        let labelChars = yAxis.ticks.reduce(0) { max($0, $1.label.count) }
        let left = 14 + Double(labelChars) * SVGFrame.characterWidth + (yLabel.isEmpty ? 0 : 22)
        let plotWidth = max(Double(w) - left - 16 - panelWidth, 10)
        let xAxis = self.xAxis(clampedInt(plotWidth, 10, 16384))
        let area = SVGArea(x: left, y: top, width: plotWidth, height: plotHeight)

        if !title.isEmpty {
            svg.text(title, area.x + area.width / 2, 24, anchor: "middle", size: 15, bold: true)
        }
        if !xLabel.isEmpty {
            svg.text(xLabel, area.x + area.width / 2, area.y + area.height + 48, anchor: "middle")
        }
        if !yLabel.isEmpty {
            svg.text(yLabel, 16, area.y + area.height / 2, anchor: "middle", rotate: -90)
        }
        return (svg, area, xAxis, yAxis)
    }

    /// Draws the frame, tick marks, tick labels and (with `grid`) faint grid lines.
    func drawAxes(_ svg: inout SVGWriter, area: SVGArea, xAxis: ResolvedAxis, yAxis: ResolvedAxis, grid: Bool = true) {
        svg.open("axes")
        for tick in xAxis.ticks {
            guard let f = xAxis.fraction(tick.value), f >= -1e-9, f <= 1 + 1e-9 else { continue }
            let x = area.px(f)
            if grid { svg.line(x, area.y, x, area.y + area.height, stroke: "#e6e6e6") }
            svg.line(x, area.y + area.height, x, area.y + area.height + 5)
            svg.text(tick.label, x, area.y + area.height + 19, anchor: "middle")
        }
        for tick in yAxis.ticks {
            guard let f = yAxis.fraction(tick.value), f >= -1e-9, f <= 1 + 1e-9 else { continue }
            let y = area.py(f)
            if grid { svg.line(area.x, y, area.x + area.width, y, stroke: "#e6e6e6") }
            svg.line(area.x - 5, y, area.x, y)
            svg.text(tick.label, area.x - 8, y + 4, anchor: "end")
        }
        svg.rect(area.x, area.y, area.width, area.height, fill: "none", stroke: "#222222")
        svg.close()
    }

    /// A legend of coloured swatches and names, right of the plot area.
    static func drawLegend(_ svg: inout SVGWriter, area: SVGArea, entries: [(kind: SeriesKind, color: String, name: String)]) {
        guard !entries.isEmpty else { return }
        svg.open("legend")
        let x = area.x + area.width + 12
        for (i, entry) in entries.enumerated() {
            let y = area.y + 12 + Double(i) * 18
            switch entry.kind {
            case .line, .step: svg.line(x, y - 4, x + 20, y - 4, stroke: entry.color, width: 2)
            case .scatter: svg.circle(x + 10, y - 4, r: 3, fill: entry.color)
            case .bars: svg.rect(x + 4, y - 10, 12, 12, fill: entry.color)
            }
            svg.text(entry.name, x + 26, y)
        }
        svg.close()
    }
}
