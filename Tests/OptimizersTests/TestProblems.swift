import Foundation
import Optimizers

/// Objectives with known minima, shared by the tests.
enum TestProblems {
    /// f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1); the classic start is (−1.2, 1).
    static func rosenbrockValue(_ x: UnsafeBufferPointer<Double>) -> Double {
        let a = 1 - x[0], b = x[1] - x[0] * x[0]
        return a * a + 100 * b * b
    }

    static var rosenbrock: Objective { Objective { x, g in
        let a = 1 - x[0], b = x[1] - x[0] * x[0]
        g[0] = -2 * a - 400 * x[0] * b
        g[1] = 200 * b
        return a * a + 100 * b * b
    } }

    /// f(x) = ½ Σ aᵢ (xᵢ − cᵢ)² with a = (1, 2, 4, 8), c = (1, −2, 3, 0.5): minimum 0 at c.
    static let quadraticScales = [1.0, 2.0, 4.0, 8.0]
    static let quadraticCentre = [1.0, -2.0, 3.0, 0.5]
    static var quadratic: Objective { Objective { x, g in
        var f = 0.0
        for i in 0..<4 {
            let d = x[i] - quadraticCentre[i]
            f += 0.5 * quadraticScales[i] * d * d
            g[i] = quadraticScales[i] * d
        }
        return f
    } }

    static func gradientNorm(_ objective: Objective, at x: [Double]) throws -> Double {
        let (_, g) = try objective(x)
        return g.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}

/// A thread-safe counter for objectives that change behaviour after some evaluations.
final class Counter: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
