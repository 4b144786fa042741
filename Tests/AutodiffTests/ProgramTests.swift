import Autodiff
import TestSupport
import XCTest

/// The compiled program: zero allocations per run, re-entrancy, fusion and placement.
final class ProgramTests: XCTestCase {
    static func lotkaVolterra() throws -> Graph {
        try trace(.vector(2), .vector(4)) { u, p, t in
            [p[0] * u[0] - p[1] * u[0] * u[1], -p[2] * u[1] + p[3] * u[0] * u[1]]
        }
    }

    /// The spiral neural ODE's right-hand side: 2 → 50 (tanh) → 2 on u.^3, with weights as
    /// views of one parameter vector (W1 50×2, b1, W2 2×50, b2, row-major).
    static func spiral() throws -> Graph {
        try trace([GraphInput("u", .vector(2)), GraphInput("p", .vector(252)), GraphInput("t", .scalar)]) { x in
            let (u, p) = (x[0], x[1])
            let W1 = p[0..<100].reshaped(.matrix(50, 2)), b1 = p[100..<150]
            let W2 = p[150..<250].reshaped(.matrix(2, 50)), b2 = p[250..<252]
            return W2 * tanh(W1 * pow(u, 3.0) + b1) + b2
        }
    }

    func testCounterCountsAllocations() {
        XCTAssertTrue(allocationCounterIsActive)
        var sink = 0.0
        let n = allocations { let a = [Double](repeating: 1, count: 100 + Int(sink)); sink += a[3] }
        XCTAssertGreaterThan(n, 0)
    }

    func testRunAllocatesNothing() throws {
        var rng = Xoshiro256StarStar(seed: 1)
        for g in [try Self.lotkaVolterra(), try Self.spiral()] {
            for program in [try g.compile(), try g.vjp().compile(), try g.jvp().compile()] {
                let ws = program.makeWorkspace()
                let ins = program.inputShapes.map { s -> UnsafeMutablePointer<Double> in
                    let p = UnsafeMutablePointer<Double>.allocate(capacity: s.count)
                    for j in 0..<s.count { p[j] = rng.uniform() }
                    return p
                }
                let outs = program.outputShapes.map { UnsafeMutablePointer<Double>.allocate(capacity: $0.count) }
                defer { ins.forEach { $0.deallocate() }; outs.forEach { $0.deallocate() } }
                for (k, p) in ins.enumerated() { ws.bind(input: k, p) }
                for (k, p) in outs.enumerated() { ws.bind(output: k, p) }
                program.run(ws)
                let n = allocations { for _ in 0..<100 { program.run(ws) } }
                XCTAssertEqual(n, 0, "\(program.instructionCount) instructions")
            }
        }
    }

    func testLotkaVolterraCompilesToFusedScalarCode() throws {
        let g = try Self.lotkaVolterra()
        let f = try g.compile()
        // 4 products, 2 of them fused into the final subtract/add: at most 6 instructions.
        XCTAssertLessThanOrEqual(f.instructionCount, 6)
        let y = try f([[1.0, 2.0], [1.5, 1.0, 3.0, 1.0], [0.0]])
        XCTAssertEqual(y[0][0], 1.5 * 1 - 1 * 1 * 2, accuracy: 1e-15)
        XCTAssertEqual(y[0][1], -3 * 2 + 1 * 1 * 2, accuracy: 1e-15)
    }

    func testSpiralFusesAffineLayers() throws {
        var rng = Xoshiro256StarStar(seed: 5)
        let g = try Self.spiral()
        let f = try g.compile()
        XCTAssertLessThanOrEqual(f.instructionCount, 4, "cube, affine+tanh, affine")
        let u = randomValues(2, &rng), p = randomValues(252, &rng)
        XCTAssertLessThan(maxRelativeDifference(try f([u, p, [0]]), try g.evaluate([u, p, [0]])), 1e-14)
    }

    func testTwoActivationsAfterAnAffineMapAreBothApplied() throws {
        // −abs2(W x + b): only the first unary fuses into the affine kernel (rbf(x) = exp.(-(x.^2)) as an activation).
        let g = try trace([GraphInput("x", .vector(2)), GraphInput("θ", .vector(6))]) { v in
            let w = v[1][0..<4].reshaped(.matrix(2, 2))
            return exp(-abs2(w * v[0] + v[1][4..<6]))
        }
        let x = [0.3, -0.7], theta = [0.5, -1.0, 2.0, 0.25, 0.1, -0.2]
        let y = try g.compile()([x, theta])[0]
        let z = [0.5 * 0.3 - 1.0 * -0.7 + 0.1, 2.0 * 0.3 + 0.25 * -0.7 - 0.2]
        XCTAssertEqual(y[0], Foundation.exp(-z[0] * z[0]), accuracy: 1e-14)
        XCTAssertEqual(y[1], Foundation.exp(-z[1] * z[1]), accuracy: 1e-14)
    }

