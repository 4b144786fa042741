import Foundation
import Lang
import XCTest

/// Runs every `Scripts/parse/*.flx` file and checks the expectations written in its comments.
///
/// - `# expect-ast: SEXPR` — the s-expression of the statement that ends on this line (a
///   trailing comment), or of the last statement that ended before it (a comment on its own line);
/// - `# expect-source: TEXT` — the same statement printed as canonical source on one line;
/// - `# expect error: [LINE:COL] MESSAGE` — an error; the file's errors must be exactly these;
/// - `# expect note: [LINE:COL] MESSAGE` — a note; the file's notes must be exactly these;
/// - `# expect hint: [LINE:COL] TEXT` — the diagnostic at LINE:COL carries this hint;
/// - `# expect incomplete` — the errors all come from input that ends too early.
///
/// A file without expected errors must also survive a round trip: printed as source and
/// parsed again, it gives the same trees, and printing is idempotent.
final class ScriptTests: XCTestCase {
    static var scriptsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/parse")
    }

    static func scripts() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: scriptsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "flx" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testParseScripts() throws {
        let files = try ScriptTests.scripts()
        XCTAssertGreaterThan(files.count, 10, "scripts not found in \(ScriptTests.scriptsDirectory.path)")
        var checked = 0
        for file in files {
            checked += try check(file)
        }
        print("ScriptTests: \(files.count) scripts, \(checked) expectations checked")
    }

    /// Checks one script; returns the number of expectations checked.
    func check(_ url: URL) throws -> Int {
        let name = url.lastPathComponent
        let data = try Data(contentsOf: url)
        let text = String(decoding: data, as: UTF8.self)
        let result = Syntax.parse(text, file: name)
        let lines = text.components(separatedBy: "\n")
        var count = 0

        // Statement end lines, for attaching expect-ast comments.
        let ends: [(line: Int, statement: Expr)] = result.statements.map { statement in
            (result.source.line(containing: max(statement.span.start, statement.span.end - 1)), statement)
        }
        func statement(for line: Int) -> Expr? {
            if let onLine = ends.last(where: { $0.line == line }) { return onLine.statement }
            return ends.last(where: { $0.line < line })?.statement
        }

        var expectedErrors: [String] = []
        var expectedNotes: [String] = []
        var expectIncomplete = false
        for (index, line) in lines.enumerated() {
            let lineNumber = index + 1
            let location = "\(name):\(lineNumber)"
            guard let hash = line.range(of: "# expect") else { continue }
            let comment = String(line[hash.upperBound...])
            if let rest = comment.stripping(prefix: "-ast:") {
                count += 1
                guard let target = statement(for: lineNumber) else {
                    XCTFail("\(location): no statement before expect-ast")
                    continue
                }
                XCTAssertEqual(SExpressionPrinter.print(target), rest, "\(location): s-expression")
            } else if let rest = comment.stripping(prefix: "-source:") {
                count += 1
                guard let target = statement(for: lineNumber) else {
                    XCTFail("\(location): no statement before expect-source")
                    continue
                }
                XCTAssertEqual(SourcePrinter.print(target), rest, "\(location): canonical source")
            } else if let rest = comment.stripping(prefix: " error:") {
                expectedErrors.append(rest)
            } else if let rest = comment.stripping(prefix: " note:") {
                expectedNotes.append(rest)
            } else if let rest = comment.stripping(prefix: " hint:") {
                count += 1
                let diagnostic = result.diagnostics.first { "[\($0.span.line):\($0.span.column)]" == rest.prefix(while: { $0 != "]" }) + "]" }
                let expected = rest.drop(while: { $0 != "]" }).dropFirst().trimmingCharacters(in: .whitespaces)
                XCTAssertEqual(diagnostic?.hint, expected, "\(location): hint")
            } else if comment.hasPrefix(" incomplete") {
                expectIncomplete = true
            } else {
                XCTFail("\(location): unknown expectation '# expect\(comment)'")
            }
        }

        let actualErrors = result.diagnostics.filter { $0.severity == .error }.map(Self.format)
        let actualNotes = result.diagnostics.filter { $0.severity == .note }.map(Self.format)
        XCTAssertEqual(actualErrors, expectedErrors, "\(name): errors\n" + result.renderedDiagnostics())
        XCTAssertEqual(actualNotes, expectedNotes, "\(name): notes")
        XCTAssertEqual(result.isIncomplete, expectIncomplete, "\(name): incomplete")
        count += expectedErrors.count + expectedNotes.count

        if expectedErrors.isEmpty {
            count += 1
            assertRoundTrip(result, name)
        }
        return count
    }

    /// Printing and parsing again gives the same trees; printing twice gives the same text.
    func assertRoundTrip(_ result: ParseResult, _ name: String) {
        let printed = SourcePrinter.print(result.statements)
        let again = Syntax.parse(printed, file: name + " (printed)")
        XCTAssertFalse(again.hasErrors, "\(name): printed source does not parse:\n\(printed)\n\(again.renderedDiagnostics())")
        XCTAssertEqual(SExpressionPrinter.print(again.statements), SExpressionPrinter.print(result.statements),
                       "\(name): round trip changed the tree; printed:\n\(printed)")
        XCTAssertEqual(SourcePrinter.print(again.statements), printed, "\(name): printing is not idempotent")
    }

    static func format(_ diagnostic: Diagnostic) -> String {
        "[\(diagnostic.span.line):\(diagnostic.span.column)] \(diagnostic.message)"
    }
}

extension String {
    /// The rest after `prefix` with blanks trimmed, or nil if the string does not start with it.
    func stripping(prefix: String) -> String? {
        guard hasPrefix(prefix) else { return nil }
        return String(dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
    }
}
