import Foundation

extension Parser {
    /// One entry of a parenthesised list before it is known to be a tuple, a named tuple,
    /// a block or a parameter list: `x`, `a = 1`, `args...`, or a generator.
    struct ParenEntry {
        var expr: Expr
        var value: Expr?
        var afterSemicolon: Bool
        var span: SourceSpan { value.map { expr.span.through($0.span) } ?? expr.span }
    }

    /// What came between `(` and `)`.
    struct ParenContents {
        var entries: [ParenEntry] = []
        var sawComma = false
        var sawSemicolon = false
        var leadingSemicolon = false
    }

    // MARK: - Parentheses

    /// `(x)`, `()`, `(a, b)`, `(x,)`, `(a=1, b=2)`, `(; a, b)`, `(a; b)`, `(x for x in v)`,
    /// and the parameter list of `(x, y) -> ...`.
    func parseParen() throws -> Expr {
        let open = advance()
        let contents = try withContext(parenContext) { try parseParenContents(open: open) }
        let close = advance()
        let span = open.span.through(close.span)
        let entries = contents.entries
        if current.isOp("->"), continuesExpression(current) {
            return try parseArrow(Expr(.tuple([]), span), parameters: try parameters(from: contents))
        }
        if contents.leadingSemicolon {
            return Expr(.namedTuple(try namedFields(entries, shorthand: true)), span)
        }
        if contents.sawSemicolon {
            guard !contents.sawComma else {
                throw fail("cannot mix ',' and ';' in parentheses", at: span,
                           hint: "use (a, b) for a tuple, (a; b) for a block, (; a=1) for a named tuple")
            }
            return Expr(.block(entries.map(entryAsExpression)), span)
        }
        if entries.isEmpty { return Expr(.tuple([]), span) }
        if !contents.sawComma, let only = entries.first, entries.count == 1 {
            return only.value == nil ? only.expr : entryAsExpression(only)
        }
        let named = entries.filter { $0.value != nil }.count
        if named == entries.count { return Expr(.namedTuple(try namedFields(entries, shorthand: false)), span) }
        if named > 0 {
            throw fail("a tuple cannot mix named and positional entries", at: span,
                       hint: "write (a=1, b=2) for a named tuple or (1, 2) for a tuple")
        }
        for entry in entries {
            if case .generator = entry.expr.kind, entries.count > 1 {
                throw fail("a generator must be parenthesised when it is not the only entry", at: entry.expr.span,
                           hint: "write ((x for x in v), y)")
            }
        }
        return Expr(.tuple(entries.map(\.expr)), span)
    }

    func parseParenContents(open: Token) throws -> ParenContents {
        var contents = ParenContents()
        var afterSemicolon = false
        while true {
            let token = current
            if token.kind == .rightParen { return contents }
            if token.kind == .semicolon {
                if contents.entries.isEmpty { contents.leadingSemicolon = true }
                contents.sawSemicolon = true
                afterSemicolon = true
                advance()
                continue
            }
            if token.kind == .endOfInput { throw unclosed(open) }
            var entry = ParenEntry(expr: try parseExpression(Prec.assignment + 1), value: nil, afterSemicolon: afterSemicolon)
            if current.isOp("=") {
                advance()
                entry.value = try parseExpression(Prec.assignment + 1)
            } else if isAssignmentOperator(current) {
                // `(du .= -u)`, `(x += 1)`: an updating assignment inside parentheses is an expression.
                let op = advance()
                entry.expr = try makeAssignment(entry.expr, op, try parseExpression(Prec.assignment))
            } else if current.isKeyword(.for) {
                entry.expr = try parseGenerator(body: entry.expr, comprehension: false)
            }
            contents.entries.append(entry)
            switch current.kind {
            case .comma:
                contents.sawComma = true
                advance()
            case .semicolon, .rightParen:
                continue
            default:
                throw expectedClose(open, separator: ",", close: ")")
            }
        }
    }

    /// `name = value` entries (or bare names, when `shorthand`) as named-tuple fields.
    func namedFields(_ entries: [ParenEntry], shorthand: Bool) throws -> [NamedField] {
        try entries.map { entry in
            if let value = entry.value {
                guard case .identifier(let name) = entry.expr.kind else {
                    throw fail("a named-tuple field name must be a plain name", at: entry.expr.span)
                }
                return NamedField(name: name, value: value, span: entry.span)
            }
            if shorthand {
                switch entry.expr.kind {
                case .identifier(let name): return NamedField(name: name, value: entry.expr, span: entry.span)
                case .field(_, let name): return NamedField(name: name, value: entry.expr, span: entry.span)
                default: break
                }
            }
            throw fail("expected 'name = value' in a named tuple", at: entry.expr.span, hint: "write (a=1, b=2) or (; a, b)")
        }
    }

