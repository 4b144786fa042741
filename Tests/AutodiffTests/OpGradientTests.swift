import Autodiff
import TestSupport
import XCTest

/// Every op: compiled evaluation against the reference evaluator, and the dot-product
/// gradient check of its VJP and JVP against central differences.
final class OpGradientTests: XCTestCase {
    var rng = Xoshiro256StarStar(seed: 42)

    /// Checks a one-op (or few-op) graph traced from `body` at random inputs in `range`.
    func check(_ name: String, _ inputs: [Shape], range: ClosedRange<Double> = -1.5...1.5,
               file: StaticString = #filePath, line: UInt = #line, _ body: ([Sym]) -> Sym) throws {
        let graph = try trace(inputs.enumerated().map { GraphInput("x\($0.offset)", $0.element) }, body)
        let x = inputs.map { randomValues($0.count, &rng, in: range) }
        let compiled = try graph.compile()(x)
        let reference = try graph.evaluate(x)
        XCTAssertLessThan(maxRelativeDifference(compiled, reference), 1e-13, "\(name): compiled ≠ reference", file: file, line: line)
        let (report, ok) = try GradientCheck().check(graph, at: x, rng: &rng)
        XCTAssertTrue(ok, "\(name): \(report)", file: file, line: line)
    }

    func testUnaryOps() throws {
        let positive: Set<UnaryOp> = [.log, .sqrt, .log1p]
        for u in UnaryOp.allCases where u != .sign {
            let range = positive.contains(u) ? 0.2...2.0 : -1.5...1.5
            for s in [Shape.scalar, .vector(5), .matrix(2, 3)] {
                try check("\(u) on \(s)", [s], range: range) { x in
                    Sym(x[0].builder, x[0].builder.unary(u, x[0].id))
                }
            }
        }
        // sign has a zero derivative: check it composed with a smooth function.
        try check("sign", [.vector(4)]) { x in sign(x[0]) .* x[0] .* x[0] }
    }

    func testBinaryOpsWithBroadcasting() throws {
        let shapes: [(Shape, Shape)] = [
            (.vector(4), .vector(4)), (.scalar, .vector(4)), (.vector(4), .scalar), (.scalar, .scalar),
            (.matrix(3, 4), .vector(3)), (.matrix(3, 4), .matrix(1, 4)), (.vector(3), .matrix(1, 4)),
            (.matrix(2, 3), .matrix(2, 3)),
        ]
        for b in BinaryOp.allCases {
            for (sa, sb) in shapes {
                let range = b == .pow ? 0.3...2.0 : -1.5...1.5
                try check("\(b) on \(sa), \(sb)", [sa, sb], range: range) { x in
                    let y = Sym(x[0].builder, x[0].builder.binary(b, x[0].id, x[1].id))
                    // Comparisons are piecewise constant: multiply by a smooth value so the check sees a gradient.
                    return b.isComparison ? y .* (x[0] .+ x[1]) : y
                }
            }
        }
    }

    func testSelectAndComparisons() throws {
        try check("ifelse", [.vector(5), .vector(5), .vector(5)]) { x in ifelse(x[0] > 0, x[1] .* x[2], x[2] .* x[2]) }
        try check("ifelse scalar branch", [.vector(5), .scalar]) { x in ifelse(x[0] < 0.0, x[0], x[1]) }
        try check("max", [.vector(5), .vector(5)]) { x in max(x[0], x[1]) }
        try check("min", [.vector(5), .scalar]) { x in min(x[0], x[1]) }
    }

    func testReductions() throws {
        try check("sum", [.matrix(3, 4)]) { x in sum(x[0] .* x[0]) }
        try check("mean", [.vector(6)]) { x in mean(exp(x[0])) }
        try check("dot", [.vector(6), .vector(6)]) { x in dot(x[0], x[1]) }
        try check("norm2", [.vector(6)]) { x in norm2(x[0]) }
        try check("reduceTo", [.matrix(3, 4)]) { x in
            Sym(x[0].builder, x[0].builder.reduceTo(x[0].id, .vector(3))) .* 2.0
        }
        try check("reduceTo row", [.matrix(3, 4)]) { x in
            Sym(x[0].builder, x[0].builder.reduceTo(x[0].id, .matrix(1, 4)))
        }
        try check("broadcastTo", [.vector(3)]) { x in
            exp(Sym(x[0].builder, x[0].builder.broadcastTo(x[0].id, .matrix(3, 4))))
        }
    }

