import Foundation
import Lang
import XCTest

/// The rendered form of diagnostics, character for character: header, source line, caret
/// under the right column whatever the bytes before it, hint, related notes.
final class DiagnosticRendererTests: XCTestCase {
    func render(_ text: String, file: String = "<repl>") -> String {
        Syntax.parse(text, file: file).renderedDiagnostics()
    }

    func testHeaderLineCaretAndHint() {
        XCTAssertEqual(render("x = (1 + 2))\n", file: "model.flx"), """
        model.flx:1:12: error: unexpected ')'
          1 | x = (1 + 2))
            |            ^
            = hint: it closes nothing: remove it, or add the bracket it should close

        """)
    }

    func testCaretAfterMultibyteCharacters() {
        // θ is 2 bytes, ₁ 3 bytes, α 2 bytes: the caret must count characters, not bytes.
        let result = Syntax.parse("θ₁ = α * )")
        XCTAssertEqual(result.errors.first?.span.column, 10)
        XCTAssertEqual(result.errors.first?.span.start, 13)
        XCTAssertEqual(result.renderedDiagnostics(), """
        <repl>:1:10: error: expected an expression after '*', found ')'
          1 | θ₁ = α * )
            |          ^

        """)
    }

    func testUnderlineSpansCharactersNotBytes() {
        XCTAssertEqual(render("θ₁ + 1 = 2"), """
        <repl>:1:1: error: cannot assign to this expression
          1 | θ₁ + 1 = 2
            | ^~~~~~
            = hint: assign to a name (x = ...), an element (u[1] = ...), a field (p.a = ...) or a tuple of names (a, b = ...)

        """)
    }

    func testCombiningMarksTakeNoColumn() {
        // û is u + U+0302: one column on screen.
        let result = Syntax.parse("û = )")
        XCTAssertEqual(result.errors.first?.span.column, 5)
        XCTAssertTrue(result.renderedDiagnostics().contains("  1 | û = )\n    |     ^\n"))
    }

    func testWideCharactersTakeTwoColumns() {
        XCTAssertEqual(render("s = \"漢字\" )"), """
        <repl>:1:10: error: unexpected ')'
          1 | s = "漢字" )
            |            ^
            = hint: it closes nothing: remove it, or add the bracket it should close

        """)
    }

    func testTabsAreCopiedIntoTheUnderline() {
        XCTAssertEqual(render("\tx = )"), """
        <repl>:1:6: error: expected an expression after '=', found ')'
          1 | \tx = )
            | \t    ^

        """)
    }

    func testRelatedNoteAndWideGutter() {
        let text = (1...9).map { "x\($0) = \($0)" }.joined(separator: "\n") + "\nfunction f(x)\n    x\n"
        XCTAssertEqual(render(text), """
        <repl>:10:1: error: 'function' is missing its 'end'
          10 | function f(x)
             | ^~~~~~~~
             = hint: add 'end' to close it
        <repl>:11:6: note: the input ended here
          11 |     x
             |      ^

        """)
    }

    func testInvalidUTF8IsShownAsReplacementCharacter() {
        let result = Syntax.parse(bytes: [0x78, 0x20, 0x3D, 0x20, 0xFF, 0x0A], file: "bin.flx")
        XCTAssertEqual(result.renderedDiagnostics(), """
        bin.flx:1:5: error: invalid UTF-8 byte 0xFF
          1 | x = \u{FFFD}
            |     ^
            = hint: save the file as UTF-8

        """)
    }

    func testNoteSeverityAndColor() {
        let result = Syntax.parse("using Flux")
        XCTAssertFalse(result.hasErrors)
        XCTAssertEqual(result.renderedDiagnostics(), """
        <repl>:1:1: note: 'using Flux' is ignored: Fluxion's builtins are always available
          1 | using Flux
            | ^~~~~~~~~~

        """)
        let colored = result.renderedDiagnostics(useColor: true)
        XCTAssertTrue(colored.contains("\u{1B}[1;36mnote:\u{1B}[0m"))
        XCTAssertTrue(colored.contains("\u{1B}[1;32m^~~~~~~~~~\u{1B}[0m"))
    }

    func testMultiLineSpanUnderlinesTheFirstLine() {
        let source = SourceFile(name: "m.flx", text: "a = (1,\n     2)\n")
        let span = SourceSpan(file: "m.flx", start: 4, end: 14, line: 1, column: 5)
        let diagnostic = Diagnostic(message: "example", span: span)
        XCTAssertEqual(DiagnosticRenderer(source: source).render(diagnostic), """
        m.flx:1:5: error: example
          1 | a = (1,
            |     ^~~
        """)
    }

    func testDescriptionIsTheHeader() {
        let result = Syntax.parse("1 +", file: "t.flx")
        XCTAssertEqual(result.errors.map(\.description), ["t.flx:1:4: error: expected an expression after '+', but the input ended"])
    }
}
