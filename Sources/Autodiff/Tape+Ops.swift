// The operator surface of tape variables, mirroring `Sym` (Trace.swift). Every operation is
// a typed `GraphBuilder` constructor run on the tape's builder: shape checks, values and
// derivative rules all come from the ops themselves.

extension Variable {
    /// Element `i` (0-based, flat row-major).
    public subscript(i: Int) -> Variable { tape.record { $0.element(id, i) } }

    /// Element `(i, j)` of a matrix (0-based).
    public subscript(i: Int, j: Int) -> Variable {
        let s = shape
        guard i >= 0, i < s.rows, j >= 0, j < s.cols else {
            return tape.record {
                $0.fail(AutodiffError(.invalidArgument, "index (\(i + 1), \(j + 1)) is out of bounds for \(s)"), .scalar)
            }
        }
        return self[i * s.cols + j]
    }

    /// A contiguous run of elements as a vector (0-based, half-open).
    public subscript(r: Range<Int>) -> Variable {
        tape.record { $0.slice(id, start: r.lowerBound, shape: .vector(r.count)) }
    }

    /// The elements at the given flat indices (0-based), in `shape` (a vector by default).
    public func gathered(_ indices: [Int], shape s: Shape? = nil) -> Variable {
        tape.record { $0.gather(id, indices, shape: s) }
    }

    /// The same elements in another shape (row-major order).
    public func reshaped(_ s: Shape) -> Variable { tape.record { $0.reshape(id, s) } }

    /// The transpose (Julia's `x'` for real data).
    public var transposed: Variable { tape.record { $0.transpose(id) } }

    /// Repeated up to `target` by Julia's broadcasting rules.
    public func broadcast(to target: Shape) -> Variable { tape.record { $0.broadcastTo(id, target) } }

    /// Summed down to `target`: the reverse of broadcasting.
    public func reduced(to target: Shape) -> Variable { tape.record { $0.reduceTo(id, target) } }

    func constant(_ v: Double) -> Variable { tape.constant(v) }

    /// `b`'s node on this variable's tape; a variable of another tape is a recorded error.
    func same(_ b: Variable) -> Int { tape.node(of: b) }
}

/// A comparison of tape variables (1 where it holds, else 0); `ifelse` consumes it.
/// To branch in Swift, compare numbers instead: `if x.scalar > 0 { ... }`.
public struct VariableBool {
    public let value: Variable
}

// MARK: - Arithmetic

extension Variable {
    static func bin(_ op: BinaryOp, _ a: Variable, _ b: Variable) -> Variable {
        a.tape.record { $0.binary(op, a.id, a.same(b)) }
    }
    static func bin(_ op: BinaryOp, _ a: Variable, _ b: Double) -> Variable { bin(op, a, a.constant(b)) }
    static func bin(_ op: BinaryOp, _ a: Double, _ b: Variable) -> Variable { bin(op, b.constant(a), b) }

    public static func + (a: Variable, b: Variable) -> Variable { bin(.add, a, b) }
    public static func + (a: Variable, b: Double) -> Variable { bin(.add, a, b) }
    public static func + (a: Double, b: Variable) -> Variable { bin(.add, a, b) }
    public static func - (a: Variable, b: Variable) -> Variable { bin(.sub, a, b) }
    public static func - (a: Variable, b: Double) -> Variable { bin(.sub, a, b) }
    public static func - (a: Double, b: Variable) -> Variable { bin(.sub, a, b) }
    public static func / (a: Variable, b: Variable) -> Variable { bin(.div, a, b) }
    public static func / (a: Variable, b: Double) -> Variable { bin(.div, a, b) }
    public static func / (a: Double, b: Variable) -> Variable { bin(.div, a, b) }
    public static prefix func - (a: Variable) -> Variable { a.tape.record { $0.unary(.neg, a.id) } }

    /// Matrix product for two arrays; elementwise when either side is a scalar.
    public static func * (a: Variable, b: Variable) -> Variable {
        if a.shape.isScalar || b.shape.isScalar { return bin(.mul, a, b) }
        return a.tape.record { $0.matmul(a.id, a.same(b)) }
    }
    public static func * (a: Variable, b: Double) -> Variable { bin(.mul, a, b) }
    public static func * (a: Double, b: Variable) -> Variable { bin(.mul, a, b) }

