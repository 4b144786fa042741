import Foundation

/// Recursive descent for statements and blocks, Pratt (precedence climbing) for expressions.
///
/// The parser never stops at the first error: it reports a `Diagnostic`, unwinds the
/// statement with `Abort`, skips to the next statement boundary (`synchronize`) and goes
/// on, so one run shows several errors (at most `maxErrors`). Every nesting step counts
/// against `maxDepth`, so no input can exhaust the stack.
///
/// Julia's syntax depends on layout, which the parser reads from each token's
/// `spaceBefore`/`newlineBefore` flags under a `Context`: whether a newline ends the
/// expression (statements, matrix rows) or is a blank (inside parentheses), whether blanks
/// separate elements (`[a -b]`), whether `end` means the last index (`x[end]`), and whether
/// `:` makes ranges (not in the middle of `c ? a : b`).
final class Parser {
    /// Nesting deeper than this is refused with an error instead of risking the stack.
    static let maxDepth = 500
    /// Parsing stops after this many errors.
    static let maxErrors = 20

    /// Layout rules in force for the expression being parsed.
    struct Context {
        /// A newline ends the expression (statement level, matrix rows, macro arguments).
        var newlinesEnd = true
        /// Blanks separate elements: `[a -b]` is two elements, `[f (x)]` too.
        var spaceSensitive = false
        /// `end` and `begin` are the last and first index (inside `x[...]`).
        var endIsIndex = false
        /// `:` builds ranges (off in the then-branch of a ternary).
        var rangeColon = true
        /// Brackets opened since the innermost block (for error recovery).
        var bracketDepth = 0
        /// Somewhere inside brackets, even if a block intervened less recently.
        var insideBrackets = false

        /// Statement level, and the body of every block.
        static let block = Context()
    }

    /// Unwinds the statement being parsed after an error was reported.
    struct Abort: Error {}
    /// Unwinds everything once `maxErrors` errors were reported.
    struct TooManyErrors: Error {}

    let tokens: [Token]
    var position = 0
    var context = Context.block
    var depth = 0
    var diagnostics: [Diagnostic] = []
    var errorCount = 0
    /// Where errors were reported: a second error at the same place adds nothing.
    var errorOffsets: Set<Int> = []
    /// `context.bracketDepth` when the last error was reported, for `synchronize`.
    var bracketDepthAtError = 0
    /// `end`s whose indentation differs from the block they close: evidence for where a
    /// missing `end` belongs.
    var misalignedEnds: [(opener: Token, end: Token)] = []
    /// Offsets of `if` tokens written as `else if` (a new block that needs its own `end`).
    var elseIfOffsets: Set<Int> = []

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// All top-level statements. Diagnostics accumulate in `diagnostics`.
    func parseProgram() -> [Expr] {
        do {
            return try parseStatements(until: [])
        } catch {
            report("too many errors; stopped after \(Parser.maxErrors)", at: current.span, severity: .note)
            return []
        }
    }

    // MARK: - Tokens

    var current: Token { tokens[position] }

    func peek(_ ahead: Int = 1) -> Token {
        tokens[min(position + ahead, tokens.count - 1)]
    }

    var previous: Token? { position > 0 ? tokens[position - 1] : nil }

    @discardableResult
    func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    func withContext<T>(_ new: Context, _ body: () throws -> T) rethrows -> T {
        let saved = context
        context = new
        defer { context = saved }
        return try body()
    }

    /// Inside `(...)` or a call: newlines and blanks are just blanks.
    var parenContext: Context {
        var c = context
        c.newlinesEnd = false
        c.spaceSensitive = false
        c.rangeColon = true
        c.bracketDepth += 1
        c.insideBrackets = true
        return c
    }

    /// Inside `[...]`: blanks separate elements and newlines separate rows.
    func squareContext(indexing: Bool) -> Context {
        var c = context
        c.newlinesEnd = true
        c.spaceSensitive = true
        c.rangeColon = true
        c.endIsIndex = indexing || c.endIsIndex
        c.bracketDepth += 1
        c.insideBrackets = true
        return c
    }

