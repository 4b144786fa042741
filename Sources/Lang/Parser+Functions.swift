import Foundation

extension Parser {
    // MARK: - function ... end

    /// `function name(params; kwparams) body end` and the anonymous `function (p, l) ... end`.
    /// A return type (`::T`) and a `where` clause are accepted and dropped.
    func parseFunction() throws -> Expr {
        let keyword = advance()
        var name: String?
        var parameters: [Parameter] = []
        var keywordParameters: [Parameter] = []
        do {
            try withContext(blockContext) {
                if current.kind != .leftParen {
                    guard case .identifier(let identifier) = current.kind, !current.newlineBefore else {
                        throw unexpected("expected a function name or '(' after 'function'",
                                         hint: "write function f(x) ... end")
                    }
                    name = identifier
                    advance()
                    if current.isOp("."), !current.spaceBefore {
                        throw fail("qualified function names such as '\(identifier).f' are not supported", at: current.span,
                                   hint: "define a plain name: function f(x) ... end")
                    }
                    guard current.kind == .leftParen, !current.spaceBefore else {
                        throw unexpected("expected '(' after the function name",
                                         hint: current.kind == .leftParen ? "remove the space before '('" : nil)
                    }
                }
                (parameters, keywordParameters) = try parseParameterList()
                if name == nil, current.kind == .leftParen, !current.spaceBefore {
                    throw fail("methods on callable objects, 'function (m::T)(x) ... end', are not supported",
                               at: keyword.span.through(current.span), hint: "write a plain function that takes m: function apply(m, x) ... end")
                }
                if current.isOp("::"), !current.newlineBefore {
                    advance()
                    _ = try parsePostfix(try parsePrimary())
                }
                if case .identifier("where") = current.kind, !current.newlineBefore {
                    while !current.newlineBefore, current.kind != .semicolon, current.kind != .endOfInput { advance() }
                }
            }
        } catch {
            synchronizeHeader()
        }
        let body = try parseBody(until: [.end])
        let end = expectEnd(opener: keyword, construct: "function")
        let function = FunctionDefinition(name: name, parameters: parameters, keywordParameters: keywordParameters,
                                          body: body, form: .long)
        return Expr(.function(function), keyword.span.through(end))
    }

    /// `(u, p, t)`, `(x, y=2; tol=1e-6, opts...)`.
    func parseParameterList() throws -> ([Parameter], [Parameter]) {
        var positional: [Parameter] = []
        var keywords: [Parameter] = []
        try parseParenthesizedList { afterSemicolon in
            let parameter = try parseParameter()
            if afterSemicolon { keywords.append(parameter) } else { positional.append(parameter) }
        }
        return (positional, keywords)
    }

    /// `x`, `x::T`, `args...`, `x = default`, `x::T = default`.
    func parseParameter() throws -> Parameter {
        let token = current
        guard case .identifier(let name) = token.kind else {
            if token.kind == .leftParen {
                throw fail("destructuring parameters like (a, b) are not supported", at: token.span,
                           hint: "take one parameter x and write a, b = x in the body")
            }
            throw unexpected("expected a parameter name")
        }
        advance()
        var parameter = Parameter(name: name, span: token.span)
        if current.isOp("::") {
            advance()
            let type = try parsePostfix(try parsePrimary())
            parameter.type = type
            parameter.span = parameter.span.through(type.span)
        }
        if current.isOp("...") {
            parameter.isSplat = true
            parameter.span = parameter.span.through(advance().span)
        }
        if current.isOp("=") {
            advance()
            let value = try parseExpression(Prec.assignment + 1)
            parameter.defaultValue = value
            parameter.span = parameter.span.through(value.span)
        }
        return parameter
    }

    // MARK: - Anonymous functions

