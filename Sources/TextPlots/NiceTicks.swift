import Foundation

/// "Nice" axis ticks and their labels: steps of 1, 2 or 5 times a power of ten on linear axes,
/// whole powers of ten on log10 axes.
///
/// References:
/// - P. S. Heckbert, "Nice numbers for graph labels", in Graphics Gems (A. Glassner, ed.),
///   Academic Press, 1990, pp. 61–63 and 657–659.
public enum NiceTicks {
    /// The most ticks any axis gets, whatever is asked.
    public static let maximumCount = 100

    /// Heckbert's nice number near `x` > 0: 1, 2, 5 or 10 times a power of ten; rounded to the
    /// nearest when `round`, else the smallest nice number ≥ `x`. Returns NaN for `x` ≤ 0 or
    /// non-finite, or when the result would overflow.
    public static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x.isFinite, x > 0 else { return .nan }
        let exponent = Foundation.floor(Foundation.log10(x))
        let power = Foundation.pow(10, exponent)
        guard power.isFinite, power > 0 else { return .nan }
        let fraction = x / power
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        let result = nice * power
        return result.isFinite ? result : .nan
    }

    /// Heckbert's step for loose labelling: a nice range, divided into a nice step. NaN when
    /// there is none (empty, non-finite or overflowing range).
    static func looseStep(lower: Double, upper: Double, count: Int) -> Double {
        let span = upper * 0.5 - lower * 0.5  // halved so that ±1e308 does not overflow
        guard span.isFinite, span > 0 else { return .nan }
        let n = Double(min(max(count, 2), maximumCount))
        let range = niceNumber(2 * span, round: false)
        return niceNumber(range / (n - 1), round: true)
    }

    /// The tick spacing for about `count` ticks inside [`lower`, `upper`]: the nice number
    /// nearest to span / (count − 1), made finer (5 → 2 → 1 → 0.5 …) until at least two
    /// multiples fall inside the range. NaN when there is none (empty, non-finite or
    /// overflowing range).
    ///
    /// This is Heckbert's step without rounding the range first: on an axis that keeps the
    /// data's extent, the coarser loose step (10/3 → 5 over 7.5 units) would leave one tick.
    public static func step(lower: Double, upper: Double, count: Int) -> Double {
        let span = upper * 0.5 - lower * 0.5
        guard span.isFinite, span > 0 else { return .nan }
        let n = Double(min(max(count, 2), maximumCount))
        var d = niceNumber(2 * span / (n - 1), round: true)
        for _ in 0..<4 {
            guard d.isFinite, d > 0 else { return .nan }
            let first = Foundation.ceil(lower / d - 1e-9), last = Foundation.floor(upper / d + 1e-9)
            if last - first >= 1 { return d }
            let next = niceNumber(d * 0.45, round: true)
            guard next < d else { return d }
            d = next
        }
        return d
    }

    /// The range widened outward to multiples of Heckbert's loose step ("graphmin" and
    /// "graphmax"), or the input unchanged when no step exists.
    public static func looseBounds(lower: Double, upper: Double, count: Int) -> (lower: Double, upper: Double) {
        let d = looseStep(lower: lower, upper: upper, count: count)
        guard d.isFinite, d > 0 else { return (lower, upper) }
        let lo = Foundation.floor(lower / d) * d, hi = Foundation.ceil(upper / d) * d
        guard lo.isFinite, hi.isFinite, lo < hi else { return (lower, upper) }
        return (clean(lo, step: d), clean(hi, step: d))
    }

    /// Tick values at multiples of `step(lower:upper:count:)` that lie inside [`lower`,
    /// `upper`] (with a tolerance of 10⁻⁹ step at the ends), in increasing order. When no step
    /// exists, or the range holds no multiple, the two ends are returned (one value when they
    /// coincide); an invalid range gives no ticks.
    ///
    /// Examples: 0…1 with 5 ticks gives 0, 0.2, 0.4, 0.6, 0.8, 1; 0.0013…0.0087 gives
    /// 0.002, 0.004, 0.006, 0.008.
    public static func linear(lower: Double, upper: Double, count: Int) -> [Double] {
        guard lower.isFinite, upper.isFinite, lower <= upper else { return [] }
        if lower == upper { return [lower] }
        let d = step(lower: lower, upper: upper, count: count)
        guard d.isFinite, d > 0 else { return [lower, upper] }
        let first = Foundation.ceil(lower / d - 1e-9), last = Foundation.floor(upper / d + 1e-9)
        guard first.isFinite, last.isFinite, last >= first, last - first <= Double(maximumCount) * 4 else {
            return [lower, upper]
        }
        var ticks: [Double] = []
        var k = first
        while k <= last {
            ticks.append(clean(k * d, step: d))
            k += 1
        }
        return ticks
    }

    /// Integer exponents e with 10^e inside [`lower`, `upper`] (both > 0), thinned to every
    /// 2nd, 3rd, 5th, 10th, … exponent so that at most `count` remain (at least 2 allowed).
    /// Empty when the range holds no power of ten or is invalid.
    public static func log10Exponents(lower: Double, upper: Double, count: Int) -> [Int] {
        guard lower.isFinite, upper.isFinite, lower > 0, upper >= lower else { return [] }
        let first = Foundation.ceil(Foundation.log10(lower) - 1e-9)
        let last = Foundation.floor(Foundation.log10(upper) + 1e-9)
        guard last >= first else { return [] }
        let a = clampedInt(first, -400, 400), b = clampedInt(last, -400, 400)
        let limit = min(max(count, 2), maximumCount)
        var stride = 1
        for s in [1, 2, 3, 5, 10, 20, 25, 50, 100, 200, 500] {
            stride = s
            if (b - a) / s + 1 <= limit { break }
        }
        // Align to multiples of the stride, so 10⁰ is labelled whenever it is in range.
        var e = a
        while e % stride != 0 { e += 1 }
        var exponents: [Int] = []
        while e <= b {
            exponents.append(e)
            e += stride
        }
        return exponents.isEmpty ? [a] : exponents
    }

    /// A label for tick `value` on an axis whose ticks are `step` apart: as many decimals as
    /// the step needs ("0.25", "1.5", "10"), and scientific notation ("2.5e-6", "1.2e9") for
    /// very small or large magnitudes. Non-finite values print as "NaN", "Inf", "-Inf".
    public static func label(_ value: Double, step: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Inf" : "-Inf" }
        let s = step.isFinite && step > 0 ? step : max(abs(value), 1)
        let stepExponent = clampedFloor(Foundation.log10(s) + 1e-9, -400, 400)
        let magnitude = max(abs(value), s)
        let valueExponent = clampedFloor(Foundation.log10(magnitude) + 1e-9, -400, 400)
        if valueExponent >= 6 || valueExponent <= -5 {
            let digits = min(max(valueExponent - stepExponent, 0), 15)
            return scientific(value, digits: digits)
        }
        let decimals = min(max(-stepExponent, 0), 15)
        let text = String(format: "%.\(decimals)f", value)
        return isZero(text) ? "0" : text
    }

    /// A compact scientific label: "2.5e-6", "1e9", "-3.25e12".
    public static func scientific(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return label(value, step: 1) }
        if value == 0 { return "0" }
        let text = String(format: "%.\(min(max(digits, 0), 15))e", value)
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return "\(mantissa)e\(exponent)"
    }

    /// The exponent `n` in Unicode superscript digits: 3 → "³", -12 → "⁻¹²".
    public static func superscript(_ n: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        var out = n < 0 ? "⁻" : ""
        for ch in String(n.magnitude) {
            if let d = ch.wholeNumberValue, d >= 0, d < 10 { out.append(digits[d]) }
        }
        return out
    }

    /// The label of 10^`exponent`: "10⁻³" with Unicode, "1e-3" in ASCII.
    public static func powerOfTen(_ exponent: Int, unicode: Bool) -> String {
        unicode ? "10" + superscript(exponent) : "1e\(exponent)"
    }

    /// `value` rounded to the decimals the step has, so that 3 × 0.1 prints and compares as 0.3.
    static func clean(_ value: Double, step: Double) -> Double {
        guard value.isFinite, step.isFinite, step > 0 else { return value }
        let decimals = -clampedFloor(Foundation.log10(step) + 1e-9, -400, 400)
        guard decimals > 0, decimals <= 15 else { return value == 0 ? 0 : value }
        let scale = Foundation.pow(10, Double(decimals))
        let r = (value * scale).rounded() / scale
        return r.isFinite ? (r == 0 ? 0 : r) : value
    }

    private static func isZero(_ text: String) -> Bool {
        text.allSatisfy { $0 == "0" || $0 == "." || $0 == "-" }
    }
}
