import Optimizers
import TestSupport
import XCTest

/// The first updates of each rule against values worked out from Optimisers.jl's formulas
/// (the same style as Optimisers.jl's own rule tests), from θ₀ = (1, 2, 3) with gradients
/// g₁ = (1, −2, 0.5), then g₂ = (0.3, 0.1, −4).
final class FirstOrderRuleTests: XCTestCase {
    static let theta0 = [1.0, 2.0, 3.0]
    static let g1 = [1.0, -2.0, 0.5]
    static let g2 = [0.3, 0.1, -4.0]

    /// θ after the update with g₁, and after the one with g₂.
    func twoSteps<R: FirstOrderOptimizer>(_ rule: R) -> ([Double], [Double]) {
        var theta = Self.theta0
        var state = rule.makeState(count: 3)
        var g = Self.g1
        rule.update(&theta, gradient: &g, state: &state)
        let first = theta
        g = Self.g2
        rule.update(&theta, gradient: &g, state: &state)
        return (first, theta)
    }

    func assertClose(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x, y, accuracy: tolerance * (1 + Swift.abs(y)), "\(a) vs \(b)", file: file, line: line)
        }
    }

    func testDefaultsFollowOptimisersJl() {
        XCTAssertEqual(Descent().learningRate, 0.1)
        XCTAssertEqual(Momentum(), Momentum(0.01, rho: 0.9))
        XCTAssertEqual(Nesterov(), Nesterov(0.001, rho: 0.9))
        XCTAssertEqual(RMSProp(), RMSProp(0.001, rho: 0.9, epsilon: 1e-8, centred: false))
        XCTAssertEqual(Adam(), Adam(0.001, beta: (0.9, 0.999), epsilon: 1e-8))
        XCTAssertEqual(AdamW(), AdamW(0.001, beta: (0.9, 0.999), lambda: 0, epsilon: 1e-8, couple: true))
        XCTAssertEqual(ClipNorm(), ClipNorm(10, p: 2))
        XCTAssertEqual(ClipGrad().threshold, 10)
        XCTAssertEqual(WeightDecay().lambda, 5e-4)
        XCTAssertEqual(LBFGS().memory, 10)
    }

    func testDescent() {
        // θ − η g with η = 0.1.
        let (a, b) = twoSteps(Descent(0.1))
        assertClose(a, [0.9, 2.2, 2.95])
        assertClose(b, [0.87, 2.19, 3.35])
    }

    func testMomentum() {
        // v₁ = η g₁ = (0.01, −0.02, 0.005); v₂ = 0.9 v₁ + η g₂ = (0.012, −0.017, −0.0355).
        let (a, b) = twoSteps(Momentum(0.01, rho: 0.9))
        assertClose(a, [0.99, 2.02, 2.995])
        assertClose(b, [0.978, 2.037, 3.0305])
    }

    func testNesterov() {
        // Δ₁ = (1 + ρ) η g₁, v₁ = −η g₁; Δ₂ = −ρ² v₁ + (1 + ρ) η g₂.
        let (a, b) = twoSteps(Nesterov(0.001, rho: 0.9))
        assertClose(a, [0.9981, 2.0038, 2.99905])
        assertClose(b, [0.99672, 2.00523, 3.006245])
    }

    func testRMSProp() {
        // q₁ = 0.1 g₁², Δ₁ = η g₁ / (√q₁ + ϵ) ≈ η sign(g₁) √10; q₂ = 0.9 q₁ + 0.1 g₂².
        let (a, b) = twoSteps(RMSProp(0.001))
        assertClose(a, [0.9968377224398316, 2.0031622776101683, 2.9968377225398317])
        assertClose(b, [0.995884259880889, 2.0029958419466136, 2.9999779972030938])
    }

    func testCentredRMSProp() {
        // ℓ₁ = 0.1 g₁, so q₁ − ℓ₁² = 0.09 g₁² and Δ₁ = η g₁ / (0.3 |g₁| + ϵ) ≈ η sign(g₁) / 0.3.
        var theta = Self.theta0, g = Self.g1
        let rule = RMSProp(0.003, centred: true)
        var state = rule.makeState(count: 3)
        rule.update(&theta, gradient: &g, state: &state)
        assertClose(theta, [0.99, 2.01, 2.99], 1e-9)
    }

    func testAdam() {
        // Step 1: m̂ = g₁, v̂ = g₁², Δ = η g₁ / (|g₁| + ϵ) ≈ η sign(g₁).
        let (a, b) = twoSteps(Adam(0.001))
        assertClose(a, [0.99900000001, 2.000999999995, 2.99900000002])
        assertClose(b, [0.9981443028385846, 2.0016320424363614, 2.9996553266339])
    }

    func testAdamW() {
        // Coupled: Δ = η (â + λ θ); uncoupled: Δ = η â + λ θ (Optimisers.jl ≥ 0.4).
        let (a, b) = twoSteps(AdamW(0.01, lambda: 0.1))
        assertClose(a, [0.9890000001, 2.00799999995, 2.9870000002])
        assertClose(b, [0.9794540283857452, 2.0123124243636656, 2.990566266338801])
        let (c, d) = twoSteps(AdamW(0.01, lambda: 0.1, couple: false))
        assertClose(c, [0.8900000001, 1.80999999995, 2.6900000002])
        assertClose(d, [0.7924430283758452, 1.6353204243686155, 2.427553266319001])
        // λ = 0 is Adam.
        XCTAssertEqual(twoSteps(AdamW(0.01)).1, twoSteps(Adam(0.01)).1)
    }

    func testClipNorm() {
        func clipped(_ rule: ClipNorm, _ g: [Double]) -> [Double] {
            var g = g, state = rule.makeState(count: g.count)
            let theta = [Double](repeating: 0, count: g.count)
            g.withUnsafeMutableBufferPointer { s in
                theta.withUnsafeBufferPointer { rule.apply(s, at: $0, state: &state) }
            }
            return g
        }
        assertClose(clipped(ClipNorm(1), [3, 4]), [0.6, 0.8])
        assertClose(clipped(ClipNorm(1), [0.3, 0.4]), [0.3, 0.4])
        assertClose(clipped(ClipNorm(2, p: .infinity), [3, -4]), [1.5, -2])
        assertClose(clipped(ClipNorm(1, p: 1), [3, 4]), [3.0 / 7, 4.0 / 7])
        assertClose(clipped(ClipNorm(1, p: 3), [3, 4]), [3 / pow(91, 1.0 / 3), 4 / pow(91, 1.0 / 3)])
    }

    func testClipGradAndWeightDecay() {
        var theta = [1.0, 2.0, 3.0], g = [3.0, -0.5, -7.0]
        let clip = ClipValue(1)
        var s1 = clip.makeState(count: 3)
        clip.update(&theta, gradient: &g, state: &s1)
        assertClose(theta, [0, 2.5, 4])

        theta = [1.0, 2.0, 3.0]
        g = [0, 0, 0]
        let decay = WeightDecay(0.1).then(Descent(0.5))
        var s2 = decay.makeState(count: 3)
        decay.update(&theta, gradient: &g, state: &s2)
        assertClose(theta, [0.95, 1.9, 2.85])
    }

    func testChainClipsBeforeTheRule() {
        // ‖(3, 4)‖ = 5 is clipped to 1, then Descent(0.1): Δ = (0.06, 0.08).
        var theta = [0.0, 0.0], g = [3.0, 4.0]
        let rule = Descent(0.1).clippingNorm(1)
        XCTAssertEqual(rule.name, "OptimiserChain(ClipNorm, Descent)")
        var state = rule.makeState(count: 2)
        rule.update(&theta, gradient: &g, state: &state)
        assertClose(theta, [-0.06, -0.08])
        assertClose(g, [0.06, 0.08])
    }

    func testSchedules() {
        let step = LearningRateSchedule.stepDecay(initial: 1, decay: 0.5, every: 2)
        XCTAssertEqual((1...6).map { step($0) }, [1, 1, 0.5, 0.5, 0.25, 0.25])
        let exponential = LearningRateSchedule.exponential(initial: 0.1, decay: 0.5)
        assertClose((1...3).map { exponential($0) }, [0.1, 0.05, 0.025])
        let cosine = LearningRateSchedule.cosineAnnealing(max: 1, min: 0, period: 4)
        assertClose((1...6).map { cosine($0) }, [1, (1 + 0.5.squareRoot()) / 2, 0.5, (1 - 0.5.squareRoot()) / 2, 1,
                                                 (1 + 0.5.squareRoot()) / 2])
        let annealOnce = LearningRateSchedule.cosineAnnealing(max: 1, min: 0.1, period: 2, restart: false)
        assertClose((1...5).map { annealOnce($0) }, [1, 0.55, 0.1, 0.1, 0.1])
        let warm = LearningRateSchedule.warmup(steps: 4, then: .constant(0.2))
        assertClose((1...6).map { warm($0) }, [0.05, 0.1, 0.15, 0.2, 0.2, 0.2])
        let custom = LearningRateSchedule.custom { 1 / Double($0) }
        XCTAssertEqual(custom(4), 0.25)
    }

    func testScheduledRuleUsesTheScheduleEachStep() {
        // Descent with η_t = 0.1 · 0.5^(t−1) and g = 1: θ = −0.1, −0.15, −0.175.
        let rule = Descent().scheduled(.exponential(initial: 0.1, decay: 0.5))
        var theta = [0.0], state = rule.makeState(count: 1)
        var seen: [Double] = []
        for _ in 0..<3 {
            var g = [1.0]
            rule.update(&theta, gradient: &g, state: &state)
            seen.append(theta[0])
        }
        assertClose(seen, [-0.1, -0.15, -0.175])
    }

    /// Every first-order update allocates nothing once its state exists.
    func testUpdatesDoNotAllocate() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        var sink: [Double] = []
        XCTAssertGreaterThan(allocations { sink = [Double](repeating: 1, count: 100) }, 0, "the counter counts")
        XCTAssertEqual(sink.count, 100)
        assertNoAllocations(Descent())
        assertNoAllocations(Momentum())
        assertNoAllocations(Nesterov())
        assertNoAllocations(RMSProp())
        assertNoAllocations(RMSProp(centred: true))
        assertNoAllocations(Adam())
        assertNoAllocations(AdamW(lambda: 0.01))
        assertNoAllocations(ClipNorm(0.1))
        assertNoAllocations(ClipGrad(0.1))
        assertNoAllocations(Adam().clippingNorm(0.5))
        assertNoAllocations(Adam().scheduled(.cosineAnnealing(max: 0.01, period: 10)))
        assertNoAllocations(OptimizerChain(WeightDecay(), Nesterov()).clippingValue(1))
    }

    func assertNoAllocations<R: FirstOrderOptimizer>(_ rule: R, file: StaticString = #filePath, line: UInt = #line) {
        let n = 257
        var theta = (0..<n).map { Double($0) / Double(n) }
        var gradient = [Double](repeating: 0, count: n)
        var state = rule.makeState(count: n)
        for i in 0..<n { gradient[i] = sin(Double(i)) }
        rule.update(&theta, gradient: &gradient, state: &state)
        let count = allocations {
            for k in 0..<20 {
                for i in 0..<n { gradient[i] = cos(Double(i + k)) }
                rule.update(&theta, gradient: &gradient, state: &state)
            }
        }
        XCTAssertEqual(count, 0, "\(rule.name) allocated \(count) times in 20 updates", file: file, line: line)
    }
}