    func testWorkspacesMakeProgramsReentrant() throws {
        let g = try Self.spiral()
        let f = try g.compile()
        var rng = Xoshiro256StarStar(seed: 9)
        let cases = (0..<8).map { _ in [randomValues(2, &rng), randomValues(252, &rng), [0.0]] }
        let expected = try cases.map { try g.evaluate($0)[0] }
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 16)
        defer { buffer.deallocate() }
        nonisolated(unsafe) let results = buffer
        DispatchQueue.concurrentPerform(iterations: 8) { k in
            let ws = f.makeWorkspace()
            cases[k][0].withUnsafeBufferPointer { u in
                cases[k][1].withUnsafeBufferPointer { p in
                    cases[k][2].withUnsafeBufferPointer { t in
                        for _ in 0..<200 {
                            f.run(ws, u.baseAddress!, p.baseAddress!, t.baseAddress!, into: results + 2 * k)
                        }
                    }
                }
            }
        }
        for k in 0..<8 {
            XCTAssertEqual(results[2 * k], expected[k][0], accuracy: 1e-14)
            XCTAssertEqual(results[2 * k + 1], expected[k][1], accuracy: 1e-14)
        }
    }

    func testLargeOutputsAreWrittenInPlace() throws {
        // An output above the register limit is computed straight into the caller's buffer.
        let g = try trace([GraphInput("x", .vector(100)), GraphInput("y", .vector(100))]) { x in tanh(x[0] .* x[1]) .+ 1.0 }
        let f = try g.compile()
        var rng = Xoshiro256StarStar(seed: 2)
        let x = randomValues(100, &rng), y = randomValues(100, &rng)
        XCTAssertLessThan(maxRelativeDifference(try f([x, y]), try g.evaluate([x, y])), 1e-15)
    }

    func testElementsOfLargeInputsStayOnTheRegisterPath() throws {
        // A per-component right-hand side on 40 states: every element op must be a scalar
        // register instruction, not an array instruction on one element.
        let n = 40
        let g = try trace(.vector(n), .vector(1)) { u, p, t in
            (0..<n).map { i in p[0] * (u[max(i - 1, 0)] - 2 * u[i] + u[min(i + 1, n - 1)]) }
        }
        let f = try g.compile()
        XCTAssertFalse(f.listing.contains("\nbinary "), f.listing)
        XCTAssertFalse(f.listing.contains("\nunary "), f.listing)
        var rng = Xoshiro256StarStar(seed: 12)
        let x = [randomValues(n, &rng), [0.7], [0]]
        XCTAssertLessThan(maxRelativeDifference(try f(x), try g.evaluate(x)), 1e-14)
    }
}

final class BuilderSimplificationTests: XCTestCase {
    func testZeroProductsFoldOnlyWhenAsked() throws {
        for fold in [false, true] {
            let b = GraphBuilder(foldsZeroProducts: fold)
            let x = b.input("x", .vector(3))
            let y = b.binary(.mul, x, b.scalar(0))
            let g = try b.build(outputs: [y])
            XCTAssertEqual(b.constantValues(y) != nil, fold)
            // Without folding, 0 · ∞ stays NaN as IEEE arithmetic says.
            let out = try g.compile()([[1, .infinity, 2]])[0]
            XCTAssertEqual(out[1].isNaN, !fold)
        }
    }
}

final class ProgramEdgeCaseTests: XCTestCase {
    func testOutputsThatAreInputsConstantsViewsOrRepeated() throws {
        var rng = Xoshiro256StarStar(seed: 31)
        for big in [3, 40] {
            let g = try trace([GraphInput("x", .vector(big)), GraphInput("s", .scalar)], outputs: { v in
                let x = v[0], s = v[1]
                let c = Sym(x.builder, x.builder.constant([1, 2, 3], .vector(3)))
                let y = x .* s
                return [x, c, x[1..<3], y, y, s, x[0]]
            })
            let f = try g.compile()
            let input = [randomValues(big, &rng), [0.7]]
            let out = try f(input)
            XCTAssertLessThan(maxRelativeDifference(out, try g.evaluate(input)), 1e-15)
            XCTAssertEqual(out[1], [1, 2, 3])
            XCTAssertEqual(out[3], out[4])
            let ws = f.makeWorkspace()
            XCTAssertEqual(allocations { _ = ws }, 0)
        }
    }
}
