/// Inputs and outputs for benchmarking a right-hand side call by call.
///
/// Holds `points` (1024) varying states and cotangents, an output slot per point, the
/// parameters, VJP outputs and scratch, all in buffers allocated once. Call `i` of a
/// batch uses point `i & (points - 1)`. Buffers are passed to `blackHole` on `deinit`, so
/// the stores of the measured calls are never dead.
final class RHSFixture {
    static let points = 1024

    let states: Int
    let parameterCount: Int
    /// `points × states` states, point-major.
    let u: UnsafeMutablePointer<Double>
    /// `points × states` cotangents of `du`.
    let v: UnsafeMutablePointer<Double>
    /// `points × states` output slots.
    let du: UnsafeMutablePointer<Double>
    /// The parameters.
    let p: UnsafeMutablePointer<Double>
    /// VJP outputs: `states` values with respect to u, `parameterCount` with respect to p.
    let vjpU: UnsafeMutablePointer<Double>
    let vjpP: UnsafeMutablePointer<Double>
    /// Scratch space for the kernel.
    let scratch: UnsafeMutablePointer<Double>
    let scratchCount: Int

    /// States are drawn uniformly from `stateRange`, cotangents from [-1, 1], with a fixed
    /// seed, so every run measures the same inputs.
    init(states: Int, parameters: [Double], scratchCount: Int, stateRange: ClosedRange<Double>) {
        self.states = states
        parameterCount = parameters.count
        self.scratchCount = scratchCount
        let n = RHSFixture.points * states
        u = .allocate(capacity: n)
        v = .allocate(capacity: n)
        du = .allocate(capacity: n)
        p = .allocate(capacity: max(1, parameters.count))
        vjpU = .allocate(capacity: states)
        vjpP = .allocate(capacity: max(1, parameters.count))
        scratch = .allocate(capacity: max(1, scratchCount))
        var rng = SplitMix64(seed: 0x5EED_F1A0)
        let width = stateRange.upperBound - stateRange.lowerBound
        for k in 0..<n {
            u[k] = stateRange.lowerBound + width * rng.nextUnit()
            v[k] = -1 + 2 * rng.nextUnit()
        }
        du.initialize(repeating: 0, count: n)
        p.initialize(repeating: 0, count: max(1, parameters.count))
        for (k, value) in parameters.enumerated() { p[k] = value }
        vjpU.initialize(repeating: 0, count: states)
        vjpP.initialize(repeating: 0, count: max(1, parameters.count))
        scratch.initialize(repeating: 0, count: max(1, scratchCount))
    }

    deinit {
        blackHole(du)
        blackHole(vjpU)
        blackHole(vjpP)
        u.deallocate()
        v.deallocate()
        du.deallocate()
        p.deallocate()
        vjpU.deallocate()
        vjpP.deallocate()
        scratch.deallocate()
    }

    /// The point used by call `i`.
    @inline(__always)
    static func pointIndex(_ i: Int) -> Int { i & (points - 1) }

    /// The state of call `i`.
    @inline(__always)
    func input(_ i: Int) -> UnsafePointer<Double> {
        UnsafePointer(u + RHSFixture.pointIndex(i) &* states)
    }

    /// The cotangent of call `i`.
    @inline(__always)
    func cotangent(_ i: Int) -> UnsafePointer<Double> {
        UnsafePointer(v + RHSFixture.pointIndex(i) &* states)
    }

    /// The output slot of call `i`.
    @inline(__always)
    func output(_ i: Int) -> UnsafeMutablePointer<Double> {
        du + RHSFixture.pointIndex(i) &* states
    }

    /// Lotka-Volterra with p = [1.5, 1, 3, 1], states in [0.2, 3] (the range the
    /// trajectory of `1_lv_forward` covers, roughly).
    static func lotkaVolterra() -> RHSFixture {
        RHSFixture(states: 2, parameters: [1.5, 1.0, 3.0, 1.0], scratchCount: 0, stateRange: 0.2...3.0)
    }

    /// The spiral network with the given 252 parameters, states in [-2, 2] (the true
    /// trajectory starts at (2, 0) and spirals in).
    static func spiral(parameters: [Double]) -> RHSFixture {
        RHSFixture(states: 2, parameters: parameters, scratchCount: SpiralLayout.scratchCount,
                   stateRange: -2.0...2.0)
    }
}

/// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators",
/// 2014): a tiny deterministic generator for reproducible benchmark inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1), from the top 53 bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
