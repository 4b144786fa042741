import Foundation

/// Turns source bytes into tokens in one linear pass.
///
/// Strings with interpolation are lexed with a mode stack instead of recursion: inside
/// `"...$(` the lexer returns to code until the matching `)`, which may itself open
/// another string. Comments (`#`, nested `#= =#`) and blanks become the `spaceBefore` and
/// `newlineBefore` flags of the next token, which is all the parser needs of whitespace.
/// Bad input (invalid UTF-8, unknown characters, unterminated strings) gives a diagnostic
/// and, where the parser should notice, an `.invalid` token; nothing traps.
struct Lexer {
    /// At most this many lexer diagnostics are kept; the rest of a binary file is still
    /// tokenised (in linear time) but not reported.
    static let maxDiagnostics = 50

    enum Mode {
        case string(triple: Bool, open: SourceSpan, indent: Int)
        case interpolation(depth: Int, open: SourceSpan)
    }

    let bytes: [UInt8]
    let file: String
    var offset = 0
    var line = 1
    var column = 1
    var tokens: [Token] = []
    var diagnostics: [Diagnostic] = []
    var modes: [Mode] = []
    var spaceBefore = false
    var newlineBefore = false
    // Where the token being lexed started.
    var tokenStart = 0
    var tokenLine = 1
    var tokenColumn = 1
    /// Where the last token ended: the end-of-input token points here, not at trailing blanks.
    var lastEnd: SourceSpan?
    /// Inside a triple-quoted string, at the start of a source line (indentation to strip).
    var atLineStart = false

    /// Tokens of `bytes` (always ending in `.endOfInput`) and the lexical errors found.
    static func tokenize(_ bytes: [UInt8], file: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(bytes: bytes, file: file)
        lexer.run()
        return (lexer.tokens, lexer.diagnostics)
    }

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    mutating func run() {
        tokens.reserveCapacity(bytes.count / 3 + 1)
        while true {
            if case .string(let triple, _, let indent)? = modes.last {
                if atEnd { break }
                lexStringBody(triple: triple, indent: indent)
                continue
            }
            skipTrivia()
            if offset >= bytes.count { break }
            lexToken()
        }
        finish()
    }

    // MARK: - Positions and emitting

    var atEnd: Bool { offset >= bytes.count }

    func byte(_ ahead: Int = 0) -> UInt8? {
        offset + ahead < bytes.count ? bytes[offset + ahead] : nil
    }

    /// Moves past one scalar (or one invalid byte), keeping line and column.
    mutating func advance() {
        let lead = bytes[offset]
        if lead < 0x80 {
            offset += 1
            if lead == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
            return
        }
        let (scalar, length) = CharacterClasses.decode(bytes, at: offset)
        offset += length
        if let scalar, CharacterClasses.isZeroWidth(scalar) { return }
        column += 1
    }

    mutating func markStart() {
        tokenStart = offset
        tokenLine = line
        tokenColumn = column
    }

    var currentSpan: SourceSpan {
        SourceSpan(file: file, start: tokenStart, end: offset, line: tokenLine, column: tokenColumn)
    }

    var hereSpan: SourceSpan {
        SourceSpan(file: file, start: offset, end: offset, line: line, column: column)
    }

    mutating func emit(_ kind: TokenKind) {
        tokens.append(Token(kind: kind, span: currentSpan, spaceBefore: spaceBefore, newlineBefore: newlineBefore))
        lastEnd = hereSpan
        spaceBefore = false
        newlineBefore = false
    }

    mutating func report(_ message: String, _ span: SourceSpan, hint: String? = nil, incomplete: Bool = false) {
        guard diagnostics.count < Lexer.maxDiagnostics else { return }
        diagnostics.append(Diagnostic(message: message, span: span, hint: hint, isIncompleteInput: incomplete))
    }

    // MARK: - Trivia

    /// Skips blanks and comments, recording whether any (and any line break) were seen.
    mutating func skipTrivia() {
        while let b = byte() {
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                spaceBefore = true
                advance()
            case UInt8(ascii: "\n"):
                spaceBefore = true
                newlineBefore = true
                advance()
            case UInt8(ascii: "#"):
                spaceBefore = true
                if byte(1) == UInt8(ascii: "=") { skipBlockComment() } else { skipLineComment() }
            case 0x80...:
                let (scalar, _) = CharacterClasses.decode(bytes, at: offset)
                guard let scalar, CharacterClasses.isExtraWhitespace(scalar) else { return }
                spaceBefore = true
                advance()
            default:
                return
            }
        }
    }

    mutating func skipLineComment() {
        while let b = byte(), b != UInt8(ascii: "\n") {
            if b >= 0x80, CharacterClasses.decode(bytes, at: offset).scalar == nil {
                report("invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true)) in comment", hereSpanOfByte)
            }
            advance()
        }
    }

    var hereSpanOfByte: SourceSpan {
        SourceSpan(file: file, start: offset, end: offset + 1, line: line, column: column)
    }

    /// `#= ... =#`, nested as in Julia. Counted, not recursive.
    mutating func skipBlockComment() {
        markStart()
        let open = SourceSpan(file: file, start: offset, end: offset + 2, line: line, column: column)
        advance(); advance()
        var depth = 1
        while !atEnd {
            if byte() == UInt8(ascii: "#"), byte(1) == UInt8(ascii: "=") {
                depth += 1
                advance(); advance()
            } else if byte() == UInt8(ascii: "="), byte(1) == UInt8(ascii: "#") {
                depth -= 1
                advance(); advance()
                if depth == 0 { return }
            } else {
                advance()
            }
        }
        report("unterminated comment: '#=' is never closed by '=#'", open,
               hint: "block comments nest: every '#=' needs its own '=#'", incomplete: true)
    }
}
