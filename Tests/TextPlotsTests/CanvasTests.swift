import Foundation
@testable import TextPlots
import XCTest

final class CanvasTests: XCTestCase {
    /// Unicode braille dot numbering: dot k of the cell sets bit k − 1 of U+2800 + n.
    /// Dots 1, 2, 3, 7 run down the left column, 4, 5, 6, 8 down the right.
    func testEachBrailleDotSetsItsBit() {
        let expected: [[UInt32]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        for dy in 0..<4 {
            for dx in 0..<2 {
                var canvas = Canvas(width: 1, height: 1, style: .braille)
                canvas.set(x: dx, y: dy)
                let scalar = canvas.cell(column: 0, row: 0).character.unicodeScalars.first?.value
                XCTAssertEqual(scalar, 0x2800 + expected[dy][dx], "dot (\(dx), \(dy))")
                XCTAssertEqual(UInt32(Canvas.dotBit(dx: dx, dy: dy, style: .braille)), expected[dy][dx])
                XCTAssertTrue(canvas.isSet(x: dx, y: dy))
            }
        }
        var full = Canvas(width: 1, height: 1, style: .braille)
        for y in 0..<4 { for x in 0..<2 { full.set(x: x, y: y) } }
        XCTAssertEqual(full.cell(column: 0, row: 0).character, "⣿")
        XCTAssertEqual(Canvas(width: 1, height: 1).cell(column: 0, row: 0).character, " ",
                       "empty cells are spaces, not U+2800")
    }

    func testBlockQuadrants() {
        let corners: [(Int, Int, Character)] = [(0, 0, "▘"), (1, 0, "▝"), (0, 1, "▖"), (1, 1, "▗")]
        for (x, y, glyph) in corners {
            var canvas = Canvas(width: 1, height: 1, style: .block)
            canvas.set(x: x, y: y)
            XCTAssertEqual(canvas.cell(column: 0, row: 0).character, glyph)
        }
        var top = Canvas(width: 1, height: 1, style: .block)
        top.line(from: PixelPoint(x: 0, y: 0), to: PixelPoint(x: 1, y: 0))
        XCTAssertEqual(top.cell(column: 0, row: 0).character, "▀")
        top.line(from: PixelPoint(x: 0, y: 1), to: PixelPoint(x: 1, y: 1))
        XCTAssertEqual(top.cell(column: 0, row: 0).character, "█")
    }

    func testASCIIStrokes() {
        func glyph(_ points: [(Int, Int)]) -> Character {
            var canvas = Canvas(width: 1, height: 1, style: .ascii)
            for (x, y) in points { canvas.set(x: x, y: y) }
            return canvas.cell(column: 0, row: 0).character
        }
        XCTAssertEqual(glyph([(0, 1), (1, 1)]), "-")
        XCTAssertEqual(glyph([(0, 2), (1, 2)]), "_")
        XCTAssertEqual(glyph([(0, 0), (0, 1), (0, 2)]), "|")
        XCTAssertEqual(glyph([(0, 2), (1, 1), (1, 0)]), "/")
        XCTAssertEqual(glyph([(0, 0), (1, 1), (1, 2)]), "\\")
        XCTAssertEqual(glyph([(0, 0), (1, 0), (0, 1), (1, 1), (0, 2)]), "#")
        XCTAssertEqual(glyph([]), " ")
    }

    func testBresenhamHitsBothEndpointsWithConnectedSteps() {
        var random = TestRandom(seed: 11)
        for _ in 0..<500 {
            let a = PixelPoint(x: Int(random.uniform() * 60) - 10, y: Int(random.uniform() * 60) - 10)
            let b = PixelPoint(x: Int(random.uniform() * 60) - 10, y: Int(random.uniform() * 60) - 10)
            let points = Raster.bresenham(from: a, to: b)
            XCTAssertEqual(points.first, a)
            XCTAssertEqual(points.last, b)
            XCTAssertEqual(points.count, max(abs(b.x - a.x), abs(b.y - a.y)) + 1)
            for (p, q) in zip(points, points.dropFirst()) {
                XCTAssertLessThanOrEqual(max(abs(q.x - p.x), abs(q.y - p.y)), 1)
            }
        }
        XCTAssertEqual(Raster.bresenham(from: PixelPoint(x: 3, y: 4), to: PixelPoint(x: 3, y: 4)),
                       [PixelPoint(x: 3, y: 4)])
        // Slope 2/5: y = 0.4 x rounded, no ties.
        XCTAssertEqual(Raster.bresenham(from: PixelPoint(x: 0, y: 0), to: PixelPoint(x: 5, y: 2)),
                       [PixelPoint(x: 0, y: 0), PixelPoint(x: 1, y: 0), PixelPoint(x: 2, y: 1),
                        PixelPoint(x: 3, y: 1), PixelPoint(x: 4, y: 2), PixelPoint(x: 5, y: 2)])
    }

    func testCanvasLineSetsEndpointsAndClips() {
        var canvas = Canvas(width: 10, height: 5, style: .braille)
        canvas.line(from: PixelPoint(x: 2, y: 3), to: PixelPoint(x: 17, y: 11))
        XCTAssertTrue(canvas.isSet(x: 2, y: 3))
        XCTAssertTrue(canvas.isSet(x: 17, y: 11))

        // A line from far outside crosses the canvas and sets only pixels on it.
        var clipped = Canvas(width: 4, height: 2, style: .braille)
        clipped.line(from: PixelPoint(x: -1_000_000_000_000, y: 4), to: PixelPoint(x: Int.max, y: 4))
        XCTAssertTrue((0..<8).allSatisfy { clipped.isSet(x: $0, y: 4) })
        XCTAssertEqual((0..<8).flatMap { x in (0..<8).map { (x, $0) } }.filter { clipped.isSet(x: $0.0, y: $0.1) }.count, 8)

        var nothing = Canvas(width: 4, height: 2)
        nothing.line(.nan, 0, 3, 3)
        nothing.line(-.infinity, 1, .infinity, 1)
        nothing.line(100, 100, 200, 200)
        nothing.point(.nan, .nan)
        XCTAssertEqual(nothing.styledText.plainString, "\n")
    }

    func testDegenerateCanvasSizes() {
        var zero = Canvas(width: 0, height: 0)
        zero.line(0, 0, 10, 10)
        zero.set(x: 0, y: 0)
        XCTAssertEqual(zero.styledText.lines.count, 0)
        let negative = Canvas(width: -5, height: Int.min)
        XCTAssertEqual(negative.width, 0)
        let huge = Canvas(width: Int.max, height: 1)
        XCTAssertEqual(huge.width, Canvas.maximumCells)
    }

    func testLastDrawnColourWinsPerCell() {
        var canvas = Canvas(width: 1, height: 1)
        canvas.set(x: 0, y: 0, color: .red)
        canvas.set(x: 1, y: 1, color: .blue)
        XCTAssertEqual(canvas.cell(column: 0, row: 0).color, .blue)
    }
}
