@testable import Autodiff
import Foundation
import TestSupport
import XCTest

final class FastMathTests: XCTestCase {
    func testTanhIsWithinFourUlpOfLibm() {
        var rng = Xoshiro256StarStar(seed: 21)
        var worst = 0.0
        var xs: [Double] = [0, -0.0, 1e-300, -1e-300, 1e-20, 1e-8, 0.5, -0.5, 0.3465, 0.3466, 1, 5, 18, 19.1, 20, 25, 40, 700, -700,
                            .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for _ in 0..<200_000 { xs.append((rng.uniform() * 2 - 1) * 25) }
        for _ in 0..<50_000 { xs.append((rng.uniform() * 2 - 1) * 1e-3) }
        for x in xs {
            let exact = Foundation.tanh(x), fast = FastMath.tanh(x)
            XCTAssertEqual(fast.sign, exact.sign, "sign at \(x)")
            let ulps = exact == 0 ? Swift.abs(fast) : Swift.abs(fast - exact) / exact.ulp
            worst = Swift.max(worst, ulps)
        }
        XCTAssertLessThanOrEqual(worst, 4, "worst error \(worst) ulp")
        XCTAssertTrue(FastMath.tanh(.nan).isNaN)
    }

    func testEightLaneTanhAgreesBitForBitWithScalar() {
        var rng = Xoshiro256StarStar(seed: 8)
        var x = (0..<8_000).map { _ in (rng.uniform() * 2 - 1) * 30 }
        x += [.nan, .infinity, -.infinity, 0, -0.0, 1e-310, 19.5, -19.5]
        var y = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { a in y.withUnsafeMutableBufferPointer { d in
            FastMath.tanh(d.baseAddress!, a.baseAddress!, x.count)
        } }
        for (xi, yi) in zip(x, y) {
            let s = FastMath.tanh(xi)
            XCTAssertTrue(s.bitPattern == yi.bitPattern || (s.isNaN && yi.isNaN), "at \(xi): \(s) vs \(yi)")
        }
    }

    func testTanhKernelMatchesElementFunction() throws {
        // The compiled vector tanh uses FastMath; the reference evaluator uses libm.
        let g = try trace([GraphInput("x", .vector(64))]) { x in tanh(x[0]) }
        var rng = Xoshiro256StarStar(seed: 4)
        let x = randomValues(64, &rng, in: -4...4)
        XCTAssertLessThan(maxRelativeDifference(try g.compile()([x]), try g.evaluate([x])), 1e-15)
    }
}
