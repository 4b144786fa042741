import Foundation

extension Parser {
    // MARK: - Binary operators (Pratt)

    /// An expression whose operators all bind at least as tightly as `minPrec`. Commas are
    /// never consumed here; lists are the caller's business.
    func parseExpression(_ minPrec: Int = Prec.assignment) throws -> Expr {
        try enter()
        defer { leave() }
        let lhs = try parseUnary()
        return try parseInfix(lhs, minPrec)
    }

    /// Whether `token` may continue the current expression under the layout rules: a
    /// newline ends it where newlines end statements or rows; in `[a -b]` the blank before
    /// `-` and none after make `-b` a new element.
    func continuesExpression(_ token: Token) -> Bool {
        if context.newlinesEnd && token.newlineBefore { return false }
        if context.spaceSensitive, token.spaceBefore, let op = token.opSpelling,
           ["+", "-", ":", ".+", ".-"].contains(op), !peek().spaceBefore {
            return false
        }
        return true
    }

    func parseInfix(_ start: Expr, _ minPrec: Int) throws -> Expr {
        var lhs = start
        var chain = 0
        loop: while true {
            let token = current
            guard continuesExpression(token) else { break }
            chain += 1
            try checkChain(chain)
            switch token.kind {
            case .keyword(.in), .keyword(.isa):
                guard minPrec <= Prec.comparison else { break loop }
                lhs = try parseComparisonChain(lhs)
            case .op(let spelling):
                if spelling == "..." {
                    guard minPrec <= Prec.ternary else { break loop }
                    advance()
                    lhs = Expr(.splat(lhs), lhs.span.through(token.span))
                } else if spelling == "?" {
                    guard minPrec <= Prec.ternary else { break loop }
                    lhs = try parseTernary(lhs)
                } else if spelling == "->" {
                    guard minPrec <= Prec.arrow else { break loop }
                    lhs = try parseArrow(lhs, parameters: try lambdaParameters(from: lhs))
                } else if isAssignmentOperator(token) {
                    guard minPrec <= Prec.assignment else { break loop }
                    advance()
                    let rhs = try parseExpression(Prec.assignment)
                    lhs = try makeAssignment(lhs, token, rhs)
                } else if spelling == "&&" || spelling == "||" {
                    let prec = spelling == "&&" ? Prec.and : Prec.or
                    guard minPrec <= prec else { break loop }
                    advance()
                    let rhs = try parseExpression(prec)
                    let span = lhs.span.through(rhs.span)
                    lhs = spelling == "&&" ? Expr(.and(lhs, rhs), span) : Expr(.or(lhs, rhs), span)
                } else if spelling == ".&&" || spelling == ".||" {
                    throw fail("'\(spelling)' is not supported", at: token.span,
                               hint: "use \(spelling == ".&&" ? ".&" : ".|") for elementwise logic on Bool arrays")
                } else if spelling == ":" {
                    guard context.rangeColon, minPrec <= Prec.colon else { break loop }
                    lhs = try parseRange(lhs)
                } else if let info = OperatorTable.binaryInfo(spelling) {
                    guard info.precedence >= minPrec else { break loop }
                    if info.precedence == Prec.comparison {
                        lhs = try parseComparisonChain(lhs)
                        continue loop
                    }
                    advance()
                    if spelling == "*", current.isOp("*"), !current.spaceBefore {
                        throw fail("'**' is not an operator", at: token.span.through(current.span),
                                   hint: "use ^ for powers: x^2")
                    }
                    let rhs = try parseExpression(info.rightAssociative ? info.precedence : info.precedence + 1)
                    lhs = Expr(.binary(info.op, dotted: info.dotted, lhs, rhs), lhs.span.through(rhs.span))
                } else {
                    break loop
                }
            default:
                break loop
            }
        }
        return lhs
    }

    /// `a < b`, or a chain `a < b <= c` (each operand parsed once).
    func parseComparisonChain(_ first: Expr) throws -> Expr {
        var links: [ComparisonLink] = []
        var last = first
        while continuesExpression(current), let (op, dotted) = comparisonOperator(current) {
            advance()
            let rhs = try parseExpression(Prec.comparison + 1)
            links.append(ComparisonLink(op: op, dotted: dotted, operand: rhs))
            last = rhs
            try checkChain(links.count)
        }
        if links.count == 1, let link = links.first {
            return Expr(.binary(link.op, dotted: link.dotted, first, link.operand), first.span.through(last.span))
        }
        return Expr(.comparison(first: first, rest: links), first.span.through(last.span))
    }

    func comparisonOperator(_ token: Token) -> (Operator, Bool)? {
        switch token.kind {
        case .keyword(.in): return (.in, false)
        case .keyword(.isa): return (.isa, false)
        case .op(let spelling):
            guard let info = OperatorTable.binaryInfo(spelling), info.precedence == Prec.comparison else { return nil }
            return (info.op, info.dotted)
        default: return nil
        }
    }

