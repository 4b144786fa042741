import Foundation

/// A float range's elements as exact rationals, `(startNumerator + i * stepNumerator) / denominator`,
/// every integer held exactly in a Double, so each element is one correctly rounded division.
///
/// Julia computes float ranges this way: `a:s:b` and `range(a, b, length=n)` look for rational
/// forms of their ends with `rat` and build a twice-precision `StepRangeLen`, so `(0:0.1:1)[4]`
/// is `0.3` (the correctly rounded 3/10), not `0.1 * 3 == 0.30000000000000004`.
///
/// References: Julia Base, `base/twiceprecision.jl` (`rat`, `(:)` for IEEE floats, `_linspace`).
public struct RationalSteps: Sendable, Equatable {
    var startNumerator: Double
    var stepNumerator: Double
    var denominator: Double

    /// Element `i`, 0-based.
    func element(_ i: Int) -> Double { (startNumerator + Double(i) * stepNumerator) / denominator }

    /// The same steps negated.
    var negated: RationalSteps { RationalSteps(startNumerator: -startNumerator, stepNumerator: -stepNumerator, denominator: denominator) }

    /// Whether elements `0..<count` are sums of integers below 2^53 (so computed exactly).
    func isExact(upTo count: Int) -> Bool {
        Swift.abs(startNumerator) + Double(Swift.max(count - 1, 0)) * Swift.abs(stepNumerator) < RationalSteps.maxExact
            && denominator < RationalSteps.maxExact
    }

    /// 2^53: integers below it are exact in a Double.
    static let maxExact = 9_007_199_254_740_992.0

    /// Julia's `rat`: the continued-fraction convergent n/d of `x` that equals it, numerator and
    /// denominator at most 2^24 (`maxintfloat(Float32)`); nil when there is none.
    static func rational(_ x: Double) -> (numerator: Int, denominator: Int)? {
        guard x.isFinite else { return nil }
        let limit = 16_777_216
        var y = x
        var a = 1, b = 0, c = 0, d = 1
        while Swift.abs(y) <= Double(limit) {
            let f = Int(y.rounded(.towardZero))
            y -= Double(f)
            (a, c) = (f * a + c, a)
            (b, d) = (f * b + d, b)
            if Swift.max(Swift.abs(a), Swift.abs(b)) > limit { (a, b) = (c, d); break }
            if Double(a) / Double(b) == x { break }
            y = 1 / y
        }
        if b < 0 { (a, b) = (-a, -b) }
        guard b != 0, Double(a) / Double(b) == x else { return nil }
        return (a, b)
    }

    /// The least common multiple, nil when it overflows the exact range.
    static func lcm(_ a: Int, _ b: Int) -> Int? {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        let (product, overflow) = (a / x).multipliedReportingOverflow(by: b)
        return overflow || Double(product) >= maxExact ? nil : product
    }

    /// The steps of `start:step:stop` when all three have rational forms (Julia's `(:)` for floats).
    static func steps(start: Double, step: Double, stop: Double) -> RationalSteps? {
        guard step != 0, let s = rational(step), let a = rational(start), rational(stop) != nil,
              let den = lcm(a.denominator, s.denominator) else { return nil }
        let scale = Double(den)
        guard Swift.abs(start * scale) < maxExact, Swift.abs(step * scale) < maxExact else { return nil }
        return RationalSteps(startNumerator: (start * scale).rounded(), stepNumerator: (step * scale).rounded(), denominator: scale)
    }

    /// The steps of `range(start, stop, length=n)` when both ends have rational forms (Julia's
    /// `_linspace`): element i is ((n-1-i)·start + i·stop) / (n-1), held as one fraction.
    static func linspace(start: Double, stop: Double, length: Int) -> RationalSteps? {
        guard length >= 2, start != stop, let a = rational(start), let e = rational(stop),
              let den = lcm(a.denominator, e.denominator) else { return nil }
        let scale = Double(den)
        let startN = (start * scale).rounded(), stopN = (stop * scale).rounded()
        guard startN / scale == start, stopN / scale == stop else { return nil }
        let intervals = Double(length - 1)
        let steps = RationalSteps(startNumerator: intervals * startN, stepNumerator: stopN - startN, denominator: intervals * scale)
        return steps.isExact(upTo: length) ? steps : nil
    }
}
