/// Rendering a plot to styled text.
extension Plot {
    /// Renders to exactly `height` lines of `width` cells (both clamped to
    /// 0...`Canvas.maximumCells`), drawing the data on a canvas of the given style.
    ///
    /// Long line series are decimated to the canvas' pixel columns first (`Decimation`), so
    /// the cost is about linear in the number of points, with spikes kept.
    public func render(width: Int, height: Int, style: CanvasStyle) -> StyledText {
        frameLayout(style: style).render(width: width, height: height, style: style) { columns, rows, xAxis, yAxis in
            var canvas = Canvas(width: columns, height: rows, style: style)
            let drawn = draw(on: &canvas, xAxis: xAxis, yAxis: yAxis)
            var text = canvas.styledText
            if !drawn {
                let message = Text.fit("no data", columns, unicode: style.isUnicode)
                text.write(message, row: rows / 2, column: max(0, (columns - message.count) / 2))
            }
            return text.lines
        }
    }

    /// The frame around this plot: axes from its data and limits, legend panel.
    func frameLayout(style: CanvasStyle) -> FrameLayout {
        let (xs, ys) = axisValues()
        let unicode = style.isUnicode
        var layout = FrameLayout(
            title: title, xLabel: xLabel, yLabel: yLabel,
            xAxis: { ResolvedAxis.resolve(values: xs, scale: xScale, limits: xLimits,
                                          tickCount: FrameLayout.xTickCount(columns: $0), unicode: unicode) },
            yAxis: { ResolvedAxis.resolve(values: ys, scale: yScale, limits: yLimits,
                                          tickCount: FrameLayout.yTickCount(rows: $0), unicode: unicode) },
            panel: nil)
        let entries = legendEntries(style: style)
        if showLegend, !entries.isEmpty {
            let nameWidth = min(entries.reduce(0) { max($0, $1.name.count) }, 24)
            layout.panel = FrameLayout.Panel(width: 4 + nameWidth) { rows in
                entries.prefix(rows).map { entry in
                    [StyledCell.blank] + Text.cells(entry.marker, color: entry.color) + [StyledCell.blank]
                        + Text.cells(Text.fit(entry.name, nameWidth, unicode: unicode))
                }
            }
        }
        return layout
    }

    /// Legend lines: a two-cell marker in the series' colour, and its name.
    func legendEntries(style: CanvasStyle) -> [(marker: String, color: PlotColor, name: String)] {
        series.enumerated().compactMap { i, s in
            guard !s.name.isEmpty else { return nil }
            let marker: String
            switch (s.kind, style) {
            case (.line, .ascii), (.step, .ascii): marker = "--"
            case (.line, _), (.step, _): marker = "──"
            case (.scatter, .ascii): marker = " ."
            case (.scatter, _): marker = " ⠶"
            case (.bars, .ascii): marker = "##"
            case (.bars, _): marker = "██"
            }
            return (marker, color(ofSeries: i), s.name)
        }
    }

