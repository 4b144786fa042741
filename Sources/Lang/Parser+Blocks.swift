import Foundation

extension Parser {
    // MARK: - Blocks

    /// The statements of a block body, up to `terminators`.
    func parseBody(until terminators: Set<Keyword>) throws -> [Expr] {
        return try withContext(blockContext) { try parseStatements(until: terminators) }
    }

    /// Consumes the `end` of the block opened by `opener`, or reports it missing (at the
    /// opener, with the place the input ran out and any misaligned `end` as evidence).
    func expectEnd(opener: Token, construct: String) -> SourceSpan {
        let token = current
        if token.isKeyword(.end) {
            advance()
            if startsLine(opener), token.newlineBefore, token.span.column != opener.span.column {
                misalignedEnds.append((opener, token))
            }
            return token.span
        }
        var hint = "add 'end' to close it"
        if elseIfOffsets.contains(opener.span.start) {
            hint = "'else if' opens a new 'if' that needs its own 'end'; write 'elseif' instead"
        } else if let (inner, end) = misalignedEnds.first(where: { pair in
            pair.end.span.column == opener.span.column && pair.opener.span.start > opener.span.start
        }) {
            hint = "the 'end' at \(end.span.line):\(end.span.column) lines up with this '\(construct)' but closes "
                + "the \(inner.quoted) at \(inner.span.line):\(inner.span.column); is that one missing its 'end'?"
        }
        let here = token.kind == .endOfInput ? "the input ended here" : "expected 'end' before \(token.quoted)"
        report("'\(construct)' is missing its 'end'", at: opener.span, hint: hint,
               related: [.init(message: here, span: token.span)], incomplete: token.kind == .endOfInput)
        return token.span.start > opener.span.start ? token.span.endPoint : opener.span
    }

    func startsLine(_ token: Token) -> Bool {
        token.newlineBefore || token.span.start == tokens[0].span.start
    }

    /// A block header expression (`if` condition, `while` condition) with recovery: on
    /// error, skip to the end of the line and let the body parse.
    func parseHeaderExpression() -> Expr {
        let start = current.span
        do {
            return try withContext(blockContext) {
                if current.newlineBefore || current.kind == .semicolon {
                    throw unexpected("expected a condition")
                }
                let condition = try parseExpression(Prec.assignment + 1)
                try checkAfterCondition()
                return condition
            }
        } catch {
            synchronizeHeader()
            return Expr(.error, start)
        }
    }

    /// Words from other languages directly after a condition (`while a and b`, `if c then`,
    /// `if x ~= 1`) are reported there, with a hint, rather than as a strange first statement.
    func checkAfterCondition() throws {
        let token = current
        guard !token.newlineBefore else { return }
        switch token.kind {
        case .identifier("and"), .identifier("or"), .identifier("not"), .identifier("then"), .leftBrace:
            throw unexpected("expected a newline or ';' after the condition")
        case .op("~") where peek().isOp("=") && !peek().spaceBefore:
            throw unexpected("expected a newline or ';' after the condition")
        default:
            return
        }
    }

    /// `begin ... end`.
    func parseBegin() throws -> Expr {
        let keyword = advance()
        let body = try parseBody(until: [.end])
        let end = expectEnd(opener: keyword, construct: "begin")
        return Expr(.block(body), keyword.span.through(end))
    }

    /// `if c ... elseif d ... else ... end`.
    func parseIf() throws -> Expr {
        let keyword = advance()
        var branches = [Branch(condition: parseHeaderExpression(), body: try parseBody(until: [.end, .else, .elseif]))]
        var otherwise: [Expr]?
        while true {
            if current.isKeyword(.elseif) {
                advance()
                let condition = parseHeaderExpression()
                branches.append(Branch(condition: condition, body: try parseBody(until: [.end, .else, .elseif])))
            } else if current.isKeyword(.else) {
                advance()
                if current.isKeyword(.if), !current.newlineBefore { elseIfOffsets.insert(keyword.span.start) }
                otherwise = try parseBody(until: [.end])
                break
            } else {
                break
            }
        }
        let end = expectEnd(opener: keyword, construct: "if")
        return Expr(.ifElse(branches: branches, otherwise: otherwise), keyword.span.through(end))
    }

    /// `while c ... end`.
    func parseWhile() throws -> Expr {
        let keyword = advance()
        let condition = parseHeaderExpression()
        let body = try parseBody(until: [.end])
        let end = expectEnd(opener: keyword, construct: "while")
        return Expr(.whileLoop(condition: condition, body: body), keyword.span.through(end))
    }

    /// `for i in 1:n, j = 1:m ... end`.
    func parseFor() throws -> Expr {
        let keyword = advance()
        var bindings: [LoopBinding] = []
        do {
            bindings = try withContext(blockContext) { try parseLoopBindings() }
        } catch {
            synchronizeHeader()
        }
        let body = try parseBody(until: [.end])
        let end = expectEnd(opener: keyword, construct: "for")
        return Expr(.forLoop(bindings: bindings, body: body), keyword.span.through(end))
    }

    /// `let a = 1, b ... end`.
    func parseLet() throws -> Expr {
        let keyword = advance()
        var bindings: [Expr] = []
        if !current.newlineBefore, current.kind != .semicolon {
            do {
                try withContext(blockContext) {
                    repeat {
                        if current.kind == .comma { advance() }
                        let binding = try parseExpression(Prec.assignment)
                        switch binding.kind {
                        case .identifier, .assign, .function: bindings.append(binding)
                        default:
                            throw fail("a 'let' binding must be a name or an assignment", at: binding.span,
                                       hint: "write let a = 1, b = 2")
                        }
                    } while current.kind == .comma
                }
            } catch {
                synchronizeHeader()
            }
        }
        let body = try parseBody(until: [.end])
        let end = expectEnd(opener: keyword, construct: "let")
        return Expr(.letBlock(bindings: bindings, body: body), keyword.span.through(end))
    }

    /// `try ... catch e ... finally ... end`.
    func parseTry() throws -> Expr {
        let keyword = advance()
        let body = try parseBody(until: [.catch, .finally, .end])
        var catchName: String?
        var catchBody: [Expr]?
        var finallyBody: [Expr]?
        if current.isKeyword(.catch) {
            advance()
            if case .identifier(let name) = current.kind, !current.newlineBefore {
                catchName = name
                advance()
            }
            catchBody = try parseBody(until: [.finally, .end])
        }
        if current.isKeyword(.finally) {
            advance()
            finallyBody = try parseBody(until: [.end])
        }
        let end = expectEnd(opener: keyword, construct: "try")
        return Expr(.tryCatch(body: body, catchName: catchName, catchBody: catchBody, finallyBody: finallyBody),
                    keyword.span.through(end))
    }

    /// `return`, `return x`, `return a, b`.
    func parseReturn() throws -> Expr {
        let keyword = advance()
        let token = current
        let valueFollows = !(token.newlineBefore && context.newlinesEnd) && canStartExpression(token)
        guard valueFollows else { return Expr(.returnValue(nil), keyword.span) }
        let value = context.insideBrackets ? try parseExpression(Prec.assignment + 1) : try parseCommaAssignment()
        return Expr(.returnValue(value), keyword.span.through(value.span))
    }
}
