import Foundation

/// A traced value: a node of a graph under construction, with operators that add nodes.
///
/// Swift code written against `Sym` builds a graph when run once:
/// ```swift
/// let f = try trace(.vector(2), .vector(4), .scalar) { u, p, t in
///     [p[0]*u[0] - p[1]*u[0]*u[1], -p[2]*u[1] + p[3]*u[0]*u[1]]
/// }
/// ```
/// Indexing is 0-based here (Swift); the language maps its 1-based indices onto it.
/// `+ - / ` broadcast; `*` is the matrix product when both sides are arrays and elementwise
/// when one is a scalar; `.*`, `./`, `.+`, `.-` always broadcast elementwise, and `pow`
/// is the elementwise power (Swift's standard library already owns `.^`, for SIMD masks).
/// A comparison gives a `SymBool`, which only `ifelse` accepts: Swift control flow cannot
/// depend on a traced value, and the compiler says so.
public struct Sym {
    public let builder: GraphBuilder
    public let id: Int

    public init(_ builder: GraphBuilder, _ id: Int) {
        self.builder = builder
        self.id = id
    }

    public var shape: Shape { builder.shape(id) }
    public var count: Int { shape.count }

    /// Element `i` (0-based, flat row-major).
    public subscript(i: Int) -> Sym { Sym(builder, builder.element(id, i)) }

    /// Element `(i, j)` of a matrix (0-based).
    public subscript(i: Int, j: Int) -> Sym {
        let s = shape
        guard i >= 0, i < s.rows, j >= 0, j < s.cols else {
            return Sym(builder, builder.fail(AutodiffError(.invalidArgument, "index (\(i + 1), \(j + 1)) is out of bounds for \(s)"), .scalar))
        }
        return self[i * s.cols + j]
    }

    /// A contiguous run of elements as a vector (0-based, half-open).
    public subscript(r: Range<Int>) -> Sym {
        Sym(builder, builder.slice(id, start: r.lowerBound, shape: .vector(r.count)))
    }

    /// The same elements in another shape (row-major order).
    public func reshaped(_ s: Shape) -> Sym { Sym(builder, builder.reshape(id, s)) }

    /// The transpose (Julia's `x'` for real data).
    public var transposed: Sym { Sym(builder, builder.transpose(id)) }

    func constant(_ v: Double) -> Sym { Sym(builder, builder.scalar(v)) }

    /// `b` brought into this value's graph; a value from another trace is an error.
    func same(_ b: Sym) -> Int {
        if b.builder === builder { return b.id }
        return builder.fail(AutodiffError(.foreignValue, "a traced value from another trace was used here"), b.shape)
    }
}

/// A traced comparison; only `ifelse` consumes it.
public struct SymBool {
    public let value: Sym
}

// MARK: - Tracing entry points

/// Traces `body` on symbolic inputs of the given shapes into a graph with one output.
/// A `[Sym]` result is concatenated into a vector.
public func trace(_ inputs: [GraphInput], _ body: ([Sym]) throws -> Sym) throws -> Graph {
    let b = GraphBuilder()
    let xs = inputs.map { Sym(b, b.input($0.name, $0.shape)) }
    let y = try body(xs)
    return try b.build(outputs: [xs.first.map { $0.same(y) } ?? y.id])
}

/// Traces a function of several inputs returning several outputs.
public func trace(_ inputs: [GraphInput], outputs body: ([Sym]) throws -> [Sym]) throws -> Graph {
    let b = GraphBuilder()
    let xs = inputs.map { Sym(b, b.input($0.name, $0.shape)) }
    let ys = try body(xs)
    return try b.build(outputs: ys.map { y in y.builder === b ? y.id : b.fail(AutodiffError(.foreignValue, "an output came from another trace"), y.shape) })
}

/// Traces a right-hand side `(u, p, t) -> du` into a graph with inputs `u`, `p`, `t` and
/// output `du`; the body returns the components of `du`.
public func trace(_ u: Shape, _ p: Shape, _ t: Shape = .scalar,
                  _ body: (Sym, Sym, Sym) throws -> [Sym]) throws -> Graph {
    try trace([GraphInput("u", u), GraphInput("p", p), GraphInput("t", t)]) { x in
        let parts = try body(x[0], x[1], x[2])
        let b = x[0].builder
        return Sym(b, b.concat(parts.map { x[0].same($0) }, shape: parts.count == u.count && parts.allSatisfy { $0.count == 1 } ? u : nil))
    }
}

