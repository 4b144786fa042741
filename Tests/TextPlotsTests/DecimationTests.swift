import Foundation
@testable import TextPlots
import XCTest

final class DecimationTests: XCTestCase {
    func testSpikesSurviveAndOutputIsBounded() {
        let n = 100_000
        let x = (0..<n).map(Double.init)
        var y = x.map { sin($0 * 0.001) }
        y[31_337] = 50
        y[77_777] = -40
        let d = Decimation.minMax(x: x, y: y, columns: 100, lower: 0, upper: Double(n - 1))
        XCTAssertLessThanOrEqual(d.x.count, 400)
        XCTAssertTrue(d.y.contains(50))
        XCTAssertTrue(d.y.contains(-40))
        XCTAssertTrue(zip(d.x, d.x.dropFirst()).allSatisfy { $0 <= $1 }, "order is kept")
        XCTAssertEqual(d.x.first, 0)
        XCTAssertEqual(d.x.last, Double(n - 1))
    }

    func testSpikeIsVisibleInTheRenderedPlot() {
        let n = 50_000
        let x = (0..<n).map(Double.init)
        var y = Array(repeating: 0.0, count: n)
        y[12_345] = 1
        let plot = Plot.lines(x: x, y: y)
        var canvas = Canvas(width: 40, height: 10)
        let xAxis = ResolvedAxis.resolve(values: x, scale: .linear, limits: .tight, tickCount: 4)
        let yAxis = ResolvedAxis.resolve(values: y, scale: .linear, limits: .tight, tickCount: 4)
        XCTAssertTrue(plot.draw(on: &canvas, xAxis: xAxis, yAxis: yAxis))
        XCTAssertTrue((0..<canvas.pixelWidth).contains { canvas.isSet(x: $0, y: 0) }, "the spike reaches the top row")
    }

    func testGapsAreKeptAndNonMonotoneInputIsUntouched() {
        let x = (0..<1000).map(Double.init)
        var y = x.map { $0.truncatingRemainder(dividingBy: 7) }
        for i in 400..<450 { y[i] = .nan }
        let d = Decimation.minMax(x: x, y: y, columns: 10, lower: 0, upper: 999)
        XCTAssertEqual(d.y.filter(\.isNaN).count, 1, "one run of NaN stays one gap")

        let phase = (0..<1000).map { cos(Double($0) * 0.1) }
        let same = Decimation.minMax(x: phase, y: phase, columns: 10, lower: -1, upper: 1)
        XCTAssertEqual(same.x.count, 1000)

        let short = Decimation.minMax(x: [1, 2, 3], y: [1, 2], columns: 10, lower: 0, upper: 3)
        XCTAssertEqual(short.x, [1, 2])
        let none = Decimation.minMax(x: x, y: y, columns: 0, lower: 0, upper: 1)
        XCTAssertEqual(none.x.count, 1000)
    }

    func testLongSeriesRenderQuickly() {
        let n = 300_000
        let x = (0..<n).map { Double($0) * 1e-3 }
        let plot = Plot.lines(x: x, y: x.map(sin))
        let start = Date()
        _ = plot.render(width: 80, height: 20, style: .braille)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "300 000 points render in well under 5 s (debug build)")
    }
}
