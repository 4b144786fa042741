import Foundation

extension Lexer {
    // MARK: - Strings

    /// `"` or `"""`: emits the start token and enters string mode.
    mutating func lexStringStart() {
        let triple = byte(1) == UInt8(ascii: "\"") && byte(2) == UInt8(ascii: "\"")
        advance()
        if triple {
            advance(); advance()
            // Julia drops a newline directly after the opening """.
            if byte() == UInt8(ascii: "\r"), byte(1) == UInt8(ascii: "\n") { advance() }
            if byte() == UInt8(ascii: "\n") { advance() }
        }
        let open = currentSpan
        emit(.stringStart(triple: triple))
        let indent = triple ? commonIndentation(from: offset) : 0
        atLineStart = triple
        modes.append(.string(triple: triple, open: open, indent: indent))
    }

    /// Text up to the next `$`, closing quote or end of input.
    mutating func lexStringBody(triple: Bool, indent: Int) {
        markStart()
        var text: [UInt8] = []
        while let b = byte() {
            if atLineStart {
                atLineStart = false
                var stripped = 0
                while stripped < indent, let c = byte(), c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") {
                    advance()
                    stripped += 1
                }
                continue
            }
            if b == UInt8(ascii: "\n") && triple {
                text.append(b)
                advance()
                atLineStart = true
            } else if b == UInt8(ascii: "\"") {
                if !triple || (byte(1) == UInt8(ascii: "\"") && byte(2) == UInt8(ascii: "\"")) { break }
                text.append(b)
                advance()
            } else if b == UInt8(ascii: "\\") {
                if let scalar = lexEscape() { text.append(contentsOf: Array(String(Character(scalar)).utf8)) }
            } else if b == UInt8(ascii: "$") {
                break
            } else if b == UInt8(ascii: "\r"), byte(1) == UInt8(ascii: "\n") {
                // A Windows line end in a multi-line string reads as "\n".
                advance()
            } else if b >= 0x80 {
                let (scalar, length) = CharacterClasses.decode(bytes, at: offset)
                if scalar == nil {
                    report("invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true)) in string", hereSpanOfByte,
                           hint: "save the file as UTF-8")
                }
                text.append(contentsOf: bytes[offset..<offset + length])
                advance()
            } else {
                text.append(b)
                advance()
            }
        }
        if !text.isEmpty { emit(.stringText(String(decoding: text, as: UTF8.self))) }
        // At the end of input the string stays open; `finish` reports and closes it.
        guard let b = byte() else { return }
        markStart()
        if b == UInt8(ascii: "\"") {
            advance()
            if triple { advance(); advance() }
            modes.removeLast()
            emit(.stringEnd)
            return
        }
        // `$`
        advance()
        if byte() == UInt8(ascii: "(") {
            advance()
            emit(.interpolationStart)
            modes.append(.interpolation(depth: 0, open: currentSpan))
            return
        }
        if !atEnd, let scalar = CharacterClasses.decode(bytes, at: offset).scalar,
           CharacterClasses.isIdentifierStart(scalar) {
            var scalars = String.UnicodeScalarView()
            while !atEnd {
                let b = bytes[offset]
                guard let next = CharacterClasses.decode(bytes, at: offset).scalar else { break }
                let continues = CharacterClasses.isIdentifierContinue(next)
                    || (b == UInt8(ascii: "!") && byte(1) != UInt8(ascii: "="))
                guard continues else { break }
                scalars.append(next)
                advance()
            }
            let name = String(scalars)
            if Keyword(rawValue: name) != nil, name != "true", name != "false" {
                report("cannot interpolate the keyword '\(name)'", currentSpan, hint: "write \\$ for a literal dollar sign")
            }
            emit(.interpolatedName(name))
            return
        }
        report("'$' in a string must be followed by a name or '('", currentSpan,
               hint: "write \\$ for a literal dollar sign")
        emit(.stringText("$"))
    }

    /// Julia strips the indentation common to all lines of a triple-quoted string: lines
    /// holding only blanks do not count, except the one with the closing quotes. Scans the
    /// raw text from `start` (just after the opening quotes and newline) to the closing
    /// quotes, skipping escapes and `$(...)`.
    func commonIndentation(from start: Int) -> Int {
        var index = start
        var minimum = Int.max
        var lineStart = true
        var depth = 0
        while index < bytes.count {
            let b = bytes[index]
            if lineStart && depth == 0 {
                lineStart = false
                var width = 0
                while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
                    width += 1
                    index += 1
                }
                guard index < bytes.count else { break }
                let next = bytes[index]
                let closes = next == UInt8(ascii: "\"") && index + 2 < bytes.count
                    && bytes[index + 1] == UInt8(ascii: "\"") && bytes[index + 2] == UInt8(ascii: "\"")
                if next != UInt8(ascii: "\n") && next != UInt8(ascii: "\r") || closes { minimum = min(minimum, width) }
                continue
            }
            if depth == 0 {
                if b == UInt8(ascii: "\"") && index + 2 < bytes.count
                    && bytes[index + 1] == UInt8(ascii: "\"") && bytes[index + 2] == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") { index += 2; continue }
                if b == UInt8(ascii: "$") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "(") {
                    depth = 1
                    index += 2
                    continue
                }
                if b == UInt8(ascii: "\n") { lineStart = true }
            } else if b == UInt8(ascii: "(") {
                depth += 1
            } else if b == UInt8(ascii: ")") {
                depth -= 1
            }
            index += 1
        }
        return minimum == Int.max ? 0 : minimum
    }

    /// One escape after `\`; returns the scalar, or nil for a line continuation or an error.
    mutating func lexEscape() -> Unicode.Scalar? {
        let start = hereSpan
        advance()
        guard let b = byte() else { return nil }
        let simple: [UInt8: Unicode.Scalar] = [
            UInt8(ascii: "n"): "\n", UInt8(ascii: "t"): "\t", UInt8(ascii: "r"): "\r", UInt8(ascii: "\\"): "\\",
            UInt8(ascii: "\""): "\"", UInt8(ascii: "$"): "$", UInt8(ascii: "'"): "'", UInt8(ascii: "0"): "\0",
            UInt8(ascii: "a"): "\u{07}", UInt8(ascii: "b"): "\u{08}", UInt8(ascii: "f"): "\u{0C}",
            UInt8(ascii: "v"): "\u{0B}", UInt8(ascii: "e"): "\u{1B}",
        ]
        if let scalar = simple[b] {
            advance()
            return scalar
        }
        if b == UInt8(ascii: "\n") || (b == UInt8(ascii: "\r") && byte(1) == UInt8(ascii: "\n")) {
            // Line continuation: drop the newline and the next line's indentation.
            if b == UInt8(ascii: "\r") { advance() }
            advance()
            while let c = byte(), c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { advance() }
            return nil
        }
        if b == UInt8(ascii: "x") || b == UInt8(ascii: "u") || b == UInt8(ascii: "U") {
            let maxDigits = b == UInt8(ascii: "x") ? 2 : b == UInt8(ascii: "u") ? 4 : 8
            advance()
            let braced = b != UInt8(ascii: "x") && byte() == UInt8(ascii: "{")
            if braced { advance() }
            var value: UInt32 = 0
            var count = 0
            while count < (braced ? 8 : maxDigits), let c = byte(), let digit = Lexer.digitValue(c, radix: 16) {
                value = value * 16 + UInt32(digit)
                count += 1
                advance()
            }
            if braced {
                if byte() == UInt8(ascii: "}") { advance() } else { count = 0 }
            }
            let span = SourceSpan(file: file, start: start.start, end: offset, line: start.line, column: start.column)
            guard count > 0, let scalar = Unicode.Scalar(value) else {
                report("invalid escape sequence", span, hint: "write \\u{3b8} or \\u03b8 for a Unicode character")
                return nil
            }
            return scalar
        }
        advance()
        let span = SourceSpan(file: file, start: start.start, end: offset, line: start.line, column: start.column)
        let shown = String(decoding: bytes[start.start..<offset], as: UTF8.self)
        report("invalid escape sequence '\(shown)'", span, hint: "write \\\\ for a backslash")
        return nil
    }
}
