import Foundation
import TextPlots
import XCTest

/// Renderings compared with the text files in `Snapshots/` (see `Snapshot` for re-recording).
final class SnapshotTests: XCTestCase {
    static let t = (0...400).map { Double($0) * 0.025 }

    static var sinCos: Plot {
        Plot.lines(x: t, [t.map(sin), t.map(cos)], names: ["sin(t)", "cos(t)"],
                   title: "Harmonic oscillator", xLabel: "t", yLabel: "u(t)")
    }

    func testLinePlotOfSinAndCosWithLegend() {
        Snapshot.assert(Self.sinCos.render(width: 64, height: 18, style: .braille).plainString, named: "lines-sin-cos")
    }

    func testLogScaleLossCurve() {
        let iterations = (0..<500).map(Double.init)
        // 1e0 down to 1e-6, with a little deterministic noise in between.
        let loss = iterations.map { k in
            let wiggle = k == 0 || k == 499 ? 1 : 1 + 0.25 * sin(k * 0.7) * sin(k * 0.05)
            return pow(10, -6 * k / 499) * wiggle
        }
        let plot = Plot.lines(x: iterations, y: loss, name: "loss", title: "Training loss",
                              xLabel: "iteration", yScale: .log10)
        Snapshot.assert(plot.render(width: 64, height: 18, style: .braille).plainString, named: "lines-log-loss")
    }

    func testScatter() {
        var random = TestRandom(seed: 7)
        let x = (0..<120).map { _ in random.uniform() * 4 - 2 }
        let y = x.map { 0.5 * $0 * $0 - 1 + 0.3 * random.normal() }
        let plot = Plot.scatter(x: x, y: y, name: "samples", title: "Scatter", xLabel: "x", yLabel: "y")
        Snapshot.assert(plot.render(width: 60, height: 16, style: .braille).plainString, named: "scatter")
    }

    func testPhasePlot() {
        let t = (0...2000).map { Double($0) * 0.01 }
        let u1 = t.map { exp(-0.12 * $0) * cos($0) }, u2 = t.map { exp(-0.12 * $0) * sin($0) }
        let plot = Plot.phase(x: u1, y: u2, name: "orbit", title: "Damped oscillator: phase plane")
        Snapshot.assert(plot.render(width: 60, height: 20, style: .braille).plainString, named: "phase")
    }

    func testHeatmapOfPDESolution() {
        // u(x, t) = e^{-t} sin(2π (x − t/4)) on x ∈ [0, 1], t ∈ [0, 2]: a decaying travelling wave.
        let xs = (0..<40).map { Double($0) / 39 }
        let snapshots = (0..<80).map { k -> [Double] in
            let t = 2 * Double(k) / 79
            return xs.map { exp(-t) * sin(2 * .pi * ($0 - t / 4)) }
        }
        let map = Heatmap.spaceTime(snapshots, x: (0, 1), t: (0, 2), colorScale: .diverging,
                                    title: "u(x, t)")
        Snapshot.assert(map.render(width: 60, height: 16, style: .braille).plainString, named: "heatmap")
    }

    func testHistogramWithDensity() {
        var random = TestRandom(seed: 42)
        let samples = (0..<2000).map { _ in random.normal() * 0.5 + 1 }
        let histogram = Histogram(samples, bins: 24, normalized: true, name: "ensemble", title: "u(T) over 2000 paths",
                                  xLabel: "u")
        var plot = histogram.plot
        plot.add(Density(samples).plot.series[0])
        plot.series[1].name = "KDE"
        plot.series[1].color = .red
        Snapshot.assert(plot.render(width: 64, height: 16, style: .braille).plainString, named: "histogram")
    }

    func testDensityOfTwoSets() {
        var random = TestRandom(seed: 3)
        let a = (0..<500).map { _ in random.normal() }
        let b = (0..<500).map { _ in random.normal() * 0.5 + 2.5 }
        let density = Density(sets: [.init(name: "data", values: a), .init(name: "model", values: b)],
                              title: "FFJORD samples")
        Snapshot.assert(density.render(width: 60, height: 14, style: .braille).plainString, named: "density")
    }

    func testASCIIFallback() {
        let text = Self.sinCos.render(width: 64, height: 18, style: .ascii).plainString
        XCTAssertTrue(text.unicodeScalars.allSatisfy(\.isASCII), "ASCII rendering contains non-ASCII characters")
        Snapshot.assert(text, named: "lines-ascii")
    }

    func testASCIILogAxisUsesPlainExponents() {
        let x = (0..<50).map(Double.init)
        let plot = Plot.lines(x: x, y: x.map { pow(10, -$0 / 10) }, yScale: .log10)
        let text = plot.render(width: 40, height: 12, style: .ascii).plainString
        XCTAssertTrue(text.unicodeScalars.allSatisfy(\.isASCII))
        XCTAssertTrue(text.contains("1e-4"), text)
    }

    func testBlockFallback() {
        Snapshot.assert(Self.sinCos.render(width: 64, height: 18, style: .block).plainString, named: "lines-block")
    }

    func testNoDataPlot() {
        let plot = Plot(series: [Series(name: "empty", x: [.nan, 1], y: [1, .infinity])], title: "Nothing yet")
        Snapshot.assert(plot.render(width: 40, height: 10, style: .braille).plainString, named: "no-data")
    }

    func testStepAndBarsSmallPlot() {
        let x = (0..<12).map(Double.init)
        let plot = Plot(series: [Series(name: "steps", x: x, y: x.map { Double(Int($0) % 4) }, kind: .step),
                                 Series(name: "bars", x: x, y: x.map { 0.25 * $0 }, kind: .bars, color: .green)],
                        title: "step and bars")
        Snapshot.assert(plot.render(width: 48, height: 12, style: .braille).plainString, named: "step-bars")
    }
}
