import TextPlots
import XCTest

final class StyledTextTests: XCTestCase {
    func testPlainAndANSIStrings() {
        var text = StyledText(width: 6, height: 2)
        text.write("ab", row: 0, column: 0, color: .red)
        text.write("c", row: 0, column: 3, bold: true)
        text.write("toolong", row: 1, column: 4, color: .brightBlue)
        text.write("x", row: 5, column: 0)
        XCTAssertEqual(text.plainString, "ab c\n    to")
        XCTAssertEqual(text.ansiString(colors: true), "\u{1B}[0;31mab \u{1B}[0;1mc\u{1B}[0m\n    \u{1B}[0;94mto\u{1B}[0m")
        XCTAssertEqual(text.ansiString(colors: false), "ab \u{1B}[0;1mc\u{1B}[0m\n    to")
        XCTAssertEqual(text.width, 6)
        XCTAssertEqual(text.height, 2)
    }

    func testNoColorConvention() {
        XCTAssertTrue(StyledText.colorsEnabled(environment: [:]))
        XCTAssertTrue(StyledText.colorsEnabled(environment: ["NO_COLOR": ""]))
        XCTAssertFalse(StyledText.colorsEnabled(environment: ["NO_COLOR": "1"]))
    }

    func testPlotColoursReachTheCells() {
        let plot = Plot.lines(x: [0, 1], [[0, 1], [1, 0]], names: ["up", "down"])
        let text = plot.render(width: 40, height: 10, style: .braille)
        let colors = Set(text.lines.joined().map(\.color))
        XCTAssertTrue(colors.isSuperset(of: [.blue, .red]), "\(colors)")
        XCTAssertTrue(text.ansiString().contains("\u{1B}[0;34m"))
        XCTAssertFalse(text.ansiString(colors: false).contains("\u{1B}[0;34m"))
        XCTAssertTrue(text.lines.joined().contains { $0.bold } == false, "no title, nothing bold")
        XCTAssertEqual(PlotColor.brightRed.sgrForeground, 91)
        XCTAssertEqual(PlotColor.default.ansiIndex, nil)
        XCTAssertEqual(PlotColor.cycled(-1), PlotColor.seriesCycle.last)
    }
}
