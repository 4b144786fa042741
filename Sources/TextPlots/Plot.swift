/// A plot: data series on two axes, with title, labels and legend. A pure value; rendering
/// it (`render`, `svg`, `savefig`) does not change it.
///
/// ```swift
/// let t = (0...200).map { Double($0) * 0.05 }
/// var p = Plot.lines(x: t, [t.map(sin), t.map(cos)], names: ["sin", "cos"], title: "u(t)")
/// p.yScale = .linear
/// print(p.render().ansiString())
/// ```
///
/// Every input renders: NaN and ±Inf points are gaps, a constant series gets a range around
/// its value, an empty plot shows its frame with "no data", and sizes too small for a frame
/// degrade to a truncated title.
///
/// References: the keyword vocabulary (title, xlabel, ylabel, xscale, yscale, xlim, ylim,
/// width, height, canvas) follows UnicodePlots.jl.
public struct Plot: Sendable, Equatable {
    /// The series, drawn in order (a later series wins a shared cell's colour).
    public var series: [Series]
    /// Title, shown bold above the frame.
    public var title: String
    /// Label of the x axis, shown below it.
    public var xLabel: String
    /// Label of the y axis, shown above the frame at the left.
    public var yLabel: String
    /// Scale of the x axis.
    public var xScale: AxisScale
    /// Scale of the y axis.
    public var yScale: AxisScale
    /// How the x range is chosen (default: the data's extent).
    public var xLimits: AxisLimits
    /// How the y range is chosen (default: the data widened to nice ticks).
    public var yLimits: AxisLimits
    /// Whether named series are listed to the right of the frame.
    public var showLegend: Bool
    /// Default total width in character cells, used by `render()` and `savefig` to text.
    public var width: Int
    /// Default total height in character cells (lines).
    public var height: Int
    /// Default canvas style, used by `render()`.
    public var style: CanvasStyle

    /// A plot of the given series; every setting has a default.
    public init(series: [Series] = [], title: String = "", xLabel: String = "", yLabel: String = "",
                xScale: AxisScale = .linear, yScale: AxisScale = .linear,
                xLimits: AxisLimits = .tight, yLimits: AxisLimits = .auto,
                showLegend: Bool = true, width: Int = 72, height: Int = 20, style: CanvasStyle = .braille) {
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.xLimits = xLimits
        self.yLimits = yLimits
        self.showLegend = showLegend
        self.width = width
        self.height = height
        self.style = style
    }

    /// Line plot of several series against a shared x (indices 1, 2, … when `x` is nil).
    /// Series are named from `names` (missing names leave a series out of the legend).
    public static func lines(x: [Double]? = nil, _ ys: [[Double]], names: [String] = [],
                             title: String = "", xLabel: String = "", yLabel: String = "",
                             yScale: AxisScale = .linear) -> Plot {
        let series = ys.enumerated().map { i, y in
            let name = i < names.count ? names[i] : ""
            return x.map { Series(name: name, x: $0, y: y) } ?? Series(name: name, y: y)
        }
        return Plot(series: series, title: title, xLabel: xLabel, yLabel: yLabel, yScale: yScale)
    }

    /// Line plot of one series.
    public static func lines(x: [Double], y: [Double], name: String = "", title: String = "",
                             xLabel: String = "", yLabel: String = "", yScale: AxisScale = .linear) -> Plot {
        Plot(series: [Series(name: name, x: x, y: y)], title: title, xLabel: xLabel, yLabel: yLabel, yScale: yScale)
    }

    /// Line plots of functions sampled at `samples` points of [`lower`, `upper`]
    /// (UnicodePlots' `lineplot([sin, cos], a, b)`).
    public static func functions(_ functions: [(name: String, f: (Double) -> Double)],
                                 from lower: Double, to upper: Double, samples: Int = 400,
                                 title: String = "", xLabel: String = "", yLabel: String = "") -> Plot {
        let n = min(max(samples, 2), 100_000)
        let x = (0..<n).map { lower + (upper - lower) * Double($0) / Double(n - 1) }
        let series = functions.map { Series(name: $0.name, x: x, y: x.map($0.f)) }
        return Plot(series: series, title: title, xLabel: xLabel, yLabel: yLabel)
    }

    /// Scatter plot: one dot per (x, y), both axes widened to nice ticks.
    public static func scatter(x: [Double], y: [Double], name: String = "", title: String = "",
                               xLabel: String = "", yLabel: String = "") -> Plot {
        Plot(series: [Series(name: name, x: x, y: y, kind: .scatter)], title: title,
             xLabel: xLabel, yLabel: yLabel, xLimits: .auto)
    }

    /// Phase plot: the trajectory (u₁(t), u₂(t)) as a path, drawn in time order, with the first
    /// point marked; both axes widened to nice ticks. Labels default to "u1" and "u2".
    public static func phase(x: [Double], y: [Double], name: String = "", title: String = "",
                             xLabel: String = "u1", yLabel: String = "u2") -> Plot {
        var series = [Series(name: name, x: x, y: y, kind: .line)]
        if let start = zip(x, y).first(where: { $0.0.isFinite && $0.1.isFinite }) {
            series.append(Series(name: name.isEmpty ? "" : "start", x: [start.0], y: [start.1],
                                 kind: .scatter, color: .red))
            series[0].color = .blue
        }
        return Plot(series: series, title: title, xLabel: xLabel, yLabel: yLabel, xLimits: .auto)
    }

    /// This plot with one more series.
    public func adding(_ series: Series) -> Plot {
        var copy = self
        copy.series.append(series)
        return copy
    }

    /// Adds a series.
    public mutating func add(_ series: Series) {
        self.series.append(series)
    }

    /// The colour series `index` is drawn in: its own, or the cycle's.
    public func color(ofSeries index: Int) -> PlotColor {
        guard index >= 0, index < series.count else { return .default }
        return series[index].color ?? PlotColor.cycled(index)
    }
}
