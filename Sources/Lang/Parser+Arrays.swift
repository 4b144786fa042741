import Foundation

extension Parser {
    // MARK: - Square brackets

    /// What came between `[` and `]`.
    enum BracketContents {
        case list([Expr])
        case rows([[Expr]])
        case generator(Generator, SourceSpan)
    }

    /// An array literal `[...]` (`indexing` nil) or an index `x[...]`.
    func parseBracket(indexing base: Expr?) throws -> Expr {
        let open = advance()
        let contents = try withContext(squareContext(indexing: base != nil)) { try parseBracketContents(open: open) }
        let close = advance()
        let span = (base?.span ?? open.span).through(close.span)
        let literalSpan = open.span.through(close.span)
        let literal: Expr
        switch contents {
        case .list(let items):
            if let base { return Expr(.index(base, items), span) }
            return Expr(.vector(items), span)
        case .rows(let rows):
            literal = Expr(.concat(rows: rows), literalSpan)
        case .generator(let generator, _):
            literal = Expr(.comprehension(generator), literalSpan)
        }
        if let base { return Expr(.typedArray(type: base, array: literal), span) }
        return literal
    }

    /// Julia's rules: commas make a list; `;`, newlines and blanks make rows of a matrix
    /// (`[1 2; 3 4]`); `for` after the first element makes a comprehension.
    func parseBracketContents(open: Token) throws -> BracketContents {
        if current.kind == .rightBracket { return .list([]) }
        if current.kind == .endOfInput { throw unclosed(open) }
        let first = try parseExpression(Prec.assignment + 1)
        if current.isKeyword(.for) {
            let generator = try parseGenerator(body: first, comprehension: true)
            guard current.kind == .rightBracket else { throw expectedClose(open, separator: "for", close: "]") }
            guard case .comprehension(let g) = generator.kind else { return .list([generator]) }
            return .generator(g, generator.span)
        }
        if current.kind == .comma || current.kind == .rightBracket {
            var items = [first]
            while current.kind == .comma {
                advance()
                if current.kind == .rightBracket { break }
                if current.kind == .endOfInput { throw unclosed(open) }
                items.append(try parseExpression(Prec.assignment + 1))
            }
            guard current.kind == .rightBracket else {
                if current.newlineBefore { throw expectedClose(open, separator: ",", close: "]") }
                if current.kind == .semicolon || (current.spaceBefore && canStartExpression(current)) {
                    throw unexpected("cannot mix ',' with spaces or ';' in an array literal",
                                     hint: "use [1, 2, 3] for a vector or [1 2; 3 4] for a matrix")
                }
                throw expectedClose(open, separator: ",", close: "]")
            }
            return .list(items)
        }
        var rows: [[Expr]] = [[first]]
        var afterSemicolon = false
        while true {
            let token = current
            if token.kind == .rightBracket { break }
            if token.kind == .endOfInput { throw unclosed(open) }
            if token.kind == .semicolon {
                afterSemicolon = true
                advance()
                if current.kind == .semicolon, !current.spaceBefore {
                    throw fail("';;' (higher-dimensional concatenation) is not supported", at: token.span.through(current.span),
                               hint: "build matrices with [a b; c d]")
                }
                if let last = rows.last, !last.isEmpty { rows.append([]) }
                continue
            }
            if token.kind == .comma {
                throw unexpected("cannot mix ',' with spaces or ';' in a matrix literal",
                                 hint: "separate elements of a row with spaces and rows with ';' or newlines")
            }
            if token.isKeyword(.for) {
                throw unexpected("a comprehension takes a single expression before 'for'",
                                 hint: "write [f(x) for x in v]")
            }
            if token.newlineBefore {
                if let last = rows.last, !last.isEmpty { rows.append([]) }
            } else if !token.spaceBefore && !afterSemicolon {
                throw expectedClose(open, separator: " ", close: "]")
            }
            afterSemicolon = false
            guard canStartExpression(token) else { throw expectedClose(open, separator: ";", close: "]") }
            let element = try parseExpression(Prec.assignment + 1)
            rows[rows.count - 1].append(element)
        }
        if let last = rows.last, last.isEmpty { rows.removeLast() }
        return .rows(rows)
    }

    // MARK: - Generators

    /// `body for x in a, y in b if c for z in d` after the body (current token is `for`).
    func parseGenerator(body: Expr, comprehension: Bool) throws -> Expr {
        var clauses: [GeneratorClause] = []
        var end = body.span
        while current.isKeyword(.for) {
            advance()
            let bindings = try parseLoopBindings()
            end = bindings.last?.span ?? end
            clauses.append(.iterate(bindings))
            while current.isKeyword(.if) {
                advance()
                let condition = try parseExpression(Prec.assignment + 1)
                clauses.append(.filter(condition))
                end = condition.span
            }
        }
        let generator = Generator(body: body, clauses: clauses)
        return Expr(comprehension ? .comprehension(generator) : .generator(generator), body.span.through(end))
    }

    /// `x in a, (i, y) = b, z ∈ c`.
    func parseLoopBindings() throws -> [LoopBinding] {
        var bindings: [LoopBinding] = []
        repeat {
            if current.kind == .comma { advance() }
            let target = try parseLoopTarget()
            let token = current
            guard token.isKeyword(.in) || token.isOp("=") || token.isOp("∈") else {
                throw unexpected("expected 'in' after the loop variable", hint: "write for i in 1:n")
            }
            advance()
            let iterable = try parseExpression(Prec.assignment + 1)
            bindings.append(LoopBinding(target: target, iterable: iterable, span: target.span.through(iterable.span)))
        } while current.kind == .comma
        return bindings
    }

    /// A loop variable: a name or a parenthesised tuple of loop variables.
    func parseLoopTarget() throws -> Expr {
        try enter()
        defer { leave() }
        let token = current
        switch token.kind {
        case .identifier(let name):
            advance()
            return Expr(.identifier(name), token.span)
        case .leftParen:
            advance()
            var items: [Expr] = []
            try withContext(parenContext) {
                while current.kind != .rightParen {
                    items.append(try parseLoopTarget())
                    if current.kind == .comma { advance(); continue }
                    guard current.kind == .rightParen else { throw expectedClose(token, separator: ",", close: ")") }
                }
            }
            let close = advance()
            return Expr(.tuple(items), token.span.through(close.span))
        default:
            throw unexpected("expected a loop variable")
        }
    }
}
