import Foundation
import Lang
import XCTest

/// The plain REPL's colon commands: the workbench's session commands and help, the same
/// syntax rule (`:a == :a` stays an expression), and a clear word about jobs.
final class PlainCommandTests: XCTestCase {
    func run(_ lines: [String]) -> String {
        var input = lines[...], output = ""
        let interpreter = Interpreter(output: { output += $0 })
        _ = Runner.repl(interpreter: interpreter, readLine: { input.popFirst() }, write: { output += $0 })
        return output
    }

    func testSaveOpenHelpAndJobs() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plain-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out = run(["x = 41", ":save \(path)", "x = 1", ":open \(path)", "x + 1", ":help", ":jobs", ":a == :a", ":nope", ":save"])
        XCTAssertTrue(out.contains("saved \(path): 1 variable"), out)
        XCTAssertTrue(out.contains("opened \(path): 1 variable restored"), out)
        XCTAssertTrue(out.contains("\n42\n"), "the saved x came back: \(out)")
        XCTAssertTrue(out.contains(":autosave NAME|off"), out)
        XCTAssertTrue(out.contains("there are no jobs"), out)
        XCTAssertTrue(out.contains("\ntrue\n"), ":a == :a is the language's: \(out)")
        XCTAssertTrue(out.contains("unknown command :nope — :help lists the commands"), out)
        XCTAssertTrue(out.contains(":save needs a name"), out)
    }

    func testARefusedFileChangesNothing() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plain-bad-\(UUID().uuidString).json").path
        try Data("not a session".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out = run(["x = 7", ":open \(path)", "x"])
        XCTAssertTrue(out.contains("error:"), out)
        XCTAssertTrue(out.hasSuffix("7\n"), "x is unchanged: \(out)")
    }
}
