import Autodiff
import Foundation
import NeuralNets
import TestSupport
import XCTest

final class LayerTests: XCTestCase {
    /// The spiral network of DiffEqFlux's tutorial.
    static let spiral = Chain(FunctionLayer("x -> x.^3") { pow($0, 3.0) }, Dense(2, 50, .tanh), Dense(50, 2))

    func testSpiralChainLayoutMatchesTheAnchors() {
        let net = Self.spiral
        XCTAssertEqual(net.parameterCount, 252)
        XCTAssertEqual(net.layout.entries.map(\.name), ["layer_2.weight", "layer_2.bias", "layer_3.weight", "layer_3.bias"])
        XCTAssertEqual(net.layout.entries.map(\.offset), [0, 100, 150, 250])
        XCTAssertEqual(net.layout.entry("layer_3.weight")?.shape, .matrix(2, 50))
        XCTAssertEqual(net.name, "Chain(x -> x.^3, Dense(2 => 50, tanh), Dense(50 => 2))")
    }

    func testDenseComputesWxPlusBByHand() throws {
        let d = Dense(3, 2, .tanh)
        let theta: [Double] = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.05, -0.05]   // W (2×3 row-major), b
        let x: [Double] = [1, 2, -1]
        let y = try d.graph(input: .vector(3)).compile()([x, theta])[0]
        let expected = [Foundation.tanh(0.1 - 0.4 - 0.3 + 0.05), Foundation.tanh(0.4 + 1.0 + 0.6 - 0.05)]
        for (a, b) in zip(y, expected) { XCTAssertEqual(a, b, accuracy: 1e-14) }
    }

    func testBatchedColumnsEqualSingleSamples() throws {
        let net = Self.spiral
        let theta = net.initialParameters(seed: 3)
        var rng = Xoshiro256StarStar(seed: 4)
        let batch = 5
        let X = randomValues(2 * batch, &rng)          // 2 × 5 row-major: column j is sample j
        let Y = try net.graph(input: .matrix(2, batch)).compile()([X, theta])[0]
        let single = try net.graph(input: .vector(2)).compile()
        for j in 0..<batch {
            let y = try single([[X[j], X[batch + j]], theta])[0]
            XCTAssertEqual(y[0], Y[j], accuracy: 1e-13)
            XCTAssertEqual(y[1], Y[batch + j], accuracy: 1e-13)
        }
    }

    func testGradientsOfEveryLayerKind() throws {
        var rng = Xoshiro256StarStar(seed: 5)
        let layers: [any Layer] = [
            Self.spiral,
            Chain(Dense(3, 4, .relu), Dense(4, 3, .softplus), Scale(3, .sigmoid)),
            Chain(Dense(3, 3, .gelu), SkipConnection(Dense(3, 3, .swish)), Dense(3, 3, .elu)),
            Parallel([Dense(3, 3, .rbf), Dense(3, 3, .identity, bias: false)]),
        ]
        for (i, layer) in layers.enumerated() {
            let inputSize = i == 0 ? 2 : 3
            let g = try layer.graph(input: .vector(inputSize))
            let x = [randomValues(inputSize, &rng, in: -0.8...0.8), layer.initialParameters(seed: UInt64(i))]
            let (report, ok) = try GradientCheck().check(g, at: x, rng: &rng)
            XCTAssertTrue(ok, "\(layer.name): \(report)")
        }
    }

    func testActivationsAgreeWithTheirScalarForms() throws {
        var rng = Xoshiro256StarStar(seed: 6)
        let x = randomValues(16, &rng, in: -3...3)
        for a in Activation.allCases {
            let g = try trace([GraphInput("x", .vector(16))]) { v in a(v[0]) }
            let y = try g.compile()([x])[0]
            for (xi, yi) in zip(x, y) { XCTAssertEqual(yi, a.apply(xi), accuracy: 1e-14, "\(a) at \(xi)") }
        }
    }

    func testInitialisersAreSeededAndScaled() {
        let d = Dense(50, 40)
        XCTAssertEqual(d.initialParameters(seed: 1), d.initialParameters(seed: 1))
        XCTAssertNotEqual(d.initialParameters(seed: 1), d.initialParameters(seed: 2))
        let w = Array(d.initialParameters(seed: 1)[0..<2000])
        let bound = (6.0 / 90).squareRoot()
        XCTAssertTrue(w.allSatisfy { abs($0) <= bound })
        let variance = w.reduce(0) { $0 + $1 * $1 } / Double(w.count)
        XCTAssertEqual(variance, bound * bound / 3, accuracy: 0.1 * bound * bound / 3)   // U(−a, a) has variance a²/3
        XCTAssertTrue(d.initialParameters(seed: 1)[2000...].allSatisfy { $0 == 0 }, "biases start at zero")
        var rng = Xoshiro256StarStar(seed: 9)
        let n = Initializer.glorotNormal.values(count: 4000, fanIn: 30, fanOut: 10, rng: &rng)
        let nv = n.reduce(0) { $0 + $1 * $1 } / Double(n.count)
        XCTAssertEqual(nv, 2.0 / 40, accuracy: 0.1 * 2.0 / 40)
        let s = Initializer.scaled(.ones, 0.1).values(count: 3, fanIn: 1, fanOut: 1, rng: &rng)
        XCTAssertEqual(s, [0.1, 0.1, 0.1])
    }

    func testParameterLayoutViews() {
        var l = ParameterLayout()
        l.append("p", .vector(4))
        l.append(Self.spiral.layout, prefix: "nn")
        XCTAssertEqual(l.count, 256)
        XCTAssertEqual(l.entry("nn.layer_2.bias")?.range, 104..<154)
        let theta = (0..<256).map(Double.init)
        XCTAssertEqual(l.view("p", of: theta).map(Array.init), [0, 1, 2, 3])
        XCTAssertNil(l.view("missing", of: theta))
    }
}
