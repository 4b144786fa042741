import Foundation
import Lang
import XCTest

/// The tutorials this module's features are shown in, run as `fluxion run` runs them: their
/// `@assert` lines are the checks.
final class TutorialTests: XCTestCase {
    static var tutorials: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tutorials")
    }

    func testMissingPhysicsTutorialMeetsItsAssertions() throws {
        let url = Self.tutorials.appendingPathComponent("missing-physics.flx")
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# # "), "a tutorial starts with its title")
        var printed = "", errors = ""
        let interpreter = Interpreter(output: { printed += $0 })
        let status = Runner.runScript(text, file: url.lastPathComponent, interpreter: interpreter) { errors += $0 }
        XCTAssertEqual(status, 0, errors)
        XCTAssertTrue(printed.contains("learned interaction vs (−βxy, γxy) on the trajectory: relative error"), printed)
    }
}
