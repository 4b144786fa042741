import Foundation

/// A user `struct`: its definition, kept as source too (sessions save a struct's values with
/// the definition that makes them). Methods dispatching on struct types are not supported:
/// functions take structs as they take any value.
public final class StructType {
    let definition: StructDefinition
    /// The definition as `SourcePrinter` prints it.
    let source: String
    /// Each field's declared type as written (`Float64`, `Vector{Float64}`), nil when untyped.
    let fieldTypes: [String?]

    init(_ definition: StructDefinition, source: String) {
        self.definition = definition
        self.source = source
        self.fieldTypes = definition.fields.map { field in
            field.type.map { Interpreter.canonicalType(SourcePrinter.print($0)) }
        }
    }

    var name: String { definition.name }
    var fieldNames: [String] { definition.fields.map(\.name) }

    /// `Point(x, y)`, for messages.
    var signature: String {
        name + "(" + zip(fieldNames, fieldTypes).map { $0 + ($1.map { "::" + $0 } ?? "") }.joined(separator: ", ") + ")"
    }
}

/// An instance of a user struct, a reference (a mutable struct's field assignment is seen
/// by every holder, as in Julia; an immutable one's fields never change).
public final class StructInstance {
    let type: StructType
    var values: [Value]

    init(type: StructType, values: [Value]) {
        self.type = type
        self.values = values
    }

    /// Julia's `show`: `Point(1.0, 2.0)`.
    var repr: String { type.name + "(" + values.map(\.repr).joined(separator: ", ") + ")" }
}

extension Interpreter {
    /// `struct Name ... end` at run time: the type is registered and its name bound.
    func defineStruct(_ definition: StructDefinition, _ expr: Expr, _ scope: Environment) throws -> Value {
        let name = definition.name
        guard scope === globals else {
            throw LangError("struct \(name) must be defined at the top level", at: expr.span,
                            hint: "move the definition out of the function, loop or let block")
        }
        if structTypes[name] == nil, let existing = globals.lookup(name) {
            throw LangError("invalid redefinition of constant \(name)", at: expr.span,
                            hint: "\(name) is already a \(existing.typeName); choose another name for the struct")
        }
        // A changed definition replaces the old one (as Julia 1.12 allows); old instances keep theirs.
        structTypes[name] = StructType(definition, source: SourcePrinter.print(expr))
        globals.define(name, .type(name))
        return .nothing
    }

    /// The type a saved struct was made with: the registered one when the source is the
    /// same, otherwise the source parsed. A saved type binding (`binds`) registers it; an
    /// instance registers its type only when the name is free, so an instance of a replaced
    /// definition keeps its own type without displacing the current one, as in the live session.
    func structType(savedAs source: String, binds: Bool) throws -> StructType {
        let parsed = Syntax.parse(source, file: "<session: struct>")
        guard !parsed.hasErrors, parsed.statements.count == 1, case .structDefinition(let definition) = parsed.statements[0].kind else {
            throw SessionContentError(message: "a struct definition does not parse: \(source)")
        }
        if let known = structTypes[definition.name], known.source == source { return known }
        let type = StructType(definition, source: SourcePrinter.print(parsed.statements[0]))
        if binds || structTypes[definition.name] == nil { structTypes[definition.name] = type }
        return type
    }

    /// `Point(1.0, 2.0)`, and with `Base.@kwdef` also `Point(x = 1.0)` using the defaults.
    func construct(_ type: StructType, _ arguments: [Value], _ keywords: [(String, Value)], _ span: SourceSpan) throws -> Value {
        let fields = type.definition.fields
        var values: [Value] = []
        if type.definition.isKeywordDefined && (!keywords.isEmpty || (arguments.isEmpty && !fields.isEmpty)) {
            guard arguments.isEmpty else {
                throw LangError("MethodError: no method matching \(type.name) with both positional and keyword arguments", at: span,
                                hint: "call it as \(type.signature) or with keywords only")
            }
            if let unknown = keywords.first(where: { key in !fields.contains { $0.name == key.0 } }) {
                throw LangError("MethodError: \(type.name) got unsupported keyword argument \"\(unknown.0)\"", at: span,
                                hint: "its fields are " + type.fieldNames.joined(separator: ", "))
            }
            // Defaults may use the fields before them, as in Julia's @kwdef.
            let scope = Environment(parent: globals)
            for field in fields {
                let value: Value
                if let given = keywords.last(where: { $0.0 == field.name }) {
                    value = given.1
                } else if let defaultValue = field.defaultValue {
                    value = try eval(defaultValue, scope)
                } else {
                    throw LangError("UndefKeywordError: keyword argument `\(field.name)` not assigned", at: span,
                                    hint: "\(type.name) needs \(field.name) = ...")
                }
                scope.define(field.name, value)
                values.append(value)
            }
        } else {
            guard keywords.isEmpty, arguments.count == fields.count else {
                let types = arguments.map { "::" + $0.typeName }.joined(separator: ", ")
                    + (keywords.isEmpty ? "" : "; " + keywords.map { $0.0 + "::" + $0.1.typeName }.joined(separator: ", "))
                throw LangError("MethodError: no method matching \(type.name)(\(types))", at: span,
                                hint: "call it as \(type.signature)" + (keywords.isEmpty ? "" : " (keywords need Base.@kwdef)"))
            }
            values = arguments
        }
        for (k, field) in fields.enumerated() {
            values[k] = try fieldValue(values[k], type.fieldTypes[k], field.name, span)
        }
        return .object(StructInstance(type: type, values: values))
    }

