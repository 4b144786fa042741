import Foundation

extension Parser {
    // MARK: - Strings

    /// `"text $x $(expr)"`; a string without interpolation becomes `.string`.
    func parseString() throws -> Expr {
        let start = advance()
        var parts: [StringPart] = []
        var text = ""
        var end = start.span
        func flush() {
            if !text.isEmpty { parts.append(.text(text)); text = "" }
        }
        loop: while true {
            let token = current
            switch token.kind {
            case .stringText(let chunk):
                advance()
                text += chunk
            case .interpolatedName(let name):
                advance()
                flush()
                parts.append(.expr(Expr(.identifier(name), token.span)))
            case .interpolationStart:
                advance()
                flush()
                if current.kind == .interpolationEnd {
                    report("empty interpolation '$()'", at: token.span.through(current.span), hint: "put an expression inside: $(x)")
                    advance()
                    continue loop
                }
                let value = try withContext(parenContext) { try parseExpression(Prec.assignment) }
                guard current.kind == .interpolationEnd else {
                    throw unexpected("expected ')' to close '$('", related: [.init(message: "'$(' opened here", span: token.span)])
                }
                advance()
                parts.append(.expr(value))
            case .stringEnd:
                end = advance().span
                break loop
            default:
                throw unexpected("expected the end of the string")
            }
        }
        let span = start.span.through(end)
        if parts.isEmpty { return Expr(.string(text), span) }
        flush()
        return Expr(.interpolation(parts), span)
    }

    // MARK: - Macros

    /// `@. expr` (marked for the interpreter), `@name(args)`, `@name arg arg ...`.
    func parseMacro() throws -> Expr {
        let at = advance()
        guard case .macro(let name) = at.kind else { return Expr(.error, at.span) }
        var arguments: [Expr] = []
        var end = at.span
        if current.kind == .leftParen, !current.spaceBefore {
            let call = try parseCall(Expr(.identifier(name), at.span), dotted: false)
            if case .call(let c) = call.kind {
                arguments = c.arguments + c.keywords.map { keyword in
                    Expr(.assign(target: Expr(.identifier(keyword.name), keyword.span), value: keyword.value), keyword.span)
                }
            }
            end = call.span
        } else {
            var macroContext = context
            macroContext.spaceSensitive = true
            macroContext.newlinesEnd = true
            try withContext(macroContext) {
                while !current.newlineBefore, canStartExpression(current) {
                    if current.isKeyword(.for), !arguments.isEmpty || context.insideBrackets { break }
                    let argument = try parseExpression(Prec.assignment)
                    arguments.append(argument)
                    end = argument.span
                    try checkChain(arguments.count)
                }
            }
        }
        let span = at.span.through(end)
        if name == "." {
            guard arguments.count == 1, let only = arguments.first else {
                throw fail(arguments.isEmpty ? "'@.' needs an expression" : "'@.' takes one expression, found \(arguments.count)",
                           at: span, hint: "write @. u = a * x + b (blanks split macro arguments, as in [a -b])")
            }
            return Expr(.broadcastAll(only), span)
        }
        return Expr(.macroCall(name: name, arguments: arguments), span)
    }
}
