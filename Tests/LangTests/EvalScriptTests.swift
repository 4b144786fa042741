import Foundation
import Lang
import XCTest

/// Runs every `Scripts/eval/*.flx` file statement by statement, as the REPL would, and
/// checks the expectations written in its comments:
///
/// - `# expect: TEXT` — the next line of output. Output is what the script prints, plus,
///   for the last statement ending on a line that carries an `# expect:` comment, the
///   statement's value in compact form (`repr`) unless it is `nothing`;
/// - `# expect error: [LINE:COL] MESSAGE` — a run-time error; the file's errors must be
///   exactly these (the script carries on after an error, as the REPL does);
/// - `# expect hint: [LINE:COL] TEXT` — the error at LINE:COL carries this hint.
final class EvalScriptTests: XCTestCase {
    static var scriptsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/eval")
    }

    func testEvalScripts() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.scriptsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "flx" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertGreaterThanOrEqual(files.count, 8, "scripts not found in \(Self.scriptsDirectory.path)")
        var checked = 0
        for file in files { checked += try check(file) }
        print("EvalScriptTests: \(files.count) scripts, \(checked) expectations checked")
    }

    /// The suite's size and its inventory: at least 150 scripts (eval and parse), every builtin
    /// `?` lists has a row in Scripts/COVERAGE.md, and every script COVERAGE.md names exists.
    func testScriptSuiteCoversTheInventory() throws {
        let scripts = Self.scriptsDirectory.deletingLastPathComponent()
        var count = 0
        for folder in ["eval", "parse"] {
            count += try FileManager.default.contentsOfDirectory(at: scripts.appendingPathComponent(folder), includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "flx" }.count
        }
        XCTAssertGreaterThanOrEqual(count, 150, "the language's acceptance criterion asks for at least 150 scripts")
        let coverage = String(decoding: try Data(contentsOf: scripts.appendingPathComponent("COVERAGE.md")), as: UTF8.self)
        let listing = Interpreter(output: { _ in }).help("")
        let builtins = listing.split(separator: "\n").dropFirst().flatMap { $0.split(separator: " ") }.map(String.init)
        XCTAssertGreaterThan(builtins.count, 100, "the builtin listing changed shape:\n\(listing)")
        for name in builtins {
            XCTAssertTrue(coverage.contains("| `\(name)` |"), "builtin \(name) has no row in COVERAGE.md")
        }
        let named = coverage.matches(of: /(eval|parse)\/[A-Za-z0-9_]+\.flx/).map { String($0.output.0) }
        for path in Set(named) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: scripts.appendingPathComponent(path).path), "COVERAGE.md names \(path), which does not exist")
        }
    }

    /// Checks one script; returns the number of expectations checked.
    func check(_ url: URL) throws -> Int {
        let name = url.lastPathComponent
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        let parsed = Syntax.parse(text, file: name)
        XCTAssertFalse(parsed.hasErrors, "\(name): does not parse\n" + parsed.renderedDiagnostics())
        let lines = text.components(separatedBy: "\n")
        let output = OutputBuffer()
        let interpreter = Interpreter(output: { output.text += $0 })

        var expectedOutput: [String] = []
        var expectedErrors: [String] = []
        var expectedHints: [(String, String)] = []
        var showLines: Set<Int> = []
        for (index, line) in lines.enumerated() {
            guard let hash = line.range(of: "# expect") else { continue }
            let comment = String(line[hash.upperBound...])
            if comment.hasPrefix(": ") || comment == ":" {
                expectedOutput.append(String(comment.dropFirst(2)).trimmingTrailingBlanks)
                if !line[..<hash.lowerBound].trimmingCharacters(in: .whitespaces).isEmpty { showLines.insert(index + 1) }
            } else if let rest = comment.stripping(prefix: " error:") {
                expectedErrors.append(rest)
            } else if let rest = comment.stripping(prefix: " hint:") {
                let location = String(rest.prefix(while: { $0 != "]" })) + "]"
                expectedHints.append((location, rest.drop(while: { $0 != "]" }).dropFirst().trimmingCharacters(in: .whitespaces)))
            } else {
                XCTFail("\(name):\(index + 1): unknown expectation '# expect\(comment)'")
            }
        }

        let endLines = parsed.statements.map { parsed.source.line(containing: max($0.span.start, $0.span.end - 1)) }
        var errors: [LangError] = []
        for (index, statement) in parsed.statements.enumerated() {
            switch interpreter.execute(statement) {
            case .success(let value):
                let line = endLines[index]
                let isLastOnLine = index + 1 == endLines.count || endLines[index + 1] != line
                if showLines.contains(line), isLastOnLine {
                    if case .nothing = value {} else { output.text += value.repr + "\n" }
                }
            case .failure(let error):
                errors.append(error)
            }
        }
        var actual = output.text.components(separatedBy: "\n").map(\.trimmingTrailingBlanks)
        if actual.last == "" { actual.removeLast() }
        XCTAssertEqual(actual, expectedOutput, "\(name): output")
        if actual != expectedOutput {
            for (a, e) in zip(actual, expectedOutput) where a != e { XCTFail("\(name): got '\(a)', expected '\(e)'"); break }
        }
        let actualErrors = errors.map { "[\($0.span.line):\($0.span.column)] \($0.message)" }
        XCTAssertEqual(actualErrors, expectedErrors, "\(name): errors")
        for (location, hint) in expectedHints {
            let error = errors.first { "[\($0.span.line):\($0.span.column)]" == location }
            XCTAssertEqual(error?.hint, hint, "\(name): hint at \(location)")
        }
        return expectedOutput.count + expectedErrors.count + expectedHints.count
    }
}

/// Collects interpreter output in tests.
final class OutputBuffer: @unchecked Sendable {
    var text = ""
}

extension String {
    /// The string without trailing spaces and tabs.
    var trimmingTrailingBlanks: String {
        String(reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
