/// The operations of the differentiable IR.
///
/// Each family keeps its evaluation, VJP and JVP rules together in one file:
/// `Elementwise.swift` (unary and binary maps, `select`), `Reductions.swift`
/// (`sum`, `dot`, `reduceTo`, `broadcastTo`), `LinearAlgebra.swift` (`matmul`) and
/// `Structural.swift` (slices, gathers, scatters, concatenation, reshape, transpose).
public enum Op: Hashable, Sendable {
    /// The graph's k-th input.
    case input(Int)
    /// A constant value, stored row-major.
    case constant(Constant)
    /// An elementwise function of one argument.
    case unary(UnaryOp)
    /// An elementwise function of two arguments, broadcasting as Julia does.
    case binary(BinaryOp)
    /// `select(c, a, b)`: `a` where `c != 0`, else `b`, elementwise with broadcasting (Julia's `ifelse`).
    case select
    /// The sum of all elements: a scalar.
    case sum
    /// `dot(a, b)`: the sum of the elementwise product of two arguments of the same shape.
    case dot
    /// Sums the argument down to the node's shape: the reverse of broadcasting.
    case reduceTo
    /// Repeats the argument up to the node's shape, by Julia's broadcasting rules.
    case broadcastTo
    /// The matrix product `op(A) · op(B)`, where `op` transposes when its flag is set.
    /// Vectors act as columns.
    case matmul(transposeA: Bool, transposeB: Bool)
    /// The contiguous run of `count` elements (the node's count) starting at flat index `start`.
    case slice(start: Int)
    /// The elements at the given flat indices, in order.
    case gather(Indices)
    /// Zeros of the node's shape plus, for each argument k, its elements added at `lists[k]`.
    case scatterAdd(IndexLists)
    /// The arguments' elements one after another (row-major), shaped as the node.
    case concat
    /// The argument's elements in the node's shape (row-major order is kept).
    case reshape
    /// The transpose of a matrix (a vector becomes a `1 × n` matrix).
    case transpose

    /// The number of arguments this operation takes, or nil when it takes any number.
    var arity: Int? {
        switch self {
        case .input, .constant: return 0
        case .unary, .sum, .reduceTo, .broadcastTo, .slice, .gather, .reshape, .transpose: return 1
        case .binary, .dot, .matmul: return 2
        case .select: return 3
        case .scatterAdd, .concat: return nil
        }
    }

    /// A short name for messages and graph dumps.
    public var name: String {
        switch self {
        case .input(let k): return "input\(k)"
        case .constant: return "const"
        case .unary(let u): return "\(u)"
        case .binary(let b): return "\(b)"
        case .select: return "select"
        case .sum: return "sum"
        case .dot: return "dot"
        case .reduceTo: return "reduceTo"
        case .broadcastTo: return "broadcastTo"
        case .matmul(let ta, let tb): return "matmul\(ta ? "T" : "N")\(tb ? "T" : "N")"
        case .slice(let s): return "slice@\(s)"
        case .gather: return "gather"
        case .scatterAdd: return "scatterAdd"
        case .concat: return "concat"
        case .reshape: return "reshape"
        case .transpose: return "transpose"
        }
    }
}

/// Constant data compared bit for bit, so that CSE never merges `0.0` with `-0.0` or loses a NaN payload.
public struct Constant: Hashable, Sendable {
    public let values: [Double]
    public init(_ values: [Double]) { self.values = values }
    public static func == (a: Constant, b: Constant) -> Bool {
        a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
    public func hash(into h: inout Hasher) {
        h.combine(values.count)
        for v in values.prefix(16) { h.combine(v.bitPattern) }
    }
}

/// A list of flat indices (for `gather`).
public struct Indices: Hashable, Sendable {
    public let values: [Int]
    public init(_ values: [Int]) { self.values = values }
}

/// One index list per argument (for `scatterAdd`).
public struct IndexLists: Hashable, Sendable {
    public let lists: [[Int]]
    public init(_ lists: [[Int]]) { self.lists = lists }
}

/// A node of a graph: an operation applied to earlier nodes, with its static shape.
public struct Node: Hashable, Sendable {
    public let op: Op
    public let args: [Int]
    public let shape: Shape
}
