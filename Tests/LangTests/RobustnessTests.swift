import Foundation
import Lang
import XCTest

/// No input crashes the front end: random bytes, token soup and mangled scripts (seeded, so
/// failures reproduce), and nesting far beyond the limit. Every result either parses
/// cleanly, and then survives the print-and-reparse round trip, or carries errors whose
/// spans lie inside the text and render.
final class RobustnessTests: XCTestCase {
    /// SplitMix64: small, seedable, the same on every platform.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    /// Checks the invariants of one parse; returns whether it parsed without errors.
    @discardableResult
    func check(_ bytes: [UInt8], _ label: String) -> Bool {
        let result = Syntax.parse(bytes: bytes, file: "fuzz")
        XCTAssertLessThanOrEqual(result.errors.count, Syntax.maxErrors, label)
        for diagnostic in result.diagnostics {
            let span = diagnostic.span
            XCTAssertTrue(span.start >= 0 && span.start <= span.end && span.end <= bytes.count,
                          "\(label): span \(span.start)..<\(span.end) outside 0..<\(bytes.count)")
            XCTAssertTrue(span.line >= 1 && span.column >= 1, "\(label): bad location \(span)")
        }
        _ = result.renderedDiagnostics()
        guard !result.hasErrors else { return false }
        let printed = SourcePrinter.print(result.statements)
        let again = Syntax.parse(printed, file: "reprinted")
        XCTAssertFalse(again.hasErrors, "\(label): reprinted text does not parse:\n\(printed)\n\(again.renderedDiagnostics())")
        XCTAssertEqual(SExpressionPrinter.print(again.statements), SExpressionPrinter.print(result.statements),
                       "\(label): round trip changed the tree of \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        return true
    }

    func testRandomBytes() {
        var random = Generator(state: 1)
        for round in 0..<3000 {
            let length = random.below(120)
            // Mostly printable ASCII with some high bytes, so that tokens occur.
            let bytes = (0..<length).map { _ -> UInt8 in
                random.below(8) == 0 ? UInt8(truncatingIfNeeded: random.next()) : UInt8(32 + random.below(95))
            }
            check(bytes, "random bytes #\(round)")
        }
    }

    static let vocabulary = [
        "x", "y", "θ", "f", "u₀", "1", "2.5", "1e-3", "π", "+", "-", "*", "/", "^", ".+", ".*", ".^", "==", "<", "&&",
        "||", "!", "(", ")", "[", "]", "{", "}", ",", ";", "=", ".=", "+=", "->", "=>", "?", ":", "::", "'", "...",
        ".", "@.", "@time", "\"s\"", "\"a $x b\"", "\"$(", "function", "end", "if", "elseif", "else", "for", "in",
        "while", "let", "begin", "return", "break", "do", "try", "catch", "using", "const", "true", "nothing",
        ":sym", "f(", "x[", "A[:, 2:end]", "#= c =#", "# c\n", "\n", "\n", " ", " ", " ", "  ",
    ]

    func testTokenSoup() {
        var random = Generator(state: 2)
        var clean = 0
        for round in 0..<4000 {
            let count = 1 + random.below(25)
            var text = ""
            for _ in 0..<count {
                text += Self.vocabulary[random.below(Self.vocabulary.count)]
                if random.below(3) == 0 { text += " " }
            }
            if check(Array(text.utf8), "token soup #\(round): \(text.debugDescription)") { clean += 1 }
        }
        XCTAssertGreaterThan(clean, 50, "too few soups parse cleanly for the round trip to be exercised")
    }

    /// Random well-formed programs (`RandomProgram`): most parse, and every one that does
    /// prints back to text that parses to the same tree.
    func testRandomProgramsRoundTrip() {
        var generator = RandomProgram(seed: 4)
        var clean = 0
        for round in 0..<3000 {
            let text = generator.program()
            if check(Array(text.utf8), "random program #\(round): \(text.debugDescription)") { clean += 1 }
        }
        XCTAssertGreaterThan(clean, 2500, "the generator should mostly produce valid programs")
    }

    func testMangledScripts() throws {
        var random = Generator(state: 3)
        let scripts = try ScriptTests.scripts().map { Array(try Data(contentsOf: $0)) }
        for (index, script) in scripts.enumerated() {
            for round in 0..<40 {
                var bytes = script
                for _ in 0..<(1 + random.below(4)) {
                    guard !bytes.isEmpty else { break }
                    let at = random.below(bytes.count)
                    switch random.below(5) {
                    case 0: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(8)))
                    case 1: bytes.insert(contentsOf: Array(Self.vocabulary[random.below(Self.vocabulary.count)].utf8), at: at)
                    case 2: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                    case 3:
                        let end = min(bytes.count, at + random.below(30))
                        bytes.insert(contentsOf: Array(bytes[at..<end]), at: random.below(bytes.count))
                    default: bytes = Array(bytes[..<at])
                    }
                }
                check(bytes, "script \(index) mangled #\(round)")
            }
        }
    }

    /// 100 000 inputs — random bytes, token soup and windows of the eval scripts mangled — parse
    /// without a crash, and every failure is a diagnostic with a place inside the input (the
    /// cheap invariants of `check`, without its round trip, to keep the run short).
    func testHundredThousandInputs() throws {
        var random = Generator(state: 4)
        let evalScripts = try FileManager.default.contentsOfDirectory(at: EvalScriptTests.scriptsDirectory, includingPropertiesForKeys: nil)
        let scripts = try (ScriptTests.scripts() + evalScripts.filter { $0.pathExtension == "flx" })
            .map { Array(try Data(contentsOf: $0)) }.filter { !$0.isEmpty }
        var failed = 0
        for round in 0..<100_000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<random.below(80)).map { _ in
                    random.below(8) == 0 ? UInt8(truncatingIfNeeded: random.next()) : UInt8(32 + random.below(95))
                }
            case 1:
                var text = ""
                for _ in 0..<(1 + random.below(20)) {
                    text += Self.vocabulary[random.below(Self.vocabulary.count)]
                    if random.below(3) == 0 { text += " " }
                }
                bytes = Array(text.utf8)
            default:
                let script = scripts[random.below(scripts.count)]
                let start = random.below(script.count)
                bytes = Array(script[start..<min(script.count, start + 1 + random.below(300))])
                for _ in 0..<(1 + random.below(3)) where !bytes.isEmpty {
                    let at = random.below(bytes.count)
                    switch random.below(3) {
                    case 0: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(6)))
                    case 1: bytes.insert(contentsOf: Array(Self.vocabulary[random.below(Self.vocabulary.count)].utf8), at: at)
                    default: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                    }
                }
            }
            let result = Syntax.parse(bytes: bytes, file: "fuzz")
            if result.hasErrors { failed += 1 }
            guard result.errors.count <= Syntax.maxErrors,
                  result.diagnostics.allSatisfy({ $0.span.start >= 0 && $0.span.start <= $0.span.end && $0.span.end <= bytes.count
                                                  && $0.span.line >= 1 && $0.span.column >= 1 }) else {
                return XCTFail("input #\(round) \(String(decoding: bytes, as: UTF8.self).debugDescription): a diagnostic outside the input")
            }
        }
        print("parser fuzz: 100000 inputs, \(failed) with errors (each a diagnostic), none crashed")
        XCTAssertGreaterThan(failed, 10_000, "the inputs should include plenty of broken ones")
    }

    // MARK: - Nesting

    func assertTooDeep(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let result = Syntax.parse(text)
        XCTAssertTrue(result.errors.contains { $0.message.hasPrefix("expression is nested too deeply") },
                      "no depth error; got \(result.errors.prefix(3))", file: file, line: line)
    }

    func testNestingWithinTheLimitParses() {
        let depth = 400
        for text in [
            String(repeating: "(", count: depth) + "x" + String(repeating: ")", count: depth),
            String(repeating: "[", count: depth) + "x" + String(repeating: "]", count: depth),
            String(repeating: "f(", count: depth) + "x" + String(repeating: ")", count: depth),
            String(repeating: "-", count: depth) + "x",
            (0..<depth).map { _ in "x" }.joined(separator: "^"),
            (0..<depth).map { _ in "x" }.joined(separator: " + "),
            String(repeating: "begin\n", count: depth) + "x\n" + String(repeating: "end\n", count: depth),
            String(repeating: "\"$(", count: depth) + "x" + String(repeating: ")\"", count: depth),
        ] {
            let result = Syntax.parse(text)
            XCTAssertFalse(result.hasErrors, "\(text.prefix(20))...: \(result.errors.prefix(1))")
            XCTAssertEqual(SExpressionPrinter.print(Syntax.parse(SourcePrinter.print(result.statements)).statements),
                           SExpressionPrinter.print(result.statements))
        }
    }

    func testNestingBeyondTheLimitIsAnError() {
        let deep = 100_000
        assertTooDeep(String(repeating: "(", count: deep) + "x" + String(repeating: ")", count: deep))
        assertTooDeep(String(repeating: "[", count: deep))
        assertTooDeep(String(repeating: "f(", count: deep))
        assertTooDeep(String(repeating: "-", count: deep) + "x")
        assertTooDeep(String(repeating: "!", count: deep) + "x")
        assertTooDeep(String(repeating: "x^", count: deep) + "x")
        assertTooDeep(String(repeating: "x = ", count: deep) + "x")
        assertTooDeep(String(repeating: "x -> ", count: deep) + "x")
        assertTooDeep(String(repeating: "c ? ", count: deep) + "x")
        assertTooDeep(String(repeating: "x::", count: deep) + "x")
        assertTooDeep(String(repeating: "x + ", count: deep) + "x")
        assertTooDeep("x" + String(repeating: "[1]", count: deep))
        assertTooDeep("x" + String(repeating: "'", count: deep))
        assertTooDeep(String(repeating: "begin ", count: deep))
        assertTooDeep(String(repeating: "if x ", count: deep))
        assertTooDeep(String(repeating: "function f() ", count: deep))
        assertTooDeep(String(repeating: "\"$(", count: deep))
        assertTooDeep("for " + String(repeating: "(", count: deep))
        assertTooDeep(String(repeating: "@. ", count: deep) + "x")
    }

    func testLongFlatInputsAreFine() {
        let elements = (0..<50_000).map(String.init).joined(separator: ", ")
        let start = Date()
        let result = Syntax.parse("v = [" + elements + "]\n" + String(repeating: "x = x + 1\n", count: 50_000))
        XCTAssertFalse(result.hasErrors)
        XCTAssertEqual(result.statements.count, 50_001)
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
        // Deep comment nesting is counted, not recursed.
        XCTAssertFalse(Syntax.parse(String(repeating: "#=", count: 100_000) + String(repeating: "=#", count: 100_000)).hasErrors)
    }
}