    /// The values the axes are fitted to: the points, plus bar edges and bar bases.
    func axisValues() -> (x: [Double], y: [Double]) {
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            // Only points that can be drawn count: (NaN, 1) must not stretch the y axis.
            for (x, y) in zip(s.x, s.y) where x.isFinite && y.isFinite
                && (xScale == .linear || x > 0) && (yScale == .linear || y > 0) {
                xs.append(x)
                ys.append(y)
            }
            if s.kind == .bars, s.count > 0 {
                let w = Plot.barWidth(s.x)
                for x in s.x where x.isFinite {
                    xs.append(x - w / 2)
                    xs.append(x + w / 2)
                }
                if yScale == .linear { ys.append(0) }
            }
        }
        return (xs, ys)
    }

    /// The width of bars centred on `x`: the smallest positive gap between sorted finite
    /// values, or 1 when there is none.
    static func barWidth(_ x: [Double]) -> Double {
        let sorted = x.filter(\.isFinite).sorted()
        var gap = Double.infinity
        for (a, b) in zip(sorted, sorted.dropFirst()) where b - a > 0 { gap = min(gap, b - a) }
        return gap.isFinite ? gap : 1
    }

    /// Draws every series; returns whether any point could be placed on the axes at all.
    func draw(on canvas: inout Canvas, xAxis: ResolvedAxis, yAxis: ResolvedAxis) -> Bool {
        let pw = Double(max(canvas.pixelWidth - 1, 0)), ph = Double(max(canvas.pixelHeight - 1, 0))
        var any = false
        for (i, s) in series.enumerated() {
            let color = color(ofSeries: i)
            var px: [Double] = [], py: [Double] = []
            px.reserveCapacity(s.count)
            py.reserveCapacity(s.count)
            for k in 0..<s.count {
                if let fx = xAxis.fraction(s.x[k]), let fy = yAxis.fraction(s.y[k]) {
                    px.append(fx * pw)
                    py.append((1 - fy) * ph)
                    any = true
                } else {
                    px.append(.nan)
                    py.append(.nan)
                }
            }
            switch s.kind {
            case .line:
                let d = Decimation.minMax(x: px, y: py, columns: canvas.pixelWidth, lower: -0.5, upper: pw + 0.5)
                Plot.polyline(d.x, d.y, step: false, on: &canvas, color: color)
            case .step:
                Plot.polyline(px, py, step: true, on: &canvas, color: color)
            case .scatter:
                for (x, y) in zip(px, py) { canvas.point(x, y, color: color) }
            case .bars:
                drawBars(s, on: &canvas, xAxis: xAxis, yAxis: yAxis, color: color)
            }
        }
        return any
    }

    /// Segments between consecutive drawable points; a point alone between gaps is a dot.
    static func polyline(_ px: [Double], _ py: [Double], step: Bool, on canvas: inout Canvas, color: PlotColor) {
        var previous: (Double, Double)?
        var isolated = false
        for (x, y) in zip(px, py) {
            guard x.isFinite, y.isFinite else {
                if isolated, let p = previous { canvas.point(p.0, p.1, color: color) }
                previous = nil
                isolated = false
                continue
            }
            if let p = previous {
                if step {
                    canvas.line(p.0, p.1, x, p.1, color: color)
                    canvas.line(x, p.1, x, y, color: color)
                } else {
                    canvas.line(p.0, p.1, x, y, color: color)
                }
                isolated = false
            } else {
                isolated = true
            }
            previous = (x, y)
        }
        if isolated, let p = previous { canvas.point(p.0, p.1, color: color) }
    }

    /// Filled bars from the base (0, or the lower end of a log axis) to each value, with a
    /// one-pixel gap between bars at least 3 pixels wide.
    func drawBars(_ s: Series, on canvas: inout Canvas, xAxis: ResolvedAxis, yAxis: ResolvedAxis, color: PlotColor) {
        let pw = Double(max(canvas.pixelWidth - 1, 0)), ph = Double(max(canvas.pixelHeight - 1, 0))
        let w = Plot.barWidth(s.x)
        let base = yScale == .linear ? min(max(0, yAxis.lower), yAxis.upper) : yAxis.lower
        guard let fBase = yAxis.fraction(base) else { return }
        let yBase = clampedInt((1 - fBase) * ph, -1, canvas.pixelHeight)
        let limit = canvas.pixelWidth + 1
        for (x, y) in zip(s.x, s.y) {
            guard let fy = yAxis.fraction(y), let fl = xAxis.fraction(x - w / 2),
                  let fr = xAxis.fraction(x + w / 2) else { continue }
            let left = clampedInt(fl * pw, -1, limit)
            var right = clampedInt(fr * pw, -1, limit) - 1
            if right - left + 1 >= 3 { right -= 1 }
            right = max(right, left)
            let top = clampedInt((1 - fy) * ph, -1, canvas.pixelHeight)
            canvas.fill(from: PixelPoint(x: left, y: yBase), to: PixelPoint(x: right, y: top), color: color)
        }
    }
}
