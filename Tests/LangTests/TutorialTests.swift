import Foundation
import Lang
import XCTest

/// The tutorial format (Literate.jl style), the batch runner, and every `tutorials/*.flx`
/// of the repository run to the end with its assertions holding.
final class TutorialTests: XCTestCase {
    /// The repository's `tutorials/` folder.
    static var tutorialsDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tutorials").path
    }

    static let sample = """
        # # A sample
        # The first paragraph,
        # on two lines.
        #
        # More prose.
        x = 1

        y = x + 1
        #-
        z = 10
        # Between cells.

        f(a) = 2a
        # The end.
        """

    func testCellsNarrativeAndSummary() throws {
        let tutorial = try Tutorial(name: "sample", path: "sample.flx", text: TutorialTests.sample)
        XCTAssertEqual(tutorial.title, "A sample")
        XCTAssertEqual(tutorial.summary, "The first paragraph, on two lines.")
        XCTAssertEqual(tutorial.cells.map(\.code), ["x = 1\n\ny = x + 1", "z = 10", "f(a) = 2a"])
        XCTAssertEqual(tutorial.cells.map(\.lines), [6...8, 10...10, 13...13])
        XCTAssertEqual(tutorial.cells[0].narrative, "The first paragraph,\non two lines.\n\nMore prose.")
        XCTAssertEqual(tutorial.cells[1].narrative, "", "a cell after #- has no narrative")
        XCTAssertEqual(tutorial.cells[2].narrative, "Between cells.")
        XCTAssertEqual(tutorial.epilogue, "The end.")
    }

    func testCommentsAndIndentedHashesAreCode() throws {
        let text = "# # T\n#comment without a space\n    # indented\nx = 1 # trailing\n"
        let tutorial = try Tutorial(name: "t", path: "t.flx", text: text)
        XCTAssertEqual(tutorial.cells.count, 1)
        XCTAssertEqual(tutorial.cells[0].code, "#comment without a space\n    # indented\nx = 1 # trailing")
    }

    func testFormatErrorsNameTheLine() {
        XCTAssertThrowsError(try Tutorial(name: "t", path: "t.flx", text: "x = 1\n")) { error in
            XCTAssertEqual("\(error)", "t.flx:1: a tutorial starts with a title line `# # Title`")
        }
        XCTAssertThrowsError(try Tutorial(name: "t", path: "t.flx", text: "# # Only prose\n# nothing to run\n")) { error in
            XCTAssertEqual("\(error)", "t.flx:2: a tutorial needs at least one code cell")
        }
    }

    func testCellParseKeepsFileLinesAndOnlyItsStatements() throws {
        let tutorial = try Tutorial(name: "sample", path: "sample.flx", text: TutorialTests.sample)
        let parsed = tutorial.parse(cell: 1)
        XCTAssertEqual(parsed.statements.count, 1)
        XCTAssertEqual(parsed.statements[0].span.line, 10)
        XCTAssertEqual(parsed.statements[0].span.file, "sample.flx")
        let interpreter = Interpreter(output: { _ in })
        XCTAssertEqual(interpreter.run(parsed).value.display, "10")
        XCTAssertNil(interpreter.global("x"), "cell 2 runs without cell 1")
    }

    func testRunnerShowsNarrativeCodeAndResults() throws {
        let tutorial = try Tutorial(name: "sample", path: "sample.flx", text: TutorialTests.sample)
        var out = "", err = ""
        let status = Runner.runTutorial(tutorial, interpreter: Interpreter(output: { out += $0 }),
                                        write: { out += $0 }, errors: { err += $0 })
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.hasPrefix("# A sample\n\nThe first paragraph,\non two lines."), out)
        XCTAssertTrue(out.contains("fluxion> x = 1\n       > \n       > y = x + 1\n2\n"), out)
        XCTAssertTrue(out.contains("fluxion> z = 10\n10\n"), out)
        XCTAssertTrue(out.contains("\nThe end.\n"), out)
        XCTAssertTrue(out.hasSuffix("tutorial sample: all 3 cells ran\n"), out)
        XCTAssertEqual(err, "")
    }

    func testFailedAssertionStopsWithItsMessageAndLine() throws {
        let text = "# # Failing\n# Prose.\nx = 2\n# Check.\n@assert x > 3 \"x should exceed 3\"\nprintln(\"not reached\")\n#-\ny = 1\n"
        let tutorial = try Tutorial(name: "failing", path: "tutorials/failing.flx", text: text)
        var out = "", err = ""
        let status = Runner.runTutorial(tutorial, interpreter: Interpreter(output: { out += $0 }),
                                        write: { out += $0 }, errors: { err += $0 })
        XCTAssertEqual(status, 1)
        XCTAssertTrue(err.contains("tutorials/failing.flx:5:1: error: AssertionError: x should exceed 3"), err)
        XCTAssertTrue(err.contains("5 | @assert x > 3"), "the excerpt quotes the file's line:\n" + err)
        XCTAssertTrue(err.hasSuffix("tutorial failing: cell 2/3 (line 5) failed\n"), err)
        XCTAssertFalse(out.contains("\nnot reached"), out)
        XCTAssertFalse(out.contains("y = 1"), "the run stops at the failed cell:\n" + out)
    }

    func testErrorInAFunctionFromAnEarlierCellQuotesItsLine() throws {
        let text = "# # T\nf(v) = v[3]\n# Later.\nf([1, 2])\n"
        let tutorial = try Tutorial(name: "t", path: "t.flx", text: text)
        var err = ""
        XCTAssertEqual(Runner.runTutorial(tutorial, interpreter: Interpreter(output: { _ in }),
                                          write: { _ in }, errors: { err += $0 }), 1)
        XCTAssertTrue(err.contains("2 | f(v) = v[3]"), err)
    }

    func testLibraryListsAndFindsTutorials() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tutorials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try TutorialTests.sample.write(to: folder.appendingPathComponent("b-sample.flx"), atomically: true, encoding: .utf8)
        try "# # Second\n# Short.\n1\n".write(to: folder.appendingPathComponent("a-second.flx"), atomically: true, encoding: .utf8)
        try "not a tutorial".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let library = TutorialLibrary(directory: folder.path)
        XCTAssertEqual(library.names, ["a-second", "b-sample"])
        XCTAssertEqual(library.menu(), ["  a-second  Second", "      Short.", "  b-sample  A sample",
                                        "      The first paragraph, on two lines."])
        XCTAssertEqual(library.menu(summaries: false), ["  a-second  Second", "  b-sample  A sample"])
        XCTAssertEqual(try library.tutorial(named: "b-sample").cells.count, 3)
        XCTAssertThrowsError(try library.tutorial(named: "nope")) { error in
            XCTAssertTrue("\(error)".hasSuffix("no tutorial named 'nope' (known: a-second, b-sample)"), "\(error)")
        }
        let located = TutorialLibrary.locate(environment: ["FLUXION_TUTORIALS": folder.path])
        XCTAssertEqual(located?.directory, folder.path)
        let fromBuild = TutorialLibrary.locate(environment: [:], workingDirectory: "/nonexistent",
                                               executable: folder.path + "/.build/debug/fluxion")
        XCTAssertNil(fromBuild, "no tutorials/ above a folder without one")
        let repository = URL(fileURLWithPath: TutorialTests.tutorialsDirectory).deletingLastPathComponent().path
        let found = TutorialLibrary.locate(environment: [:], workingDirectory: "/nonexistent",
                                           executable: repository + "/.build/debug/fluxion")
        XCTAssertEqual(found?.directory, TutorialTests.tutorialsDirectory)
    }

    /// The README's taste of the language runs, and its fit recovers the parameters.
    func testReadmeTasteRuns() throws {
        let readme = URL(fileURLWithPath: TutorialTests.tutorialsDirectory).deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = String(decoding: try Data(contentsOf: readme), as: UTF8.self)
        guard let section = text.range(of: "## A taste of the language"),
              let open = text.range(of: "```julia\n", range: section.upperBound..<text.endIndex),
              let close = text.range(of: "```", range: open.upperBound..<text.endIndex) else {
            return XCTFail("no julia block under '## A taste of the language' in README.md")
        }
        let interpreter = Interpreter(output: { _ in })
        let evaluation = interpreter.evaluate(source: String(text[open.upperBound..<close.lowerBound]), file: "README.md")
        XCTAssertFalse(evaluation.failed, evaluation.renderedDiagnostics())
        XCTAssertEqual(evaluation.value.typeName, "Plot")
        let check = interpreter.evaluate(source: "maximum(abs.(res.u .- [1.5, 1.0, 3.0, 1.0])) < 0.01")
        XCTAssertEqual(check.value.display, "true", check.renderedDiagnostics())
    }

    /// Every tutorial of the repository runs as a script with its assertions holding, in
    /// the time a tutorial may take (about 20 s each in a debug build; 60 s allows for a
    /// busy machine).
    func testEveryTutorialRunsAndItsAssertionsHold() throws {
        let library = TutorialLibrary(directory: TutorialTests.tutorialsDirectory)
        XCTAssertTrue(library.names.contains("getting-started"), "tutorials not found in \(library.directory)")
        for name in library.names {
            let tutorial = try library.tutorial(named: name)
            let interpreter = Interpreter(output: { _ in })
            var err = ""
            let start = Date()
            let status = Runner.runTutorial(tutorial, interpreter: interpreter, write: { _ in }, errors: { err += $0 })
            let seconds = Date().timeIntervalSince(start)
            XCTAssertEqual(status, 0, "tutorial \(name) failed:\n\(err)")
            XCTAssertLessThan(seconds, 60, "tutorial \(name) took \(seconds) s")
            XCTAssertGreaterThan(tutorial.text.components(separatedBy: "@assert").count, 1,
                                 "tutorial \(name) asserts nothing")
            print("tutorial \(name): \(tutorial.cells.count) cells in \(String(format: "%.1f", seconds)) s")
        }
    }
}
