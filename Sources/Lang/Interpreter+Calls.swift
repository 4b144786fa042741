import Foundation

extension Interpreter {
    /// `f(args...; keywords...)`, `f.(args...)`.
    func evalCall(_ call: Call, _ span: SourceSpan, _ scope: Environment) throws -> Value {
        let callee = try eval(call.callee, scope)
        let arguments = try evalList(call.arguments, scope)
        var keywords: [(String, Value)] = []
        for keyword in call.keywords {
            let value = try eval(keyword.value, scope)
            if keyword.isSplat {
                guard case .namedTuple(let names, let values) = value else {
                    throw LangError("keyword splat needs a named tuple, got \(value.typeName)", at: keyword.span)
                }
                keywords += zip(names, values).map { ($0, $1) }
            } else {
                keywords.append((keyword.name, value))
            }
        }
        if call.dotted {
            return try broadcast(arguments, span) { try self.apply(callee, $0, keywords, span) }
        }
        return try apply(callee, arguments, keywords, span)
    }

    /// Calls `callee` with evaluated arguments.
    func apply(_ callee: Value, _ arguments: [Value], _ keywords: [(String, Value)], _ span: SourceSpan) throws -> Value {
        try checkInterrupt(span)
        switch callee {
        case .function(let function):
            if let builtin = function.builtin {
                if arguments.contains(where: \.isTape) || keywords.contains(where: { $0.1.isTape }) {
                    return try tapeBuiltin(builtin, BuiltinCall(interpreter: self, name: builtin.name, signature: builtin.signature,
                                                                arguments: arguments, keywords: keywords, span: span))
                }
                if arguments.contains(where: \.isTraced) {
                    return try tracedBuiltin(BuiltinCall(interpreter: self, name: builtin.name, signature: builtin.signature,
                                                         arguments: arguments, keywords: keywords, span: span))
                }
                let call = BuiltinCall(interpreter: self, name: builtin.name, signature: builtin.signature,
                                       arguments: arguments, keywords: keywords, span: span)
                if let complex = try Interpreter.complexMethod(call) { return complex }
                return try callBuiltin(builtin, call)
            }
            guard let method = method(of: function, for: arguments) else {
                let types = arguments.map { "::" + $0.typeName }.joined(separator: ", ")
                let signatures = function.methods.map { Interpreter.signature(function.name, $0.definition) }
                throw LangError("MethodError: no method matching \(function.name)(\(types))", at: span,
                                hint: "\(function.name) takes " + signatures.joined(separator: " or "))
            }
            if tracingElementwise > 0, arguments.contains(where: \.isTape) {
                return try tapeBroadcastUser(callee, arguments, keywords, span)
            }
            if tracingElementwise > 0, arguments.contains(where: \.isTraced) {
                throw unsupported("broadcasting the user function \(function.name) (f.(x))", span)
            }
            return try invoke(function.name, method, arguments, keywords, span)
        case .type(let name):
            if let made = try construct(type: name, arguments, keywords, span) { return made }
            return try convert(name, arguments, span)
        case .engine(.solution(let solution)):
            return try interpolate(solution, arguments, keywords, span)
        case .engine(.neuralODE(let node)):
            return try callNeuralODE(node, arguments, keywords, span)
        case .engine(.layer(let layer)):
            return try callLayer(layer, arguments, keywords, span)
        default:
            throw LangError("MethodError: objects of type \(callee.typeName) are not callable", at: span,
                            hint: callee.isNumber ? "write `*` for multiplication: 2 * (x + 1)" : nil)
        }
    }

    /// Whether a method takes `count` positional arguments.
    func accepts(_ definition: FunctionDefinition, _ count: Int) -> Bool {
        let required = definition.parameters.filter { $0.defaultValue == nil && !$0.isSplat }.count
        let variadic = definition.parameters.contains { $0.isSplat }
        return count >= required && (variadic || count <= definition.parameters.count)
    }

    /// `f(x, y; tol)`, for messages.
    static func signature(_ name: String, _ definition: FunctionDefinition) -> String {
        func parameter(_ p: Parameter) -> String {
            p.name + (p.type.map { "::" + SourcePrinter.print($0) } ?? "") + (p.isSplat ? "..." : "")
                + (p.defaultValue.map { "=" + SourcePrinter.print($0) } ?? "")
        }
        let keywords = definition.keywordParameters.map(parameter).joined(separator: ", ")
        return name + "(" + definition.parameters.map(parameter).joined(separator: ", ")
            + (keywords.isEmpty ? "" : "; " + keywords) + ")"
    }

