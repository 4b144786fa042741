/// The static shape of a value in the differentiable IR: a scalar, a vector or a matrix.
///
/// Vectors behave as columns (`n × 1`) in products and broadcasting, as in Julia.
/// Matrices are stored row-major: element `(i, j)` of an `r × c` matrix sits at `i * c + j`.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: UInt8, Hashable, Sendable { case scalar, vector, matrix }

    public let kind: Kind
    public let rows: Int
    public let cols: Int

    public static let scalar = Shape(kind: .scalar, rows: 1, cols: 1)
    public static func vector(_ n: Int) -> Shape { Shape(kind: .vector, rows: n, cols: 1) }
    public static func matrix(_ rows: Int, _ cols: Int) -> Shape { Shape(kind: .matrix, rows: rows, cols: cols) }

    /// The number of elements.
    public var count: Int { rows * cols }
    public var isScalar: Bool { kind == .scalar }

    public var description: String {
        switch kind {
        case .scalar: return "scalar"
        case .vector: return "vector(\(rows))"
        case .matrix: return "matrix(\(rows)×\(cols))"
        }
    }

    /// The shape of `a op b` under Julia's broadcasting rules, or nil when the shapes clash.
    /// A dimension broadcasts when it is 1; vectors are columns.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        if a == b { return a }
        if a.isScalar { return b }
        if b.isScalar { return a }
        guard a.rows == b.rows || a.rows == 1 || b.rows == 1,
              a.cols == b.cols || a.cols == 1 || b.cols == 1 else { return nil }
        let rows = max(a.rows, b.rows), cols = max(a.cols, b.cols)
        if a.kind == .matrix || b.kind == .matrix || cols > 1 { return .matrix(rows, cols) }
        return .vector(rows)
    }
}
