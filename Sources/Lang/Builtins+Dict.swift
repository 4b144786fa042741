import Foundation

extension Interpreter {
    /// `haskey`, `get`, `get!`, `delete!`, `empty!`, `keys`, `values`, `pairs`, `merge`.
    static var dictBuiltins: [Builtin] { [
        Builtin(name: "haskey", signature: "haskey(d, key)") { call in
            try call.expect(2)
            if case .namedTuple(let names, _) = call.arguments[0], case .symbol(let name) = call.arguments[1] {
                return .bool(names.contains(name))
            }
            let d = try dictArgument(call)
            return .bool(DictKey(call.arguments[1]).flatMap(d.value(for:)) != nil)
        },
        Builtin(name: "get", signature: "get(d, key, default)") { call in
            try call.expect(3)
            if case .namedTuple(let names, let values) = call.arguments[0], case .symbol(let name) = call.arguments[1] {
                return names.firstIndex(of: name).map { values[$0] } ?? call.arguments[2]
            }
            let d = try dictArgument(call)
            return DictKey(call.arguments[1]).flatMap(d.value(for:)) ?? call.arguments[2]
        },
        Builtin(name: "get!", signature: "get!(d, key, default)") { call in
            try call.expect(3)
            let d = try dictArgument(call)
            if let found = DictKey(call.arguments[1]).flatMap(d.value(for:)) { return found }
            return try call.interpreter.store(in: d, call.arguments[1], call.arguments[2], call.span)
        },
        Builtin(name: "delete!", signature: "delete!(d, key)") { call in
            try call.expect(2)
            let d = try dictArgument(call)
            if let key = DictKey(call.arguments[1]) { d.remove(key) }
            return call.arguments[0]
        },
        Builtin(name: "empty!", signature: "empty!(collection)") { call in
            try call.expect(1)
            switch call.arguments[0] {
            case .dict(let d): d.removeAll()
            case .list(let list): list.items.removeAll()
            case .array(let array) where !array.isMatrix:
                array.storage.removeAll()
                array.shape = [0]
            default: throw call.error("MethodError: no method matching empty!(::\(call.arguments[0].typeName))")
            }
            return call.arguments[0]
        },
        Builtin(name: "keys", signature: "keys(collection)") { call in
            try call.expect(1)
            switch call.arguments[0] {
            case .dict(let d): return .vector(d.keys)
            case .namedTuple(let names, _): return .tuple(names.map(Value.symbol))
            default: return .range(RangeValue(start: 1, step: 1, stop: Double(call.interpreter.count(call.arguments[0])), isInteger: true))
            }
        },
        Builtin(name: "values", signature: "values(collection)") { call in
            try call.expect(1)
            switch call.arguments[0] {
            case .dict(let d): return .vector(d.values)
            case .namedTuple(_, let values): return .tuple(values)
            default: return call.arguments[0]
            }
        },
        Builtin(name: "pairs", signature: "pairs(collection)") { call in
            try call.expect(1)
            switch call.arguments[0] {
            case .dict: return call.arguments[0]
            case .namedTuple(let names, let values): return .list(ValueList(zip(names, values).map { .pair(.symbol($0), $1) }))
            default: return .list(ValueList(try call.elements(0).enumerated().map { .pair(.int($0 + 1), $1) }))
            }
        },
        Builtin(name: "merge", signature: "merge(d1, d2, ...)") { call in
            try call.expect(1...Int.max)
            if case .namedTuple = call.arguments[0] { return try mergeNamedTuples(call) }
            let dicts = try call.arguments.map { value -> DictValue in
                guard case .dict(let d) = value else {
                    throw call.error("MethodError: no method matching merge(" + call.arguments.map { "::" + $0.typeName }.joined(separator: ", ") + ")",
                                     hint: "merge combines Dicts (or named tuples)")
                }
                return d
            }
            let keyType = dicts.dropFirst().reduce(dicts[0].keyType) { joinedType($0, $1.keyType) }
            let valueType = dicts.dropFirst().reduce(dicts[0].valueType) { joinedType($0, $1.valueType) }
            let result = DictValue(keyType: keyType, valueType: valueType)
            for d in dicts {
                for (key, value) in zip(d.keys, d.values) { _ = try call.interpreter.store(in: result, key, value, call.span) }
            }
            return .dict(result)
        },
    ] }

