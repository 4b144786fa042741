/// How a series is drawn.
public enum SeriesKind: String, Sendable, CaseIterable {
    /// Points joined by straight segments; a non-finite point breaks the line.
    case line
    /// One dot per point.
    case scatter
    /// A staircase: horizontal to the next x, then vertical (a "post" step).
    case step
    /// Filled bars from zero (or the axis' lower end) up to each value, centred on each x,
    /// as wide as the smallest gap between consecutive x values (1 for a single point).
    case bars
}

/// One named data series of a plot.
public struct Series: Sendable, Hashable {
    /// Name shown in the legend; an empty name keeps the series out of the legend.
    public var name: String
    /// Abscissae.
    public var x: [Double]
    /// Ordinates; pairs with `x` element by element (the longer array is cut to the shorter).
    public var y: [Double]
    /// How it is drawn.
    public var kind: SeriesKind
    /// Its colour; nil takes the next colour of `PlotColor.seriesCycle`.
    public var color: PlotColor?

    /// A series of points (`x[i]`, `y[i]`).
    public init(name: String = "", x: [Double], y: [Double], kind: SeriesKind = .line, color: PlotColor? = nil) {
        let n = min(x.count, y.count)
        self.name = name
        self.x = x.count == n ? x : Array(x[0..<n])
        self.y = y.count == n ? y : Array(y[0..<n])
        self.kind = kind
        self.color = color
    }

    /// A series of `y` against its indices 1, 2, 3, … (Julia's convention for `plot(y)`).
    public init(name: String = "", y: [Double], kind: SeriesKind = .line, color: PlotColor? = nil) {
        self.init(name: name, x: y.indices.map { Double($0 + 1) }, y: y, kind: kind, color: color)
    }

    /// The number of points.
    public var count: Int { x.count }
}
