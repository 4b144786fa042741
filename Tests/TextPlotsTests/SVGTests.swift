import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TextPlots
import XCTest

/// SVG output is well-formed XML with the expected structure.
///
/// On Linux, FoundationXML's `XMLParser.parse()` returns true for some malformed documents
/// (a missing end tag gives `parserError` code 5 but a true result), so well-formedness is
/// `parse() && parserError == nil` plus balanced start and end tags counted by the delegate.
final class SVGTests: XCTestCase {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var depth = 0
        /// The text content of each element that has some (the parser delivers it in pieces).
        var texts: [String] = []
        var current = ""
        var balanced = true
        var root: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            if root == nil { root = name }
            elements.append(name)
            depth += 1
            current = ""
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
            if depth < 0 { balanced = false }
            if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { texts.append(current) }
            current = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            current += string
        }
    }

    /// Parses `svg`; nil when it is not well-formed.
    static func parse(_ svg: String) -> Collector? {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse(), parser.parserError == nil, collector.balanced, collector.depth == 0,
              collector.root == "svg" else { return nil }
        return collector
    }

    static func isWellFormed(_ svg: String) -> Bool { parse(svg) != nil }

    func testTheParserRejectsMalformedDocuments() {
        XCTAssertFalse(Self.isWellFormed("<svg><g></svg>"))
        XCTAssertFalse(Self.isWellFormed("<svg>&</svg>"))
        XCTAssertTrue(Self.isWellFormed("<svg><g/></svg>"))
    }

    func testLinePlotSVGHasPolylinesAxesLegendAndTitle() throws {
        let svg = SnapshotTests.sinCos.svg(width: 720, height: 450)
        let doc = try XCTUnwrap(Self.parse(svg), svg)
        XCTAssertGreaterThanOrEqual(doc.elements.filter { $0 == "polyline" }.count, 2)
        let text = doc.texts.joined(separator: "|")
        XCTAssertTrue(doc.texts.contains("Harmonic oscillator"))
        for expected in ["Harmonic oscillator", "sin(t)", "cos(t)", "u(t)", "-1.0", "0", "1.0", "10"] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in \(text)")
        }
        XCTAssertTrue(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
    }

    func testLogAxisLabelsUseSuperscripts() throws {
        let x = (0..<100).map(Double.init)
        let plot = Plot.lines(x: x, y: x.map { pow(10, -$0 / 16.5) }, name: "loss", yScale: .log10)
        let doc = try XCTUnwrap(Self.parse(plot.svg(width: 600, height: 400)))
        XCTAssertTrue(doc.texts.contains("10⁻³"), doc.texts.joined(separator: " "))
    }

    func testSpecialCharactersAreEscapedAndGapsSplitLines() throws {
        let plot = Plot(series: [Series(name: "a < b & \"c\"", x: [0, 1, 2, 3, 4], y: [0, 1, .nan, 3, 4])],
                        title: "<script>&amp;\u{1}")
        let svg = plot.svg(width: 400, height: 300)
        let doc = try XCTUnwrap(Self.parse(svg), svg)
        XCTAssertEqual(doc.elements.filter { $0 == "polyline" }.count, 2, "a NaN splits the line in two")
        XCTAssertTrue(doc.texts.contains("a < b & \"c\""))
        XCTAssertFalse(svg.contains("NaN") || svg.contains("inf"))
    }

    func testEveryKindExportsWellFormedSVG() {
        var random = TestRandom(seed: 9)
        let samples = (0..<300).map { _ in random.normal() }
        let x = (0..<20).map(Double.init)
        let documents = [
            Plot.scatter(x: samples, y: samples.map { $0 * $0 }).svg(width: 500, height: 300),
            Plot.phase(x: x.map(cos), y: x.map(sin), name: "orbit").svg(width: 500, height: 300),
            Plot(series: [Series(name: "s", x: x, y: x, kind: .step)]).svg(width: 500, height: 300),
            Histogram(samples, name: "h").svg(width: 500, height: 300),
            Density(samples, name: "d").svg(width: 500, height: 300),
            Heatmap([[1, 2], [3, 4]], title: "m").svg(width: 500, height: 300),
            Plot().svg(width: 0, height: -1),
        ]
        for svg in documents { XCTAssertTrue(Self.isWellFormed(svg), svg) }
        XCTAssertTrue(documents.last?.contains("width=\"64\"") ?? false, "sizes are clamped")
    }
}