    /// A value stored in a field typed `type`: converted as Julia's `convert` would
    /// (`1` into a `Float64` field is `1.0`), refused when it cannot be.
    func fieldValue(_ value: Value, _ type: String?, _ name: String, _ span: SourceSpan) throws -> Value {
        guard let type else { return value }
        if value.isTraced || value.isTape { return value }
        guard let converted = converted(value, to: type) else {
            throw LangError("MethodError: Cannot `convert` an object of type \(value.typeName) to an object of type \(type)", at: span,
                            hint: "field \(name) is declared ::\(type)")
        }
        return converted
    }

    /// `p.x` on a struct instance.
    func objectField(_ instance: StructInstance, _ name: String, _ span: SourceSpan) throws -> Value {
        guard let k = instance.type.fieldNames.firstIndex(of: name) else {
            throw LangError("type \(instance.type.name) has no field \(name)", at: span,
                            hint: "its fields are " + instance.type.fieldNames.joined(separator: ", "))
        }
        return instance.values[k]
    }

    /// `p.x = value`: only a mutable struct's fields change.
    func setObjectField(_ target: Value, _ name: String, _ value: Value, _ span: SourceSpan) throws {
        guard case .object(let instance) = target else {
            if case .namedTuple = target {
                throw LangError("cannot assign to a field: named tuples are immutable", at: span,
                                hint: "make a new one: nt = merge(nt, (\(name) = ...,)), or use a mutable struct")
            }
            throw LangError("cannot assign to field \(name) of a \(target.typeName)", at: span)
        }
        guard instance.type.definition.isMutable else {
            throw LangError("setfield!: immutable struct of type \(instance.type.name) cannot be changed", at: span,
                            hint: "declare it as mutable struct \(instance.type.name), or make a new \(instance.type.name)(...)")
        }
        guard let k = instance.type.fieldNames.firstIndex(of: name) else {
            throw LangError("type \(instance.type.name) has no field \(name)", at: span,
                            hint: "its fields are " + instance.type.fieldNames.joined(separator: ", "))
        }
        // As Zygote, no mutation while differentiating: the value would outlive its tape.
        if value.isTraced || value.isTape {
            throw LangError("a value being traced or differentiated cannot be stored in a mutable struct", at: span,
                            hint: "make a new immutable struct from it, or return it")
        }
        instance.values[k] = try fieldValue(value, instance.type.fieldTypes[k], name, span)
    }
}

extension Interpreter {
    /// `isa`, `fieldnames`, `getfield`, `setfield!`.
    static var structBuiltins: [Builtin] { [
        Builtin(name: "isa", signature: "isa(x, T)") { call in
            try call.expect(2)
            return try call.interpreter.binary(.isa, call.arguments[0], call.arguments[1], call.span)
        },
        Builtin(name: "fieldnames", signature: "fieldnames(T)") { call in
            try call.expect(1)
            switch call.arguments[0] {
            case .type(let name):
                if let type = call.interpreter.structTypes[name] { return .tuple(type.fieldNames.map(Value.symbol)) }
                if name.hasPrefix("Complex") { return .tuple([.symbol("re"), .symbol("im")]) }
                if name.hasPrefix("Pair") { return .tuple([.symbol("first"), .symbol("second")]) }
                return .tuple([])
            default:
                throw call.error("MethodError: no method matching fieldnames(::\(call.arguments[0].typeName))",
                                 hint: "fieldnames takes a type: fieldnames(typeof(x))")
            }
        },
        Builtin(name: "getfield", signature: "getfield(x, :name)") { call in
            try call.expect(2)
            guard case .symbol(let name) = call.arguments[1] else { throw call.error("getfield needs a field name as a symbol, e.g. :x") }
            return try call.interpreter.field(call.arguments[0], name, call.span)
        },
        Builtin(name: "setfield!", signature: "setfield!(x, :name, value)") { call in
            try call.expect(3)
            guard case .symbol(let name) = call.arguments[1] else { throw call.error("setfield! needs a field name as a symbol, e.g. :x") }
            try call.interpreter.setObjectField(call.arguments[0], name, call.arguments[2], call.span)
            return call.arguments[2]
        },
    ] }
}
