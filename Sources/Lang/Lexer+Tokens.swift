import Foundation

extension Lexer {
    // MARK: - Tokens

    mutating func lexToken() {
        markStart()
        let b = bytes[offset]
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            lexNumber()
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            lexIdentifier()
        case UInt8(ascii: "\""):
            lexStringStart()
        case UInt8(ascii: "'"):
            lexQuote()
        case UInt8(ascii: "@"):
            lexMacro()
        case UInt8(ascii: "("):
            advance()
            if case .interpolation(let depth, let open)? = modes.last {
                modes[modes.count - 1] = .interpolation(depth: depth + 1, open: open)
            }
            emit(.leftParen)
        case UInt8(ascii: ")"):
            advance()
            if case .interpolation(let depth, let open)? = modes.last {
                if depth == 0 {
                    modes.removeLast()
                    atLineStart = false
                    emit(.interpolationEnd)
                    return
                }
                modes[modes.count - 1] = .interpolation(depth: depth - 1, open: open)
            }
            emit(.rightParen)
        case UInt8(ascii: "["): advance(); emit(.leftBracket)
        case UInt8(ascii: "]"): advance(); emit(.rightBracket)
        case UInt8(ascii: "{"): advance(); emit(.leftBrace)
        case UInt8(ascii: "}"): advance(); emit(.rightBrace)
        case UInt8(ascii: ","): advance(); emit(.comma)
        case UInt8(ascii: ";"): advance(); emit(.semicolon)
        case UInt8(ascii: "."):
            if let next = byte(1), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9"), !previousAllowsFieldAccess {
                lexNumber()
            } else {
                lexDot()
            }
        case 0x80...:
            lexUnicode()
        default:
            if let spelling = Lexer.matchOperator(bytes, at: offset) {
                for _ in 0..<spelling.utf8.count { advance() }
                emit(.op(spelling))
            } else {
                advance()
                let shown = b < 0x20 || b == 0x7F ? "U+\(String(format: "%04X", b))" : "'\(Character(Unicode.Scalar(b)))'"
                report("unexpected character \(shown)", currentSpan, hint: Lexer.hint(forCharacter: b))
                emit(.invalid)
            }
        }
    }

    /// Whether a `.` directly after the previous token is field access (`x.5` is not a float).
    var previousAllowsFieldAccess: Bool {
        guard !spaceBefore, let last = tokens.last else { return false }
        switch last.kind {
        case .identifier, .rightParen, .rightBracket, .rightBrace: return true
        default: return false
        }
    }

    mutating func lexIdentifier() {
        var scalars = String.UnicodeScalarView()
        while let b = byte() {
            if b < 0x80 {
                let scalar = Unicode.Scalar(b)
                if CharacterClasses.isIdentifierContinue(scalar) {
                    scalars.append(scalar)
                    advance()
                } else if b == UInt8(ascii: "!"), byte(1) != UInt8(ascii: "=") {
                    scalars.append(scalar)
                    advance()
                } else {
                    break
                }
            } else {
                let (scalar, _) = CharacterClasses.decode(bytes, at: offset)
                guard let scalar, CharacterClasses.isIdentifierContinue(scalar) else { break }
                scalars.append(scalar)
                advance()
            }
        }
        let name = String(scalars)
        if let keyword = Keyword(rawValue: name) {
            emit(.keyword(keyword))
        } else {
            emit(.identifier(name))
        }
    }

    /// `.` alone (field access, `f.(x)`), `...`, or a dotted operator such as `.+`, `.=`, `.<=`.
    mutating func lexDot() {
        if byte(1) == UInt8(ascii: "."), byte(2) == UInt8(ascii: ".") {
            advance(); advance(); advance()
            emit(.op("..."))
            return
        }
        if let inner = Lexer.matchOperator(bytes, at: offset + 1) ?? Lexer.matchUnicodeOperator(bytes, at: offset + 1),
           Lexer.dottable.contains(inner) {
            advance()
            for _ in 0..<inner.unicodeScalars.count { advance() }
            emit(.op("." + Lexer.normalised(inner)))
            return
        }
        advance()
        emit(.op("."))
    }

    /// `'` is the adjoint when it directly follows something that has a value (`x'`,
    /// `A[1]'`, `(u.^3)'`); anywhere else it starts a character literal, which Fluxion
    /// lexes as a one-character string.
    mutating func lexQuote() {
        if !spaceBefore, let last = tokens.last {
            switch last.kind {
            case .identifier, .integer, .float, .rightParen, .rightBracket, .rightBrace, .stringEnd,
                 .keyword(.end), .keyword(.true), .keyword(.false):
                advance()
                emit(.op("'"))
                return
            case .op("'"):
                advance()
                emit(.op("'"))
                return
            default:
                break
            }
        }
        // A character literal 'a' or '\n': a one-character string (Fluxion has no Char type), so
        // that Julia's `readdlm(path, ',')` and `split(s, ' ')` read as written.
        advance()
        var text = String.UnicodeScalarView()
        if byte() == UInt8(ascii: "\\") {
            if let scalar = lexEscape() { text.append(scalar) }
        } else if !atEnd, byte() != UInt8(ascii: "'"), byte() != UInt8(ascii: "\n") {
            if let scalar = CharacterClasses.decode(bytes, at: offset).scalar { text.append(scalar) }
            advance()
        }
        guard byte() == UInt8(ascii: "'") else {
            report("unexpected \"'\"", SourceSpan(file: file, start: tokenStart, end: tokenStart + 1,
                                                 line: tokenLine, column: tokenColumn),
                   hint: "write x' for the adjoint (no space before '), and \"...\" for strings")
            emit(.invalid)
            return
        }
        advance()
        emit(.stringStart(triple: false))
        emit(.stringText(String(text)))
        emit(.stringEnd)
    }

    mutating func lexMacro() {
        advance()
        if byte() == UInt8(ascii: ".") {
            advance()
            emit(.macro("."))
            return
        }
        var scalars = String.UnicodeScalarView()
        while let b = byte() {
            let (scalar, _) = CharacterClasses.decode(bytes, at: offset)
            guard let scalar else { break }
            let continues = scalars.isEmpty ? CharacterClasses.isIdentifierStart(scalar)
                                            : CharacterClasses.isIdentifierContinue(scalar) || b == UInt8(ascii: "!")
            guard continues else { break }
            scalars.append(scalar)
            advance()
        }
        if scalars.isEmpty {
            report("expected a macro name after '@'", currentSpan, hint: "Fluxion knows '@.' and passes other macros to the interpreter")
            emit(.invalid)
        } else {
            emit(.macro(String(scalars)))
        }
    }

    /// Non-ASCII at token start: a name, a Unicode operator, or an error.
    mutating func lexUnicode() {
        let scalar = CharacterClasses.decode(bytes, at: offset).scalar
        guard let scalar else {
            let b = bytes[offset]
            advance()
            report("invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true))", currentSpan,
                   hint: "save the file as UTF-8")
            emit(.invalid)
            return
        }
        if CharacterClasses.isIdentifierStart(scalar) {
            lexIdentifier()
            return
        }
        if let spelling = Lexer.matchUnicodeOperator(bytes, at: offset) {
            for _ in 0..<spelling.unicodeScalars.count { advance() }
            emit(.op(Lexer.normalised(spelling)))
            return
        }
        advance()
        let code = "U+" + String(format: "%04X", scalar.value)
        report("unexpected character '\(Character(scalar))' (\(code))", currentSpan, hint: Lexer.hint(forScalar: scalar))
        emit(.invalid)
    }

    /// At end of input: close open strings and interpolations (reporting the innermost),
    /// then the end token.
    mutating func finish() {
        if let innermost = modes.last {
            switch innermost {
            case .string(let triple, let open, _):
                report("unterminated string", open,
                       hint: triple ? "close it with \"\"\"" : "close it with \"; a string may span lines, so the rest of the input was read as text",
                       incomplete: true)
            case .interpolation(_, let open):
                report("'$(' is never closed", open, hint: "close the interpolation with ')'", incomplete: true)
            }
        }
        markStart()
        while let mode = modes.popLast() {
            switch mode {
            case .string: emit(.stringEnd)
            case .interpolation: emit(.interpolationEnd)
            }
        }
        markStart()
        let end = lastEnd ?? currentSpan
        tokens.append(Token(kind: .endOfInput, span: end, spaceBefore: spaceBefore, newlineBefore: true))
    }
}
