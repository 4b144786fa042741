import Foundation
@testable import TextPlots
import XCTest

/// Every input renders to the requested size, in every style, without trapping.
final class RobustnessTests: XCTestCase {
    static let nasty: [(String, [Double], [Double])] = [
        ("empty", [], []),
        ("all NaN", [.nan, .nan, .nan], [.nan, .nan, .nan]),
        ("infinities", [0, 1, 2, 3], [.infinity, -.infinity, 1, .nan]),
        ("single point", [1], [2]),
        ("constant", [0, 1, 2, 3], [5, 5, 5, 5]),
        ("huge", [0, 1, 2], [-.greatestFiniteMagnitude, 0, .greatestFiniteMagnitude]),
        ("huge x", [-.greatestFiniteMagnitude, .greatestFiniteMagnitude], [1, 2]),
        ("subnormal", [0, 1, 2], [Double.leastNonzeroMagnitude, 2 * Double.leastNonzeroMagnitude, 0]),
        ("mismatched", [1, 2, 3, 4, 5], [1, 2]),
        ("negative for log", [1, 2, 3], [-1, 0, 1]),
        ("tiny span", [1, 1 + 1e-15, 1 + 2e-15], [1, 1 + 1e-16, 1]),
        ("with gap", [0, 1, 2, 3, 4], [0, 1, .nan, 3, 4]),
    ]
    static let sizes: [(Int, Int)] = [(0, 0), (0, 5), (5, 0), (1, 1), (3, 2), (8, 4), (12, 6), (30, 10), (80, 24),
                                      (-4, 7), (7, -4), (200, 3)]

    static func assertShape(_ text: StyledText, _ width: Int, _ height: Int, _ context: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        let w = max(0, width), h = max(0, height)
        XCTAssertEqual(text.lines.count, h, context, file: file, line: line)
        for l in text.lines { XCTAssertEqual(l.count, w, context, file: file, line: line) }
    }

    func testPlotsOfNastyDataRenderAtEverySize() {
        for (name, x, y) in Self.nasty {
            for kind in SeriesKind.allCases {
                for (xScale, yScale) in [(AxisScale.linear, AxisScale.linear), (.log10, .log10)] {
                    let plot = Plot(series: [Series(name: name, x: x, y: y, kind: kind)], title: "title", xLabel: "x",
                                    yLabel: "y", xScale: xScale, yScale: yScale, xLimits: .auto)
                    for style in CanvasStyle.allCases {
                        for (w, h) in Self.sizes {
                            Self.assertShape(plot.render(width: w, height: h, style: style), w, h,
                                             "\(name) \(kind) \(yScale) \(style) \(w)x\(h)")
                        }
                    }
                    XCTAssertTrue(SVGTests.isWellFormed(plot.svg(width: 300, height: 200)), "\(name) \(kind)")
                }
            }
        }
    }

    func testFixedLimitsOfAnyKind() {
        let limits: [AxisLimits] = [.fixed(.nan, 1), .fixed(1, 1), .fixed(3, -3), .fixed(-.infinity, .infinity),
                                    .fixed(0, .greatestFiniteMagnitude), .tight, .auto]
        for xl in limits {
            for yl in limits {
                for scale in AxisScale.allCases {
                    let plot = Plot(series: [Series(x: [0, 1, 2], y: [1, 1e-3, 10])], yScale: scale,
                                    xLimits: xl, yLimits: yl)
                    Self.assertShape(plot.render(width: 30, height: 10, style: .braille), 30, 10, "\(xl) \(yl)")
                }
            }
        }
    }

    func testNoDataShowsAFrameWithAMessage() {
        let text = Plot().render(width: 30, height: 8, style: .braille).plainString
        XCTAssertTrue(text.contains("no data"), text)
        XCTAssertTrue(text.contains("┌") && text.contains("┘"), text)
    }

    func testSmallSizesDegradeToATitle() {
        let plot = Plot.lines(x: [0, 1], y: [0, 1], title: "A title")
        XCTAssertEqual(plot.render(width: 5, height: 1, style: .braille).plainString, "A ti…")
        XCTAssertEqual(plot.render(width: 5, height: 1, style: .ascii).plainString, "A ti~")
        XCTAssertEqual(plot.render(width: 0, height: 3, style: .braille).lines.count, 3)
    }