    /// Runs a user method in a fresh function scope.
    func invoke(_ name: String, _ method: FunctionValue.Method, _ arguments: [Value], _ keywords: [(String, Value)],
                _ span: SourceSpan) throws -> Value {
        callDepth += 1
        defer { callDepth -= 1 }
        var marker = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        if callDepth > Interpreter.maxCallDepth || (stackBase > here && stackBase - here > Interpreter.stackBudget) {
            throw LangError("StackOverflowError: calls nested too deeply (in \(name))", at: span,
                            hint: "a recursive function probably never reaches its base case")
        }
        let definition = method.definition
        let scope = Environment(parent: method.environment, isFunction: true)
        var next = 0
        for parameter in definition.parameters {
            if parameter.isSplat {
                scope.define(parameter.name, .tuple(Array(arguments[min(next, arguments.count)...])))
                next = arguments.count
            } else if next < arguments.count {
                scope.define(parameter.name, arguments[next])
                next += 1
            } else if let defaultValue = parameter.defaultValue {
                scope.define(parameter.name, try eval(defaultValue, scope))
            }
        }
        var given = keywords
        for parameter in definition.keywordParameters {
            if parameter.isSplat {
                scope.define(parameter.name, .namedTuple(names: given.map(\.0), values: given.map(\.1)))
                given = []
            } else if let index = given.lastIndex(where: { $0.0 == parameter.name }) {
                scope.define(parameter.name, given[index].1)
                given.removeAll { $0.0 == parameter.name }
            } else if let defaultValue = parameter.defaultValue {
                scope.define(parameter.name, try eval(defaultValue, scope))
            } else {
                throw LangError("UndefKeywordError: keyword argument `\(parameter.name)` not assigned", at: span,
                                hint: "call it as " + Interpreter.signature(name, definition))
            }
        }
        if let unknown = given.first {
            throw LangError("MethodError: \(name) got unsupported keyword argument \"\(unknown.0)\"", at: span,
                            hint: "\(name) takes " + Interpreter.signature(name, definition))
        }
        do {
            return try evalBlock(definition.body, scope)
        } catch ControlFlow.returnValue(let value) {
            return value
        }
    }

    /// A named definition adds a method to the function of that name (one per arity);
    /// an anonymous one is a closure value.
    func defineFunction(_ definition: FunctionDefinition, _ scope: Environment) -> Value {
        let method = FunctionValue.Method(definition: definition, environment: scope)
        guard let name = definition.name else {
            return .function(FunctionValue(name: "#anonymous", methods: [method]))
        }
        let target = scope.target(for: name)
        if case .function(let existing)? = target.values[name], existing.builtin == nil {
            existing.methods.removeAll { sameMethod($0.definition, definition) }
            existing.methods.append(method)
            return .function(existing)
        }
        let function = FunctionValue(name: name, methods: [method])
        target.define(name, .function(function))
        return .function(function)
    }

    /// `x.name`: named-tuple fields, a pair's `first` and `second`, engine objects' fields.
    func field(_ value: Value, _ name: String, _ span: SourceSpan) throws -> Value {
        if let axes = value.componentAxes { return try componentField(value, axes, name, span) }
        if case .namedTuple(let names, let values) = value {
            if let index = names.firstIndex(of: name) { return values[index] }
            throw LangError("type NamedTuple has no field \(name)", at: span,
                            hint: "its fields are " + names.joined(separator: ", "))
        }
        if case .engine(let object) = value { return try engineField(object, name, span) }
        if case .object(let instance) = value { return try objectField(instance, name, span) }
        if case .pair(let first, let second) = value {
            if name == "first" || name == "second" { return name == "first" ? first : second }
            throw LangError("type Pair has no field \(name)", at: span, hint: "its fields are first, second")
        }
        if case .tape(let t) = value, t.isSolution {
            // sol.u while differentiating: the saved states, each a column of Array(sol).
            guard name == "u" else {
                throw LangError("while differentiating, a solution offers sol.u, sol[j] and Array(sol), not sol.\(name)", at: span,
                                hint: "the saved times are the saveat you gave")
            }
            let count = t.variable.shape.kind == .matrix ? t.variable.shape.cols : 1
            return .list(ValueList(try (0..<count).map { try tapeIndex(t, [.one($0)], span) }))
        }
        throw LangError("type \(value.typeName) has no field \(name)", at: span)
    }

    /// `Float64(x)`, `Int(x)`, `String(x)` and friends.
    func convert(_ type: String, _ arguments: [Value], _ span: SourceSpan) throws -> Value {
        guard arguments.count == 1 else { throw LangError("\(type) takes one argument", at: span) }
        let value = arguments[0]
        if case .tape(let t) = value { return try tapeConvert(type, t, span) }
        // A complex number with no imaginary part converts as its real part (Float64(1 + 0im) == 1.0).
        if case .complex(let z) = value, z.im == 0, type != "String" {
            return try convert(type, [z.element == .float ? .float(z.re) : .int(Int(z.re))], span)
        }
        switch type {
        case "Float64", "Float32":
            if case .array(let array) = value { return .array(NumericArray(array.storage, shape: array.shape)) }
            if let number = value.asDouble { return .float(number) }
        case "Int", "Int64":
            if let number = value.asInt { return .int(number) }
            guard value.asDouble != nil else {
                throw LangError("MethodError: no method matching Int64(::\(value.typeName))", at: span,
                                hint: nil)
            }
            throw LangError("InexactError: Int64(\(value.repr))", at: span, hint: "use round(Int, x) or floor(Int, x)")
        case "String": return .string(value.plainText)
        case "Bool":
            if let number = value.asInt, number == 0 || number == 1 { return .bool(number == 1) }
        case "Array", "Vector", "collect":
            return try collect(value, span)
        default: break
        }
        throw LangError("cannot convert \(value.typeName) to \(type)", at: span)
    }
}

extension Interpreter {
    /// Names Tab completes at the prompt: the globals (the user's and the prelude's builtins
    /// and constants) and the language's keywords, sorted. Read while nothing evaluates.
    public func completionNames() -> [String] {
        Set(globals.values.keys).union(Keyword.allCases.map(\.rawValue)).sorted()
    }
}
