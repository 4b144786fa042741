import Foundation

/// Elementwise functions of one argument.
public enum UnaryOp: UInt8, CaseIterable, Hashable, Sendable {
    case neg, exp, log, log1p, sin, cos, tan, tanh, sigmoid, relu, softplus, swish, gelu, sqrt, abs, abs2, sign

    /// The function on one element.
    @inline(__always)
    public func apply(_ x: Double) -> Double {
        switch self {
        case .neg: return -x
        case .exp: return Foundation.exp(x)
        case .log: return Foundation.log(x)
        case .log1p: return Foundation.log1p(x)
        case .sin: return Foundation.sin(x)
        case .cos: return Foundation.cos(x)
        case .tan: return Foundation.tan(x)
        case .tanh: return Foundation.tanh(x)
        case .sigmoid: return Scalar.sigmoid(x)
        case .relu: return x > 0 ? x : 0
        case .softplus: return Scalar.softplus(x)
        case .swish: return x * Scalar.sigmoid(x)
        case .gelu: return Scalar.gelu(x)
        case .sqrt: return x.squareRoot()
        case .abs: return Swift.abs(x)
        case .abs2: return x * x
        case .sign: return x > 0 ? 1 : (x < 0 ? -1 : (x.isNaN ? x : 0))
        }
    }

    /// f′(x) as graph nodes, given the argument `x` and the result `y = f(x)`.
    func derivative(_ b: GraphBuilder, x: Int, y: Int) -> Partial {
        func c(_ v: Double) -> Int { b.scalar(v) }
        switch self {
        case .neg: return .minusOne
        case .exp: return .node(y)
        case .log: return .node(b.binary(.div, c(1), x))
        case .log1p: return .node(b.binary(.div, c(1), b.binary(.add, c(1), x)))
        case .sin: return .node(b.unary(.cos, x))
        case .cos: return .node(b.unary(.neg, b.unary(.sin, x)))
        case .tan: return .node(b.binary(.add, c(1), b.binary(.mul, y, y)))
        case .tanh: return .node(b.binary(.sub, c(1), b.binary(.mul, y, y)))
        case .sigmoid: return .node(b.binary(.mul, y, b.binary(.sub, c(1), y)))
        case .relu: return .node(b.binary(.gt, x, c(0)))
        case .softplus: return .node(b.unary(.sigmoid, x))
        case .swish:
            let sg = b.unary(.sigmoid, x)
            return .node(b.binary(.add, sg, b.binary(.mul, y, b.binary(.sub, c(1), sg))))
        case .gelu:
            // d/dx ½x(1+t), t = tanh(k(x + a x³)): ½(1+t) + ½x(1−t²)·k(1 + 3a x²).
            let x2 = b.binary(.mul, x, x)
            let inner = b.binary(.mul, c(Scalar.geluK), b.binary(.add, x, b.binary(.mul, c(Scalar.geluA), b.binary(.mul, x2, x))))
            let t = b.unary(.tanh, inner)
            let left = b.binary(.mul, c(0.5), b.binary(.add, c(1), t))
            let dinner = b.binary(.mul, c(Scalar.geluK), b.binary(.add, c(1), b.binary(.mul, c(3 * Scalar.geluA), x2)))
            let right = b.binary(.mul, b.binary(.mul, c(0.5), x), b.binary(.mul, b.binary(.sub, c(1), b.binary(.mul, t, t)), dinner))
            return .node(b.binary(.add, left, right))
        case .sqrt: return .node(b.binary(.div, c(0.5), y))
        case .abs: return .node(b.unary(.sign, x))
        case .abs2: return .node(b.binary(.mul, c(2), x))
        case .sign: return .zero
        }
    }
}

/// Elementwise functions of two arguments. Comparisons give 1.0 for true and 0.0 for false.
public enum BinaryOp: UInt8, CaseIterable, Hashable, Sendable {
    case add, sub, mul, div, pow, max, min, lt, le, gt, ge, eq, ne

    @inline(__always)
    public func apply(_ a: Double, _ b: Double) -> Double {
        switch self {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .pow: return Scalar.pow(a, b)
        case .max: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        case .min: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        case .lt: return a < b ? 1 : 0
        case .le: return a <= b ? 1 : 0
        case .gt: return a > b ? 1 : 0
        case .ge: return a >= b ? 1 : 0
        case .eq: return a == b ? 1 : 0
        case .ne: return a != b ? 1 : 0
        }
    }

    public var isComparison: Bool {
        switch self {
        case .lt, .le, .gt, .ge, .eq, .ne: return true
        default: return false
        }
    }

    /// (∂f/∂a, ∂f/∂b) as graph nodes of the result's shape (before reduction to the arguments' shapes).
    /// `wantB` is false when no derivative flows to `b`: then `pow` skips its `log(a)` term. It is
    /// passed explicitly rather than read from `b` being a constant, because the tape runs these
    /// rules in an eager builder where every argument is a constant.
    func partials(_ g: GraphBuilder, a: Int, b: Int, y: Int, wantB: Bool) -> (Partial, Partial) {
        func c(_ v: Double) -> Int { g.scalar(v) }
        switch self {
        case .add: return (.one, .one)
        case .sub: return (.one, .minusOne)
        case .mul: return (.node(b), .node(a))
        case .div: return (.node(g.binary(.div, c(1), b)), .node(g.unary(.neg, g.binary(.div, y, b))))
        case .pow:
            let da = g.binary(.mul, b, g.binary(.pow, a, g.binary(.sub, b, c(1))))
            if !wantB { return (.node(da), .zero) }
            return (.node(da), .node(g.binary(.mul, y, g.unary(.log, a))))
        case .max: return (.node(g.binary(.ge, a, b)), .node(g.binary(.lt, a, b)))
        case .min: return (.node(g.binary(.le, a, b)), .node(g.binary(.gt, a, b)))
        case .lt, .le, .gt, .ge, .eq, .ne: return (.zero, .zero)
        }
    }
}