    func testHeatmapsHistogramsAndDensitiesOfNastyData() {
        let matrices: [[[Double]]] = [[], [[]], [[.nan]], [[1]], [[1, 2], [3]], [[.infinity, -.infinity], [.nan, 0]],
                                      [[-.greatestFiniteMagnitude, .greatestFiniteMagnitude]],
                                      (0..<60).map { i in (0..<90).map { Double($0 * i) } }]
        for m in matrices {
            for x in [(0.0, 1.0), (.nan, 1), (2, 2), (5, -5)] {
                let map = Heatmap(m, x: x, y: (.infinity, 0), valueLimits: (.nan, .nan))
                for (w, h) in Self.sizes {
                    Self.assertShape(map.render(width: w, height: h, style: .braille), w, h, "heatmap \(m.count) \(w)x\(h)")
                    Self.assertShape(map.render(width: w, height: h, style: .ascii), w, h, "heatmap ascii")
                }
                XCTAssertTrue(SVGTests.isWellFormed(map.svg(width: 200, height: 100)))
            }
        }
        for (_, values, _) in Self.nasty {
            for bins in [nil, 0, 1, -3, 5, Int.max] as [Int?] {
                let h = Histogram(values, bins: bins, range: bins == 5 ? (.nan, 1) : nil, normalized: bins == 1)
                Self.assertShape(h.render(width: 40, height: 12, style: .block), 40, 12, "histogram")
                XCTAssertTrue(SVGTests.isWellFormed(h.svg(width: 200, height: 100)))
            }
            for bandwidth in [nil, 0, -1, .nan, 1e-300, 1e300] as [Double?] {
                let d = Density(values, bandwidth: bandwidth, points: 50)
                Self.assertShape(d.render(width: 40, height: 12, style: .braille), 40, 12, "density")
                XCTAssertTrue(SVGTests.isWellFormed(d.svg(width: 200, height: 100)))
            }
        }
    }

    func testLargeHeatmapIsAveragedDown() {
        let big = (0..<300).map { i in (0..<500).map { j in Double(i + j) } }
        let map = Heatmap(big, colorScale: .gray)
        let grid = map.resampled(columns: 50, rows: 30)
        XCTAssertEqual(grid.count, 30)
        XCTAssertEqual(grid[29][0], 4.5 + 4.5, accuracy: 1e-9, "bottom-left block: mean of rows 0..<10, columns 0..<10")
        XCTAssertEqual(grid[0][49], 294.5 + 494.5, accuracy: 1e-9)
        Self.assertShape(map.render(width: 80, height: 24, style: .braille), 80, 24, "big heatmap")
    }

    func testKernelDensityIntegratesToOne() {
        var random = TestRandom(seed: 5)
        let samples = (0..<400).map { _ in random.normal() }
        let h = Density.silvermanBandwidth(samples)
        XCTAssertEqual(h, 0.9 * 1.0 * pow(400, -0.2), accuracy: 0.05)
        let grid = (0..<2001).map { -8 + 16 * Double($0) / 2000 }
        let f = Density.estimate(samples, bandwidth: h, at: grid)
        let integral = f.reduce(0, +) * 16 / 2000
        XCTAssertEqual(integral, 1, accuracy: 1e-3)
        XCTAssertGreaterThan(Density.silvermanBandwidth([3, 3, 3]), 0)
        XCTAssertEqual(Density.silvermanBandwidth([]), 1)
    }

    func testHistogramCountsEveryFiniteSample() {
        let h = Histogram([0, 0.1, 0.5, 0.9, 1, .nan, .infinity], bins: 2)
        let (edges, heights) = h.binned()
        XCTAssertEqual(edges, [0, 0.5, 1])
        XCTAssertEqual(heights, [2, 3])
        let density = Histogram([0, 0.1, 0.5, 0.9, 1], bins: 2, normalized: true).binned().heights
        XCTAssertEqual(density.reduce(0, +) * 0.5, 1, accuracy: 1e-12)
    }
}
