import Foundation

/// Reserved words of the language (Julia's, including those Fluxion only recognises to
/// refuse them clearly, such as `struct`).
public enum Keyword: String, Sendable, CaseIterable {
    case baremodule, begin, `break`, `catch`, const, `continue`, `do`, `else`, elseif, end, export
    case `false`, finally, `for`, function, global, `if`, `import`, `in`, isa, `let`, local, macro
    case module, quote, `return`, `struct`, `true`, `try`, using, `while`
}

/// What a token is. Operators and punctuation keep their spelling in `.op`.
public enum TokenKind: Sendable, Equatable {
    /// An integer literal (decimal, `0x`, `0b`, `0o`; `_` separators removed).
    case integer(Int)
    /// A floating-point literal (`1.5`, `1e-3`, `.5`, `1f0`).
    case float(Double)
    /// A name, possibly Unicode and ending in `!`.
    case identifier(String)
    /// A reserved word.
    case keyword(Keyword)
    /// An operator or punctuation spelled as in the source, e.g. `+`, `.+`, `.=`, `->`, `...`,
    /// `'`, `.`, `::`, `?`, `:`. Unicode spellings with an ASCII twin are normalised (`−` to `-`).
    case op(String)
    /// A macro name after `@`; `@.` has name `.`.
    case macro(String)
    /// `(`
    case leftParen
    /// `)`
    case rightParen
    /// `[`
    case leftBracket
    /// `]`
    case rightBracket
    /// `{`
    case leftBrace
    /// `}`
    case rightBrace
    /// `,`
    case comma
    /// `;`
    case semicolon
    /// Opening `"` or `"""` of a string.
    case stringStart(triple: Bool)
    /// Literal text of a string, escapes already processed.
    case stringText(String)
    /// `$name` inside a string.
    case interpolatedName(String)
    /// `$(` inside a string.
    case interpolationStart
    /// The `)` that closes `$(`.
    case interpolationEnd
    /// Closing quote of a string.
    case stringEnd
    /// Bytes the lexer could not make sense of (already reported).
    case invalid
    /// End of input.
    case endOfInput
}

/// A token: its kind, where it is, and the whitespace before it (Julia's syntax depends on
/// it: `[a -b]` has two elements, `[a - b]` one; a newline ends a statement).
public struct Token: Sendable, Equatable {
    /// What the token is.
    public var kind: TokenKind
    /// Where it is.
    public var span: SourceSpan
    /// Whitespace or a comment comes directly before the token.
    public var spaceBefore: Bool
    /// A line break comes between the previous token and this one.
    public var newlineBefore: Bool

    /// A token from its parts.
    public init(kind: TokenKind, span: SourceSpan, spaceBefore: Bool, newlineBefore: Bool) {
        self.kind = kind
        self.span = span
        self.spaceBefore = spaceBefore
        self.newlineBefore = newlineBefore
    }

    /// How the token reads in an error message: `'end'`, `identifier 'x'`, `end of input`.
    public var quoted: String {
        switch kind {
        case .integer(let value): return "number '\(value)'"
        case .float(let value): return "number '\(value)'"
        case .identifier(let name): return "identifier '\(name)'"
        case .keyword(let word): return "'\(word.rawValue)'"
        case .op(let spelling): return "'\(spelling)'"
        case .macro(let name): return "macro '@\(name)'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .semicolon: return "';'"
        case .stringStart, .stringText, .interpolatedName, .interpolationStart, .interpolationEnd, .stringEnd:
            return "string"
        case .invalid: return "invalid text"
        case .endOfInput: return "end of input"
        }
    }

    /// True for the operator spelled `spelling`.
    func isOp(_ spelling: String) -> Bool {
        if case .op(let s) = kind { return s == spelling }
        return false
    }

    /// True for the keyword `word`.
    func isKeyword(_ word: Keyword) -> Bool {
        if case .keyword(let k) = kind { return k == word }
        return false
    }

    /// The operator spelling, if this is an operator.
    var opSpelling: String? {
        if case .op(let s) = kind { return s }
        return nil
    }
}
