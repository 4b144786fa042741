import Foundation

/// How data values map to positions along an axis.
public enum AxisScale: String, Sendable, CaseIterable {
    /// Positions proportional to values.
    case linear
    /// Positions proportional to log10 of values; values ≤ 0 cannot be shown and are skipped
    /// like NaN. Ticks are powers of ten labelled with superscript exponents (10⁻³).
    case log10
}

/// How an axis chooses its range.
public enum AxisLimits: Sendable, Hashable {
    /// From the data, widened outward to a nice value (a multiple of the loose step for about
    /// 10 divisions, so the padding is under a tenth of the range; on log axes: to the next whole
    /// decade when it is within 0.3 decade, else by 3 % of the span).
    case auto
    /// Exactly the data's extent.
    case tight
    /// The given ends (swapped if reversed); ignored in favour of `.auto` when not usable
    /// (non-finite, or ≤ 0 on a log axis).
    case fixed(Double, Double)
}

/// A tick: its value and its label.
public struct Tick: Sendable, Hashable {
    /// The data value of the tick.
    public var value: Double
    /// Its text.
    public var label: String
}

/// An axis with its range settled: maps values to [0, 1] and carries its ticks.
///
/// Built from the data by `resolve`, which never fails: no usable data gives [0, 1] (linear)
/// or [1, 10] (log10); a constant gives a range around it.
public struct ResolvedAxis: Sendable, Hashable {
    /// The scale.
    public let scale: AxisScale
    /// Lower end, in data units.
    public let lower: Double
    /// Upper end, in data units (> `lower`).
    public let upper: Double
    /// Ticks inside the range, increasing.
    public let ticks: [Tick]

    /// The axis for `values` (non-finite ones, and ≤ 0 ones on a log axis, are ignored),
    /// with about `tickCount` ticks; labels use only ASCII when `unicode` is false.
    public static func resolve(values: [Double], scale: AxisScale, limits: AxisLimits,
                               tickCount: Int, unicode: Bool = true) -> ResolvedAxis {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite && (scale == .linear || v > 0) {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        var useLimits = limits
        if case let .fixed(a, b) = limits {
            if a.isFinite, b.isFinite, scale == .linear || (a > 0 && b > 0) {
                lo = min(a, b)
                hi = max(a, b)
            } else {
                useLimits = .auto
            }
        }
        switch scale {
        case .linear:
            return linear(lo: lo, hi: hi, limits: useLimits, tickCount: tickCount)
        case .log10:
            return logarithmic(lo: lo, hi: hi, limits: useLimits, tickCount: tickCount, unicode: unicode)
        }
    }

    private static func linear(lo: Double, hi: Double, limits: AxisLimits, tickCount: Int) -> ResolvedAxis {
        var lo = lo, hi = hi
        if !(lo <= hi) { lo = 0; hi = 1 }
        if lo == hi {
            let d = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= d
            hi += d
        }
        lo = max(lo, -Double.greatestFiniteMagnitude)
        hi = min(hi, Double.greatestFiniteMagnitude)
        if lo == hi { lo = lo.nextDown; hi = hi.nextUp }
        if limits == .auto {
            // Out to the loose step for about 10 divisions, whatever the tick count: the
            // padding stays under a tenth of the range (Heckbert's bounds for 2 or 3 ticks
            // would double a range like −1…1).
            (lo, hi) = NiceTicks.looseBounds(lower: lo, upper: hi, count: 10)
        }
        let step = NiceTicks.step(lower: lo, upper: hi, count: tickCount)
        let ticks = NiceTicks.linear(lower: lo, upper: hi, count: tickCount).map {
            Tick(value: $0, label: NiceTicks.label($0, step: step.isFinite ? step : (hi * 0.5 - lo * 0.5)))
        }
        return ResolvedAxis(scale: .linear, lower: lo, upper: hi, ticks: ticks)
    }

    private static func logarithmic(lo: Double, hi: Double, limits: AxisLimits, tickCount: Int,
                                     unicode: Bool) -> ResolvedAxis {
        var a = lo > 0 && lo.isFinite ? Foundation.log10(lo) : 0
        var b = hi > 0 && hi.isFinite ? Foundation.log10(hi) : 1
        if !(a <= b) { a = 0; b = 1 }
        if a == b { a -= 1; b += 1 }
        if limits == .auto {
            // Out to the next whole decade when that is near (≤ 0.3 decade), else a 3 % margin:
            // 1e-6…1.3 keeps its decades as ticks without a nearly empty decade at the top.
            let margin = (b - a) * 0.03
            a = a - Foundation.floor(a) <= 0.3 ? Foundation.floor(a) : a - margin
            b = Foundation.ceil(b) - b <= 0.3 ? Foundation.ceil(b) : b + margin
        }
        a = max(a, -323)
        b = min(max(b, a + 1e-9), 308)
        let lower = Foundation.pow(10, a), upper = Foundation.pow(10, b)
        var ticks = NiceTicks.log10Exponents(lower: lower, upper: upper, count: tickCount).map {
            Tick(value: Foundation.pow(10, Double($0)), label: NiceTicks.powerOfTen($0, unicode: unicode))
        }
        if ticks.count < 2 {
            // Less than about a decade: nice linear values (2, 3, 4, 5) at their log positions.
            let step = NiceTicks.step(lower: lower, upper: upper, count: tickCount)
            let linear = NiceTicks.linear(lower: lower, upper: upper, count: tickCount).filter { $0 > 0 }
            if linear.count >= 2 {
                ticks = linear.map { Tick(value: $0, label: NiceTicks.label($0, step: step)) }
            }
        }
        return ResolvedAxis(scale: .log10, lower: lower, upper: upper, ticks: ticks)
    }

    /// Where `value` sits in the range: 0 at `lower`, 1 at `upper`, outside [0, 1] beyond; nil
    /// when it cannot be shown (non-finite, or ≤ 0 on a log axis).
    public func fraction(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch scale {
        case .linear:
            // Halved, so that spans near ±Double.greatestFiniteMagnitude do not overflow.
            let f = (value * 0.5 - lower * 0.5) / (upper * 0.5 - lower * 0.5)
            return f.isFinite ? f : nil
        case .log10:
            guard value > 0 else { return nil }
            let l = Foundation.log10(lower), u = Foundation.log10(upper)
            let f = (Foundation.log10(value) - l) / (u - l)
            return f.isFinite ? f : nil
        }
    }

    /// The data value at fraction `f` of the range (inverse of `fraction`).
    public func value(atFraction f: Double) -> Double {
        switch scale {
        case .linear:
            return lower + f * (upper * 0.5 - lower * 0.5) * 2
        case .log10:
            let l = Foundation.log10(lower), u = Foundation.log10(upper)
            return Foundation.pow(10, l + f * (u - l))
        }
    }
}
