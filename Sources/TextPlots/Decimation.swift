/// Reduction of long series to what a raster of a given width can show.
///
/// Per pixel column, the first, lowest, highest and last point are kept, in their original
/// order. Drawing the kept points with lines gives the same pixels as drawing every point
/// (up to rounding), so spikes survive, at most 4 points per column remain, and the cost of
/// rendering no longer depends on the length of the series.
///
/// References: U. Jugel, Z. Jerzak, G. Hackenbroich, V. Markl, "M4: A Visualization-Oriented
/// Time Series Data Aggregation", Proceedings of the VLDB Endowment 7(10), 2014.
public enum Decimation {
    /// The points of (`x`, `y`) kept for `columns` equal columns over [`lower`, `upper`] of x.
    ///
    /// `x` must be non-decreasing over its finite values (a time series); otherwise, or when
    /// there are no more than 4 points per column, or the range or column count is not usable,
    /// the input is returned unchanged. Points with a non-finite coordinate are gaps: each run
    /// of them is kept as one (NaN, NaN) point, so a broken line stays broken. Points outside
    /// the range fall into the first or last column.
    public static func minMax(x: [Double], y: [Double], columns: Int,
                              lower: Double, upper: Double) -> (x: [Double], y: [Double]) {
        let n = min(x.count, y.count)
        guard columns > 0, n > 4 * columns, lower.isFinite, upper.isFinite, lower < upper,
              isNondecreasing(x, count: n) else {
            return (Array(x[0..<n]), Array(y[0..<n]))
        }
        var outX: [Double] = [], outY: [Double] = []
        outX.reserveCapacity(4 * columns + 16)
        outY.reserveCapacity(4 * columns + 16)
        let scale = Double(columns) / (upper * 0.5 - lower * 0.5) * 0.5
        var bucket = Int.min
        var first = -1, last = -1, lowest = -1, highest = -1
        func flush() {
            guard first >= 0 else { return }
            let kept = Array(Set([first, lowest, highest, last])).sorted()
            for i in kept {
                outX.append(x[i])
                outY.append(y[i])
            }
            first = -1
        }
        var inGap = false
        for i in 0..<n {
            guard x[i].isFinite, y[i].isFinite else {
                flush()
                bucket = Int.min
                if !inGap {
                    outX.append(.nan)
                    outY.append(.nan)
                    inGap = true
                }
                continue
            }
            inGap = false
            let b = clampedFloor((x[i] - lower) * scale, 0, columns - 1)
            if b != bucket {
                flush()
                bucket = b
                first = i; last = i; lowest = i; highest = i
            } else {
                last = i
                if y[i] < y[lowest] { lowest = i }
                if y[i] > y[highest] { highest = i }
            }
        }
        flush()
        return (outX, outY)
    }

    /// Whether the finite values among the first `count` of `x` never decrease.
    static func isNondecreasing(_ x: [Double], count: Int) -> Bool {
        var previous = -Double.infinity
        for i in 0..<count where x[i].isFinite {
            if x[i] < previous { return false }
            previous = x[i]
        }
        return true
    }
}
