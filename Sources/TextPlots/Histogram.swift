import Foundation

/// A histogram of samples (an SDE ensemble at one time, FFJORD samples, final losses),
/// drawn as bars on a plot.
///
/// Non-finite samples are dropped. Bins are equal, over `range` or the samples' extent;
/// samples outside a given range are not counted.
///
/// References: H. A. Sturges, "The choice of a class interval", Journal of the American
/// Statistical Association 21, 1926 (the default bin count ⌈log₂ n⌉ + 1).
public struct Histogram: Sendable, Equatable {
    /// The samples.
    public var values: [Double]
    /// The number of bins; nil for Sturges' rule. Clamped to 1...10 000.
    public var bins: Int?
    /// The binned interval; nil for the finite extent of the samples.
    public var range: (lower: Double, upper: Double)?
    /// Whether bar heights are densities (integrating to 1) rather than counts.
    public var normalized: Bool
    /// Legend name of the bars.
    public var name: String
    /// Colour of the bars.
    public var color: PlotColor
    /// Title, shown bold above the frame.
    public var title: String
    /// Label of the x axis.
    public var xLabel: String
    /// Label of the y axis.
    public var yLabel: String
    /// Default total width in cells, used by `render()`.
    public var width: Int
    /// Default total height in cells (lines).
    public var height: Int
    /// Default canvas style.
    public var style: CanvasStyle

    /// A histogram of `values`.
    public init(_ values: [Double], bins: Int? = nil, range: (Double, Double)? = nil, normalized: Bool = false,
                name: String = "", color: PlotColor = .blue, title: String = "", xLabel: String = "",
                yLabel: String? = nil, width: Int = 72, height: Int = 20, style: CanvasStyle = .braille) {
        self.values = values
        self.bins = bins
        self.range = range.map { (lower: $0.0, upper: $0.1) }
        self.normalized = normalized
        self.name = name
        self.color = color
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel ?? (normalized ? "density" : "count")
        self.width = width
        self.height = height
        self.style = style
    }

    /// Field-by-field equality (tuples cannot be synthesised).
    public static func == (a: Histogram, b: Histogram) -> Bool {
        a.values == b.values && a.bins == b.bins && a.range?.lower == b.range?.lower
            && a.range?.upper == b.range?.upper && a.normalized == b.normalized && a.name == b.name
            && a.color == b.color && a.title == b.title && a.xLabel == b.xLabel && a.yLabel == b.yLabel
            && a.width == b.width && a.height == b.height && a.style == b.style
    }

    /// Bin edges (count + 1 of them, increasing) and the height of each bin.
    public func binned() -> (edges: [Double], heights: [Double]) {
        let finite = values.filter(\.isFinite)
        var lo: Double, hi: Double
        if let r = range, r.lower.isFinite, r.upper.isFinite, r.lower != r.upper {
            lo = min(r.lower, r.upper)
            hi = max(r.lower, r.upper)
        } else {
            lo = finite.min() ?? 0
            hi = finite.max() ?? 1
        }
        if lo == hi {
            lo -= 0.5
            hi += 0.5
        }
        let sturges = clampedInt(Foundation.ceil(Foundation.log2(Double(max(finite.count, 1)))) + 1, 1, 10_000)
        let n = min(max(bins ?? sturges, 1), 10_000)
        // Halved arithmetic: a range like ±1e308 must not overflow.
        let halfWidth = (hi * 0.5 - lo * 0.5) / Double(n)
        let edges = (0...n).map { k in k == n ? hi : lo + 2 * halfWidth * Double(k) }
        var counts = Array(repeating: 0.0, count: n)
        for v in finite where v >= lo && v <= hi {
            let k = clampedFloor((v * 0.5 - lo * 0.5) / halfWidth, 0, n - 1)
            counts[k] += 1
        }
        if normalized, finite.count > 0 {
            let scale = 1 / (Double(finite.count) * 2 * halfWidth)
            counts = counts.map { $0 * scale }
        }
        return (edges, counts)
    }

    /// The histogram as a plot with one bar series, so more series (a density, a reference
    /// distribution) can be added.
    public var plot: Plot {
        let (edges, heights) = binned()
        let centres = zip(edges, edges.dropFirst()).map { $0 * 0.5 + $1 * 0.5 }
        let range = (edges.first ?? 0, edges.last ?? 1)
        return Plot(series: [Series(name: name, x: centres, y: heights, kind: .bars, color: color)],
                    title: title, xLabel: xLabel, yLabel: yLabel,
                    xLimits: .fixed(range.0, range.1), yLimits: .auto, showLegend: !name.isEmpty,
                    width: width, height: height, style: style)
    }
}

extension Histogram: PlotRenderable {
    /// `width`, `height` and `style`.
    public var preferredSize: (width: Int, height: Int, style: CanvasStyle) { (width, height, style) }

    /// Renders `plot`.
    public func render(width: Int, height: Int, style: CanvasStyle) -> StyledText {
        plot.render(width: width, height: height, style: style)
    }

    /// The SVG of `plot`.
    public func svg(width: Int = 720, height: Int = 450) -> String {
        plot.svg(width: width, height: height)
    }
}