    /// `pop!(d, key)`: removes the entry and returns its value (`default` when missing).
    static func popEntry(_ d: DictValue, _ call: BuiltinCall) throws -> Value {
        try call.expect(2...3)
        if let key = DictKey(call.arguments[1]), let value = d.remove(key) { return value }
        if call.arguments.count == 3 { return call.arguments[2] }
        return try call.interpreter.dictIndex(d, [call.arguments[1]], call.span)
    }

    /// The first argument as a Dict.
    private static func dictArgument(_ call: BuiltinCall) throws -> DictValue {
        guard case .dict(let d) = call.arguments[0] else {
            throw call.error("MethodError: no method matching \(call.name)(" + call.arguments.map { "::" + $0.typeName }.joined(separator: ", ") + ")",
                             hint: "call it as \(call.signature) with a Dict")
        }
        return d
    }

    /// `merge(a, b)` of named tuples: later fields replace earlier ones.
    private static func mergeNamedTuples(_ call: BuiltinCall) throws -> Value {
        var names: [String] = [], values: [Value] = []
        for argument in call.arguments {
            guard case .namedTuple(let more, let items) = argument else {
                throw call.error("MethodError: merge of a named tuple with a \(argument.typeName)")
            }
            for (name, value) in zip(more, items) {
                if let k = names.firstIndex(of: name) { values[k] = value } else { names.append(name); values.append(value) }
            }
        }
        return .namedTuple(names: names, values: values)
    }

    /// The narrowest type holding both, as Julia's promotion for Dict entries: equal types,
    /// Int64 with Float64 is Float64, anything else is Any.
    static func joinedType(_ a: String, _ b: String) -> String {
        if a == b { return a }
        let numbers: Set = ["Int64", "Float64", "Bool"]
        if numbers.contains(a), numbers.contains(b) { return a == "Float64" || b == "Float64" ? "Float64" : "Int64" }
        return "Any"
    }

    /// `Dict(pairs...)`, `Dict(iterable of pairs)`, `Dict{K, V}(...)`.
    func makeDict(_ type: String, _ arguments: [Value], _ span: SourceSpan) throws -> Value {
        var entries: [(Value, Value)] = []
        let sources: [Value]
        if arguments.count == 1, !isPairLike(arguments[0]) { sources = try elements(arguments[0], span) } else { sources = arguments }
        for item in sources {
            switch item {
            case .pair(let key, let value): entries.append((key, value))
            case .tuple(let parts) where parts.count == 2: entries.append((parts[0], parts[1]))
            default:
                throw LangError("ArgumentError: Dict(kv): kv needs to be an iterator of 2-tuples or pairs, got a \(item.typeName)", at: span,
                                hint: "write Dict(\"a\" => 1, \"b\" => 2)")
            }
        }
        var keyType = "Any", valueType = "Any"
        if type.hasPrefix("Dict{") {
            let parameters = Interpreter.typeParameters(type)
            guard parameters.count == 2 else {
                throw LangError("Dict needs two type parameters, Dict{K, V}, got \(type)", at: span, hint: "e.g. Dict{String, Float64}()")
            }
            (keyType, valueType) = (parameters[0], parameters[1])
        } else if let first = entries.first {
            keyType = entries.dropFirst().reduce(first.0.typeName) { Interpreter.joinedType($0, $1.0.typeName) }
            valueType = entries.dropFirst().reduce(first.1.typeName) { Interpreter.joinedType($0, $1.1.typeName) }
        }
        let d = DictValue(keyType: keyType, valueType: valueType)
        for (key, value) in entries { _ = try store(in: d, key, value, span) }
        return .dict(d)
    }