    /// The body of a block (also a block header): statement rules again.
    var blockContext: Context {
        var c = Context.block
        c.insideBrackets = context.insideBrackets
        return c
    }

    // MARK: - Nesting

    func enter() throws {
        if depth >= Parser.maxDepth {
            throw fail("expression is nested too deeply (more than \(Parser.maxDepth) levels)", at: current.span,
                       hint: "split it into smaller pieces with intermediate variables")
        }
        depth += 1
    }

    func leave() { depth -= 1 }

    /// Checks a left-leaning chain (`a+b+c+...`, `f(x)(y)...`), which loops rather than
    /// recurses but still builds a deep tree.
    func checkChain(_ length: Int) throws {
        if depth + length > Parser.maxDepth {
            throw fail("expression is nested too deeply (more than \(Parser.maxDepth) levels)", at: current.span,
                       hint: "split it into smaller pieces with intermediate variables")
        }
    }

    // MARK: - Errors

    /// Records an error (or note) without unwinding.
    func report(_ message: String, at span: SourceSpan, hint: String? = nil, related: [Diagnostic.Related] = [],
                severity: Diagnostic.Severity = .error, incomplete: Bool = false) {
        bracketDepthAtError = context.bracketDepth
        if severity == .error {
            guard errorOffsets.insert(span.start).inserted else { return }
            errorCount += 1
        }
        diagnostics.append(Diagnostic(severity: severity, message: message, span: span, hint: hint,
                                      related: related, isIncompleteInput: incomplete))
    }

    /// Records an error and returns the `Abort` to throw. At an `.invalid` token (already
    /// reported by the lexer) it records nothing.
    func fail(_ message: String, at span: SourceSpan, hint: String? = nil, related: [Diagnostic.Related] = [],
              incomplete: Bool = false) -> Abort {
        if current.kind == .invalid, current.span.start == span.start {
            bracketDepthAtError = context.bracketDepth
            return Abort()
        }
        let atEnd = current.kind == .endOfInput && span.start >= current.span.start
        report(message, at: span, hint: hint, related: related, incomplete: incomplete || atEnd)
        return Abort()
    }

    /// "expected X, found Y" at the current token, with the Julia-ism hints of `hint(for:)`.
    func unexpected(_ expectation: String, related: [Diagnostic.Related] = [], hint: String? = nil) -> Abort {
        let token = current
        if token.kind == .endOfInput {
            return fail("\(expectation), but the input ended", at: token.span, hint: hint, related: related, incomplete: true)
        }
        return fail("\(expectation), found \(token.quoted)", at: token.span, hint: hint ?? self.hint(for: token), related: related)
    }

    // MARK: - Recovery

    static let blockTerminators: Set<Keyword> = [.end, .else, .elseif, .catch, .finally]

    /// After an error in the statement that began at `start`: skips to a plausible
    /// statement boundary: a newline or `;` outside brackets, a block keyword that closes
    /// the enclosing block, or a line that starts no further right than the statement did
    /// (which is how an unclosed bracket is usually noticed).
    func synchronize(statementStart start: Int) {
        var depth = bracketDepthAtError
        let column = tokens[start].span.column
        while true {
            let token = current
            if token.kind == .endOfInput { return }
            if position > start {
                if depth <= 0, token.newlineBefore || token.kind == .semicolon { return }
                if token.newlineBefore, token.span.column <= column { return }
                if case .keyword(let word) = token.kind, Parser.blockTerminators.contains(word),
                   depth <= 0 || token.newlineBefore { return }
            }
            switch token.kind {
            case .leftParen, .leftBracket, .leftBrace, .interpolationStart, .stringStart: depth += 1
            case .rightParen, .rightBracket, .rightBrace, .interpolationEnd, .stringEnd: depth -= 1
            default: break
            }
            advance()
        }
    }

    /// After an error in a block header (`for ...`, `function f(...)`): skips to the end of
    /// the line so the body is still parsed.
    func synchronizeHeader() {
        while true {
            let token = current
            if token.kind == .endOfInput || token.newlineBefore || token.kind == .semicolon { return }
            if case .keyword(let word) = token.kind, Parser.blockTerminators.contains(word) { return }
            advance()
        }
    }
}
