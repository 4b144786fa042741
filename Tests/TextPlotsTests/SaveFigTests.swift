import Foundation
import TextPlots
import XCTest

final class SaveFigTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("textplots-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testSVGIsWrittenCompletelyWithNoTemporaryFileLeft() throws {
        let plot = SnapshotTests.sinCos
        let path = directory.appendingPathComponent("fig.svg").path
        try "old contents".write(toFile: path, atomically: false, encoding: .utf8)
        try plot.savefig(path: path, width: 640, height: 400)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(written, plot.svg(width: 640, height: 400))
        XCTAssertTrue(SVGTests.isWellFormed(written))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["fig.svg"])
    }

    func testTextFigure() throws {
        let path = directory.appendingPathComponent("fig.txt").path
        var plot = SnapshotTests.sinCos
        plot.width = 50
        plot.height = 12
        plot.style = .ascii
        try plot.savefig(path: path)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(written, plot.render().plainString + "\n")
        XCTAssertEqual(written.split(separator: "\n").count, 12)
    }

    func testFailingPathsThrowWithPathAndReason() {
        let missing = directory.appendingPathComponent("no/such/dir/fig.svg").path
        XCTAssertThrowsError(try Plot().savefig(path: missing)) { error in
            guard let e = error as? PlotFileError else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(e.path, missing)
            XCTAssertTrue(String(describing: e).contains(missing))
            XCTAssertTrue(e.reason.lowercased().contains("no such file"), e.reason)
        }
        XCTAssertThrowsError(try Plot().savefig(path: directory.path + "/")) { error in
            XCTAssertTrue(String(describing: error).contains("directory"), "\(error)")
        }
        XCTAssertThrowsError(try Plot().savefig(path: ""))
        // A directory in the way of the rename: the temporary file is removed again.
        let blocked = directory.appendingPathComponent("blocked.svg")
        XCTAssertNoThrow(try FileManager.default.createDirectory(at: blocked.appendingPathComponent("x"),
                                                                 withIntermediateDirectories: true))
        XCTAssertThrowsError(try Plot().savefig(path: blocked.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["blocked.svg"])
    }
}
