import Foundation
import Lang
import XCTest

/// Tokens, their spans and whitespace flags.
final class LexerTests: XCTestCase {
    func kinds(_ text: String) -> [TokenKind] {
        Syntax.tokenize(text).tokens.map(\.kind).dropLast()
    }

    func testNumbers() {
        XCTAssertEqual(kinds("1 1_000 0x1F 0b11 0o17 2.5 .5 1. 1e-3 1E3 1f0 2.5f-1"), [
            .integer(1), .integer(1000), .integer(31), .integer(3), .integer(15), .float(2.5), .float(0.5),
            .float(1.0), .float(0.001), .float(1000.0), .float(1.0), .float(0.25),
        ])
        // Juxtaposition and dotted operators stay separate tokens.
        XCTAssertEqual(kinds("2x 1.+x 2e"), [.integer(2), .identifier("x"), .integer(1), .op(".+"), .identifier("x"),
                                            .integer(2), .identifier("e")])
        XCTAssertEqual(kinds("1:2"), [.integer(1), .op(":"), .integer(2)])
    }

    func testIdentifiersAndKeywords() {
        XCTAssertEqual(kinds("θ α₁ u₀ ∇f x′ lotka! true_A end_ û"), [
            .identifier("θ"), .identifier("α₁"), .identifier("u₀"), .identifier("∇f"), .identifier("x′"),
            .identifier("lotka!"), .identifier("true_A"), .identifier("end_"), .identifier("û"),
        ])
        XCTAssertEqual(kinds("function end true in"), [.keyword(.function), .keyword(.end), .keyword(.true), .keyword(.in)])
        XCTAssertEqual(kinds("a!=b"), [.identifier("a"), .op("!="), .identifier("b")])
    }

    func testOperators() {
        XCTAssertEqual(kinds("a .+= b .== c ... -> => :: |> .= ≤ − √"), [
            .identifier("a"), .op(".+="), .identifier("b"), .op(".=="), .identifier("c"), .op("..."), .op("->"),
            .op("=>"), .op("::"), .op("|>"), .op(".="), .op("≤"), .op("-"), .op("√"),
        ])
        XCTAssertEqual(kinds("f.(x) a.b"), [.identifier("f"), .op("."), .leftParen, .identifier("x"), .rightParen,
                                           .identifier("a"), .op("."), .identifier("b")])
    }

    func testTransposeVersusQuote() {
        XCTAssertEqual(kinds("x' A[1]' (u)'A"), [
            .identifier("x"), .op("'"), .identifier("A"), .leftBracket, .integer(1), .rightBracket, .op("'"),
            .leftParen, .identifier("u"), .rightParen, .op("'"), .identifier("A"),
        ])
        // After a blank, ' starts a character literal, lexed as a one-character string.
        let (tokens, diagnostics) = Syntax.tokenize("x = 'a'; y = '\\t'")
        XCTAssertEqual(tokens.map(\.kind).dropLast(), [.identifier("x"), .op("="), .stringStart(triple: false),
                                                        .stringText("a"), .stringEnd, .semicolon, .identifier("y"), .op("="),
                                                        .stringStart(triple: false), .stringText("\t"), .stringEnd])
        XCTAssertEqual(diagnostics.map(\.message), [])
    }

    func testStringTokens() {
        XCTAssertEqual(kinds("\"a $b $(c) d\""), [
            .stringStart(triple: false), .stringText("a "), .interpolatedName("b"), .stringText(" "),
            .interpolationStart, .identifier("c"), .interpolationEnd, .stringText(" d"), .stringEnd,
        ])
        XCTAssertEqual(kinds("\"$(f(\"$(x)\"))\""), [
            .stringStart(triple: false), .interpolationStart, .identifier("f"), .leftParen,
            .stringStart(triple: false), .interpolationStart, .identifier("x"), .interpolationEnd, .stringEnd,
            .rightParen, .interpolationEnd, .stringEnd,
        ])
    }

    func testWhitespaceFlags() {
        let tokens = Syntax.tokenize("a -b\n  c #= x =# d # comment\ne").tokens
        let flags = tokens.map { ($0.spaceBefore, $0.newlineBefore) }
        XCTAssertEqual(flags.map(\.0), [false, true, false, true, true, true, false])
        XCTAssertEqual(flags.map(\.1), [false, false, false, true, false, true, true])
    }

    func testSpansAreByteOffsetsWithCharacterColumns() {
        let tokens = Syntax.tokenize("θ = 1\n  αβ").tokens
        XCTAssertEqual(tokens.map(\.span.start), [0, 3, 5, 9, 13])
        XCTAssertEqual(tokens.map(\.span.end), [2, 4, 6, 13, 13])
        XCTAssertEqual(tokens.map(\.span.line), [1, 1, 1, 2, 2])
        XCTAssertEqual(tokens.map(\.span.column), [1, 3, 5, 3, 5])
    }

    func testInvalidUTF8BytesAreReportedNotTrapped() {
        let bytes: [UInt8] = [0x61, 0xC3, 0x20, 0xE2, 0x82, 0x20, 0xF8, 0x62, 0xED, 0xA0, 0x80]
        let result = Syntax.parse(bytes: bytes)
        XCTAssertTrue(result.hasErrors)
        XCTAssertTrue(result.errors.allSatisfy { $0.message.hasPrefix("invalid UTF-8 byte") })
        // Overlong encodings and surrogates are invalid too.
        XCTAssertTrue(Syntax.parse(bytes: [0xC0, 0xAF]).hasErrors)
        XCTAssertTrue(Syntax.parse(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22]).hasErrors)
    }

    func testNestedBlockComments() {
        XCTAssertEqual(kinds("a #= 1 #= 2 =# 3 =# b"), [.identifier("a"), .identifier("b")])
        let (_, diagnostics) = Syntax.tokenize("a #= #= =# b")
        XCTAssertEqual(diagnostics.map(\.message), ["unterminated comment: '#=' is never closed by '=#'"])
        XCTAssertEqual(diagnostics.first?.isIncompleteInput, true)
    }

    func testLexingIsLinear() {
        // 40 000 lines in well under a second even in a debug build.
        let line = "du[1] = p[1]*u[1] - p[2]*u[1]*u[2] # \"comment\" θ\n"
        let text = String(repeating: line, count: 40_000)
        let start = Date()
        let (tokens, diagnostics) = Syntax.tokenize(text)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        let perLine = Syntax.tokenize(line).tokens.count - 1
        XCTAssertEqual(tokens.count, 40_000 * perLine + 1)
        XCTAssertTrue(diagnostics.isEmpty)
    }
}
