import Foundation
import XCTest
import Lang
import TextPlots
@testable import Workbench

/// The workbench's colon commands: `:save` and `:open` bring back variables, the transcript
/// and the plot pane; unknown commands and refused files are reported and change nothing.
final class SessionCommandTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "fluxion-workbench-sessions-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func texts(_ session: WorkbenchSession) -> [String] { session.model.transcript.map(\.text) }

    func testSaveThenOpenRestoresVariablesTranscriptAndPlot() throws {
        let path = directory + "/wb.json"
        let first = WorkbenchSession()
        first.submit("z = 41 + 1")
        first.submit("function twice(x)\n    2x\nend")
        first.submit("println(\"hello from cell 3\")")
        first.submit("plot([1.0, 3.0, 2.0], title=\"saved plot\")")
        first.submit(":save \(path)")
        XCTAssertTrue(first.model.lastResult?.hasPrefix("saved \(path): 2 variables, 4 cells") ?? false, first.model.lastResult ?? "")
        XCTAssertNil(first.model.error)

        let second = WorkbenchSession()
        second.submit("mine = 1")
        second.submit(":open \(path)")
        XCTAssertNil(second.model.error, second.model.error ?? "")
        let lines = texts(second)
        XCTAssertEqual(Array(lines.prefix(2)), ["fluxion> z = 41 + 1", "42"])
        XCTAssertTrue(lines.contains("fluxion> function twice(x)"), "\(lines)")
        XCTAssertTrue(lines.contains("       >     2x"), "\(lines)")
        XCTAssertTrue(lines.contains("hello from cell 3"), "\(lines)")
        XCTAssertTrue(lines.contains("[plot: shown in the plot pane]"), "\(lines)")
        XCTAssertTrue(second.model.lastResult?.hasPrefix("opened \(path): 2 variables restored, 4 cells") ?? false,
                      second.model.lastResult ?? "")
        XCTAssertEqual(second.model.plot?.title, "saved plot")
        XCTAssertEqual(second.model.plot, first.model.plot)
        second.submit("twice(z)")
        XCTAssertEqual(texts(second).last, "84")
        second.submit("mine")
        XCTAssertEqual(texts(second).last, "1", "variables the file does not name stay")
    }

    func testSaveKeepsWhatThePlotPaneShowsAfterTraining() throws {
        let path = directory + "/trained.json"
        let session = WorkbenchSession()
        XCTAssertEqual(session.start("res = train(p -> sum(abs2, p .- 2.0), [0.0], Adam(0.1), maxiters=40)"), .evaluating)
        XCTAssertTrue(session.stopEvaluating(timeout: 30))
        session.applyEvents()
        XCTAssertEqual(session.model.plot?.title, "Adam loss", "the pane shows the loss curve")
        session.submit(":save \(path)")
        let restored = WorkbenchSession()
        restored.submit(":open \(path)")
        XCTAssertEqual(restored.model.plot, session.model.plot)
        restored.submit("length(res.losses)")
        XCTAssertEqual(texts(restored).last, "40")
    }

    func testRefusedOpenChangesNothing() throws {
        let path = directory + "/broken.json"
        try Data("{\"format\": \"fluxion-session\", \"version\": 1, \"checksum\": \"crc32:00000000\",\n}".utf8)
            .write(to: URL(fileURLWithPath: path))
        let session = WorkbenchSession()
        session.submit("keep = 7")
        session.submit("plot([2.0, 1.0])")
        let before = session.model.transcript, plot = session.model.plot
        session.submit(":open \(path)")
        XCTAssertTrue(session.model.error?.contains("cannot open session \(path)") ?? false, session.model.error ?? "")
        XCTAssertEqual(Array(session.model.transcript.prefix(before.count)), before)
        XCTAssertEqual(session.model.plot, plot)
        session.submit("keep")
        XCTAssertEqual(texts(session).last, "7")
    }

    func testHelpAndUnknownCommands() {
        let session = WorkbenchSession()
        session.submit(":help")
        let help = texts(session).joined(separator: "\n")
        for usage in [":help", ":save NAME", ":open NAME", ":autosave NAME|off"] {
            XCTAssertTrue(help.contains(usage), help)
        }
        session.submit(":frobnicate now")
        XCTAssertEqual(session.model.error, "unknown command :frobnicate — :help lists the commands")
        XCTAssertEqual(texts(session).last, "error: unknown command :frobnicate — :help lists the commands")
        session.submit(":save")
        XCTAssertEqual(session.model.error, ":save needs a name, e.g. :save spiral")
        // Not commands: a symbol with an operator after it, and a line inside an unfinished input.
        session.submit(":a == :a")
        XCTAssertEqual(texts(session).last, "true")
        session.submit("begin")
        session.submit(":help")
        session.submit("end")
        XCTAssertEqual(texts(session).last, ":help")
    }

    func testAutosaveCommandSetsTheInterpretersDefault() {
        let session = WorkbenchSession()
        session.submit(":autosave run1")
        XCTAssertEqual(session.interpreter.session.autosavePath, "sessions/run1.json")
        XCTAssertTrue(session.model.lastResult?.contains("every 50 iterations") ?? false, session.model.lastResult ?? "")
        session.submit(":autosave off")
        XCTAssertNil(session.interpreter.session.autosavePath)
    }
}