// MARK: - Arithmetic

infix operator .+ : AdditionPrecedence
infix operator .- : AdditionPrecedence
infix operator .* : MultiplicationPrecedence
infix operator ./ : MultiplicationPrecedence

extension Sym {
    static func bin(_ op: BinaryOp, _ a: Sym, _ b: Sym) -> Sym { Sym(a.builder, a.builder.binary(op, a.id, a.same(b))) }
    static func bin(_ op: BinaryOp, _ a: Sym, _ b: Double) -> Sym { bin(op, a, a.constant(b)) }
    static func bin(_ op: BinaryOp, _ a: Double, _ b: Sym) -> Sym { bin(op, b.constant(a), b) }

    public static func + (a: Sym, b: Sym) -> Sym { bin(.add, a, b) }
    public static func + (a: Sym, b: Double) -> Sym { bin(.add, a, b) }
    public static func + (a: Double, b: Sym) -> Sym { bin(.add, a, b) }
    public static func - (a: Sym, b: Sym) -> Sym { bin(.sub, a, b) }
    public static func - (a: Sym, b: Double) -> Sym { bin(.sub, a, b) }
    public static func - (a: Double, b: Sym) -> Sym { bin(.sub, a, b) }
    public static func / (a: Sym, b: Sym) -> Sym { bin(.div, a, b) }
    public static func / (a: Sym, b: Double) -> Sym { bin(.div, a, b) }
    public static func / (a: Double, b: Sym) -> Sym { bin(.div, a, b) }
    public static prefix func - (a: Sym) -> Sym { Sym(a.builder, a.builder.unary(.neg, a.id)) }

    /// Matrix product for two arrays; elementwise when either side is a scalar.
    public static func * (a: Sym, b: Sym) -> Sym {
        if a.shape.isScalar || b.shape.isScalar { return bin(.mul, a, b) }
        return Sym(a.builder, a.builder.matmul(a.id, a.same(b)))
    }
    public static func * (a: Sym, b: Double) -> Sym { bin(.mul, a, b) }
    public static func * (a: Double, b: Sym) -> Sym { bin(.mul, a, b) }

    public static func .+ (a: Sym, b: Sym) -> Sym { bin(.add, a, b) }
    public static func .- (a: Sym, b: Sym) -> Sym { bin(.sub, a, b) }
    public static func .* (a: Sym, b: Sym) -> Sym { bin(.mul, a, b) }
    public static func ./ (a: Sym, b: Sym) -> Sym { bin(.div, a, b) }
    public static func .+ (a: Sym, b: Double) -> Sym { bin(.add, a, b) }
    public static func .+ (a: Double, b: Sym) -> Sym { bin(.add, a, b) }
    public static func .- (a: Sym, b: Double) -> Sym { bin(.sub, a, b) }
    public static func .- (a: Double, b: Sym) -> Sym { bin(.sub, a, b) }
    public static func .* (a: Sym, b: Double) -> Sym { bin(.mul, a, b) }
    public static func .* (a: Double, b: Sym) -> Sym { bin(.mul, a, b) }
    public static func ./ (a: Sym, b: Double) -> Sym { bin(.div, a, b) }
    public static func ./ (a: Double, b: Sym) -> Sym { bin(.div, a, b) }

    public static func += (a: inout Sym, b: Sym) { a = a + b }
    public static func -= (a: inout Sym, b: Sym) { a = a - b }
    public static func *= (a: inout Sym, b: Sym) { a = a * b }

    // Comparisons produce traced booleans for `ifelse`.
    public static func < (a: Sym, b: Sym) -> SymBool { SymBool(value: bin(.lt, a, b)) }
    public static func <= (a: Sym, b: Sym) -> SymBool { SymBool(value: bin(.le, a, b)) }
    public static func > (a: Sym, b: Sym) -> SymBool { SymBool(value: bin(.gt, a, b)) }
    public static func >= (a: Sym, b: Sym) -> SymBool { SymBool(value: bin(.ge, a, b)) }
    public static func < (a: Sym, b: Double) -> SymBool { SymBool(value: bin(.lt, a, b)) }
    public static func <= (a: Sym, b: Double) -> SymBool { SymBool(value: bin(.le, a, b)) }
    public static func > (a: Sym, b: Double) -> SymBool { SymBool(value: bin(.gt, a, b)) }
    public static func >= (a: Sym, b: Double) -> SymBool { SymBool(value: bin(.ge, a, b)) }

