import Foundation

extension Interpreter {
    /// The value of `expr` in `scope`. Control flow leaves as `ControlFlow`, errors as `LangError`.
    func eval(_ expr: Expr, _ scope: Environment) throws -> Value {
        switch expr.kind {
        case .integer(let value): return .int(value)
        case .float(let value): return .float(value)
        case .bool(let value): return .bool(value)
        case .nothing: return .nothing
        case .string(let text): return .string(text)
        case .symbol(let name): return .symbol(name)
        case .interpolation(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .text(let piece): text += piece
                case .expr(let inner): text += try eval(inner, scope).plainText
                }
            }
            return .string(text)
        case .identifier(let name): return try lookup(name, expr.span, scope)
        case .endIndex, .beginIndex:
            guard let bound = indexBounds.last else {
                throw LangError("'end' and 'begin' are only allowed inside indexing brackets", at: expr.span)
            }
            if case .beginIndex = expr.kind { return .int(1) }
            return .int(bound)
        case .colon:
            throw LangError("a bare ':' is only allowed inside indexing brackets", at: expr.span)
        case .tuple(let items): return .tuple(try evalList(items, scope))
        case .namedTuple(let fields):
            return .namedTuple(names: fields.map(\.name), values: try fields.map { try eval($0.value, scope) })
        case .vector(let items):
            let values = try evalList(items, scope)
            if values.contains(where: \.isTraced) { return try tracedVector(values, expr.span) }
            if values.contains(where: \.isTape) { return try tapeVector(values, expr.span) }
            return values.isEmpty ? .list(ValueList([])) : .vector(values)
        case .concat(let rows): return try concatenate(rows, expr.span, scope)
        case .comprehension(let generator), .generator(let generator):
            return try comprehension(generator, expr.span, scope)
        case .typedArray(let type, let array):
            let value = try eval(array, scope)
            let typeName = SourcePrinter.print(type)
            if case .array(let numbers) = value, typeName.hasPrefix("Float") {
                numbers.isInteger = false
            }
            return value
        case .range(let start, let step, let stop):
            return try makeRange(try eval(start, scope), try step.map { try eval($0, scope) }, try eval(stop, scope),
                                 expr.span)
        case .unary(let op, let dotted, let operand):
            let value = try eval(operand, scope)
            if dotted { return try broadcast([value], expr.span) { try self.unary(op, $0[0], expr.span) } }
            return try unary(op, value, expr.span)
        case .binary(let op, let dotted, let left, let right):
            return try binaryExpression(op, dotted, left, right, expr.span, scope)
        case .comparison(let first, let rest):
            var left = try eval(first, scope)
            var result: Value = .bool(true)
            for link in rest {
                let right = try eval(link.operand, scope)
                let this: Value
                if link.dotted {
                    this = try broadcast([left, right], expr.span) { try self.binary(link.op, $0[0], $0[1], expr.span) }
                } else {
                    this = try binary(link.op, left, right, expr.span)
                    if this.isTraced, rest.count > 1 { throw unsupported("a chained comparison", expr.span) }
                    if case .bool(false) = this { return this }
                }
                result = link.dotted || isCollection(result)
                    ? try broadcast([result, this], expr.span) { try self.binary(.bitAnd, $0[0], $0[1], expr.span) }
                    : this
                left = right
            }
            return result
        case .and(let left, let right):
            guard try condition(left, scope) else { return .bool(false) }
            return try eval(right, scope)
        case .or(let left, let right):
            if try condition(left, scope) { return .bool(true) }
            return try eval(right, scope)
        case .ternary(let test, let then, let otherwise):
            return try eval(try condition(test, scope) ? then : otherwise, scope)
        case .adjoint(let operand):
            return try transpose(try eval(operand, scope), expr.span)
        case .splat:
            throw LangError("'...' is only allowed in a call, a tuple or a vector", at: expr.span)
        case .typed(let inner, _): return try eval(inner, scope)
        case .curly: return .type(SourcePrinter.print(expr))
        case .call(let call): return try evalCall(call, expr.span, scope)
        case .index(let base, let indices):
            let container = try eval(base, scope)
            if case .type(let type) = container {
                // `Float64[]`, `Float64[1, 2]`: a vector with that element type.
                let items = try evalList(indices, scope)
                if type.hasPrefix("Float") || type.hasPrefix("Int") {
                    let numbers = try items.map { item -> Double in
                        guard let number = item.asDouble else {
                            throw LangError("cannot convert \(item.typeName) to \(type)", at: expr.span)
                        }
                        return number
                    }
                    return .array(NumericArray(numbers, shape: [numbers.count], isInteger: type.hasPrefix("Int")))
                }
                return .list(ValueList(items))
            }
            if case .dict(let d) = container { return try dictIndex(d, try evalList(indices, scope), expr.span) }
            return try index(container, try evalIndices(indices, container, scope), expr.span)
        case .field(let base, let name):
            return try field(try eval(base, scope), name, expr.span)
        case .broadcastAll(let inner): return try eval(Interpreter.dotEverything(inner), scope)
        case .macroCall(let name, let arguments): return try macro(name, arguments, expr.span, scope)
        case .assign(let target, let valueExpr):
            let value = try eval(valueExpr, scope)
            try assign(target, value, scope)
            return value
        case .broadcastAssign(let target, let valueExpr):
            let value = try eval(valueExpr, scope)
            try assignInPlace(target, value, expr.span, scope)
            return value
        case .updateAssign(let op, let dotted, let target, let valueExpr):
            let current = try eval(target, scope)
            let operand = try eval(valueExpr, scope)
            if dotted {
                let value = try broadcast([current, operand], expr.span) { try self.binary(op, $0[0], $0[1], expr.span) }
                try assignInPlace(target, value, expr.span, scope)
                return value
            }
            let value = try binary(op, current, operand, expr.span)
            try assign(target, value, scope)
            return value
        case .declaration(let kind, let inner): return try declare(kind, inner, scope)
        case .function(let definition): return defineFunction(definition, scope)
        case .structDefinition(let definition): return try defineStruct(definition, expr, scope)
        case .block(let statements): return try evalBlock(statements, scope)
        case .ifElse(let branches, let otherwise):
            for branch in branches where try condition(branch.condition, scope) {
                return try evalBlock(branch.body, scope)
            }
            return try otherwise.map { try evalBlock($0, scope) } ?? .nothing
        case .forLoop(let bindings, let body):
            try forLoop(bindings, body, expr.span, scope)
            return .nothing
        case .whileLoop(let test, let body):
            while try condition(test, scope) {
                try checkInterrupt(expr.span)
                do {
                    _ = try evalBlock(body, Environment(parent: scope))
                } catch ControlFlow.breakLoop {
                    break
                } catch ControlFlow.continueLoop {
                    continue
                }
            }
            return .nothing
        case .letBlock(let bindings, let body):
            let inner = Environment(parent: scope)
            for binding in bindings {
                switch binding.kind {
                case .assign(let target, let valueExpr):
                    let value = try eval(valueExpr, inner)
                    try bind(target, value, inner)
                case .identifier(let name):
                    inner.define(name, scope.lookup(name) ?? .nothing)
                default:
                    throw LangError("expected 'name' or 'name = value' in let", at: binding.span)
                }
            }
            return try evalBlock(body, inner)
        case .tryCatch(let body, let catchName, let catchBody, let finallyBody):
            defer { if let finallyBody { _ = try? evalBlock(finallyBody, scope) } }
            do {
                return try evalBlock(body, scope)
            } catch let error as LangError {
                if error.message == "interrupted" { throw error }
                // `try ... finally ... end` rethrows after the finally block; a bare `try ... end` swallows, as in Julia.
                guard let catchBody else {
                    if finallyBody != nil { throw error }
                    return .nothing
                }
                let inner = Environment(parent: scope)
                if let catchName { inner.define(catchName, .string(error.message)) }
                return try evalBlock(catchBody, inner)
            }
        case .returnValue(let value):
            throw ControlFlow.returnValue(try value.map { try eval($0, scope) } ?? .nothing)
        case .breakLoop: throw ControlFlow.breakLoop
        case .continueLoop: throw ControlFlow.continueLoop
        case .using: return .nothing
        case .error: throw LangError("this statement did not parse", at: expr.span)
        }
    }

    /// Statements in order in `scope` (a `begin` block does not open a scope); the last value.
    func evalBlock(_ statements: [Expr], _ scope: Environment) throws -> Value {
        var result: Value = .nothing
        for statement in statements { result = try eval(statement, scope) }
        return result
    }

    /// Values of `items`, with `x...` spliced in.
    func evalList(_ items: [Expr], _ scope: Environment) throws -> [Value] {
        var values: [Value] = []
        for item in items {
            if case .splat(let inner) = item.kind {
                values += try elements(try eval(inner, scope), inner.span)
            } else {
                values.append(try eval(item, scope))
            }
        }
        return values
    }

    /// A condition: must be a Bool, as in Julia.
    func condition(_ expr: Expr, _ scope: Environment) throws -> Bool {
        let value = try eval(expr, scope)
        if value.isTraced { throw Interpreter.controlFlowError(expr.span) }
        guard case .bool(let flag) = value else {
            throw LangError("TypeError: non-boolean (\(value.typeName)) used in boolean context", at: expr.span,
                            hint: isCollection(value) ? "use all(...) or any(...) for a vector of conditions" : nil)
        }
        return flag
    }

    /// The value of `name`, or "UndefVarError" with the closest known name as a hint.
    func lookup(_ name: String, _ span: SourceSpan, _ scope: Environment) throws -> Value {
        if let value = scope.lookup(name) { return value }
        if let op = Operator(rawValue: name) { return operatorFunction(op) }
        let suggestion = Spelling.suggestion(for: name, among: scope.visibleNames)
        throw LangError("UndefVarError: `\(name)` not defined", at: span,
                        hint: suggestion.map { "did you mean `\($0)`?" })
    }

    /// An operator used as a value (`reduce(+, v)`).
    func operatorFunction(_ op: Operator) -> Value {
        .function(FunctionValue(builtin: Builtin(name: op.rawValue, signature: "\(op.rawValue)(x, y)") { call in
            try call.expect(1...Int.max)
            if call.arguments.count == 1 { return try call.interpreter.unary(op, call.arguments[0], call.span) }
            var result = call.arguments[0]
            for next in call.arguments.dropFirst() { result = try call.interpreter.binary(op, result, next, call.span) }
            return result
        }))
    }

    /// `a op b`, dotted or not; `|>` calls, `∘` composes.
    func binaryExpression(_ op: Operator, _ dotted: Bool, _ leftExpr: Expr, _ rightExpr: Expr, _ span: SourceSpan,
                          _ scope: Environment) throws -> Value {
        let left = try eval(leftExpr, scope)
        let right = try eval(rightExpr, scope)
        switch op {
        case .pipe where dotted: return try broadcast([left], span) { try self.apply(right, [$0[0]], [], span) }
        case .pipe: return try apply(right, [left], [], span)
        case .pipeLeft: return try apply(left, [right], [], span)
        case .pair where !dotted: return .pair(left, right)
        case .compose:
            return .function(FunctionValue(builtin: Builtin(name: "∘", signature: "(f ∘ g)(x)") { call in
                try call.call(left, [try call.call(right, call.arguments)])
            }))
        default: break
        }
        if dotted { return try broadcast([left, right], span) { try self.binary(op, $0[0], $0[1], span) } }
        return try binary(op, left, right, span)
    }

    /// `const`, `global`, `local` declarations.
    func declare(_ kind: DeclarationKind, _ inner: Expr, _ scope: Environment) throws -> Value {
        var names: [String] = []
        func collect(_ expr: Expr) {
            switch expr.kind {
            case .identifier(let name): names.append(name)
            case .assign(let target, _): collect(target)
            case .tuple(let items): items.forEach(collect)
            case .typed(let target, _): collect(target)
            default: break
            }
        }
        collect(inner)
        switch kind {
        case .global: scope.globals.formUnion(names)
        case .local: for name in names where scope.values[name] == nil { scope.define(name, .nothing) }
        case .const: break
        }
        switch inner.kind {
        case .identifier, .tuple, .typed:
            return .nothing
        case .assign(let target, let valueExpr) where kind == .local:
            let value = try eval(valueExpr, scope)
            try bind(target, value, scope)
            return value
        default:
            let value = try eval(inner, scope)
            if kind == .const { scope.target(for: names.first ?? "").constants.formUnion(names) }
            return value
        }
    }

    /// `@.` rewritten: every operator, call and assignment inside becomes its dotted form.
    static func dotEverything(_ expr: Expr) -> Expr {
        var copy = expr
        let d = dotEverything
        switch expr.kind {
        case .unary(let op, _, let x): copy.kind = .unary(op, dotted: true, d(x))
        case .binary(let op, _, let a, let b): copy.kind = .binary(op, dotted: true, d(a), d(b))
        case .comparison(let first, let rest):
            copy.kind = .comparison(first: d(first), rest: rest.map { ComparisonLink(op: $0.op, dotted: true, operand: d($0.operand)) })
        case .call(var call):
            call.arguments = call.arguments.map(d)
            call.dotted = true
            copy.kind = .call(call)
        case .assign(let target, let value): copy.kind = .broadcastAssign(target: target, value: d(value))
        case .broadcastAssign(let target, let value): copy.kind = .broadcastAssign(target: target, value: d(value))
        case .updateAssign(let op, _, let target, let value):
            copy.kind = .updateAssign(op, dotted: true, target: target, value: d(value))
        case .tuple(let items): copy.kind = .tuple(items.map(d))
        case .block(let items): copy.kind = .block(items.map(d))
        case .ternary(let c, let a, let b): copy.kind = .ternary(condition: d(c), then: d(a), otherwise: d(b))
        default: break
        }
        return copy
    }

    /// `@show`, `@time`, `@assert`; other macros are refused by name.
    func macro(_ name: String, _ arguments: [Expr], _ span: SourceSpan, _ scope: Environment) throws -> Value {
        switch name {
        case "show":
            var last: Value = .nothing
            for argument in arguments {
                last = try eval(argument, scope)
                output(SourcePrinter.print(argument) + " = " + last.repr + "\n")
            }
            return last
        case "time", "elapsed":
            let start = Date()
            let value = try arguments.last.map { try eval($0, scope) } ?? .nothing
            let seconds = Date().timeIntervalSince(start)
            if name == "elapsed" { return .float(seconds) }
            output(String(format: "  %.6f seconds\n", seconds))
            return value
        case "assert":
            guard let test = arguments.first else { return .nothing }
            if try !condition(test, scope) {
                // Julia's form `@assert cond "message"`: the message says what should have held.
                let message = try arguments.dropFirst().first.map { try eval($0, scope).plainText } ?? SourcePrinter.print(test)
                throw LangError("AssertionError: \(message)", at: span)
            }
            return .nothing
        case "inbounds", "views", "view", "fastmath", "inline", "noinline":
            return try arguments.last.map { try eval($0, scope) } ?? .nothing
        default:
            throw LangError("unsupported macro @\(name)", at: span, hint: "supported: @. @show @time @elapsed @assert @inbounds @views")
        }
    }

    /// Whether `value` is an array, list or range.
    func isCollection(_ value: Value) -> Bool {
        switch value {
        case .array, .list, .range: return true
        default: return false
        }
    }
}