    func testMatrixProducts() throws {
        try check("matvec", [.matrix(3, 4), .vector(4)]) { x in x[0] * x[1] }
        try check("matvec 2 cols", [.matrix(5, 2), .vector(2)]) { x in x[0] * x[1] }
        try check("matmul", [.matrix(3, 4), .matrix(4, 2)]) { x in x[0] * x[1] }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            try check("matmul \(ta) \(tb)", [ta ? .matrix(4, 3) : .matrix(3, 4), tb ? .matrix(2, 4) : .matrix(4, 2)]) { x in
                Sym(x[0].builder, x[0].builder.matmul(x[0].id, x[1].id, transposeA: ta, transposeB: tb))
            }
        }
        try check("transposed matvec", [.matrix(4, 3), .vector(4)]) { x in x[0].transposed * x[1] }
        try check("inner product", [.vector(4), .vector(4)]) { x in x[0].transposed * x[1] }
        try check("outer product", [.vector(3), .vector(4)]) { x in x[0] * x[1].transposed }
        try check("matrix view of a parameter vector", [.vector(10), .vector(2)]) { x in
            tanh(x[0][0..<6].reshaped(.matrix(3, 2)) * x[1] + x[0][6..<9])
        }
    }

    func testStructuralOps() throws {
        try check("element", [.vector(5)]) { x in x[0][3] * x[0][1] }
        try check("slice", [.vector(7)]) { x in x[0][2..<5] .* x[0][3..<6] }
        try check("matrix element", [.matrix(3, 4)]) { x in x[0][2, 1] * x[0][0, 3] }
        try check("gather", [.vector(5)]) { x in
            Sym(x[0].builder, x[0].builder.gather(x[0].id, [4, 0, 0, 2])) .* 3.0
        }
        try check("scatterAdd", [.vector(3), .vector(2)]) { x in
            let b = x[0].builder
            return exp(Sym(b, b.scatterAdd([x[0].id, x[1].id], [[0, 2, 4], [4, 1]], shape: .vector(5))))
        }
        try check("concat", [.vector(3), .scalar, .matrix(2, 2)]) { x in
            let b = x[0].builder
            return sin(Sym(b, b.concat([x[0].id, x[1].id, x[2].id])))
        }
        try check("vcat of elements", [.vector(3)]) { x in vcat(x[0][2], x[0][0] * x[0][1], x[0][1]) }
        try check("reshape", [.vector(6)]) { x in x[0].reshaped(.matrix(2, 3)) * x[0][0..<3] }
        try check("transpose", [.matrix(2, 3)]) { x in x[0].transposed .* x[0].transposed }
        try check("transpose of a vector", [.vector(3)]) { x in x[0].transposed * x[0] }
    }

    func testShapeErrorsNameBothShapesAndTheOp() throws {
        XCTAssertThrowsError(try trace([GraphInput("a", .vector(3)), GraphInput("b", .vector(4))]) { x in x[0] .+ x[1] }) { e in
            let m = (e as? AutodiffError)?.message ?? ""
            XCTAssertTrue(m.contains("add") && m.contains("vector(3)") && m.contains("vector(4)"), m)
        }
        XCTAssertThrowsError(try trace([GraphInput("A", .matrix(3, 4)), GraphInput("x", .vector(3))]) { x in x[0] * x[1] }) { e in
            let m = (e as? AutodiffError)?.message ?? ""
            XCTAssertTrue(m.contains("matrix product") && m.contains("matrix(3×4)") && m.contains("vector(3)"), m)
        }
        XCTAssertThrowsError(try trace([GraphInput("x", .vector(3))]) { x in x[0][3] }) { e in
            XCTAssertTrue(((e as? AutodiffError)?.message ?? "").contains("out of bounds"))
        }
        let g = try trace([GraphInput("x", .vector(3))]) { x in sum(x[0]) }
        XCTAssertThrowsError(try g.compile()([[1, 2]]))
        XCTAssertThrowsError(try g.evaluate([[1, 2, 3], [4]]))
    }
}
