import Foundation

extension Parser {
    // MARK: - Postfix

    /// Calls, indexing, field access, `f.(x)`, `'`, `::T`, `{T}` and `do` blocks.
    func parsePostfix(_ base: Expr) throws -> Expr {
        var expr = base
        var chain = 0
        loop: while true {
            let token = current
            if context.newlinesEnd && token.newlineBefore { break }
            let isNumber: Bool
            switch expr.kind {
            case .integer, .float: isNumber = true
            default: isNumber = false
            }
            switch token.kind {
            case .leftParen:
                guard !token.spaceBefore, !isNumber else { break loop }
                expr = try parseCall(expr, dotted: false)
            case .leftBracket:
                guard !token.spaceBefore, !isNumber else { break loop }
                expr = try parseBracket(indexing: expr)
            case .leftBrace:
                guard !token.spaceBefore else { break loop }
                expr = try parseCurly(expr)
            case .op("."):
                if token.spaceBefore && context.spaceSensitive { break loop }
                let next = peek()
                if next.kind == .leftParen, !next.spaceBefore {
                    advance()
                    expr = try parseCall(expr, dotted: true)
                } else if case .identifier(let name) = next.kind, !next.newlineBefore {
                    advance()
                    advance()
                    expr = Expr(.field(expr, name: name), expr.span.through(next.span))
                } else {
                    advance()
                    throw unexpected("expected a field name after '.'")
                }
            case .op("'"):
                advance()
                expr = Expr(.adjoint(expr), expr.span.through(token.span))
            case .op("::"):
                advance()
                try enter()
                defer { leave() }
                let type = try parsePostfix(try parsePrimary())
                expr = Expr(.typed(expr, type: type), expr.span.through(type.span))
            case .keyword(.do):
                guard case .call = expr.kind else { break loop }
                expr = try parseDo(expr)
            case .stringStart:
                guard !token.spaceBefore, case .identifier(let name) = expr.kind else { break loop }
                throw fail("string macros like \(name)\"...\" are not supported", at: expr.span.through(token.span),
                           hint: "use a plain string \"...\"")
            default:
                break loop
            }
            chain += 1
            try checkChain(chain)
        }
        return expr
    }

    /// `T{A, B}`.
    func parseCurly(_ base: Expr) throws -> Expr {
        let open = advance()
        var arguments: [Expr] = []
        try withContext(parenContext) {
            while current.kind != .rightBrace {
                arguments.append(try parseExpression(Prec.assignment + 1))
                if current.kind == .comma { advance(); continue }
                guard current.kind == .rightBrace else {
                    throw unexpected("expected ',' or '}'", related: [.init(message: "'{' opened here", span: open.span)])
                }
            }
        }
        let close = advance()
        return Expr(.curly(base, arguments), base.span.through(close.span))
    }

    // MARK: - Primary

    /// Literals, names, brackets, strings, macros and the block constructs.
    func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .integer(let value):
            advance()
            return Expr(.integer(value), token.span)
        case .float(let value):
            advance()
            return Expr(.float(value), token.span)
        case .identifier(let name):
            advance()
            return Expr(name == "nothing" ? .nothing : .identifier(name), token.span)
        case .keyword(let word):
            return try parseKeywordExpression(word)
        case .stringStart:
            return try parseString()
        case .leftParen:
            return try parseParen()
        case .leftBracket:
            return try parseBracket(indexing: nil)
        case .leftBrace:
            throw fail("braces '{ }' are not supported here", at: token.span,
                       hint: "use [ ] for arrays and begin ... end (or the block's own 'end') for blocks")
        case .macro:
            return try parseMacro()
        case .op(let spelling):
            if isOperatorValue(token) {
                advance()
                return Expr(.identifier(spelling), token.span)
            }
            if spelling == ":", startsSymbol(peek()) {
                return parseSymbol()
            }
            if spelling == "$" {
                throw fail("'$' interpolation only works inside strings", at: token.span,
                           hint: "write \"...$(x)...\" to build a string")
            }
            throw unexpected(expectationBefore(token))
        case .invalid:
            throw Abort()
        default:
            throw unexpected(expectationBefore(token))
        }
    }

    /// "expected an expression" with the operator it should follow, if any.
    func expectationBefore(_ token: Token) -> String {
        if let previous, position > 0 {
            switch previous.kind {
            case .op(let op): return "expected an expression after '\(op)'"
            case .comma: return "expected an expression after ','"
            default: break
            }
        }
        return "expected an expression"
    }

    func parseKeywordExpression(_ word: Keyword) throws -> Expr {
        let token = current
        switch word {
        case .true, .false:
            advance()
            return Expr(.bool(word == .true), token.span)
        case .end:
            guard context.endIsIndex else {
                throw unexpected(expectationBefore(token), hint: "'end' stands for the last index only inside brackets, as in x[end]")
            }
            advance()
            return Expr(.endIndex, token.span)
        case .begin:
            if context.endIsIndex {
                advance()
                return Expr(.beginIndex, token.span)
            }
            return try parseBegin()
        case .function: return try parseFunction()
        case .if: return try parseIf()
        case .for: return try parseFor()
        case .while: return try parseWhile()
        case .let: return try parseLet()
        case .try: return try parseTry()
        case .return: return try parseReturn()
        case .break:
            advance()
            return Expr(.breakLoop, token.span)
        case .continue:
            advance()
            return Expr(.continueLoop, token.span)
        case .in, .isa:
            if peek().kind == .leftParen, !peek().spaceBefore {
                advance()
                return Expr(.identifier(word.rawValue), token.span)
            }
            throw unexpected(expectationBefore(token))
        case .struct, .module, .baremodule, .macro, .quote, .export:
            return skipUnsupported()
        case .using, .import:
            throw fail("'\(word.rawValue)' must start a line", at: token.span, hint: "put it on its own line")
        default:
            throw unexpected(expectationBefore(token))
        }
    }

    /// Whether `token` can begin an expression (for optional operands: `return`, macro arguments).
    func canStartExpression(_ token: Token) -> Bool {
        switch token.kind {
        case .integer, .float, .identifier, .stringStart, .leftParen, .leftBracket, .macro:
            return true
        case .keyword(let word):
            switch word {
            case .true, .false, .begin, .function, .if, .for, .while, .let, .try, .return, .break, .continue:
                return true
            case .end:
                return context.endIsIndex
            default:
                return false
            }
        case .op(let spelling):
            return OperatorTable.unaryInfo(spelling) != nil || spelling == ":"
        default:
            return false
        }
    }
}
