import Autodiff
import CAllocCounter
import Foundation

/// The one gradient checker every test uses: the dot-product test of autograd's `check_grads`.
///
/// For random directions u (inputs) and v (outputs) it compares ⟨v, J u⟩ by central
/// differences with ⟨Jᵀv, u⟩ from the reverse-mode graph and ⟨v, J u⟩ from the forward-mode
/// graph, each compiled and run as users run them.
public struct GradientCheck {
    public var step = 1e-6
    public var tolerance = 1e-6
    public init() {}

    public struct Report: CustomStringConvertible {
        public let finiteDifference: Double
        public let reverse: Double
        public let forward: Double
        public var description: String { "fd \(finiteDifference), vjp \(reverse), jvp \(forward)" }
    }

    /// Checks `graph` at `x` with directions drawn from `rng`; returns the three numbers and
    /// whether they agree to `tolerance` (relative to 1 + |fd|).
    public func check(_ graph: Graph, at x: [[Double]], rng: inout Xoshiro256StarStar) throws -> (Report, Bool) {
        let u = graph.inputShapes.map { s in (0..<s.count).map { _ in rng.uniform() * 2 - 1 } }
        let v = graph.outputShapes.map { s in (0..<s.count).map { _ in rng.uniform() * 2 - 1 } }
        let f = try graph.compile()
        func shifted(_ h: Double) -> [[Double]] { zip(x, u).map { xs, us in zip(xs, us).map { $0 + h * $1 } } }
        let yp = try f(shifted(step)), ym = try f(shifted(-step))
        var fd = 0.0
        for k in v.indices { for j in v[k].indices { fd += v[k][j] * (yp[k][j] - ym[k][j]) / (2 * step) } }

        let back = try graph.vjp().compile()
        let g = try back(x + v)
        var rev = 0.0
        for k in u.indices { for j in u[k].indices { rev += g[k][j] * u[k][j] } }

        let fwd = try graph.jvp().compile()
        let t = try fwd(x + u)
        var tan = 0.0
        for k in v.indices { for j in v[k].indices { tan += v[k][j] * t[k][j] } }

        let scale = 1 + Swift.abs(fd)
        let ok = Swift.abs(fd - rev) <= tolerance * scale && Swift.abs(fd - tan) <= tolerance * scale
            && Swift.abs(rev - tan) <= 1e-9 * (1 + Swift.abs(rev))
        return (Report(finiteDifference: fd, reverse: rev, forward: tan), ok)
    }
}

/// Heap allocations made by the calling thread while `body` runs.
public func allocations(during body: () -> Void) -> UInt64 {
    let before = fluxion_thread_allocations()
    body()
    return fluxion_thread_allocations() &- before
}

/// The most heap bytes held at once while `body` ran, above what was held when it started
/// (process-wide, so run it where no other thread is busy).
public func peakHeapGrowth(during body: () -> Void) -> Int64 {
    fluxion_reset_peak_bytes()
    let start = fluxion_live_bytes()
    body()
    return fluxion_peak_bytes() - start
}

/// Whether the allocation counter is active on this platform.
public var allocationCounterIsActive: Bool { fluxion_allocation_counting_enabled() != 0 }

/// Random values in [lo, hi).
public func randomValues(_ n: Int, _ rng: inout Xoshiro256StarStar, in range: ClosedRange<Double> = -1...1) -> [Double] {
    (0..<n).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * rng.uniform() }
}

/// The largest elementwise difference between two lists of arrays, relative to 1 + |expected|.
public func maxRelativeDifference(_ a: [[Double]], _ b: [[Double]]) -> Double {
    var m = 0.0
    for (x, y) in zip(a, b) {
        if x.count != y.count { return .infinity }
        for (p, q) in zip(x, y) {
            if p.isNaN != q.isNaN { return .infinity }
            if p.isNaN { continue }
            m = Swift.max(m, Swift.abs(p - q) / (1 + Swift.abs(q)))
        }
    }
    return m
}
