import Foundation

extension Lexer {
    /// ASCII operators, longest first so matching is maximal munch.
    static let asciiOperators: [String] = [
        "...", "===", "!==", ">>>", "<<=", ">>=", "//=",
        "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "\\=", "^=", "%=",
        "|=", "&=", "::", "|>", "<|", "<<", ">>", "//", "<:", ">:",
        "+", "-", "*", "/", "\\", "^", "%", "=", "<", ">", "!", "&", "|", "~", "?", ":", "$",
    ]

    /// Unicode operators Julia code uses in practice; `−` (U+2212) is read as `-`, as Julia does.
    static let unicodeOperators: [String] = [
        "≤", "≥", "≠", "≈", "≡", "∈", "∉", "÷", "×", "⋅", "∘", "√", "∛", "⊻", "∪", "∩", "⊗", "−",
    ]

    /// Operators that have a broadcasting form `.op`.
    static let dottable: Set<String> = [
        "+", "-", "*", "/", "\\", "^", "%", "÷", "//", "==", "!=", "===", "!==", "<", "<=", ">", ">=",
        "≤", "≥", "≠", "≈", "∈", "∉", "=", "+=", "-=", "*=", "/=", "\\=", "^=", "%=", "&", "|", "!",
        "~", "<<", ">>", "&&", "||", "|>", "×", "⋅", "−", "√",
    ]

    /// The ASCII operator starting at `offset`, if any.
    static func matchOperator(_ bytes: [UInt8], at offset: Int) -> String? {
        guard offset < bytes.count, bytes[offset] < 0x80 else { return nil }
        for candidate in asciiOperators {
            let utf8 = candidate.utf8
            guard offset + utf8.count <= bytes.count else { continue }
            var matches = true
            var index = offset
            for byte in utf8 {
                if bytes[index] != byte { matches = false; break }
                index += 1
            }
            if matches { return candidate }
        }
        return nil
    }

    /// The Unicode operator starting at `offset`, if any.
    static func matchUnicodeOperator(_ bytes: [UInt8], at offset: Int) -> String? {
        guard offset < bytes.count, bytes[offset] >= 0x80,
              let scalar = CharacterClasses.decode(bytes, at: offset).scalar else { return nil }
        let text = String(Character(scalar))
        return unicodeOperators.contains(text) ? text : nil
    }

    /// Spellings Julia treats as the same operator.
    static func normalised(_ spelling: String) -> String {
        spelling == "−" ? "-" : spelling
    }

    /// Advice for an ASCII character that starts no token.
    static func hint(forCharacter byte: UInt8) -> String? {
        switch byte {
        case UInt8(ascii: "`"): return "backticks run shell commands in Julia, which Fluxion does not support"
        case 0x09...0x0D: return nil
        default: return byte < 0x20 ? "remove the control character" : nil
        }
    }

    /// Advice for a non-ASCII character that starts no token, mostly from pasted text.
    static func hint(forScalar scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x201C, 0x201D, 0x201E: return "use straight double quotes \" for strings"
        case 0x2018, 0x2019: return "use ' for the adjoint and straight double quotes \" for strings"
        case 0x2013, 0x2014: return "use '-' (an ASCII hyphen-minus)"
        case 0x2026: return "use '...' (three periods) to splat"
        case 0xFFFD: return "the text holds a replacement character; save the file as UTF-8"
        default: return nil
        }
    }
}