    /// `c ? a : b`; inside `a`, `:` does not make ranges (Julia's rule), so `c ? 1 : 2` works.
    /// Both branches are assignment-level expressions, as in JuliaSyntax: `c ? x -> 1 : 2`
    /// and `c ? a : b => d` (which is `c ? a : (b => d)`).
    func parseTernary(_ condition: Expr) throws -> Expr {
        let question = advance()
        var thenContext = context
        thenContext.rangeColon = false
        let then = try withContext(thenContext) { try parseExpression(Prec.assignment) }
        guard current.isOp(":") else {
            throw unexpected("expected ':' in 'condition ? a : b'",
                             related: [.init(message: "'?' is here", span: question.span)],
                             hint: "write c ? a : b, with spaces around ? and :")
        }
        let colon = current
        if !colon.spaceBefore || !peek().spaceBefore {
            throw fail("the ':' in 'condition ? a : b' needs a space on each side", at: colon.span,
                       hint: "write c ? a : b; to use a range in a branch, parenthesise it: c ? (1:2) : (3:4)")
        }
        advance()
        let otherwise = try parseExpression(Prec.assignment)
        return Expr(.ternary(condition: condition, then: then, otherwise: otherwise), condition.span.through(otherwise.span))
    }

    /// `a:b` and `a:s:b` (`start:step:stop`).
    func parseRange(_ start: Expr) throws -> Expr {
        let colon = advance()
        if current.newlineBefore || current.kind == .endOfInput {
            if current.kind == .endOfInput || context.newlinesEnd {
                throw fail("expected an expression after ':'", at: colon.span,
                           hint: "Julia blocks do not end with ':'; remove it (the block ends with 'end')")
            }
        }
        if !canStartExpression(current) {
            throw unexpected("expected an expression after ':'")
        }
        let second = try parseExpression(Prec.colon + 1)
        if current.isOp(":"), context.rangeColon, continuesExpression(current) {
            advance()
            let third = try parseExpression(Prec.colon + 1)
            return Expr(.range(start: start, step: second, stop: third), start.span.through(third.span))
        }
        return Expr(.range(start: start, step: nil, stop: second), start.span.through(second.span))
    }

    // MARK: - Unary, juxtaposition, power

    /// Prefix operators (`-x`, `!c`, `√x`, `.-x`), symbols `:name`, a bare `:`, and
    /// operators used as values (`reduce(+, v)`).
    func parseUnary() throws -> Expr {
        let token = current
        guard case .op(let spelling) = token.kind else { return try parseJuxtaposition() }
        if isOperatorValue(token) {
            advance()
            return Expr(.identifier(spelling), token.span)
        }
        if isOperatorCall(token) {
            advance()
            return try parsePostfix(try parseCall(Expr(.identifier(spelling), token.span), dotted: false))
        }
        if let (op, dotted) = OperatorTable.unaryInfo(spelling) {
            advance()
            try enter()
            defer { leave() }
            let operand = try parseUnary()
            return Expr(.unary(op, dotted: dotted, operand), token.span.through(operand.span))
        }
        if spelling == ":" && !startsSymbol(peek()) {
            advance()
            if current.kind == .leftParen, !current.spaceBefore {
                throw fail("quoted expressions ':(...)' are not supported", at: token.span.through(current.span),
                           hint: "write a function instead")
            }
            return Expr(.colon, token.span)
        }
        return try parseJuxtaposition()
    }

    /// Whether `token`, directly after `:`, makes a quoted symbol (`:log10`, `:end`, `:+`) or
    /// a quoted number (`:2`, which is just `2`).
    func startsSymbol(_ token: Token) -> Bool {
        guard !token.spaceBefore else { return false }
        switch token.kind {
        case .identifier, .keyword, .integer, .float: return true
        case .op(let op): return OperatorTable.binaryInfo(op) != nil || OperatorTable.unaryInfo(op) != nil
        default: return false
        }
    }

    /// `:name` (current token is `:`, and `startsSymbol` holds for the next).
    func parseSymbol() -> Expr {
        let colon = advance()
        let next = advance()
        let span = colon.span.through(next.span)
        switch next.kind {
        case .identifier(let name): return Expr(.symbol(name), span)
        case .keyword(let word): return Expr(.symbol(word.rawValue), span)
        case .integer(let value): return Expr(.integer(value), span)
        case .float(let value): return Expr(.float(value), span)
        case .op(let op): return Expr(.symbol(op), span)
        default: return Expr(.error, span)
        }
    }

    /// `+`, `*`, `-` ... standing alone as a function value: followed by `,`, `)` or `;`.
    func isOperatorValue(_ token: Token) -> Bool {
        guard case .op(let spelling) = token.kind,
              OperatorTable.binaryInfo(spelling) != nil || OperatorTable.unaryInfo(spelling) != nil || spelling == "^"
        else { return false }
        switch peek().kind {
        case .comma, .rightParen, .semicolon: return true
        default: return false
        }
    }

