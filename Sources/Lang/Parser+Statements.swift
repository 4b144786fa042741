import Foundation

extension Parser {
    // MARK: - Statement lists

    /// Statements up to one of `terminators` (left for the caller) or the end of input.
    /// Errors inside a statement are caught here: the statement becomes an `.error` node
    /// and parsing resumes at the next boundary.
    func parseStatements(until terminators: Set<Keyword>) throws -> [Expr] {
        var statements: [Expr] = []
        while true {
            while current.kind == .semicolon { advance() }
            let token = current
            switch token.kind {
            case .endOfInput:
                return statements
            case .keyword(let word) where terminators.contains(word):
                return statements
            case .keyword(let word) where Parser.blockTerminators.contains(word):
                if context.insideBrackets && terminators.isEmpty == false { return statements }
                report(strayTerminatorMessage(word), at: token.span, hint: strayTerminatorHint(word))
                advance()
                continue
            case .rightParen, .rightBracket, .rightBrace, .interpolationEnd:
                if context.insideBrackets { return statements }
                report("unexpected \(token.quoted)", at: token.span,
                       hint: "it closes nothing: remove it, or add the bracket it should close")
                advance()
                continue
            default:
                break
            }
            let start = position
            do {
                let statement = try parseStatement()
                statements.append(statement)
                try expectStatementEnd()
            } catch is Abort {
                if statements.last.map({ $0.span.start != token.span.start }) ?? true {
                    statements.append(Expr(.error, token.span))
                }
                synchronize(statementStart: start)
                if position == start { advance() }
            }
            if errorCount >= Parser.maxErrors { throw TooManyErrors() }
        }
    }

    func strayTerminatorMessage(_ word: Keyword) -> String {
        switch word {
        case .end: return "unexpected 'end'"
        case .else, .elseif: return "'\(word.rawValue)' without a matching 'if'"
        default: return "'\(word.rawValue)' without a matching 'try'"
        }
    }

    func strayTerminatorHint(_ word: Keyword) -> String {
        word == .end ? "there is no open block here for it to close; check the blocks above"
                     : "check the 'end's above: one may close the block too early"
    }

    /// A statement must be followed by a newline, `;`, a block keyword or the end.
    func expectStatementEnd() throws {
        let token = current
        if token.newlineBefore || token.kind == .semicolon || token.kind == .endOfInput { return }
        switch token.kind {
        case .keyword(let word) where Parser.blockTerminators.contains(word): return
        case .rightParen, .rightBracket, .rightBrace, .interpolationEnd:
            if context.insideBrackets { return }
            throw fail("unexpected \(token.quoted)", at: token.span,
                       hint: "it closes nothing: remove it, or add the bracket it should close")
        default: break
        }
        throw unexpected("expected a newline or ';' after the expression")
    }

    /// One statement: `using`, a declaration, or an expression (with `x, y = ...` handled).
    func parseStatement() throws -> Expr {
        let token = current
        switch token.kind {
        case .keyword(.using), .keyword(.import):
            return try parseUsing()
        case .keyword(.const), .keyword(.global), .keyword(.local):
            advance()
            let kind = DeclarationKind(rawValue: token.isKeyword(.const) ? "const" : token.isKeyword(.global) ? "global" : "local")
                ?? .local
            let inner = try parseCommaAssignment()
            return Expr(.declaration(kind, inner), token.span.through(inner.span))
        case .keyword(.struct):
            return try parseStruct()
        case .keyword(.module), .keyword(.baremodule), .keyword(.macro), .keyword(.quote), .keyword(.export):
            return skipUnsupported()
        case .identifier("mutable") where peek().isKeyword(.struct):
            return try parseStruct()
        case _ where keywordDefinitionPrefix() != nil:
            return try parseStruct()
        case .identifier("abstract"), .identifier("primitive"):
            if case .identifier("type") = peek().kind, !peek().newlineBefore { return skipUnsupported() }
            return try parseCommaAssignment()
        default:
            return try parseCommaAssignment()
        }
    }

    /// `a, b = c, d` and plain expressions: commas bind tighter than `=` at statement level.
    func parseCommaAssignment() throws -> Expr {
        let first = try parseExpression(Prec.assignment + 1)
        var items = [first]
        var trailingComma = false
        while current.kind == .comma {
            advance()
            if isAssignmentOperator(current) { trailingComma = true; break }
            items.append(try parseExpression(Prec.assignment + 1))
        }
        let lhs: Expr
        if items.count == 1 && !trailingComma {
            lhs = first
        } else {
            lhs = Expr(.tuple(items), first.span.through(items[items.count - 1].span))
        }
        let op = current
        if isAssignmentOperator(op), !op.newlineBefore {
            advance()
            try enter()
            defer { leave() }
            let rhs = try parseCommaAssignment()
            return try makeAssignment(lhs, op, rhs)
        }
        return lhs
    }

    // MARK: - using, unsupported definitions

