import TextPlots

/// Plots in a session file: every series and setting, so the plot pane shows the same plot.
extension Interpreter {
    /// A plot's series and settings.
    static func encodePlot(_ plot: Plot) -> JSON {
        func limits(_ l: AxisLimits) -> JSON {
            switch l {
            case .auto: return .string("auto")
            case .tight: return .string("tight")
            case .fixed(let a, let b): return .array([.double(a), .double(b)])
            }
        }
        let series = plot.series.map { s -> JSON in
            var members: [(String, JSON)] = [("name", .string(s.name)), ("kind", .string(s.kind.rawValue)),
                                             ("x", .array(s.x.map(JSON.double))), ("y", .array(s.y.map(JSON.double)))]
            if let color = s.color, let index = PlotColor.allCases.firstIndex(of: color) {
                members.append(("color", .int(index)))
            }
            return .object(members)
        }
        return .object([
            ("title", .string(plot.title)), ("xlabel", .string(plot.xLabel)), ("ylabel", .string(plot.yLabel)),
            ("xscale", .string(plot.xScale.rawValue)), ("yscale", .string(plot.yScale.rawValue)),
            ("xlims", limits(plot.xLimits)), ("ylims", limits(plot.yLimits)), ("legend", .bool(plot.showLegend)),
            ("width", .int(plot.width)), ("height", .int(plot.height)), ("style", .string(plot.style.rawValue)),
            ("series", .array(series)),
        ])
    }

    /// The plot `encodePlot` wrote, or nil when the JSON is not one.
    static func decodePlot(_ json: JSON) -> Plot? {
        func limits(_ json: JSON?) -> AxisLimits? {
            switch json {
            case .string("auto")?: return .auto
            case .string("tight")?: return .tight
            case .array(let ends)? where ends.count == 2:
                guard let a = ends[0].doubleValue, let b = ends[1].doubleValue else { return nil }
                return .fixed(a, b)
            default: return nil
            }
        }
        guard let xScale = json["xscale"]?.stringValue.flatMap(AxisScale.init), let yScale = json["yscale"]?.stringValue.flatMap(AxisScale.init),
              let xLimits = limits(json["xlims"]), let yLimits = limits(json["ylims"]),
              let style = json["style"]?.stringValue.flatMap(CanvasStyle.init), let items = json["series"]?.arrayValue else { return nil }
        var series: [Series] = []
        for item in items {
            guard let kind = item["kind"]?.stringValue.flatMap(SeriesKind.init), let xs = item["x"]?.arrayValue,
                  let ys = item["y"]?.arrayValue else { return nil }
            let x = xs.compactMap(\.doubleValue), y = ys.compactMap(\.doubleValue)
            guard x.count == xs.count, y.count == ys.count else { return nil }
            var color: PlotColor?
            if let index = item["color"]?.intValue {
                guard PlotColor.allCases.indices.contains(index) else { return nil }
                color = PlotColor.allCases[index]
            }
            series.append(Series(name: item["name"]?.stringValue ?? "", x: x, y: y, kind: kind, color: color))
        }
        return Plot(series: series, title: json["title"]?.stringValue ?? "", xLabel: json["xlabel"]?.stringValue ?? "",
                    yLabel: json["ylabel"]?.stringValue ?? "", xScale: xScale, yScale: yScale, xLimits: xLimits,
                    yLimits: yLimits, showLegend: json["legend"]?.boolValue ?? true, width: json["width"]?.intValue ?? 72,
                    height: json["height"]?.intValue ?? 20, style: style)
    }
}
