import Foundation

/// Kernel density estimates of one or more sample sets, drawn as lines: the distribution of
/// an SDE ensemble at a time, or of FFJORD samples against the data.
///
/// Each set gets a Gaussian kernel density estimate with its own bandwidth (Silverman's rule
/// unless one is given), evaluated on a shared grid that extends 3 bandwidths past the data.
/// Non-finite samples are dropped; a set with no finite sample draws nothing.
///
/// References: B. W. Silverman, Density Estimation for Statistics and Data Analysis,
/// Chapman & Hall, 1986, §3.4.2, eq. (3.31).
public struct Density: Sendable, Equatable {
    /// A named sample set.
    public struct Samples: Sendable, Equatable {
        /// Legend name.
        public var name: String
        /// The samples.
        public var values: [Double]

        /// A named sample set.
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// The sample sets, one line each.
    public var sets: [Samples]
    /// Kernel bandwidth for every set; nil (or not a positive finite number) for Silverman's rule.
    public var bandwidth: Double?
    /// Grid points the densities are evaluated at (clamped to 2...10 000).
    public var points: Int
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

    /// The density of one sample set.
    public init(_ values: [Double], name: String = "", bandwidth: Double? = nil, points: Int = 256,
                title: String = "", xLabel: String = "", yLabel: String = "density",
                width: Int = 72, height: Int = 20, style: CanvasStyle = .braille) {
        self.init(sets: [Samples(name: name, values: values)], bandwidth: bandwidth, points: points,
                  title: title, xLabel: xLabel, yLabel: yLabel, width: width, height: height, style: style)
    }

    /// The densities of several sample sets on shared axes.
    public init(sets: [Samples], bandwidth: Double? = nil, points: Int = 256, title: String = "",
                xLabel: String = "", yLabel: String = "density", width: Int = 72, height: Int = 20,
                style: CanvasStyle = .braille) {
        self.sets = sets
        self.bandwidth = bandwidth
        self.points = points
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
        self.style = style
    }

    /// Silverman's rule of thumb, h = 0.9 · min(σ, IQR / 1.34) · n^(−1/5), over the finite
    /// values. Falls back to whichever spread is positive, then to 10⁻³ · max(|mean|, 1) for
    /// constant data, so the result is always positive and finite (1 for no data).
    public static func silvermanBandwidth(_ values: [Double]) -> Double {
        let x = values.filter(\.isFinite).sorted()
        guard !x.isEmpty else { return 1 }
        let n = Double(x.count)
        let mean = x.reduce(0) { $0 + $1 / n }
        let variance = x.reduce(0) { $0 + (($1 - mean) / n) * ($1 - mean) } * n / max(n - 1, 1)
        let sigma = variance.squareRoot()
        let iqr = (quantile(x, 0.75) - quantile(x, 0.25)) / 1.34
        let spreads = [sigma, iqr].filter { $0.isFinite && $0 > 0 }
        var h = (spreads.min() ?? 0) * 0.9 * Foundation.pow(n, -0.2)
        if !(h.isFinite && h > 0) { h = 1e-3 * max(abs(mean), 1) }
        return h.isFinite && h > 0 ? h : 1
    }

    /// The `p`-quantile of sorted values, linearly interpolated.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = p * Double(sorted.count - 1)
        let i = clampedFloor(position, 0, sorted.count - 1), j = min(i + 1, sorted.count - 1)
        let f = position - Double(i)
        return sorted[i] + (sorted[j] - sorted[i]) * f
    }

    /// The Gaussian kernel density estimate of `values` with bandwidth `h` at each point of
    /// `grid`: (1 / nh) Σ φ((x − xᵢ) / h). Non-finite samples are ignored.
    public static func estimate(_ values: [Double], bandwidth h: Double, at grid: [Double]) -> [Double] {
        let x = values.filter(\.isFinite)
        guard !x.isEmpty, h.isFinite, h > 0 else { return grid.map { _ in 0 } }
        let norm = 1 / (Double(x.count) * h * (2 * Double.pi).squareRoot())
        return grid.map { g in
            var sum = 0.0
            for xi in x {
                let u = (g - xi) / h
                if abs(u) < 40 { sum += Foundation.exp(-0.5 * u * u) }
            }
            let d = sum * norm
            return d.isFinite ? d : 0
        }
    }

    /// The densities as a plot with one line series per set.
    public var plot: Plot {
        let widths = sets.map { s in
            bandwidth.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? Density.silvermanBandwidth(s.values)
        }
        var lo = Double.infinity, hi = -Double.infinity
        for (s, h) in zip(sets, widths) {
            for v in s.values where v.isFinite {
                lo = min(lo, v - 3 * h)
                hi = max(hi, v + 3 * h)
            }
        }
        lo = max(lo, -Double.greatestFiniteMagnitude)
        hi = min(hi, Double.greatestFiniteMagnitude)
        if !(lo < hi) { lo = 0; hi = 1 }
        let n = min(max(points, 2), 10_000)
        let grid = (0..<n).map { lo + (hi * 0.5 - lo * 0.5) * 2 * Double($0) / Double(n - 1) }
        let series = zip(sets, widths).map { s, h in
            Series(name: s.name, x: grid, y: Density.estimate(s.values, bandwidth: h, at: grid))
        }
        let hasData = sets.contains { $0.values.contains(where: \.isFinite) }
        return Plot(series: hasData ? series : [], title: title, xLabel: xLabel, yLabel: yLabel,
                    width: width, height: height, style: style)
    }
}

extension Density: PlotRenderable {
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
