import Foundation

/// A function implemented in Swift: its name, the signature shown in messages, and its body.
struct Builtin {
    /// The name users call it by.
    let name: String
    /// `sin(x)`, `zeros(n)`, `range(start, stop; length)`: shown when a call does not fit.
    let signature: String
    /// The implementation; it reports misuse by throwing `LangError` at `call.span`.
    let body: (BuiltinCall) throws -> Value
}

/// The arguments of one builtin call, with checked accessors that report errors at the call.
struct BuiltinCall {
    /// The interpreter (for calling language functions and writing output).
    let interpreter: Interpreter
    /// The function's name.
    let name: String
    /// The signature, for messages.
    let signature: String
    /// Positional arguments.
    let arguments: [Value]
    /// Keyword arguments in call order.
    let keywords: [(String, Value)]
    /// The call expression.
    let span: SourceSpan

    /// An error at the call.
    func error(_ message: String, hint: String? = nil) -> LangError { LangError(message, at: span, hint: hint) }

    /// Checks the number of positional arguments.
    func expect(_ counts: ClosedRange<Int>) throws {
        guard counts.contains(arguments.count) else {
            let types = arguments.map { "::" + $0.typeName }.joined(separator: ", ")
            throw error("MethodError: no method matching \(name)(\(types))", hint: "call it as \(signature)")
        }
    }

    /// Checks the number of positional arguments.
    func expect(_ count: Int) throws { try expect(count...count) }

    /// Argument `index` (0-based).
    func argument(_ index: Int) throws -> Value {
        guard index < arguments.count else { try expect(index + 1...Int.max); return .nothing }
        return arguments[index]
    }

    /// Argument `index` as a real number.
    func number(_ index: Int) throws -> Double {
        let value = try argument(index)
        guard let number = value.asDouble else {
            throw error("MethodError: no method matching \(name)(::\(value.typeName))", hint: "call it as \(signature)")
        }
        return number
    }

    /// Argument `index` as an integer (a float with an integral value is accepted).
    func integer(_ index: Int) throws -> Int {
        let value = try argument(index)
        guard let integer = value.asInt else {
            throw error("\(name) needs an integer, got \(value.repr)", hint: "call it as \(signature)")
        }
        return integer
    }

    /// Keyword `name`, if given.
    func keyword(_ key: String) -> Value? { keywords.last { $0.0 == key }?.1 }

    /// Refuses keywords other than `allowed`.
    func allowKeywords(_ allowed: Set<String>) throws {
        if let unknown = keywords.first(where: { !allowed.contains($0.0) }) {
            throw error("MethodError: \(name) got unsupported keyword argument \"\(unknown.0)\"",
                        hint: "call it as \(signature)")
        }
    }

    /// Calls a language function (a user function or builtin) with `arguments`.
    func call(_ function: Value, _ arguments: [Value]) throws -> Value {
        try interpreter.apply(function, arguments, [], span)
    }

    /// The elements of argument `index`.
    func elements(_ index: Int) throws -> [Value] { try interpreter.elements(try argument(index), span) }
}

extension Value {
    /// The value as a double, for numbers and Bools.
    var asDouble: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .float(let value): return value
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    /// The value as an integer: Ints, Bools, and floats with an integral value.
    var asInt: Int? {
        switch self {
        case .int(let value): return value
        case .bool(let value): return value ? 1 : 0
        case .float(let value):
            guard value.rounded() == value, Swift.abs(value) < 9.2e18 else { return nil }
            return Int(value)
        default: return nil
        }
    }

    /// Whether the value is a number (not a Bool).
    var isNumber: Bool {
        switch self {
        case .int, .float: return true
        default: return false
        }
    }

    /// Whether the value is a `Float64`.
    var isFloat: Bool {
        if case .float = self { return true }
        return false
    }

    /// A vector from values: numeric storage when all are numbers, a list otherwise.
    static func vector(_ items: [Value]) -> Value {
        if items.allSatisfy(\.isNumber) {
            let isInteger = items.allSatisfy { if case .int = $0 { return true } else { return false } }
            return .array(NumericArray(items.compactMap(\.asDouble), shape: [items.count], isInteger: isInteger && !items.isEmpty))
        }
        // Numbers among complex numbers promote, as Julia's `[1 + 2im, 3]` is a Vector{Complex{Int64}}.
        if items.contains(where: \.isComplex) {
            let parts = items.compactMap(ComplexNumber.init)
            if parts.count == items.count, let element = parts.map(\.element).max() {
                return .list(ValueList(parts.map { .complex(ComplexNumber(re: $0.re, im: $0.im, element: element)) }))
            }
        }
        return .list(ValueList(items))
    }

    /// A float vector.
    static func floats(_ values: [Double], axes: ComponentAxes? = nil) -> Value {
        .array(NumericArray(values, shape: [values.count], axes: axes))
    }
}
