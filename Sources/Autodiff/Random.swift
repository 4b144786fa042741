import Foundation

/// A seeded, reproducible random number generator: xoshiro256** by Blackman and Vigna.
///
/// Fluxion never uses the system generator for anything a user can observe (initial
/// parameters, noise, test data), so a seed reproduces a run on every platform.
/// The state is seeded from one 64-bit value with SplitMix64, as the authors recommend.
///
/// References: D. Blackman and S. Vigna, "Scrambled Linear Pseudorandom Number Generators",
/// ACM Trans. Math. Softw. 47(4), 2021.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Xoshiro256StarStar.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Xoshiro256StarStar.rotl(s3, 45)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal variate (Box–Muller, one draw of two uniforms per variate).
    public mutating func normal() -> Double {
        var u = uniform()
        while u == 0 { u = uniform() }
        let v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }
}
