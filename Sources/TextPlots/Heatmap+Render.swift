/// Rendering a heatmap to text and SVG.
extension Heatmap: PlotRenderable {
    /// `width`, `height` and `style`.
    public var preferredSize: (width: Int, height: Int, style: CanvasStyle) { (width, height, style) }

    /// Renders to exactly `height` lines of `width` cells: one shade character per cell,
    /// coloured by the colour scale, with a colour bar labelled with the value limits.
    /// An ASCII style uses the ramp `.:-=+*#%@` and an ASCII frame.
    public func render(width: Int, height: Int, style: CanvasStyle) -> StyledText {
        let unicode = style.isUnicode
        let limits = resolvedValueLimits
        let (lo, hi) = limits
        let labels = [hi, lo * 0.5 + hi * 0.5, lo].map { Heatmap.valueLabel($0, limits) }
        let labelWidth = labels.reduce(0) { max($0, $1.count) }
        var layout = axesLayout(unicode: unicode)
        if showColorBar {
            layout.panel = FrameLayout.Panel(width: 4 + labelWidth) { rows in
                (0..<rows).map { r in
                    let t = rows > 1 ? 1 - Double(r) / Double(rows - 1) : 0.5
                    let shade = ColorScale.shade(at: t, unicode: unicode)
                    let color = colorScale.terminalColor(at: t)
                    var line = [StyledCell.blank, StyledCell(shade, color: color), StyledCell(shade, color: color),
                                StyledCell.blank]
                    let label = r == 0 ? labels[0] : r == rows - 1 ? labels[2] : r == (rows - 1) / 2 && rows >= 5 ? labels[1] : ""
                    line += Text.cells(label)
                    return line
                }
            }
        }
        return layout.render(width: width, height: height, style: style) { columns, rows, _, _ in
            let grid = resampled(columns: columns, rows: rows)
            var lines = grid.map { row in
                row.map { v -> StyledCell in
                    guard v.isFinite else { return .blank }
                    let t = Heatmap.unit(v, limits)
                    return StyledCell(ColorScale.shade(at: t, unicode: unicode), color: colorScale.terminalColor(at: t))
                }
            }
            if !values.contains(where: { $0.contains(where: \.isFinite) }), rows > 0 {
                var text = StyledText(lines: lines)
                let message = Text.fit("no data", columns, unicode: unicode)
                text.write(message, row: rows / 2, column: max(0, (columns - message.count) / 2))
                lines = text.lines
            }
            return lines
        }
    }

    /// Axes over `xRange` and `yRange` exactly (the usable ones; index ranges otherwise).
    func axesLayout(unicode: Bool) -> FrameLayout {
        let xs = [xRange.lower, xRange.upper], ys = [yRange.lower, yRange.upper]
        return FrameLayout(
            title: title, xLabel: xLabel, yLabel: yLabel,
            xAxis: { ResolvedAxis.resolve(values: xs, scale: .linear, limits: .tight,
                                          tickCount: FrameLayout.xTickCount(columns: $0), unicode: unicode) },
            yAxis: { ResolvedAxis.resolve(values: ys, scale: .linear, limits: .tight,
                                          tickCount: FrameLayout.yTickCount(rows: $0), unicode: unicode) },
            panel: nil)
    }

    /// A standalone SVG document: the matrix as rectangles (averaged down to at most 400 × 400
    /// blocks), axes, and a colour bar with its limits.
    public func svg(width: Int = 720, height: Int = 450) -> String {
        let xs = [xRange.lower, xRange.upper], ys = [yRange.lower, yRange.upper]
        let frame = SVGFrame(
            title: title, xLabel: xLabel, yLabel: yLabel,
            xAxis: { ResolvedAxis.resolve(values: xs, scale: .linear, limits: .tight,
                                          tickCount: min(max($0 / 90 + 1, 2), 12)) },
            yAxis: { ResolvedAxis.resolve(values: ys, scale: .linear, limits: .tight,
                                          tickCount: min(max($0 / 50 + 1, 2), 12)) },
            panelWidth: showColorBar ? 100 : 0)
        var (svg, area, xAxis, yAxis) = frame.begin(width: width, height: height)
        let columns = min(columnCount, 400, clampedInt(area.width, 1, 16384))
        let rows = min(values.count, 400, clampedInt(area.height, 1, 16384))
        let grid = resampled(columns: columns, rows: rows)
        let limits = resolvedValueLimits
        svg.open("cells", attributes: "shape-rendering=\"crispEdges\"")
        let cw = area.width / Double(max(columns, 1)), ch = area.height / Double(max(rows, 1))
        for (r, row) in grid.enumerated() {
            for (c, v) in row.enumerated() where v.isFinite {
                svg.rect(area.x + Double(c) * cw, area.y + Double(r) * ch, cw + 0.3, ch + 0.3,
                         fill: colorScale.rgb(at: Heatmap.unit(v, limits)).hex)
            }
        }
        svg.close()
        frame.drawAxes(&svg, area: area, xAxis: xAxis, yAxis: yAxis, grid: false)
        if !values.contains(where: { $0.contains(where: \.isFinite) }) {
            svg.text("no data", area.x + area.width / 2, area.y + area.height / 2, anchor: "middle", fill: "#888888")
        }
        if showColorBar {
            let (lo, hi) = limits
            let x = area.x + area.width + 14, steps = 64
            svg.open("colorbar", attributes: "shape-rendering=\"crispEdges\"")
            for k in 0..<steps {
                let t = 1 - (Double(k) + 0.5) / Double(steps)
                svg.rect(x, area.y + Double(k) * area.height / Double(steps), 16, area.height / Double(steps) + 0.3,
                         fill: colorScale.rgb(at: t).hex)
            }
            svg.rect(x, area.y, 16, area.height, fill: "none", stroke: "#222222")
            svg.text(Heatmap.valueLabel(hi, limits), x + 22, area.y + 10)
            svg.text(Heatmap.valueLabel(lo, limits), x + 22, area.y + area.height)
            svg.close()
        }
        return svg.finish()
    }
}