    // Using a traced comparison as a Swift condition is refused at compile time with this message.
    @available(*, unavailable, message: "a traced value cannot decide Swift control flow; use ifelse(condition, a, b)")
    public static func < (a: Sym, b: Sym) -> Bool { false }
    @available(*, unavailable, message: "a traced value cannot decide Swift control flow; use ifelse(condition, a, b)")
    public static func > (a: Sym, b: Sym) -> Bool { false }
    @available(*, unavailable, message: "a traced value cannot decide Swift control flow; use ifelse(condition, a, b)")
    public static func < (a: Sym, b: Double) -> Bool { false }
    @available(*, unavailable, message: "a traced value cannot decide Swift control flow; use ifelse(condition, a, b)")
    public static func > (a: Sym, b: Double) -> Bool { false }
    @available(*, unavailable, message: "a traced value cannot decide Swift control flow; use ifelse(condition, a, b)")
    public static func <= (a: Sym, b: Double) -> Bool { false }
    @available(*, unavailable, message: "a traced value cannot decide Swift control flow; use ifelse(condition, a, b)")
    public static func >= (a: Sym, b: Double) -> Bool { false }
}

/// `ifelse(c, a, b)`: `a` where `c` holds, else `b`, elementwise.
public func ifelse(_ c: SymBool, _ a: Sym, _ b: Sym) -> Sym {
    Sym(a.builder, a.builder.select(a.same(c.value), a.id, a.same(b)))
}
public func ifelse(_ c: SymBool, _ a: Sym, _ b: Double) -> Sym { ifelse(c, a, a.constant(b)) }
public func ifelse(_ c: SymBool, _ a: Double, _ b: Sym) -> Sym { ifelse(c, b.constant(a), b) }

// MARK: - Functions

@inline(__always) private func un(_ u: UnaryOp, _ x: Sym) -> Sym { Sym(x.builder, x.builder.unary(u, x.id)) }

public func exp(_ x: Sym) -> Sym { un(.exp, x) }
public func log(_ x: Sym) -> Sym { un(.log, x) }
public func log1p(_ x: Sym) -> Sym { un(.log1p, x) }
public func sin(_ x: Sym) -> Sym { un(.sin, x) }
public func cos(_ x: Sym) -> Sym { un(.cos, x) }
public func tan(_ x: Sym) -> Sym { un(.tan, x) }
public func tanh(_ x: Sym) -> Sym { un(.tanh, x) }
public func sigmoid(_ x: Sym) -> Sym { un(.sigmoid, x) }
public func relu(_ x: Sym) -> Sym { un(.relu, x) }
public func softplus(_ x: Sym) -> Sym { un(.softplus, x) }
public func swish(_ x: Sym) -> Sym { un(.swish, x) }
public func gelu(_ x: Sym) -> Sym { un(.gelu, x) }
public func sqrt(_ x: Sym) -> Sym { un(.sqrt, x) }
public func abs(_ x: Sym) -> Sym { un(.abs, x) }
public func abs2(_ x: Sym) -> Sym { un(.abs2, x) }
public func sign(_ x: Sym) -> Sym { un(.sign, x) }
public func pow(_ x: Sym, _ y: Sym) -> Sym { Sym.bin(.pow, x, y) }
public func pow(_ x: Sym, _ y: Double) -> Sym { Sym.bin(.pow, x, y) }
public func max(_ x: Sym, _ y: Sym) -> Sym { Sym.bin(.max, x, y) }
public func min(_ x: Sym, _ y: Sym) -> Sym { Sym.bin(.min, x, y) }
public func sum(_ x: Sym) -> Sym { Sym(x.builder, x.builder.sum(x.id)) }
public func mean(_ x: Sym) -> Sym { Sym(x.builder, x.builder.mean(x.id)) }
public func dot(_ x: Sym, _ y: Sym) -> Sym { Sym(x.builder, x.builder.dot(x.id, x.same(y))) }
public func norm2(_ x: Sym) -> Sym { Sym(x.builder, x.builder.norm2(x.id)) }
/// Joins values into one vector (Julia's `vcat` of vectors and scalars).
public func vcat(_ first: Sym, _ rest: Sym...) -> Sym {
    Sym(first.builder, first.builder.concat([first.id] + rest.map { first.same($0) }))
}
