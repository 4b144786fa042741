import Foundation
@testable import TextPlots
import XCTest

final class NiceTicksTests: XCTestCase {
    func testUnitRangeGivesTenthsOfTwo() {
        XCTAssertEqual(NiceTicks.linear(lower: 0, upper: 1, count: 5), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(NiceTicks.step(lower: 0, upper: 1, count: 5), 0.2)
        let labels = NiceTicks.linear(lower: 0, upper: 1, count: 5).map { NiceTicks.label($0, step: 0.2) }
        XCTAssertEqual(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    func testSmallRangeGetsSensibleTicksAndLabels() {
        let ticks = NiceTicks.linear(lower: 0.0013, upper: 0.0087, count: 5)
        XCTAssertEqual(ticks, [0.002, 0.004, 0.006, 0.008])
        let step = NiceTicks.step(lower: 0.0013, upper: 0.0087, count: 5)
        XCTAssertEqual(ticks.map { NiceTicks.label($0, step: step) }, ["0.002", "0.004", "0.006", "0.008"])
        let loose = NiceTicks.looseBounds(lower: 0.0013, upper: 0.0087, count: 5)
        XCTAssertEqual(loose.lower, 0)
        XCTAssertEqual(loose.upper, 0.01)
    }

    func testSymmetricAndLargeRanges() {
        XCTAssertEqual(NiceTicks.linear(lower: -1, upper: 1, count: 5), [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(NiceTicks.linear(lower: 0, upper: 100, count: 6), [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(NiceTicks.linear(lower: -3.4, upper: 4.1, count: 4), [-2, 0, 2, 4])
        XCTAssertEqual(NiceTicks.label(2.5e-6, step: 5e-7), "2.5e-6")
        XCTAssertEqual(NiceTicks.label(1.2e9, step: 1e8), "1.2e9")
        XCTAssertEqual(NiceTicks.label(-0.0000001, step: 0.1), "0")
    }

    func testTicksAreCleanDecimals() {
        for (lo, hi) in [(0.1, 0.7), (-0.35, 0.35), (1e-9, 9e-9), (1234.5, 1236.5)] {
            for tick in NiceTicks.linear(lower: lo, upper: hi, count: 6) {
                let step = NiceTicks.step(lower: lo, upper: hi, count: 6)
                XCTAssertEqual(tick / step, (tick / step).rounded(), accuracy: 1e-6, "\(tick) on \(lo)…\(hi)")
                XCTAssertGreaterThanOrEqual(tick, lo - step * 1e-9)
                XCTAssertLessThanOrEqual(tick, hi + step * 1e-9)
            }
        }
    }

    func testDegenerateRangesNeverTrap() {
        XCTAssertEqual(NiceTicks.linear(lower: .nan, upper: 1, count: 5), [])
        XCTAssertEqual(NiceTicks.linear(lower: 2, upper: 1, count: 5), [])
        XCTAssertEqual(NiceTicks.linear(lower: 3, upper: 3, count: 5), [3])
        XCTAssertEqual(NiceTicks.linear(lower: -.greatestFiniteMagnitude, upper: .greatestFiniteMagnitude, count: 5),
                       [-.greatestFiniteMagnitude, .greatestFiniteMagnitude])
        XCTAssertEqual(NiceTicks.linear(lower: 1e15, upper: 1e15 + 1, count: 5).count, 6)
        XCTAssertTrue(NiceTicks.niceNumber(.infinity, round: true).isNaN)
        XCTAssertTrue(NiceTicks.niceNumber(-1, round: false).isNaN)
        XCTAssertEqual(NiceTicks.linear(lower: 0, upper: 1, count: Int.max).count, 101)
        XCTAssertEqual(NiceTicks.linear(lower: 0, upper: 1, count: Int.min), [0, 1])
        XCTAssertEqual(NiceTicks.label(.nan, step: 1), "NaN")
        XCTAssertEqual(NiceTicks.label(-.infinity, step: .nan), "-Inf")
    }

    func testLogTicksArePowersOfTenWithSuperscripts() {
        XCTAssertEqual(NiceTicks.log10Exponents(lower: 1e-6, upper: 1, count: 10), [-6, -5, -4, -3, -2, -1, 0])
        XCTAssertEqual(NiceTicks.log10Exponents(lower: 1e-6, upper: 1, count: 4), [-6, -4, -2, 0])
        XCTAssertEqual(NiceTicks.log10Exponents(lower: 2, upper: 8, count: 4), [])
        XCTAssertEqual(NiceTicks.log10Exponents(lower: 1e-300, upper: 1e300, count: 7), [-300, -200, -100, 0, 100, 200, 300])
        XCTAssertEqual(NiceTicks.log10Exponents(lower: 1e-300, upper: 1e300, count: 5), [-200, 0, 200])
        XCTAssertEqual(NiceTicks.superscript(-3), "⁻³")
        XCTAssertEqual(NiceTicks.superscript(120), "¹²⁰")
        XCTAssertEqual(NiceTicks.superscript(Int.min), "⁻⁹²²³³⁷²⁰³⁶⁸⁵⁴⁷⁷⁵⁸⁰⁸")
        XCTAssertEqual(NiceTicks.powerOfTen(-3, unicode: true), "10⁻³")
        XCTAssertEqual(NiceTicks.powerOfTen(0, unicode: true), "10⁰")
        XCTAssertEqual(NiceTicks.powerOfTen(-3, unicode: false), "1e-3")

        let axis = ResolvedAxis.resolve(values: [1, 1e-6], scale: .log10, limits: .auto, tickCount: 7)
        XCTAssertEqual(axis.lower, 1e-6, accuracy: 1e-18)
        XCTAssertEqual(axis.upper, 1)
        XCTAssertEqual(axis.ticks.map(\.label), ["10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰"])
    }

    func testAxisResolutionHandlesBadData() {
        let empty = ResolvedAxis.resolve(values: [.nan, .infinity], scale: .linear, limits: .auto, tickCount: 5)
        XCTAssertEqual(empty.lower, 0)
        XCTAssertEqual(empty.upper, 1)
        let constant = ResolvedAxis.resolve(values: [5, 5], scale: .linear, limits: .tight, tickCount: 5)
        XCTAssertLessThan(constant.lower, 5)
        XCTAssertGreaterThan(constant.upper, 5)
        let huge = ResolvedAxis.resolve(values: [.greatestFiniteMagnitude], scale: .linear, limits: .auto, tickCount: 5)
        XCTAssertTrue(huge.lower < huge.upper && huge.upper.isFinite)
        let negativeLog = ResolvedAxis.resolve(values: [-1, 0], scale: .log10, limits: .auto, tickCount: 5)
        XCTAssertEqual(negativeLog.lower, 1)
        XCTAssertEqual(negativeLog.upper, 10)
        XCTAssertNil(negativeLog.fraction(-1))
        let reversed = ResolvedAxis.resolve(values: [], scale: .linear, limits: .fixed(3, 1), tickCount: 5)
        XCTAssertEqual(reversed.lower, 1)
        XCTAssertEqual(reversed.upper, 3)
        let badFixed = ResolvedAxis.resolve(values: [2], scale: .log10, limits: .fixed(-1, .nan), tickCount: 5)
        XCTAssertTrue(badFixed.lower > 0 && badFixed.lower < 2 && badFixed.upper > 2)
        let wide = ResolvedAxis.resolve(values: [-.greatestFiniteMagnitude, .greatestFiniteMagnitude],
                                        scale: .linear, limits: .auto, tickCount: 5)
        XCTAssertEqual(wide.fraction(0) ?? -1, 0.5, accuracy: 1e-12)
    }
}