    /// An entry read as an expression: `a = 1` is an assignment.
    func entryAsExpression(_ entry: ParenEntry) -> Expr {
        guard let value = entry.value else { return entry.expr }
        if case .call(let call) = entry.expr.kind, !call.dotted,
           let function = try? shortFunction(call, signature: entry.expr, body: value) {
            return function
        }
        return Expr(.assign(target: entry.expr, value: value), entry.span)
    }

    // MARK: - Errors shared by bracketed lists

    /// "'(' is never closed", at the opening bracket.
    func unclosed(_ open: Token) -> Abort {
        fail("\(open.quoted) is never closed", at: open.span, hint: "add the closing bracket",
             related: [.init(message: "the input ended here", span: current.span)], incomplete: true)
    }

    /// "expected ',' or ')'" at the current token, pointing back at the opening bracket.
    func expectedClose(_ open: Token, separator: String, close: String) -> Abort {
        if current.kind == .endOfInput { return unclosed(open) }
        let missing = current.newlineBefore || current.kind == .keyword(.end)
        return unexpected("expected '\(separator)' or '\(close)'",
                          related: [.init(message: "to match this \(open.quoted)", span: open.span)],
                          hint: missing ? "is a '\(close)' missing?" : hint(for: current))
    }

    // MARK: - Calls

    /// Arguments of `f(...)` or `f.(...)`: positional, `name = value` (before or after `;`),
    /// `; name` (short for `name = name`), `; opts...`, splats and a generator.
    func parseCall(_ callee: Expr, dotted: Bool) throws -> Expr {
        var call = Call(callee: callee, arguments: [], keywords: [], dotted: dotted)
        let close = try parseParenthesizedList { afterSemicolon in
            let argument = try parseExpression(Prec.assignment + 1)
            if current.isOp("=") {
                guard case .identifier(let name) = argument.kind else {
                    throw fail("a keyword argument name must be a plain name", at: argument.span,
                               hint: "write f(x; tol=1e-6); to compare, use ==")
                }
                advance()
                let value = try parseExpression(Prec.assignment + 1)
                call.keywords.append(KeywordArgument(name: name, value: value, span: argument.span.through(value.span),
                                                     followsSemicolon: afterSemicolon))
            } else if afterSemicolon {
                switch argument.kind {
                case .identifier(let name):
                    call.keywords.append(KeywordArgument(name: name, value: argument, span: argument.span,
                                                         followsSemicolon: true))
                case .splat(let inner):
                    call.keywords.append(KeywordArgument(name: "", value: inner, span: argument.span,
                                                         isSplat: true, followsSemicolon: true))
                default:
                    throw fail("expected a keyword argument after ';'", at: argument.span, hint: "write f(x; name=value)")
                }
            } else if current.isKeyword(.for) {
                call.arguments.append(try parseGenerator(body: argument, comprehension: false))
            } else {
                call.arguments.append(argument)
            }
        }
        return Expr(.call(call), callee.span.through(close.span))
    }

    /// Walks `( item, item; item, ... )` from the opening parenthesis: `element` parses one
    /// item, told whether it follows the `;`; commas separate, one `;` starts the keywords.
    /// Returns the closing parenthesis.
    @discardableResult
    func parseParenthesizedList(_ element: (_ afterSemicolon: Bool) throws -> Void) throws -> Token {
        let open = advance()
        try withContext(parenContext) {
            var afterSemicolon = false
            while true {
                let token = current
                if token.kind == .rightParen { break }
                if token.kind == .semicolon {
                    afterSemicolon = true
                    advance()
                    continue
                }
                if token.kind == .endOfInput { throw unclosed(open) }
                try element(afterSemicolon)
                switch current.kind {
                case .comma: advance()
                case .semicolon, .rightParen: continue
                default: throw expectedClose(open, separator: ",", close: ")")
                }
            }
        }
        return advance()
    }

    /// `f(args) do x, y ... end`: the block becomes an anonymous function passed first.
    func parseDo(_ callExpr: Expr) throws -> Expr {
        guard case .call(var call) = callExpr.kind else { return callExpr }
        let keyword = advance()
        var parameters: [Parameter] = []
        do {
            try withContext(blockContext) {
                while !current.newlineBefore, current.kind != .semicolon, current.kind != .endOfInput {
                    parameters.append(try parseParameter())
                    if current.kind == .comma { advance() } else { break }
                }
            }
        } catch {
            synchronizeHeader()
        }
        let body = try parseBody(until: [.end])
        let end = expectEnd(opener: keyword, construct: "do")
        let function = FunctionDefinition(name: nil, parameters: parameters, body: body, form: .arrow)
        call.arguments.insert(Expr(.function(function), keyword.span.through(end)), at: 0)
        return Expr(.call(call), callExpr.span.through(end))
    }
}
