import Foundation

/// Types as values: `isa`, `convert` into typed fields and Dicts, calling a type.
extension Interpreter {
    /// Abstract types and which values belong to them.
    static let abstractTypes: [String: @Sendable (Value) -> Bool] = [
        "Any": { _ in true },
        "Number": { $0.asDouble != nil || $0.isComplex },
        "Real": { $0.asDouble != nil },
        "Integer": { if case .float = $0 { return false }; return $0.asDouble != nil },
        "Signed": { if case .int = $0 { return true }; return false },
        "AbstractFloat": { $0.isFloat },
        "AbstractString": { if case .string = $0 { return true }; return false },
        "AbstractDict": { if case .dict = $0 { return true }; return false },
        "AbstractArray": { switch $0 { case .array, .list, .range: return true; default: return false } },
        "AbstractVector": { switch $0 { case .array(let a): return !a.isMatrix; case .list, .range: return true; default: return false } },
        "AbstractMatrix": { if case .array(let a) = $0 { return a.isMatrix }; return false },
        "AbstractRange": { if case .range = $0 { return true }; return false },
        "Function": { if case .function = $0 { return true }; return false },
    ]

    /// The names of types the prelude binds (besides the struct types the user defines).
    static let typeNames = ["Float64", "Float32", "Int", "Int64", "String", "Bool", "Vector", "Matrix", "Array", "Any", "Nothing",
                            "Dict", "Complex", "ComplexF64", "Symbol", "Tuple", "NamedTuple", "Pair"]
        + abstractTypes.keys.sorted().filter { $0 != "Any" }

    /// `Int` is `Int64`, as Julia prints it.
    static func canonicalType(_ name: String) -> String {
        var result = "", word = ""
        func flush() {
            result += word == "Int" ? "Int64" : word
            word = ""
        }
        for character in name {
            if character.isLetter || character.isNumber || character == "_" { word.append(character) } else { flush(); result.append(character) }
        }
        flush()
        return result
    }

    /// `x isa T` for a type named `type`.
    func isa(_ value: Value, _ type: String) -> Bool {
        let type = Interpreter.canonicalType(type)
        // An instance of a replaced struct definition is not of the current type.
        if case .object(let instance) = value { return type == "Any" || structTypes[type] === instance.type }
        let name = value.typeName
        if name == type { return true }
        if let test = Interpreter.abstractTypes[type] { return test(value) }
        // `Vector{Float64}` isa `Vector`, `Dict{String, Int64}` isa `Dict`, `Complex{Int64}` isa `Complex`.
        if let brace = name.firstIndex(of: "{"), name[..<brace] == type { return true }
        return type == "Complex" && value.isComplex
    }

    /// `value` as an element of type `type` (a Dict's key or value, a typed field), converted
    /// as Julia's `convert`: numbers between Int64 and Float64 (an integral float only),
    /// reals into ComplexF64, integer arrays into Float64 arrays. Nil when it does not belong.
    /// A type Fluxion does not know (a type parameter `T`) accepts anything: checks are loose.
    func converted(_ value: Value, to type: String) -> Value? {
        let type = Interpreter.canonicalType(type)
        switch type {
        case "Any": return value
        case "Float64", "Float32": return value.isNumber || isBool(value) ? .float(value.asDouble ?? .nan) : nil
        case "Int64":
            if case .int = value { return value }
            if value.isFloat || isBool(value) { return value.asInt.map(Value.int) }
            return nil
        case "ComplexF64":
            guard var z = ComplexNumber(value) else { return nil }
            z.element = .float
            return .complex(z)
        case "Vector{Float64}", "Matrix{Float64}", "Array{Float64}":
            if case .array(let array) = value, array.isInteger, array.isMatrix == (type == "Matrix{Float64}") {
                return .array(NumericArray(array.storage, shape: array.shape))
            }
        default: break
        }
        if isa(value, type) { return value }
        let base = String(type.prefix { $0 != "{" })
        let known = Interpreter.typeNames.contains(base) || structTypes[base] != nil
        return known ? nil : value
    }

    private func isBool(_ value: Value) -> Bool {
        if case .bool = value { return true }
        return false
    }

    /// Calling a type that makes values: a struct's constructor, `Dict(...)`, `ComplexF64(x)`;
    /// nil for the conversions `convert` handles.
    func construct(type name: String, _ arguments: [Value], _ keywords: [(String, Value)], _ span: SourceSpan) throws -> Value? {
        if let type = structTypes[name] { return try construct(type, arguments, keywords, span) }
        if name == "Dict" || name.hasPrefix("Dict{") { return try makeDict(name, arguments, span) }
        if name == "ComplexF64" || name == "Complex" || name.hasPrefix("Complex{") {
            var z = try Interpreter.complexNumber(arguments, name: name, span)
            if name == "ComplexF64" || name == "Complex{Float64}" { z.element = .float }
            return .complex(z)
        }
        return nil
    }
}
