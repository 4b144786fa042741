import Autodiff
import TestSupport
import XCTest

// MARK: - One loss, two ways

/// The operator surface that `Sym` (tracing) and `Variable` (the tape) share, so each loss
/// below is written once and differentiated both by `Graph.vjp` and by the tape.
fileprivate protocol LossValue {
    associatedtype Condition
    var shape: Shape { get }
    static func + (a: Self, b: Self) -> Self
    static func + (a: Self, b: Double) -> Self
    static func + (a: Double, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func - (a: Self, b: Double) -> Self
    static func - (a: Double, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func * (a: Self, b: Double) -> Self
    static func * (a: Double, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    static func / (a: Self, b: Double) -> Self
    static func / (a: Double, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    static func .+ (a: Self, b: Self) -> Self
    static func .+ (a: Self, b: Double) -> Self
    static func .- (a: Self, b: Self) -> Self
    static func .- (a: Self, b: Double) -> Self
    static func .* (a: Self, b: Self) -> Self
    static func .* (a: Double, b: Self) -> Self
    static func ./ (a: Self, b: Self) -> Self
    static func ./ (a: Self, b: Double) -> Self
    static func > (a: Self, b: Double) -> Condition
    static func < (a: Self, b: Self) -> Condition
    subscript(i: Int) -> Self { get }
    subscript(i: Int, j: Int) -> Self { get }
    subscript(r: Range<Int>) -> Self { get }
    var transposed: Self { get }
    func reshaped(_ s: Shape) -> Self
    func pick(_ indices: [Int]) -> Self
    static func apply(_ u: UnaryOp, _ x: Self) -> Self
    static func power(_ x: Self, _ y: Self) -> Self
    static func power(_ x: Self, _ y: Double) -> Self
    static func maximum(_ x: Self, _ y: Self) -> Self
    static func minimum(_ x: Self, _ y: Self) -> Self
    static func total(_ x: Self) -> Self
    static func average(_ x: Self) -> Self
    static func inner(_ x: Self, _ y: Self) -> Self
    static func norm(_ x: Self) -> Self
    static func join(_ xs: [Self]) -> Self
    static func choose(_ c: Condition, _ a: Self, _ b: Self) -> Self
}

extension Sym: LossValue {
    typealias Condition = SymBool
    func pick(_ indices: [Int]) -> Sym { Sym(builder, builder.gather(id, indices)) }
    static func apply(_ u: UnaryOp, _ x: Sym) -> Sym { Sym(x.builder, x.builder.unary(u, x.id)) }
    static func power(_ x: Sym, _ y: Sym) -> Sym { Autodiff.pow(x, y) }
    static func power(_ x: Sym, _ y: Double) -> Sym { Autodiff.pow(x, y) }
    static func maximum(_ x: Sym, _ y: Sym) -> Sym { Autodiff.max(x, y) }
    static func minimum(_ x: Sym, _ y: Sym) -> Sym { Autodiff.min(x, y) }
    static func total(_ x: Sym) -> Sym { Autodiff.sum(x) }
    static func average(_ x: Sym) -> Sym { Autodiff.mean(x) }
    static func inner(_ x: Sym, _ y: Sym) -> Sym { Autodiff.dot(x, y) }
    static func norm(_ x: Sym) -> Sym { Autodiff.norm2(x) }
    static func join(_ xs: [Sym]) -> Sym { Sym(xs[0].builder, xs[0].builder.concat(xs.map(\.id))) }
    static func choose(_ c: SymBool, _ a: Sym, _ b: Sym) -> Sym { Autodiff.ifelse(c, a, b) }
}

extension Variable: LossValue {
    typealias Condition = VariableBool
    func pick(_ indices: [Int]) -> Variable { gathered(indices) }
    /// Through the public free functions, so the tests exercise the tape's whole surface.
    static func apply(_ u: UnaryOp, _ x: Variable) -> Variable {
        switch u {
        case .neg: return -x
        case .exp: return Autodiff.exp(x)
        case .log: return Autodiff.log(x)
        case .log1p: return Autodiff.log1p(x)
        case .sin: return Autodiff.sin(x)
        case .cos: return Autodiff.cos(x)
        case .tan: return Autodiff.tan(x)
        case .tanh: return Autodiff.tanh(x)
        case .sigmoid: return Autodiff.sigmoid(x)
        case .relu: return Autodiff.relu(x)
        case .softplus: return Autodiff.softplus(x)
        case .swish: return Autodiff.swish(x)
        case .gelu: return Autodiff.gelu(x)
        case .sqrt: return Autodiff.sqrt(x)
        case .abs: return Autodiff.abs(x)
        case .abs2: return Autodiff.abs2(x)
        case .sign: return Autodiff.sign(x)
        }
    }
    static func power(_ x: Variable, _ y: Variable) -> Variable { pow(x, y) }
    static func power(_ x: Variable, _ y: Double) -> Variable { pow(x, y) }
    static func maximum(_ x: Variable, _ y: Variable) -> Variable { Autodiff.max(x, y) }
    static func minimum(_ x: Variable, _ y: Variable) -> Variable { Autodiff.min(x, y) }
    static func total(_ x: Variable) -> Variable { Autodiff.sum(x) }
    static func average(_ x: Variable) -> Variable { Autodiff.mean(x) }
    static func inner(_ x: Variable, _ y: Variable) -> Variable { Autodiff.dot(x, y) }
    static func norm(_ x: Variable) -> Variable { Autodiff.norm2(x) }
    static func join(_ xs: [Variable]) -> Variable { xs[0].tape.concat(xs) }
    static func choose(_ c: VariableBool, _ a: Variable, _ b: Variable) -> Variable { Autodiff.ifelse(c, a, b) }
}

// Generic spellings of the free functions, for the losses below; file-private so that they
// do not add overloads to the type checking of other test files.
fileprivate func exp<T: LossValue>(_ x: T) -> T { T.apply(.exp, x) }
fileprivate func log<T: LossValue>(_ x: T) -> T { T.apply(.log, x) }
fileprivate func log1p<T: LossValue>(_ x: T) -> T { T.apply(.log1p, x) }
fileprivate func sin<T: LossValue>(_ x: T) -> T { T.apply(.sin, x) }
fileprivate func cos<T: LossValue>(_ x: T) -> T { T.apply(.cos, x) }
fileprivate func tan<T: LossValue>(_ x: T) -> T { T.apply(.tan, x) }
fileprivate func tanh<T: LossValue>(_ x: T) -> T { T.apply(.tanh, x) }
fileprivate func sigmoid<T: LossValue>(_ x: T) -> T { T.apply(.sigmoid, x) }
fileprivate func relu<T: LossValue>(_ x: T) -> T { T.apply(.relu, x) }
fileprivate func softplus<T: LossValue>(_ x: T) -> T { T.apply(.softplus, x) }
fileprivate func swish<T: LossValue>(_ x: T) -> T { T.apply(.swish, x) }
fileprivate func gelu<T: LossValue>(_ x: T) -> T { T.apply(.gelu, x) }
fileprivate func sqrt<T: LossValue>(_ x: T) -> T { T.apply(.sqrt, x) }
fileprivate func abs<T: LossValue>(_ x: T) -> T { T.apply(.abs, x) }
fileprivate func abs2<T: LossValue>(_ x: T) -> T { T.apply(.abs2, x) }
fileprivate func sign<T: LossValue>(_ x: T) -> T { T.apply(.sign, x) }
fileprivate func pow<T: LossValue>(_ x: T, _ y: T) -> T { T.power(x, y) }
fileprivate func max<T: LossValue>(_ x: T, _ y: T) -> T { T.maximum(x, y) }
fileprivate func min<T: LossValue>(_ x: T, _ y: T) -> T { T.minimum(x, y) }
fileprivate func sum<T: LossValue>(_ x: T) -> T { T.total(x) }
fileprivate func mean<T: LossValue>(_ x: T) -> T { T.average(x) }
fileprivate func dot<T: LossValue>(_ x: T, _ y: T) -> T { T.inner(x, y) }
fileprivate func norm2<T: LossValue>(_ x: T) -> T { T.norm(x) }
fileprivate func ifelse<T: LossValue>(_ c: T.Condition, _ a: T, _ b: T) -> T { T.choose(c, a, b) }

// MARK: - Losses

fileprivate func chainLoss<T: LossValue>(_ x: [T]) -> T {
    let a = x[0]
    let u: T = tanh(a .* a) .+ exp(-a) .* sin(a)
    let v: T = u - cos(a) ./ (2.0 + abs2(a))
    let w: T = sigmoid(v) .* softplus(a) .- swish(v) .* gelu(a)
    let s1: T = sum(w .* w) + mean(log(1.0 + abs2(a)))
    let s2: T = sum(sqrt(1.0 + abs2(u))) + sum(log1p(abs2(a)) .* tan(0.5 * a))
    return s1 + s2
}

/// `pow` with a differentiated exponent: the rule's `log(a)` term must not be skipped.
fileprivate func powLoss<T: LossValue>(_ x: [T]) -> T {
    let a = x[0], b = x[1], c = x[2]
    let p1: T = sum(pow(a, b)) + sum(T.power(a, 3.0)) * c
    return p1 + sum(pow(a, c)) + sum(T.power(a, 0.5))
}

fileprivate func broadcastLoss<T: LossValue>(_ x: [T]) -> T {
    let m = x[0], v = x[1], r = x[2], s = x[3]   // 3×4, vector(3), 1×4, scalar
    let t1: T = sum(tanh(m .* v .+ r) .* s)
    let t2: T = mean((m .- s) ./ (2.0 + abs2(v)))
    let t3: T = sum(v .* r) / (1.0 + s * s)
    return t1 + t2 + t3 + sum(m / s) * 0.1
}

/// A small network whose weights are matrix views of one parameter vector.
fileprivate func networkLoss<T: LossValue>(_ x: [T]) -> T {
    let p = x[0], input = x[1]   // vector(13), vector(2)
    let w1 = p[0..<6].reshaped(.matrix(3, 2)), b1 = p[6..<9]
    let w2 = p[9..<12].reshaped(.matrix(1, 3)), b2 = p[12]
    let h: T = tanh(w1 * input + b1)
    let out: T = w2 * h + b2
    let e: T = out - 0.3
    return e * e + 0.1 * sum(w1.transposed * h .* input)
}

fileprivate func reductionLoss<T: LossValue>(_ x: [T]) -> T {
    let a = x[0], b = x[1], m = x[2]   // vector(6), vector(6), 2×3
    let t1: T = dot(a, b) + norm2(a) * mean(b)
    let t2: T = sum(a .* b) / (1.0 + sum(abs2(b)))
    return t1 + t2 + dot(m, m.reshaped(.matrix(3, 2)).transposed) + norm2(m)
}

fileprivate func selectLoss<T: LossValue>(_ x: [T]) -> T {
    let a = x[0], b = x[1], s = x[2]   // vector(5), vector(5), scalar
    let t1: T = sum(ifelse(a > 0.0, a .* b, b .* b)) + sum(max(a, b)) + sum(min(a, s))
    let t2: T = sum(relu(a) .* b) + sum(abs(a) .* b) + sum(sign(a) .* a .* b)
    let t3: T = sum(ifelse(a < b, exp(a), s * b))
    return t1 + t2 + t3
}

fileprivate func indexingLoss<T: LossValue>(_ x: [T]) -> T {
    let m = x[0], v = x[1]   // 3×4, vector(6)
    let t1: T = m[1, 2] * m[0, 0] + v[3] * v[1] - v[2] / (2.0 + v[0] * v[0])
    let t2: T = sum(v[1..<4] .* v[2..<5]) + sum(m[2..<7] .* m[5..<10])
    return t1 + t2 + sum(abs2(v.pick([5, 0, 0, 2]))) * m[2, 3]
}

fileprivate func concatLoss<T: LossValue>(_ x: [T]) -> T {
    let a = x[0], b = x[1], s = x[2]   // vector(3), vector(4), scalar
    let v = T.join([a[0] * b[1], sin(b), a[1..<3], s])
    return sum(tanh(v) .* v) + dot(v, v) * s
}

fileprivate func matmulLoss<T: LossValue>(_ x: [T]) -> T {
    let a = x[0], b = x[1], u = x[2], w = x[3]   // 3×4, 4×2, vector(3), vector(2)
    let ab: T = a * b
    let t1: T = sum(tanh(ab)) + u.transposed * ab * w
    let t2: T = sum((u * w.transposed) .* ab) + sum(a.transposed * u)
    return t1 + t2
}

/// One loss case: the same generic function, specialised for tracing and for the tape.
struct LossCase {
    let name: String
    let shapes: [Shape]
    let ranges: [ClosedRange<Double>]
    let sym: ([Sym]) -> Sym
    let tape: ([Variable]) -> Variable

    init(_ name: String, _ shapes: [Shape], ranges: [ClosedRange<Double>]? = nil,
         sym: @escaping ([Sym]) -> Sym, tape: @escaping ([Variable]) -> Variable) {
        self.name = name
        self.shapes = shapes
        self.ranges = ranges ?? shapes.map { _ in -1.5...1.5 }
        self.sym = sym
        self.tape = tape
    }
}

func lossCases() -> [LossCase] {
    [
        LossCase("elementwise chain", [.vector(5)], sym: chainLoss, tape: chainLoss),
        LossCase("pow with differentiated exponent", [.vector(4), .vector(4), .scalar],
                 ranges: [0.3...2.0, -1...1, -1...1], sym: powLoss, tape: powLoss),
        LossCase("broadcasting", [.matrix(3, 4), .vector(3), .matrix(1, 4), .scalar],
                 ranges: [-1.5...1.5, -1.5...1.5, -1.5...1.5, 0.5...1.5], sym: broadcastLoss, tape: broadcastLoss),
        LossCase("network with matrix views", [.vector(13), .vector(2)], sym: networkLoss, tape: networkLoss),
        LossCase("reductions", [.vector(6), .vector(6), .matrix(2, 3)], sym: reductionLoss, tape: reductionLoss),
        LossCase("ifelse, max, min, relu, abs", [.vector(5), .vector(5), .scalar], sym: selectLoss, tape: selectLoss),
        LossCase("indexing", [.matrix(3, 4), .vector(6)], sym: indexingLoss, tape: indexingLoss),
        LossCase("concatenation", [.vector(3), .vector(4), .scalar], sym: concatLoss, tape: concatLoss),
        LossCase("matrix products", [.matrix(3, 4), .matrix(4, 2), .vector(3), .vector(2)], sym: matmulLoss, tape: matmulLoss),
    ]
}

// MARK: - Checking

/// Central differences of a scalar tape function, one element at a time.
func finiteDifferenceGradient(at x: [[Double]], shapes: [Shape], step h: Double = 1e-6,
                              _ f: ([Variable]) throws -> Variable) throws -> [[Double]] {
    func value(_ x: [[Double]]) throws -> Double {
        let tape = Tape()
        let y = try f(zip(x, shapes).map { tape.variable($0, $1) })
        try tape.check()
        return y.scalar
    }
    var g = x.map { [Double](repeating: 0, count: $0.count) }
    for k in x.indices {
        for j in x[k].indices {
            var xp = x, xm = x
            xp[k][j] += h
            xm[k][j] -= h
            g[k][j] = try (value(xp) - value(xm)) / (2 * h)
        }
    }
    return g
}

/// Tolerances: central differences agree to about h² + ε/h; the graph runs the same rules.
let fdTolerance = 1e-6
let graphTolerance = 1e-12

final class TapeTests: XCTestCase {
    var rng = Xoshiro256StarStar(seed: 7)

    func inputs(_ c: LossCase) -> [[Double]] {
        zip(c.shapes, c.ranges).map { randomValues($0.count, &rng, in: $1) }
    }

    /// The tape's value and gradient, the differences to central differences and to `Graph.vjp`.
    func compare(_ c: LossCase, at x: [[Double]]) throws -> (gradient: [[Double]], fd: Double, graph: Double, value: Double) {
        let (value, g) = try gradient(at: x, shapes: c.shapes, of: c.tape)
        let fd = try finiteDifferenceGradient(at: x, shapes: c.shapes, c.tape)
        let graph = try trace(c.shapes.enumerated().map { GraphInput("x\($0.offset)", $0.element) }, c.sym)
        let reference = try graph.vjp().evaluate(x + [[1]])
        let y = try graph.evaluate(x)[0][0]
        return (g, maxRelativeDifference(g, fd), maxRelativeDifference(g, reference), Swift.abs(value - y) / (1 + Swift.abs(y)))
    }

    func testLossGradientsAgreeWithFiniteDifferencesAndGraphVJP() throws {
        for c in lossCases() {
            for _ in 0..<3 {
                let r = try compare(c, at: inputs(c))
                XCTAssertLessThan(r.fd, fdTolerance, "\(c.name): tape vs finite differences")
                XCTAssertLessThan(r.graph, graphTolerance, "\(c.name): tape vs Graph.vjp")
                XCTAssertLessThan(r.value, graphTolerance, "\(c.name): tape value vs Graph.evaluate")
            }
        }
    }

    /// The comparisons above can fail: a gradient off by 1e-4 in one element is reported.
    func testComparisonsDetectAWrongGradient() throws {
        for c in lossCases() {
            let x = inputs(c)
            let r = try compare(c, at: x)
            var wrong = r.gradient
            wrong[0][0] += 1e-4 * (1 + Swift.abs(wrong[0][0]))
            let fd = try finiteDifferenceGradient(at: x, shapes: c.shapes, c.tape)
            XCTAssertGreaterThan(maxRelativeDifference(wrong, fd), fdTolerance, c.name)
        }
    }

    func testEveryUnaryFunctionMatchesTheGraph() throws {
        let positive: Set<UnaryOp> = [.log, .sqrt, .log1p]
        for u in UnaryOp.allCases {
            let range = positive.contains(u) ? 0.2...2.0 : -1.5...1.5
            let c = LossCase("\(u)", [.vector(4)], ranges: [range],
                             sym: { x in sum(Sym.apply(u, x[0]) .* x[0]) },
                             tape: { x in sum(Variable.apply(u, x[0]) .* x[0]) })
            let r = try compare(c, at: inputs(c))
            XCTAssertLessThan(r.fd, fdTolerance, "\(u)")
            XCTAssertLessThan(r.graph, graphTolerance, "\(u)")
        }
    }

    /// The point of a tape: Swift control flow on the values, differentiated along the path taken.
    func testDataDependentControlFlow() throws {
        func f(_ x: [Variable]) -> Variable {
            var v = x[0]
            var steps = 0
            while v.scalar < 10, steps < 50 {
                v = v * 1.5 + x[1]
                steps += 1
            }
            if v.scalar > 12 { return log(v) * x[1] }
            return v * v
        }
        let x: [[Double]] = [[1.3], [0.7]]
        let (_, g) = try gradient(at: x, shapes: [.scalar, .scalar], of: f)
        let fd = try finiteDifferenceGradient(at: x, shapes: [.scalar, .scalar], f)
        XCTAssertLessThan(maxRelativeDifference(g, fd), fdTolerance)
    }

    func testVectorPullbackAgreesWithGraphVJP() throws {
        let shapes: [Shape] = [.matrix(3, 4), .vector(4)]
        let x = shapes.map { randomValues($0.count, &rng) }
        let ybar = randomValues(3, &rng)
        let tape = Tape()
        let a = tape.variable(x[0], shapes[0]), v = tape.variable(x[1], shapes[1])
        let y = tanh(a * v) .* sin(v[0..<3])
        let g = try tape.pullback(of: [y], cotangents: [ybar], wrt: [a, v])
        let graph = try trace([GraphInput("a", shapes[0]), GraphInput("v", shapes[1])]) { x in
            tanh(x[0] * x[1]) .* sin(x[1][0..<3])
        }
        XCTAssertEqual(y.values.count, 3)
        XCTAssertLessThan(maxRelativeDifference([y.values], try graph.evaluate(x)), graphTolerance)
        XCTAssertLessThan(maxRelativeDifference(g, try graph.vjp().evaluate(x + [ybar])), graphTolerance)
    }

    func testVariablesNotReachedGetZeroGradients() throws {
        let tape = Tape()
        let x = tape.variable([0.5, -1, 2]), unused = tape.variable([1, 2], .matrix(1, 2))
        let condition = tape.variable([0.3, -0.2, 0.1]), signOnly = tape.variable(0.4)
        let loss = sum(ifelse(condition > 0.0, x .* x, -x)) + sum(sign(signOnly) * x)
        let g = try tape.gradient(of: loss, wrt: [x, unused, condition, signOnly])
        XCTAssertEqual(g[1], [0, 0])
        XCTAssertEqual(g[2], [0, 0, 0])
        XCTAssertEqual(g[3], [0])
        XCTAssertEqual(g[0], [2.0, 0.0, 5.0])   // 2x + 1 where x² was selected, −1 + 1 where −x was
    }

    func testGradientCanBeTakenTwiceAndRecordingContinues() throws {
        let tape = Tape()
        let x = tape.variable([1, 2, 3]), y = tape.variable(2.0)
        let l1 = sum(x .* x) * y
        let g1 = try tape.gradient(of: l1, wrt: [x])
        let g2 = try tape.gradient(of: l1, wrt: [y, x])
        XCTAssertEqual(g1[0], [4, 8, 12])
        XCTAssertEqual(g2[0], [14])
        XCTAssertEqual(g2[1], [4, 8, 12])
        let l2 = l1 + dot(x, x)
        XCTAssertEqual(try tape.gradient(of: l2, wrt: [x])[0], [6, 12, 18])
        XCTAssertEqual(l2.scalar, 42)
    }

    // MARK: - Custom primitives

    /// y = A⁻¹ b for a 2 × 2 matrix, with the adjoint rule b̄ = A⁻ᵀ ȳ, Ā = −b̄ yᵀ; the pullback
    /// reuses the forward solution (rule form). `scale` deliberately breaks the pullback.
    func solve2(_ tape: Tape, _ a: Variable, _ b: Variable, scale: Double = 1) throws -> Variable {
        try tape.primitive([a, b], outputShapes: [.vector(2)], name: "solve2") { x in
            let m = x[0], r = x[1]
            let det = m[0] * m[3] - m[1] * m[2]
            let y = [(m[3] * r[0] - m[1] * r[1]) / det, (m[0] * r[1] - m[2] * r[0]) / det]
            return ([y], { ct in
                let c = ct[0]
                // Aᵀ b̄ = ȳ, with Aᵀ = [m0 m2; m1 m3].
                let bbar = [(m[3] * c[0] - m[2] * c[1]) / det, (m[0] * c[1] - m[1] * c[0]) / det].map { $0 * scale }
                let abar = [-bbar[0] * y[0], -bbar[0] * y[1], -bbar[1] * y[0], -bbar[1] * y[1]]
                return [abar, bbar]
            })
        }[0]
    }

    func testCustomPrimitiveWithCapturedStateAgreesWithFiniteDifferences() throws {
        let shapes: [Shape] = [.matrix(2, 2), .vector(2)]
        let x: [[Double]] = [[2, 0.5, -0.3, 1.5], [0.7, -1.2]]
        func loss(_ scale: Double) -> ([Variable]) throws -> Variable {
            { v in
                let y = try self.solve2(v[0].tape, v[0], v[1], scale: scale)
                return sum(abs2(y - 0.2)) + sum(tanh(y) .* v[1])
            }
        }
        let (_, g) = try gradient(at: x, shapes: shapes, of: loss(1))
        let fd = try finiteDifferenceGradient(at: x, shapes: shapes, loss(1))
        XCTAssertLessThan(maxRelativeDifference(g, fd), fdTolerance)
        // A wrong pullback is detected by the same comparison.
        let (_, wrong) = try gradient(at: x, shapes: shapes, of: loss(1.1))
        XCTAssertGreaterThan(maxRelativeDifference(wrong, fd), 1e-3)
    }

    /// Cumulative sums and the total as two outputs; the pullback is the reversed cumulative sum.
    func cumsum(_ tape: Tape, _ x: Variable, calls: Counter? = nil) throws -> [Variable] {
        let n = x.count
        return try tape.primitive([x], outputShapes: [.vector(n), .scalar], name: "cumsum", forward: { v in
            var s = 0.0
            let c = v[0].map { s += $0; return s }
            return [c, [s]]
        }, pullback: { ct in
            calls?.count += 1
            var s = ct[1][0]
            var g = [Double](repeating: 0, count: n)
            for i in stride(from: n - 1, through: 0, by: -1) { s += ct[0][i]; g[i] = s }
            return [g]
        })
    }

    final class Counter { var count = 0 }

    func testMultiOutputPrimitiveWithUnusedOutputs() throws {
        let x: [[Double]] = [[0.3, -0.8, 1.1, 0.4]]
        for use in 0..<3 {
            func f(_ v: [Variable]) throws -> Variable {
                let out = try cumsum(v[0].tape, v[0] .* v[0])
                switch use {
                case 0: return sum(sin(out[0]))
                case 1: return out[1] * out[1]
                default: return sum(sin(out[0])) * out[1]
                }
            }
            let (_, g) = try gradient(at: x, of: f)
            let fd = try finiteDifferenceGradient(at: x, shapes: [.vector(4)], f)
            XCTAssertLessThan(maxRelativeDifference(g, fd), fdTolerance, "output use \(use)")
        }
    }

    func testPrimitivePullbackRunsOnlyWhenReached() throws {
        let tape = Tape()
        let x = tape.variable([1, 2]), y = tape.variable([3, 4])
        let calls = Counter()
        let out = try cumsum(tape, y, calls: calls)
        let loss = sum(x .* x) + out[1] * 0.0 + dot(out[0], tape.constant([1, 1]))
        // x does not reach the primitive: differentiating w.r.t. x alone never calls its pullback.
        XCTAssertEqual(try tape.gradient(of: loss, wrt: [x])[0], [2, 4])
        XCTAssertEqual(calls.count, 0)
        XCTAssertEqual(try tape.gradient(of: loss, wrt: [y])[0], [2, 1])
        XCTAssertEqual(calls.count, 1)
    }

    func testPrimitiveCotangentForAConstantInputIsIgnoredAndNilIsZero() throws {
        let tape = Tape()
        let x = tape.variable([1, 2]), k = tape.constant([5, 6])
        let y = try tape.primitive([x, k], outputShapes: [.vector(2)], name: "scaled", forward: { v in
            [zip(v[0], v[1]).map { $0 * $1 }]
        }, pullback: { ct in [zip(ct[0], [5.0, 6]).map { $0 * $1 }, [100, 100]] })[0]
        XCTAssertEqual(y.values, [5, 12])
        XCTAssertEqual(try tape.gradient(of: sum(y), wrt: [x])[0], [5, 6])
        let z = try tape.primitive([x], outputShapes: [.scalar], forward: { v in [[v[0][0]]] }, pullback: { _ in [nil] })[0]
        XCTAssertEqual(try tape.gradient(of: z, wrt: [x])[0], [0, 0])
    }

    // MARK: - Compiled programs

    func rhsGraph() throws -> Graph {
        try trace([GraphInput("u", .vector(3)), GraphInput("p", .vector(12))]) { x in
            tanh(x[1][0..<9].reshaped(.matrix(3, 3)) * x[0] + x[1][9..<12])
        }
    }

    func testCompiledProgramInsideALoss() throws {
        let program = try rhsGraph().compile()
        let target = randomValues(3, &rng)
        let shapes: [Shape] = [.vector(3), .vector(12)]
        let x = shapes.map { randomValues($0.count, &rng) }
        func loss(_ v: [Variable]) throws -> Variable {
            let tape = v[0].tape
            let y = try tape.call(program, [v[0], v[1]])[0]
            // Called twice on one tape: the second call reuses the cached VJP.
            let z = try tape.call(program, [y, v[1]])[0]
            return sum(abs2(y - tape.constant(target))) + 0.1 * dot(z, z)
        }
        let (value, g) = try gradient(at: x, shapes: shapes, of: loss)
        let fd = try finiteDifferenceGradient(at: x, shapes: shapes, loss)
        XCTAssertLessThan(maxRelativeDifference(g, fd), fdTolerance)

        // The same loss traced whole and differentiated by Graph.vjp.
        let whole = try trace([GraphInput("u", .vector(3)), GraphInput("p", .vector(12))]) { s in
            let b = s[0].builder
            let t = Sym(b, b.constant(target, .vector(3)))
            let f = { (u: Sym) in tanh(s[1][0..<9].reshaped(.matrix(3, 3)) * u + s[1][9..<12]) }
            let y = f(s[0]), z = f(y)
            return sum(abs2(y - t)) + 0.1 * dot(z, z)
        }
        XCTAssertLessThan(maxRelativeDifference(g, try whole.vjp().evaluate(x + [[1]])), 1e-12)
        XCTAssertEqual(value, try whole.evaluate(x)[0][0], accuracy: 1e-12)
    }

    func testDifferentiableProgramWithTwoOutputsSharedAcrossTapes() throws {
        let graph = try trace([GraphInput("a", .vector(3)), GraphInput("b", .scalar)], outputs: { x in
            [exp(x[0]) * x[1], sum(x[0] .* x[0])]
        })
        let program = try DifferentiableProgram(graph)
        XCTAssertEqual(program.outputShapes, [.vector(3), .scalar])
        for use in 0..<2 {
            func loss(_ v: [Variable]) throws -> Variable {
                let y = try v[0].tape.call(program, [v[0], v[1]])
                return use == 0 ? sum(sin(y[0])) : y[1] * v[1]
            }
            let x: [[Double]] = [randomValues(3, &rng), [0.8]]
            let (_, g) = try gradient(at: x, shapes: [.vector(3), .scalar], of: loss)
            let fd = try finiteDifferenceGradient(at: x, shapes: [.vector(3), .scalar], loss)
            XCTAssertLessThan(maxRelativeDifference(g, fd), fdTolerance, "output \(use)")
        }
    }

    // MARK: - Errors

    func message(_ body: () throws -> Any) -> String {
        do {
            _ = try body()
            return "no error"
        } catch let e as AutodiffError {
            return e.message
        } catch {
            return "\(error)"
        }
    }

    func testGradientOfANonScalarIsAClearError() {
        let tape = Tape()
        let x = tape.variable([1, 2, 3])
        let m = message { try tape.gradient(of: x .* x, wrt: [x]) }
        XCTAssertTrue(m.contains("must be a scalar") && m.contains("vector(3)") && m.contains("pullback"), m)
        let m2 = message { try gradient(at: [[1, 2]]) { x in exp(x[0]) } }
        XCTAssertTrue(m2.contains("must be a scalar") && m2.contains("vector(2)"), m2)
    }

    func testShapeErrorsAreRecordedAndThrownByGradient() {
        let tape = Tape()
        let a = tape.variable([1, 2, 3]), b = tape.variable([1, 2, 3, 4])
        let c = a .+ b                      // recording does not throw
        XCTAssertEqual(c.shape, .vector(3))  // a placeholder of the expected shape stands in
        let loss = sum(c) + sum(b)
        XCTAssertNotNil(tape.error)
        let m = message { try tape.gradient(of: loss, wrt: [a, b]) }
        XCTAssertTrue(m.contains("add") && m.contains("vector(3)") && m.contains("vector(4)"), m)
        // The first error is kept, and primitives refuse to run on placeholders.
        _ = tape.variable([1, 2], .matrix(2, 2))
        var ran = false
        let m2 = message {
            try tape.primitive([a], outputShapes: [.scalar], forward: { _ in ran = true; return [[0]] }, pullback: { _ in [nil] })
        }
        XCTAssertFalse(ran)
        XCTAssertEqual(m2, m)

        let m3 = message {
            try gradient(at: [[1, 2, 3, 4, 5, 6], [1, 2]], shapes: [.matrix(2, 3), .vector(2)]) { x in sum(x[0] * x[1]) }
        }
        XCTAssertTrue(m3.contains("matrix product") && m3.contains("matrix(2×3)") && m3.contains("vector(2)"), m3)
        let m4 = message { try gradient(at: [[1, 2]]) { x in x[0][2] } }
        XCTAssertTrue(m4.contains("out of bounds"), m4)
        let m5 = message { try gradient(at: [[1, 2]], shapes: [.vector(3)]) { x in sum(x[0]) } }
        XCTAssertTrue(m5.contains("2 values for shape vector(3)"), m5)
    }

    func testCallChecksShapesAgainstTheProgram() throws {
        let program = try DifferentiableProgram(rhsGraph())
        let tape = Tape()
        let u = tape.variable([1, 2, 3, 4]), p = tape.variable([Double](repeating: 0.1, count: 12))
        let m = message { try tape.call(program, [u, p]) }
        XCTAssertTrue(m.contains("input 0") && m.contains("vector(4)") && m.contains("vector(3)"), m)
        let m2 = message { try tape.call(program, [p]) }
        XCTAssertTrue(m2.contains("takes 2 inputs") && m2.contains("1 were given"), m2)
        XCTAssertNil(tape.error, "a thrown call leaves the tape usable")
    }

    func testPrimitiveContractViolationsAreReported() {
        let tape = Tape()
        let x = tape.variable([1, 2])
        let m1 = message {
            try tape.primitive([x], outputShapes: [.vector(3)], name: "bad", forward: { _ in [[1, 2]] }, pullback: { _ in [nil] })
        }
        XCTAssertTrue(m1.contains("'bad'") && m1.contains("2 values") && m1.contains("vector(3)"), m1)
        let m2 = message {
            try tape.primitive([x], outputShapes: [.scalar], name: "bad", forward: { _ in [[1], [2]] }, pullback: { _ in [nil] })
        }
        XCTAssertTrue(m2.contains("2 outputs") && m2.contains("1 shapes"), m2)
        let m3 = message {
            let y = try tape.primitive([x], outputShapes: [.scalar], name: "short", forward: { _ in [[1]] }, pullback: { _ in [] })[0]
            return try tape.gradient(of: y, wrt: [x])
        }
        XCTAssertTrue(m3.contains("'short'") && m3.contains("0 cotangents for 1 inputs"), m3)
        let m4 = message {
            let y = try tape.primitive([x], outputShapes: [.scalar], name: "wide", forward: { _ in [[1]] }, pullback: { _ in [[1, 2, 3]] })[0]
            return try tape.gradient(of: y, wrt: [x])
        }
        XCTAssertTrue(m4.contains("'wide'") && m4.contains("3 values") && m4.contains("vector(2)"), m4)
    }

    func testVariablesOfAnotherTapeAndNonVariablesAreRefused() {
        let t1 = Tape(), t2 = Tape()
        let a = t1.variable([1, 2]), b = t2.variable([3, 4])
        let m1 = message { try t1.gradient(of: sum(a), wrt: [b]) }
        XCTAssertTrue(m1.contains("another tape"), m1)
        _ = a + b
        let m2 = message { try t1.gradient(of: sum(a), wrt: [a]) }
        XCTAssertTrue(m2.contains("another tape"), m2)
        let t3 = Tape()
        let c = t3.variable([1, 2])
        let d = exp(c)
        let m3 = message { try t3.gradient(of: sum(d), wrt: [d]) }
        XCTAssertTrue(m3.contains("not a variable"), m3)
        XCTAssertFalse(d.isVariable)
        XCTAssertTrue(c.isVariable)
    }

    func testValuesAreEagerAndEqualVariablesStayDistinct() throws {
        let tape = Tape()
        // Two variables with the same numbers are two inputs, not one merged constant.
        let a = tape.variable([1, 2]), b = tape.variable([1, 2])
        let loss = dot(a, a) + 3.0 * sum(b)
        XCTAssertEqual(loss.scalar, 5 + 9)
        let g = try tape.gradient(of: loss, wrt: [a, b])
        XCTAssertEqual(g[0], [2, 4])
        XCTAssertEqual(g[1], [3, 3])
        XCTAssertTrue((a .* b).scalar.isNaN, "scalar of a vector is NaN")
        XCTAssertEqual(vcat(a, b[1]).values, [1, 2, 2])
        XCTAssertEqual(tape.concat([]).shape, .vector(0))
        XCTAssertEqual((2.0 * pow(a, 2.0)).values, [2, 8])
    }
}