    /// Julia's operator-call syntax, `+(1, 2)`, `*(a, b, c)`, `+(xs...)`, `-()`: an operator
    /// directly followed by `(` whose parentheses hold a top-level `,` or `...` or nothing. One
    /// plain argument, `-(a + b)`, stays a prefix operator, so those trees are unchanged.
    func isOperatorCall(_ token: Token) -> Bool {
        guard case .op(let spelling) = token.kind,
              OperatorTable.binaryInfo(spelling) != nil || OperatorTable.unaryInfo(spelling) != nil || spelling == "^",
              !spelling.hasPrefix("."), peek().kind == .leftParen, !peek().spaceBefore
        else { return false }
        var depth = 0, ahead = 1
        while position + ahead < tokens.count {
            let next = peek(ahead)
            switch next.kind {
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace:
                depth -= 1
                if depth == 0 { return ahead == 2 }
            case .comma where depth == 1: return true
            case .op("...") where depth == 1: return true
            case .endOfInput: return false
            default: break
            }
            ahead += 1
        }
        return false
    }

    /// Juxtaposition is multiplication: `2x`, `2π`, `2(x + 1)`, `(u.^3)'A`. A number
    /// literal may be followed directly by a name or `(`; anything else only by a name.
    /// It binds tighter than `*` and unary minus, looser than `^`: `2x^2 == 2*(x^2)`.
    func parseJuxtaposition() throws -> Expr {
        var lhs = try parsePower()
        var chain = 0
        while juxtaposes(lhs, current) {
            chain += 1
            try checkChain(chain)
            let rhs = try parsePower()
            lhs = Expr(.binary(.times, dotted: false, lhs, rhs), lhs.span.through(rhs.span))
        }
        return lhs
    }

    func juxtaposes(_ lhs: Expr, _ token: Token) -> Bool {
        guard !token.spaceBefore, !token.newlineBefore else { return false }
        switch lhs.kind {
        case .string, .interpolation: return false
        case .integer, .float:
            if token.kind == .leftParen { return true }
        default:
            break
        }
        if case .identifier = token.kind { return true }
        return false
    }

    /// `a ^ b` (right-associative; the exponent may have a sign: `x^-2`).
    func parsePower() throws -> Expr {
        let base = try parsePostfix(try parsePrimary())
        let token = current
        guard token.isOp("^") || token.isOp(".^"), continuesExpression(token) else { return base }
        advance()
        try enter()
        defer { leave() }
        let exponent = try parseUnary()
        return Expr(.binary(.power, dotted: token.isOp(".^"), base, exponent), base.span.through(exponent.span))
    }

    // MARK: - Assignment

    func isAssignmentOperator(_ token: Token) -> Bool {
        guard let spelling = token.opSpelling else { return false }
        if spelling == "=" || spelling == ".=" { return true }
        let bare = spelling.hasPrefix(".") ? String(spelling.dropFirst()) : spelling
        return OperatorTable.updating[bare] != nil
    }

    /// Builds `=`, `.=` or `op=` from its parts; `f(x) = body` becomes a function definition.
    func makeAssignment(_ lhs: Expr, _ op: Token, _ rhs: Expr) throws -> Expr {
        let span = lhs.span.through(rhs.span)
        guard let spelling = op.opSpelling else { return Expr(.error, span) }
        if spelling == "=" {
            if case .call(let call) = lhs.kind, !call.dotted {
                return try shortFunction(call, signature: lhs, body: rhs)
            }
            if case .typed(let inner, _) = lhs.kind, case .call(let call) = inner.kind, !call.dotted {
                return try shortFunction(call, signature: inner, body: rhs)
            }
            try checkAssignable(lhs, allowTuple: true)
            return Expr(.assign(target: lhs, value: rhs), span)
        }
        try checkAssignable(lhs, allowTuple: false)
        if spelling == ".=" { return Expr(.broadcastAssign(target: lhs, value: rhs), span) }
        let dotted = spelling.hasPrefix(".")
        let bare = dotted ? String(spelling.dropFirst()) : spelling
        guard let operation = OperatorTable.updating[bare] else { return Expr(.error, span) }
        return Expr(.updateAssign(operation, dotted: dotted, target: lhs, value: rhs), span)
    }

    /// Names, `a[i]`, `a.b`, `x::T` and (for `=`) tuples of those can be assigned to.
    func checkAssignable(_ target: Expr, allowTuple: Bool) throws {
        switch target.kind {
        case .identifier, .index, .field:
            return
        case .typed(let inner, _):
            try checkAssignable(inner, allowTuple: false)
        case .tuple(let items) where allowTuple:
            for item in items {
                if case .splat(let inner) = item.kind { try checkAssignable(inner, allowTuple: false) }
                else { try checkAssignable(item, allowTuple: true) }
            }
        case .namedTuple(let fields) where allowTuple && fields.allSatisfy({ field in
            if case .identifier(let name) = field.value.kind { return name == field.name } else { return false }
        }):
            // `(; a, b) = x` takes x.a and x.b (Julia 1.7's property destructuring).
            return
        case .comparison, .binary(.equal, _, _, _):
            throw fail("cannot assign to a comparison", at: target.span, hint: "use == to compare inside a condition")
        default:
            throw fail("cannot assign to this expression", at: target.span,
                       hint: "assign to a name (x = ...), an element (u[1] = ...), a field (p.a = ...) or a tuple of names (a, b = ...)")
        }
    }
}