/// A symbolic partial derivative: the common cases stay symbolic so rules emit no work for them.
enum Partial {
    case zero, one, minusOne, node(Int)

    /// `factor · v`, elementwise with broadcasting.
    func times(_ v: Int, _ b: GraphBuilder) -> Int? {
        switch self {
        case .zero: return nil
        case .one: return v
        case .minusOne: return b.unary(.neg, v)
        case .node(let d): return b.binary(.mul, d, v)
        }
    }
}

/// Scalar kernels shared by the reference evaluator and the compiled programs.
public enum Scalar {
    static let geluK = (2 / Double.pi).squareRoot()
    static let geluA = 0.044715

    @inline(__always)
    public static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    /// log(1 + eˣ) without overflow.
    @inline(__always)
    public static func softplus(_ x: Double) -> Double {
        Foundation.log1p(Foundation.exp(-Swift.abs(x))) + Swift.max(x, 0)
    }

    /// The tanh approximation of GELU used by NNlib and PyTorch's `approximate="tanh"`.
    /// References: Hendrycks & Gimpel, "Gaussian Error Linear Units (GELUs)", 2016.
    @inline(__always)
    public static func gelu(_ x: Double) -> Double {
        0.5 * x * (1 + Foundation.tanh(geluK * (x + geluA * x * x * x)))
    }

    /// `pow` with exact fast paths for the small integer exponents that dominate model code.
    @inline(__always)
    public static func pow(_ a: Double, _ b: Double) -> Double {
        if b == 2 { return a * a }
        if b == 3 { return a * a * a }
        if b == 1 { return a }
        if b == 0.5 { return a.squareRoot() }
        return Foundation.pow(a, b)
    }
}

// MARK: - Constructors with shape checks

extension GraphBuilder {
    public func unary(_ u: UnaryOp, _ x: Int) -> Int {
        add(.unary(u), [x], shape(x))
    }

    public func binary(_ op: BinaryOp, _ a: Int, _ b: Int) -> Int {
        guard let s = Shape.broadcast(shape(a), shape(b)) else {
            return fail(.shapes("\(op)", shape(a), shape(b)), shape(a))
        }
        return add(.binary(op), [a, b], s)
    }

    /// `select(c, a, b)`: Julia's `ifelse.(c, a, b)`.
    public func select(_ c: Int, _ a: Int, _ b: Int) -> Int {
        guard let ab = Shape.broadcast(shape(a), shape(b)), let s = Shape.broadcast(shape(c), ab) else {
            return fail(.shapes("ifelse", shape(c), shape(a), shape(b)), shape(a))
        }
        if let cv = constantValues(c), cv.count == 1 {
            return broadcastTo(cv[0] != 0 ? a : b, s)
        }
        return add(.select, [c, a, b], s)
    }
}

// MARK: - Derivative rules

extension GraphBuilder {
    func vjpElementwise(_ n: Node, x: [Int], y: Int, g: Int, wanted: [Bool]) -> [Int?] {
        switch n.op {
        case .unary(let u):
            return [u.derivative(self, x: x[0], y: y).times(g, self)]
        case .binary(let op):
            let (pa, pb) = op.partials(self, a: x[0], b: x[1], y: y, wantB: wanted[1])
            return [wanted[0] ? pa.times(g, self).map { reduceTo($0, shape(x[0])) } : nil,
                    wanted[1] ? pb.times(g, self).map { reduceTo($0, shape(x[1])) } : nil]
        case .select:
            let z = scalar(0)
            return [nil,
                    wanted[1] ? reduceTo(select(x[0], g, z), shape(x[1])) : nil,
                    wanted[2] ? reduceTo(select(x[0], z, g), shape(x[2])) : nil]
        default: return []  // unreachable: dispatched by op family
        }
    }

    func jvpElementwise(_ n: Node, x: [Int], y: Int, dx: [Int?]) -> Int? {
        switch n.op {
        case .unary(let u):
            guard let d = dx[0] else { return nil }
            return u.derivative(self, x: x[0], y: y).times(d, self)
        case .binary(let op):
            let (pa, pb) = op.partials(self, a: x[0], b: x[1], y: y, wantB: dx[1] != nil)
            let ta = dx[0].flatMap { pa.times($0, self) }
            let tb = dx[1].flatMap { pb.times($0, self) }
            return sumTangents(ta, tb, n.shape)
        case .select:
            guard dx[1] != nil || dx[2] != nil else { return nil }
            let z = scalar(0)
            return select(x[0], dx[1] ?? z, dx[2] ?? z)
        default: return nil  // unreachable: dispatched by op family
        }
    }

    /// `a + b` where either may be a symbolic zero, broadcast to `shape`.
    func sumTangents(_ a: Int?, _ b: Int?, _ s: Shape) -> Int? {
        switch (a, b) {
        case (nil, nil): return nil
        case (let a?, nil): return broadcastTo(a, s)
        case (nil, let b?): return broadcastTo(b, s)
        case (let a?, let b?): return broadcastTo(binary(.add, a, b), s)
        }
    }
}
