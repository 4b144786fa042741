/// SVG export of a plot.
extension Plot {
    /// A standalone SVG document of `width` × `height` pixels (clamped to 64...16384): title,
    /// axes with the same nice ticks as the text rendering, grid lines, a polyline per
    /// unbroken piece of each line series (clipped to the plot area, decimated to its pixel
    /// width), circles for scatter points, rectangles for bars, and a legend.
    public func svg(width: Int = 720, height: Int = 450) -> String {
        let (xs, ys) = axisValues()
        let names = series.map(\.name).filter { !$0.isEmpty }
        let legendWidth = showLegend && !names.isEmpty
            ? 40 + Double(min(names.reduce(0) { max($0, $1.count) }, 40)) * SVGFrame.characterWidth : 0
        let frame = SVGFrame(
            title: title, xLabel: xLabel, yLabel: yLabel,
            xAxis: { ResolvedAxis.resolve(values: xs, scale: xScale, limits: xLimits,
                                          tickCount: min(max($0 / 90 + 1, 2), 12)) },
            yAxis: { ResolvedAxis.resolve(values: ys, scale: yScale, limits: yLimits,
                                          tickCount: min(max($0 / 50 + 1, 2), 12)) },
            panelWidth: legendWidth)
        var (svg, area, xAxis, yAxis) = frame.begin(width: width, height: height)
        frame.drawAxes(&svg, area: area, xAxis: xAxis, yAxis: yAxis)

        var drawn = false
        svg.open("series")
        for (i, s) in series.enumerated() {
            let color = color(ofSeries: i).svgHex
            var px: [Double] = [], py: [Double] = []
            for k in 0..<s.count {
                if let fx = xAxis.fraction(s.x[k]), let fy = yAxis.fraction(s.y[k]) {
                    px.append(area.px(fx))
                    py.append(area.py(fy))
                    drawn = true
                } else {
                    px.append(.nan)
                    py.append(.nan)
                }
            }
            switch s.kind {
            case .line:
                let columns = clampedInt(area.width, 1, 16384)
                let d = Decimation.minMax(x: px, y: py, columns: columns, lower: area.x, upper: area.x + area.width)
                for chain in Plot.clippedChains(d.x, d.y, area: area) { svg.polyline(chain, stroke: color) }
            case .step:
                var sx: [Double] = [], sy: [Double] = []
                for k in 0..<px.count {
                    if k > 0, px[k].isFinite, px[k - 1].isFinite {
                        sx.append(px[k])
                        sy.append(py[k - 1])
                    }
                    sx.append(px[k])
                    sy.append(py[k])
                }
                for chain in Plot.clippedChains(sx, sy, area: area) { svg.polyline(chain, stroke: color) }
            case .scatter:
                for (x, y) in zip(px, py) where x >= area.x - 0.5 && x <= area.x + area.width + 0.5
                    && y >= area.y - 0.5 && y <= area.y + area.height + 0.5 {
                    svg.circle(x, y, r: 2.5, fill: color)
                }
            case .bars:
                svgBars(s, &svg, area: area, xAxis: xAxis, yAxis: yAxis, color: color)
            }
        }
        svg.close()
        if !drawn {
            svg.text("no data", area.x + area.width / 2, area.y + area.height / 2, anchor: "middle", fill: "#888888")
        }
        if showLegend {
            let entries = series.enumerated().compactMap { i, s in
                s.name.isEmpty ? nil : (kind: s.kind, color: color(ofSeries: i).svgHex, name: s.name)
            }
            SVGFrame.drawLegend(&svg, area: area, entries: entries)
        }
        return svg.finish()
    }

    /// Unbroken, clipped pieces of a path in SVG coordinates (NaN marks a gap).
    static func clippedChains(_ px: [Double], _ py: [Double], area: SVGArea) -> [[(Double, Double)]] {
        var chains: [[(Double, Double)]] = []
        var current: [(Double, Double)] = []
        func finish() {
            if current.count >= 2 { chains.append(current) }
            current = []
        }
        for k in 1..<max(px.count, 1) {
            guard let (a, b, c, d) = area.clip(px[k - 1], py[k - 1], px[k], py[k]) else {
                finish()
                continue
            }
            if let last = current.last, last.0 == a, last.1 == b {
                current.append((c, d))
            } else {
                finish()
                current = [(a, b), (c, d)]
            }
        }
        finish()
        return chains
    }

    /// Bars as rectangles clipped to the plot area.
    func svgBars(_ s: Series, _ svg: inout SVGWriter, area: SVGArea, xAxis: ResolvedAxis, yAxis: ResolvedAxis,
                 color: String) {
        let w = Plot.barWidth(s.x)
        let base = yScale == .linear ? min(max(0, yAxis.lower), yAxis.upper) : yAxis.lower
        guard let fBase = yAxis.fraction(base) else { return }
        func clampX(_ v: Double) -> Double { min(max(v, area.x), area.x + area.width) }
        func clampY(_ v: Double) -> Double { min(max(v, area.y), area.y + area.height) }
        for (x, y) in zip(s.x, s.y) {
            guard let fy = yAxis.fraction(y), let fl = xAxis.fraction(x - w / 2),
                  let fr = xAxis.fraction(x + w / 2) else { continue }
            let x0 = clampX(area.px(fl)), x1 = clampX(area.px(fr))
            let y0 = clampY(area.py(fy)), y1 = clampY(area.py(fBase))
            svg.rect(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0), fill: color, stroke: "#ffffff")
        }
    }
}
