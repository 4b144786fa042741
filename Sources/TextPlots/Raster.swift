/// A pixel position on a canvas: `x` to the right, `y` downwards, both from 0.
public struct PixelPoint: Sendable, Hashable {
    /// Column of the pixel.
    public var x: Int
    /// Row of the pixel (0 is the top).
    public var y: Int

    /// The pixel at (`x`, `y`).
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// Line rasterisation and clipping in pixel space.
///
/// References:
/// - J. E. Bresenham, "Algorithm for computer control of a digital plotter",
///   IBM Systems Journal 4(1), 1965.
/// - Y.-D. Liang and B. A. Barsky, "A new concept and method for line clipping",
///   ACM Transactions on Graphics 3(1), 1984.
enum Raster {
    /// The pixels of the segment from `a` to `b` by Bresenham's algorithm, both endpoints
    /// included, each step moving to one of the 8 neighbours.
    ///
    /// Callers pass clipped endpoints: the length is |Δx| + |Δy| at most, and coordinates are
    /// expected to lie well inside ±2⁴⁰ (the canvas clamps before calling).
    static func bresenham(from a: PixelPoint, to b: PixelPoint) -> [PixelPoint] {
        var points: [PixelPoint] = []
        visitLine(from: a, to: b) { points.append($0) }
        return points
    }

    /// Calls `visit` on every pixel of the Bresenham segment from `a` to `b`.
    static func visitLine(from a: PixelPoint, to b: PixelPoint, _ visit: (PixelPoint) -> Void) {
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var err = dx + dy
        var x = a.x, y = a.y
        while true {
            visit(PixelPoint(x: x, y: y))
            if x == b.x, y == b.y { return }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// The part of the segment (x0, y0)–(x1, y1) inside the rectangle
    /// [xMin, xMax] × [yMin, yMax] (Liang–Barsky), or nil when none is, or when a coordinate is
    /// not finite.
    static func clip(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double,
                     xMin: Double, xMax: Double, yMin: Double, yMax: Double)
        -> (Double, Double, Double, Double)? {
        guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite else { return nil }
        // Halved differences cannot overflow for finite endpoints; t is scale-free.
        let dx = x1 * 0.5 - x0 * 0.5, dy = y1 * 0.5 - y0 * 0.5
        var t0 = 0.0, t1 = 1.0
        let edges: [(Double, Double)] = [
            (-dx, x0 * 0.5 - xMin * 0.5), (dx, xMax * 0.5 - x0 * 0.5),
            (-dy, y0 * 0.5 - yMin * 0.5), (dy, yMax * 0.5 - y0 * 0.5),
        ]
        for (p, q) in edges {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let r = q / p
                if p < 0 {
                    if r > t1 { return nil }
                    if r > t0 { t0 = r }
                } else {
                    if r < t0 { return nil }
                    if r < t1 { t1 = r }
                }
            }
        }
        let cx0 = x0 + 2 * t0 * dx, cy0 = y0 + 2 * t0 * dy
        let cx1 = x0 + 2 * t1 * dx, cy1 = y0 + 2 * t1 * dy
        guard cx0.isFinite, cy0.isFinite, cx1.isFinite, cy1.isFinite else { return nil }
        return (min(max(cx0, xMin), xMax), min(max(cy0, yMin), yMax),
                min(max(cx1, xMin), xMax), min(max(cy1, yMin), yMax))
    }
}

/// `value` rounded to the nearest integer and clamped to `lower...upper`; NaN gives `lower`.
/// Converting a Double to Int traps when it does not fit, so every conversion goes through here.
func clampedInt(_ value: Double, _ lower: Int, _ upper: Int) -> Int {
    guard value == value else { return lower }
    let r = value.rounded()
    if r <= Double(lower) { return lower }
    if r >= Double(upper) { return upper }
    return Int(r)
}

/// `value` rounded down and clamped to `lower...upper`; NaN gives `lower`.
func clampedFloor(_ value: Double, _ lower: Int, _ upper: Int) -> Int {
    guard value == value else { return lower }
    let r = value.rounded(.down)
    if r <= Double(lower) { return lower }
    if r >= Double(upper) { return upper }
    return Int(r)
}