    /// `using A, B`, `using A: x, y`, `import A.B as C`: recorded and noted as ignored.
    func parseUsing() throws -> Expr {
        let keyword = advance()
        var modules: [String] = []
        var names: [String] = []
        var afterColon = false
        var last = keyword.span
        while true {
            guard let (path, span) = parseDottedName(allowOperators: afterColon) else {
                throw unexpected("expected a module name after '\(keyword.isKeyword(.using) ? "using" : "import")'")
            }
            if afterColon { names.append(path) } else { modules.append(path) }
            last = span
            if case .identifier("as") = current.kind, !current.newlineBefore {
                advance()
                guard case .identifier = current.kind else { throw unexpected("expected a name after 'as'") }
                last = advance().span
            }
            if current.isOp(":"), !current.newlineBefore, !afterColon {
                afterColon = true
                last = advance().span
                continue
            }
            if current.kind == .comma {
                last = advance().span
                continue
            }
            break
        }
        let span = keyword.span.through(last)
        let statement = UsingStatement(isImport: keyword.isKeyword(.import), modules: modules, names: names)
        let word = statement.isImport ? "import" : "using"
        report("'\(word) \(modules.joined(separator: ", "))' is ignored: Fluxion's builtins are always available",
               at: span, severity: .note)
        return Expr(.using(statement), span)
    }

    /// `A.B.C` (or `.A` relative, or an operator or macro name after `:`), with its span.
    func parseDottedName(allowOperators: Bool) -> (String, SourceSpan)? {
        var text = ""
        let start = current.span
        var end = start
        while current.isOp("."), !current.newlineBefore {
            text += "."
            end = advance().span
        }
        while true {
            let token = current
            if token.newlineBefore && !text.isEmpty && !text.hasSuffix(".") { break }
            switch token.kind {
            case .identifier(let name): text += name
            case .macro(let name) where allowOperators: text += "@" + name
            case .op(let op) where allowOperators && op != ",": text += op
            default: return text.isEmpty || text.hasSuffix(".") ? nil : (text, start.through(end))
            }
            end = advance().span
            guard current.isOp("."), !current.spaceBefore else { break }
            text += "."
            advance()
        }
        return (text, start.through(end))
    }

    /// `struct`, `module`, `macro`, `quote`, `abstract type` ...: refused with advice, and
    /// skipped to their matching `end` so the rest of the file is still checked.
    func skipUnsupported() -> Expr {
        let opener = current
        let (message, hint): (String, String)
        switch opener.kind {
        case .keyword(.struct), .identifier("mutable"):
            (message, hint) = ("a 'struct' definition must be a statement of its own", "define it on its own line, at the top level")
        case .keyword(.module), .keyword(.baremodule):
            (message, hint) = ("modules are not supported", "Fluxion scripts share one global scope: remove the module wrapper")
        case .keyword(.macro):
            (message, hint) = ("defining macros is not supported", "write a function instead")
        case .keyword(.quote):
            (message, hint) = ("quoted code is not supported", "write a function instead")
        case .keyword(.export):
            (message, hint) = ("'export' is not needed", "every global name is visible; remove the line")
        default:
            (message, hint) = ("abstract and primitive types are not supported", "remove the declaration")
        }
        report(message, at: opener.span, hint: hint)
        if opener.isKeyword(.export) {
            advance()
            while !current.newlineBefore, current.kind != .semicolon, current.kind != .endOfInput { advance() }
            return Expr(.error, opener.span)
        }
        var isAbstract = false
        if case .identifier(let word) = opener.kind, word == "abstract" || word == "primitive" { isAbstract = true }
        let end = skipToEnd(depth: 0, firstOpens: isAbstract)
        return Expr(.error, end.map { opener.span.through($0) } ?? opener.span)
    }

    /// Skips to the `end` that closes `depth` open blocks (the next block's when 0), counting
    /// nested blocks and ignoring `end` inside brackets; the span of that `end`.
    /// `firstOpens`: the first token opens a block whatever it is (`abstract type ... end`).
    func skipToEnd(depth: Int, firstOpens: Bool = false) -> SourceSpan? {
        var blocks = depth
        var brackets = 0
        let openers: Set<Keyword> = [.function, .if, .for, .while, .let, .begin, .try, .struct, .module,
                                     .baremodule, .macro, .quote, .do]
        var first = true
        while current.kind != .endOfInput {
            let token = advance()
            switch token.kind {
            case .leftParen, .leftBracket, .leftBrace: brackets += 1
            case .rightParen, .rightBracket, .rightBrace: brackets = max(0, brackets - 1)
            case .keyword(let word) where brackets == 0:
                if openers.contains(word) || (first && firstOpens) { blocks += 1 }
                if word == .end {
                    blocks -= 1
                    if blocks <= 0 { return token.span }
                }
            default:
                if first && firstOpens { blocks += 1 }
            }
            first = false
        }
        return nil
    }
}