    public static func .+ (a: Variable, b: Variable) -> Variable { bin(.add, a, b) }
    public static func .- (a: Variable, b: Variable) -> Variable { bin(.sub, a, b) }
    public static func .* (a: Variable, b: Variable) -> Variable { bin(.mul, a, b) }
    public static func ./ (a: Variable, b: Variable) -> Variable { bin(.div, a, b) }
    public static func .+ (a: Variable, b: Double) -> Variable { bin(.add, a, b) }
    public static func .+ (a: Double, b: Variable) -> Variable { bin(.add, a, b) }
    public static func .- (a: Variable, b: Double) -> Variable { bin(.sub, a, b) }
    public static func .- (a: Double, b: Variable) -> Variable { bin(.sub, a, b) }
    public static func .* (a: Variable, b: Double) -> Variable { bin(.mul, a, b) }
    public static func .* (a: Double, b: Variable) -> Variable { bin(.mul, a, b) }
    public static func ./ (a: Variable, b: Double) -> Variable { bin(.div, a, b) }
    public static func ./ (a: Double, b: Variable) -> Variable { bin(.div, a, b) }

    public static func += (a: inout Variable, b: Variable) { a = a + b }
    public static func -= (a: inout Variable, b: Variable) { a = a - b }
    public static func *= (a: inout Variable, b: Variable) { a = a * b }
    public static func += (a: inout Variable, b: Double) { a = a + b }
    public static func -= (a: inout Variable, b: Double) { a = a - b }
    public static func *= (a: inout Variable, b: Double) { a = a * b }

    // Comparisons give masks for `ifelse`.
    public static func < (a: Variable, b: Variable) -> VariableBool { VariableBool(value: bin(.lt, a, b)) }
    public static func <= (a: Variable, b: Variable) -> VariableBool { VariableBool(value: bin(.le, a, b)) }
    public static func > (a: Variable, b: Variable) -> VariableBool { VariableBool(value: bin(.gt, a, b)) }
    public static func >= (a: Variable, b: Variable) -> VariableBool { VariableBool(value: bin(.ge, a, b)) }
    public static func < (a: Variable, b: Double) -> VariableBool { VariableBool(value: bin(.lt, a, b)) }
    public static func <= (a: Variable, b: Double) -> VariableBool { VariableBool(value: bin(.le, a, b)) }
    public static func > (a: Variable, b: Double) -> VariableBool { VariableBool(value: bin(.gt, a, b)) }
    public static func >= (a: Variable, b: Double) -> VariableBool { VariableBool(value: bin(.ge, a, b)) }

    // A mask is not a Swift condition: say what to write instead.
    @available(*, unavailable, message: "compare x.scalar or x.values to branch in Swift; use ifelse(condition, a, b) to select values")
    public static func < (a: Variable, b: Variable) -> Bool { false }
    @available(*, unavailable, message: "compare x.scalar or x.values to branch in Swift; use ifelse(condition, a, b) to select values")
    public static func > (a: Variable, b: Variable) -> Bool { false }
    @available(*, unavailable, message: "compare x.scalar or x.values to branch in Swift; use ifelse(condition, a, b) to select values")
    public static func < (a: Variable, b: Double) -> Bool { false }
    @available(*, unavailable, message: "compare x.scalar or x.values to branch in Swift; use ifelse(condition, a, b) to select values")
    public static func > (a: Variable, b: Double) -> Bool { false }
    @available(*, unavailable, message: "compare x.scalar or x.values to branch in Swift; use ifelse(condition, a, b) to select values")
    public static func <= (a: Variable, b: Double) -> Bool { false }
    @available(*, unavailable, message: "compare x.scalar or x.values to branch in Swift; use ifelse(condition, a, b) to select values")
    public static func >= (a: Variable, b: Double) -> Bool { false }
}

