import Foundation
import Lang
import XCTest

/// Parser behaviour that scripts cannot show: the REPL's incomplete-input signal, the
/// error cap, spans of nodes, and the shape of function definitions for the interpreter.
final class ParserTests: XCTestCase {
    func testIncompleteInputAsksTheREPLForMore() {
        let incomplete = [
            "function f(x)", "x = [1, 2,", "\"abc", "x = (1 + ", "if x", "for i in 1:3", "#= comment",
            "f(x", "begin\n x = 1", "x = 1 +", "a = \"$(x", "x = [1 2\n", "let a = 1", "try\n f()",
            "callback = function (p, l)\n  println(l)", "map(v) do x", "sol = solve(prob,\n",
        ]
        for text in incomplete {
            let result = Syntax.parse(text)
            XCTAssertTrue(result.isIncomplete, "should be incomplete: \(text.debugDescription)\n\(result.renderedDiagnostics())")
        }
        let complete = ["x = 1", "x = )", "end", "f(x))", "1 + * 2\nfunction f()", "x = [1, 2 3", "\"a\" b"]
        for text in complete {
            XCTAssertFalse(Syntax.parse(text).isIncomplete, "should not be incomplete: \(text.debugDescription)")
        }
    }

    func testErrorsAreCapped() {
        let text = String(repeating: "x = )\n", count: 50)
        let result = Syntax.parse(text)
        XCTAssertEqual(result.errors.count, Syntax.maxErrors)
        XCTAssertEqual(result.diagnostics.last?.severity, .note)
        XCTAssertEqual(result.diagnostics.last?.message, "too many errors; stopped after 20")
    }

    func testRecoveryKeepsLaterStatements() {
        // `c = 3` is inside the unclosed `(` (newlines are blanks there), so it goes with it;
        // the error at `d` (a line starting where the statement did) ends the statement.
        let result = Syntax.parse("a = 1\nb = (\nc = 3\nd = ]\ne = 5\n")
        XCTAssertEqual(result.errors.map(\.message), ["expected ',' or ')', found identifier 'd'",
                                                      "expected an expression after '=', found ']'"])
        let printed = result.statements.map { SExpressionPrinter.print($0) }
        XCTAssertEqual(printed, ["(= a 1)", "(error)", "(error)", "(= e 5)"])
    }

    func testSpans() throws {
        let result = Syntax.parse("sol = solve(prob, Tsit5())\n  y = sol.t[end]")
        XCTAssertFalse(result.hasErrors)
        let first = try XCTUnwrap(result.statements.first)
        XCTAssertEqual(first.span.start, 0)
        XCTAssertEqual(first.span.end, 26)
        guard case .assign(_, let value) = first.kind else { return XCTFail("not an assignment") }
        XCTAssertEqual(value.span.start, 6)
        XCTAssertEqual(value.span.column, 7)
        let second = try XCTUnwrap(result.statements.last)
        XCTAssertEqual(second.span.line, 2)
        XCTAssertEqual(second.span.column, 3)
        guard case .assign(_, let index) = second.kind, case .index(_, let indices) = index.kind,
              let end = indices.first else { return XCTFail("not an indexed assignment") }
        XCTAssertEqual(end.span.column, 13)
        guard case .endIndex = end.kind else { return XCTFail("end is not the last index") }
    }

    func testFunctionDefinitionShape() throws {
        let result = Syntax.parse("""
        function lotka!(du, u, p, t)
            du[1] = p[1]*u[1]
        end
        loss(x, y=2; tol=1e-6, opts...) = x
        g = (a; k) -> a
        """)
        XCTAssertFalse(result.hasErrors)
        guard case .function(let lotka) = result.statements[0].kind,
              case .function(let loss) = result.statements[1].kind,
              case .assign(_, let lambda) = result.statements[2].kind,
              case .function(let g) = lambda.kind else { return XCTFail("unexpected shapes") }
        XCTAssertEqual(lotka.name, "lotka!")
        XCTAssertTrue(lotka.isMutating)
        XCTAssertEqual(lotka.form, .long)
        XCTAssertEqual(lotka.parameters.map(\.name), ["du", "u", "p", "t"])
        XCTAssertEqual(loss.form, .short)
        XCTAssertFalse(loss.isMutating)
        XCTAssertEqual(loss.parameters.map(\.name), ["x", "y"])
        XCTAssertNotNil(loss.parameters[1].defaultValue)
        XCTAssertEqual(loss.keywordParameters.map(\.name), ["tol", "opts"])
        XCTAssertEqual(loss.keywordParameters.map(\.isSplat), [false, true])
        XCTAssertNil(g.name)
        XCTAssertEqual(g.form, .arrow)
        XCTAssertEqual(g.keywordParameters.map(\.name), ["k"])
        XCTAssertNil(g.keywordParameters[0].defaultValue)
    }

    func testCallArgumentsSeparatePositionalAndKeyword() {
        let result = Syntax.parse("solve(prob, Tsit5(); saveat=0.1, kw...)")
        guard case .call(let call)? = result.statements.first?.kind else { return XCTFail("not a call") }
        XCTAssertEqual(call.arguments.count, 2)
        XCTAssertEqual(call.keywords.map(\.name), ["saveat", ""])
        XCTAssertEqual(call.keywords.map(\.isSplat), [false, true])
        XCTAssertFalse(call.dotted)
    }

    func testTrailingSemicolonSuppressesDisplay() {
        XCTAssertTrue(Syntax.parse("sol = solve(prob);").endsWithSemicolon)
        XCTAssertTrue(Syntax.parse("x = 1; y = 2;  # quiet\n").endsWithSemicolon)
        XCTAssertFalse(Syntax.parse("x = 1; y = 2").endsWithSemicolon)
        XCTAssertFalse(Syntax.parse("").endsWithSemicolon)
    }

    func testUsingIsANodeAndANote() {
        let result = Syntax.parse("using Lux, DiffEqFlux\nx = 1")
        XCTAssertFalse(result.hasErrors)
        guard case .using(let statement)? = result.statements.first?.kind else { return XCTFail("not using") }
        XCTAssertEqual(statement.modules, ["Lux", "DiffEqFlux"])
        XCTAssertEqual(result.diagnostics.map(\.severity), [.note])
    }

    func testOperatorsAreNormalised() {
        let result = Syntax.parse("a ≤ b; c ∈ d; e ≠ f; g .≥ h")
        XCTAssertEqual(SExpressionPrinter.print(result.statements), "(<= a b)\n(in c d)\n(!= e f)\n(.>= g h)")
        XCTAssertEqual(SourcePrinter.print(result.statements), "a <= b\nc in d\ne != f\ng .>= h\n")
    }

    func testCanonicalSourceOfABlock() {
        let result = Syntax.parse("function f(x) if x>0 x else -x end end")
        XCTAssertEqual(SourcePrinter.print(result.statements), """
        function f(x)
            if x > 0
                x
            else
                -x
            end
        end

        """)
    }
}