    /// `params -> body`; the body is one expression (a `begin ... end` block counts as its statements).
    func parseArrow(_ lhs: Expr, parameters: ([Parameter], [Parameter])) throws -> Expr {
        advance()
        let body = try parseExpression(Prec.assignment)
        let function = FunctionDefinition(name: nil, parameters: parameters.0, keywordParameters: parameters.1,
                                          body: statements(of: body), form: .arrow)
        return Expr(.function(function), lhs.span.through(body.span))
    }

    /// The parameter of `x -> ...`, `x::T -> ...` or `args... -> ...`.
    func lambdaParameters(from lhs: Expr) throws -> ([Parameter], [Parameter]) {
        ([try parameter(from: lhs, default: nil)], [])
    }

    /// The parameters of `(x, y = 2; k = 1) -> ...` from what was read between the parentheses.
    func parameters(from contents: ParenContents) throws -> ([Parameter], [Parameter]) {
        var positional: [Parameter] = []
        var keywords: [Parameter] = []
        for entry in contents.entries {
            let parameter = try self.parameter(from: entry.expr, default: entry.value)
            if entry.afterSemicolon { keywords.append(parameter) } else { positional.append(parameter) }
        }
        return (positional, keywords)
    }

    /// A parameter from an expression read before it was known to be one.
    func parameter(from expr: Expr, default value: Expr?) throws -> Parameter {
        var parameter: Parameter
        switch expr.kind {
        case .identifier(let name):
            parameter = Parameter(name: name, span: expr.span)
        case .typed(let inner, let type):
            guard case .identifier(let name) = inner.kind else { throw invalidParameter(expr) }
            parameter = Parameter(name: name, type: type, span: expr.span)
        case .splat(let inner):
            parameter = try self.parameter(from: inner, default: nil)
            parameter.isSplat = true
            parameter.span = expr.span
        case .tuple:
            throw fail("destructuring parameters like (a, b) are not supported", at: expr.span,
                       hint: "take one parameter x and write a, b = x in the body")
        default:
            throw invalidParameter(expr)
        }
        if let value {
            parameter.defaultValue = value
            parameter.span = parameter.span.through(value.span)
        }
        return parameter
    }

    func invalidParameter(_ expr: Expr) -> Abort {
        fail("a function parameter must be a name", at: expr.span, hint: "write f(x, y) = ..., or (x, y) -> ...")
    }

    // MARK: - f(x) = ...

    /// `f(x, y=2; tol=1e-6) = body`: keyword arguments written before `;` are default values
    /// of positional parameters, those after `;` are keyword parameters.
    func shortFunction(_ call: Call, signature: Expr, body: Expr) throws -> Expr {
        guard case .identifier(let name) = call.callee.kind else {
            throw fail("cannot define a function named by this expression", at: call.callee.span,
                       hint: "define a plain name: f(x) = ...")
        }
        var positional: [Parameter] = []
        var defaults: [Parameter] = []
        var keywords: [Parameter] = []
        for argument in call.arguments {
            positional.append(try parameter(from: argument, default: nil))
        }
        for keyword in call.keywords {
            if keyword.isSplat {
                var parameter = try self.parameter(from: keyword.value, default: nil)
                parameter.isSplat = true
                parameter.span = keyword.span
                keywords.append(parameter)
            } else if keyword.followsSemicolon {
                let isShorthand = keyword.value.span == keyword.span
                var parameter = Parameter(name: keyword.name, defaultValue: isShorthand ? nil : keyword.value, span: keyword.span)
                if case .typed(_, let type) = keyword.value.kind, isShorthand { parameter.type = type }
                keywords.append(parameter)
            } else {
                defaults.append(Parameter(name: keyword.name, defaultValue: keyword.value, span: keyword.span))
            }
        }
        let function = FunctionDefinition(name: name, parameters: positional + defaults, keywordParameters: keywords,
                                          body: statements(of: body), form: .short)
        return Expr(.function(function), signature.span.through(body.span))
    }

    /// A body expression as a statement list: `begin a; b end` gives `[a, b]`.
    func statements(of body: Expr) -> [Expr] {
        if case .block(let statements) = body.kind { return statements }
        return [body]
    }
}
