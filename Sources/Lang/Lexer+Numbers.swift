import Foundation

extension Lexer {
    // MARK: - Numbers

    /// Integers (`1`, `1_000`, `0x1F`, `0b101`, `0o17`) and floats (`1.5`, `.5`, `1.`,
    /// `1e-3`, `2.5E+2`, and Float32 spellings `1f0`, `1.5f-3`, read as Float64).
    ///
    /// A `.` after digits belongs to the number only if a digit follows, or an exponent, or
    /// nothing that could continue an expression: `1.+x` is `1 .+ x`, `1:2` stays a range,
    /// `x[1.]` is a float. A letter right after the number is left for juxtaposition (`2x`).
    mutating func lexNumber() {
        if byte() == UInt8(ascii: "0"), let prefix = byte(1),
           let radix = [UInt8(ascii: "x"): 16, UInt8(ascii: "b"): 2, UInt8(ascii: "o"): 8][prefix],
           let first = byte(2), Lexer.digitValue(first, radix: radix) != nil {
            lexRadixInteger(radix: radix)
            return
        }
        var text = ""
        var isFloat = false
        consumeDigits(into: &text)
        if byte() == UInt8(ascii: ".") {
            let next = byte(1)
            if let next, Lexer.isDigit(next) {
                isFloat = true
                advance(); text += "."
                consumeDigits(into: &text)
            } else if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") || next == UInt8(ascii: "f"),
                      exponentFollows(at: offset + 1) {
                isFloat = true
                advance(); text += "."
            } else if !text.isEmpty, next.map({ !Lexer.continuesAfterDot($0) }) ?? true {
                isFloat = true
                advance(); text += "."
            }
        }
        if let e = byte(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") || e == UInt8(ascii: "f"),
           exponentFollows(at: offset) {
            isFloat = true
            advance()
            text += "e"
            if let sign = byte(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                text.append(Character(Unicode.Scalar(sign)))
                advance()
            }
            consumeDigits(into: &text)
        }
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasSuffix(".") { text += "0" }
        if isFloat {
            let value = Double(text) ?? .infinity
            if !value.isFinite {
                report("number \(String(decoding: bytes[tokenStart..<offset], as: UTF8.self)) is too large for a Float64",
                       currentSpan, hint: "the largest Float64 is about 1.8e308")
            }
            emit(.float(value))
        } else if let value = Int(text) {
            emit(.integer(value))
        } else {
            report("integer \(text) is too large for a 64-bit Int", currentSpan,
                   hint: "write it as a float, e.g. \(text.prefix(1)).0e\(text.count - 1)")
            emit(.float(Double(text) ?? 0))
        }
    }

    /// `0x1F`, `0b101`, `0o17` with `_` separators.
    mutating func lexRadixInteger(radix: Int) {
        advance(); advance()
        var value: UInt64 = 0
        var overflow = false
        while let b = byte() {
            if b == UInt8(ascii: "_"), let next = byte(1), Lexer.digitValue(next, radix: radix) != nil {
                advance()
                continue
            }
            guard let digit = Lexer.digitValue(b, radix: radix) else { break }
            let (times, o1) = value.multipliedReportingOverflow(by: UInt64(radix))
            let (sum, o2) = times.addingReportingOverflow(UInt64(digit))
            overflow = overflow || o1 || o2
            value = sum
            advance()
        }
        if overflow || value > UInt64(Int.max) {
            report("integer literal is too large for a 64-bit Int", currentSpan)
            emit(.integer(0))
        } else {
            emit(.integer(Int(value)))
        }
    }

    /// Decimal digits with single `_` separators between them.
    mutating func consumeDigits(into text: inout String) {
        while let b = byte() {
            if Lexer.isDigit(b) {
                text.append(Character(Unicode.Scalar(b)))
                advance()
            } else if b == UInt8(ascii: "_"), let next = byte(1), Lexer.isDigit(next), !text.isEmpty {
                advance()
            } else {
                return
            }
        }
    }

    /// Whether `e`/`E`/`f` at `index` starts an exponent: a digit, or a sign then a digit.
    func exponentFollows(at index: Int) -> Bool {
        var i = index + 1
        guard i < bytes.count else { return false }
        if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        return i < bytes.count && Lexer.isDigit(bytes[i])
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// After `1.`, characters that make the `.` something else: an operator (`1.+x`), a
    /// second dot (`1...`), or a name (`1.x`, read as field access and refused by the parser).
    static func continuesAfterDot(_ b: UInt8) -> Bool {
        if b >= 0x80 { return true }
        let scalar = Unicode.Scalar(b)
        if CharacterClasses.isIdentifierStart(scalar) { return true }
        return "+-*/\\^%=<>!&|~.'(".unicodeScalars.contains(scalar)
    }

    static func digitValue(_ b: UInt8, radix: Int) -> Int? {
        let value: Int
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(b - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(b - UInt8(ascii: "A")) + 10
        default: return nil
        }
        return value < radix ? value : nil
    }
}