/// `ifelse(c, a, b)`: `a` where `c` holds, else `b`, elementwise with broadcasting.
/// No gradient flows into the condition.
public func ifelse(_ c: VariableBool, _ a: Variable, _ b: Variable) -> Variable {
    a.tape.record { $0.select(a.same(c.value), a.id, a.same(b)) }
}
public func ifelse(_ c: VariableBool, _ a: Variable, _ b: Double) -> Variable { ifelse(c, a, a.constant(b)) }
public func ifelse(_ c: VariableBool, _ a: Double, _ b: Variable) -> Variable { ifelse(c, b.constant(a), b) }

// MARK: - Functions

@inline(__always) private func un(_ u: UnaryOp, _ x: Variable) -> Variable { x.tape.record { $0.unary(u, x.id) } }

public func exp(_ x: Variable) -> Variable { un(.exp, x) }
public func log(_ x: Variable) -> Variable { un(.log, x) }
public func log1p(_ x: Variable) -> Variable { un(.log1p, x) }
public func sin(_ x: Variable) -> Variable { un(.sin, x) }
public func cos(_ x: Variable) -> Variable { un(.cos, x) }
public func tan(_ x: Variable) -> Variable { un(.tan, x) }
public func tanh(_ x: Variable) -> Variable { un(.tanh, x) }
public func sigmoid(_ x: Variable) -> Variable { un(.sigmoid, x) }
public func relu(_ x: Variable) -> Variable { un(.relu, x) }
public func softplus(_ x: Variable) -> Variable { un(.softplus, x) }
public func swish(_ x: Variable) -> Variable { un(.swish, x) }
public func gelu(_ x: Variable) -> Variable { un(.gelu, x) }
public func sqrt(_ x: Variable) -> Variable { un(.sqrt, x) }
public func abs(_ x: Variable) -> Variable { un(.abs, x) }
public func abs2(_ x: Variable) -> Variable { un(.abs2, x) }
public func sign(_ x: Variable) -> Variable { un(.sign, x) }
public func pow(_ x: Variable, _ y: Variable) -> Variable { Variable.bin(.pow, x, y) }
public func pow(_ x: Variable, _ y: Double) -> Variable { Variable.bin(.pow, x, y) }
public func pow(_ x: Double, _ y: Variable) -> Variable { Variable.bin(.pow, x, y) }
public func max(_ x: Variable, _ y: Variable) -> Variable { Variable.bin(.max, x, y) }
public func max(_ x: Variable, _ y: Double) -> Variable { Variable.bin(.max, x, y) }
public func max(_ x: Double, _ y: Variable) -> Variable { Variable.bin(.max, x, y) }
public func min(_ x: Variable, _ y: Variable) -> Variable { Variable.bin(.min, x, y) }
public func min(_ x: Variable, _ y: Double) -> Variable { Variable.bin(.min, x, y) }
public func min(_ x: Double, _ y: Variable) -> Variable { Variable.bin(.min, x, y) }
public func sum(_ x: Variable) -> Variable { x.tape.record { $0.sum(x.id) } }
public func mean(_ x: Variable) -> Variable { x.tape.record { $0.mean(x.id) } }
public func dot(_ x: Variable, _ y: Variable) -> Variable { x.tape.record { $0.dot(x.id, x.same(y)) } }
public func norm2(_ x: Variable) -> Variable { x.tape.record { $0.norm2(x.id) } }

/// The matrix product `op(a) · op(b)`, where `op` transposes when its flag is set.
public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
    a.tape.record { $0.matmul(a.id, a.same(b), transposeA: transposeA, transposeB: transposeB) }
}

/// Joins values into one vector (Julia's `vcat` of vectors and scalars).
public func vcat(_ first: Variable, _ rest: Variable...) -> Variable { first.tape.concat([first] + rest) }

extension Tape {
    /// The elements of `parts` one after another, in `shape` (a vector by default); an empty
    /// list gives an empty vector.
    public func concat(_ parts: [Variable], shape: Shape? = nil) -> Variable {
        guard !parts.isEmpty else { return constant([], shape ?? .vector(0)) }
        return record { b in b.concat(parts.map { self.node(of: $0) }, shape: shape) }
    }

    /// `v`'s node on this tape; a variable of another tape is a recorded error.
    func node(of v: Variable) -> Int {
        if v.tape === self { return v.id }
        return builder.fail(AutodiffError(.foreignValue, "a variable of another tape was used here"), v.shape)
    }
}
