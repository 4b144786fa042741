import Foundation

/// Byte- and scalar-level classification for the lexer: UTF-8 decoding that never traps,
/// and Julia's identifier and whitespace rules.
enum CharacterClasses {
    /// Decodes one scalar at `offset`. Returns `nil` and length 1 for a byte that does not
    /// start a valid, shortest-form UTF-8 sequence (stray continuation bytes, overlong forms,
    /// surrogates, values above U+10FFFF, truncated sequences).
    static func decode(_ bytes: [UInt8], at offset: Int) -> (scalar: Unicode.Scalar?, length: Int) {
        let lead = bytes[offset]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: return (nil, 1)
        }
        guard offset + length <= bytes.count else { return (nil, 1) }
        for index in 1..<length {
            let byte = bytes[offset + index]
            guard byte & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return (nil, 1) }
        return (scalar, length)
    }

    /// Whether `scalar` can start a name. Julia allows letters, `_`, letter-like numbers,
    /// currency and other symbols (emoji), and a few mathematical symbols used as names
    /// (∇, ∂, ∑, ∏); operator symbols are excluded.
    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A) || value == 0x5F
        }
        if value == 0x2207 || value == 0x2202 || value == 0x2211 || value == 0x220F { return true }  // ∇ ∂ ∑ ∏
        if value == 0xFFFD || value == 0xFEFF { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .letterNumber, .currencySymbol:
            return true
        case .otherSymbol:
            return !(0x2190...0x21FF).contains(value)  // arrows are operators
        default:
            return false
        }
    }

    /// Whether `scalar` can continue a name: a start character, a digit, a combining mark
    /// (`û`, `x̄`), a subscript or superscript (`α₁`, `x²`), a connector, or a prime (`u′`).
    /// `!` is handled by the lexer (it continues a name unless `=` follows).
    static func isIdentifierContinue(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return isIdentifierStart(scalar) || (value >= 0x30 && value <= 0x39) }
        if isIdentifierStart(scalar) { return true }
        if (0x2032...0x2037).contains(value) || value == 0x2057 { return true }  // primes
        switch scalar.properties.generalCategory {
        case .decimalNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark,
             .connectorPunctuation, .modifierSymbol:
            return true
        default:
            return false
        }
    }

    /// Non-ASCII characters treated as blanks: no-break space and other space separators
    /// (pasted web code is full of them), zero-width space and the byte-order mark.
    static func isExtraWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value == 0x200B || value == 0xFEFF { return true }
        return value >= 0x80 && scalar.properties.generalCategory == .spaceSeparator
    }

    /// Whether the scalar is zero-width on screen (combining marks, joiners, variation
    /// selectors), so it does not advance the column.
    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value == 0x200D || (0xFE00...0xFE0F).contains(value) { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return true
        default: return false
        }
    }
}