    private func isPairLike(_ value: Value) -> Bool {
        if case .pair = value { return true }
        return false
    }

    /// `Dict{String, Vector{Float64}}` → `["String", "Vector{Float64}"]`.
    static func typeParameters(_ type: String) -> [String] {
        guard let open = type.firstIndex(of: "{"), type.hasSuffix("}") else { return [] }
        var parameters: [String] = [], current = "", depth = 0
        for character in type[type.index(after: open)..<type.index(before: type.endIndex)] {
            if character == "{" { depth += 1 }
            if character == "}" { depth -= 1 }
            if character == ",", depth == 0 {
                parameters.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        parameters.append(current.trimmingCharacters(in: .whitespaces))
        return parameters.map(canonicalType)
    }

    /// `d[key] = value`, converted to the Dict's key and value types; the stored value.
    @discardableResult
    func store(in d: DictValue, _ key: Value, _ value: Value, _ span: SourceSpan) throws -> Value {
        if key.isTraced || key.isTape || value.isTraced || value.isTape {
            throw LangError("a value being traced or differentiated cannot be stored in a Dict", at: span,
                            hint: "store plain numbers, or keep the values in a vector")
        }
        guard let convertedKey = converted(key, to: d.keyType) else {
            throw LangError("MethodError: Cannot `convert` an object of type \(key.typeName) to an object of type \(d.keyType)", at: span,
                            hint: "the Dict's keys are \(d.keyType)")
        }
        guard let hashed = DictKey(convertedKey) else {
            throw LangError("a \(key.typeName) cannot be a Dict key here", at: span,
                            hint: "use numbers, strings, symbols or tuples of them as keys")
        }
        guard let convertedValue = converted(value, to: d.valueType) else {
            throw LangError("MethodError: Cannot `convert` an object of type \(value.typeName) to an object of type \(d.valueType)", at: span,
                            hint: "the Dict's values are \(d.valueType)")
        }
        d.set(hashed, convertedKey, convertedValue)
        return convertedValue
    }

    /// `d[key]`; a missing key is Julia's KeyError.
    func dictIndex(_ d: DictValue, _ keys: [Value], _ span: SourceSpan) throws -> Value {
        let key = keys.count == 1 ? keys[0] : .tuple(keys)
        guard let found = DictKey(key).flatMap(d.value(for:)) else {
            throw LangError("KeyError: key \(key.repr) not found", at: span,
                            hint: d.count == 0 ? "the Dict is empty" : "haskey(d, key) tests for a key; get(d, key, default) falls back")
        }
        return found
    }
}

extension DictValue {
    /// Julia's `show`: `Dict("a" => 1, "b" => 2)`, `Dict{String, Float64}()` when empty or when
    /// the entries alone would give other types.
    var repr: String {
        let entries = pairs.map(\.repr).joined(separator: ", ")
        let inferred = keys.isEmpty ? nil : (keys.dropFirst().reduce(keys[0].typeName) { Interpreter.joinedType($0, $1.typeName) },
                                            values.dropFirst().reduce(values[0].typeName) { Interpreter.joinedType($0, $1.typeName) })
        let prefix = inferred.map { $0 == (keyType, valueType) } == true ? "Dict" : typeName
        return prefix + "(" + entries + ")"
    }

    /// Julia's `display`: a header, then one entry a line with the keys padded to one width.
    var display: String {
        guard count > 0 else { return repr }
        let shown = Value.shownIndices(count, limit: Value.displayRows)
        let keyTexts = shown.map { $0.map { keys[$0].limitedRepr } }
        let width = keyTexts.compactMap { $0?.count }.max() ?? 0
        let lines = zip(shown, keyTexts).map { index, key -> String in
            guard let index, let key else { return "  ⋮ => ⋮" }
            return "  " + key + String(repeating: " ", count: width - key.count) + " => " + values[index].limitedRepr
        }
        return "\(typeName) with \(count) entr\(count == 1 ? "y" : "ies"):\n" + lines.joined(separator: "\n")
    }
}
