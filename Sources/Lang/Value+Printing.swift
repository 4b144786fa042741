import Foundation

extension Value {
    /// The text `print`, `string` and interpolation produce: strings unquoted, symbols without
    /// their colon (`print(:a)` prints `a`), the rest as `repr`.
    public var plainText: String {
        if case .string(let text) = self { return text }
        if case .symbol(let name) = self { return name }
        return repr
    }

    /// Julia's compact form (`show`): `[1.0, 2.0]`, `[1 2; 3 4]`, `(a = 1, b = 2)`, `"text"`.
    public var repr: String {
        switch self {
        case .int(let value): return String(value)
        case .float(let value): return Value.format(value)
        case .bool(let value): return value ? "true" : "false"
        case .string(let text): return Value.quoted(text)
        case .symbol(let name): return ":" + name
        case .nothing: return "nothing"
        case .array(let array) where array.axes != nil:
            return ComponentAxes.describe(array) { $0.repr }
        case .array(let array):
            let items = (0..<array.storage.count).map { array.element($0).repr }
            if array.storage.isEmpty { return typeName(of: array.isInteger ? .int(0) : .float(0)) + "[]" }
            if !array.isMatrix { return "[" + items.joined(separator: ", ") + "]" }
            let rows = (0..<array.rows).map { row in
                items[row * array.columns..<(row + 1) * array.columns].joined(separator: " ")
            }
            // A one-column matrix is `[3; 7;;]` (Julia 1.7+), which a vector's `[3, 7]` would not tell apart.
            return "[" + rows.joined(separator: "; ") + (array.columns == 1 ? ";;]" : "]")
        case .list(let list):
            // Julia prefixes the element type unless it is implied (numbers, strings, arrays).
            let prefix = Value.elementTypeName(list.items).map { name in
                name == "Any" || name == "Bool" || list.items.first.map(\.isTypedElement) == true ? name : ""
            } ?? "Any"
            return prefix + "[" + list.items.map { value in
                if case .bool(let flag) = value, prefix == "Bool" { return flag ? "1" : "0" }
                return value.repr
            }.joined(separator: ", ") + "]"
        case .range(let range):
            if range.isInteger {
                let last = Int(range.count > 0 ? range.last : range.start - range.step)
                return range.step == 1 ? "\(Int(range.start)):\(last)" : "\(Int(range.start)):\(Int(range.step)):\(last)"
            }
            return "\(Value.format(range.start)):\(Value.format(range.step)):\(Value.format(range.count > 0 ? range.last : range.start - range.step))"
        case .tuple(let items):
            return "(" + items.map(\.repr).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .pair(let first, let second): return first.repr + " => " + second.repr
        case .namedTuple(let names, let values):
            let fields = zip(names, values).map { "\($0) = \($1.repr)" }
            return "(" + fields.joined(separator: ", ") + (fields.count == 1 ? ",)" : ")")
        case .function(let function): return function.name
        case .type(let name): return name
        case .engine(let object): return object.repr
        case .traced(let traced): return "Traced(\(traced.sym.shape))"
        case .tracedOutput(let output): return "Traced(du, \(output.parts.count) components)"
        case .tape(let t): return t.plain.repr
        case .dict(let d): return d.repr
        case .complex(let z): return z.repr
        case .object(let instance): return instance.repr
        }
    }

    /// What the REPL shows: multi-line blocks for arrays, as Julia's `display`.
    public var display: String {
        switch self {
        case .array(let array) where array.axes != nil:
            return limitedRepr
        case .array(let array) where !array.storage.isEmpty:
            let header = array.isMatrix ? "\(array.rows)×\(array.columns) \(typeName):" : "\(array.rows)-element \(typeName):"
            return header + "\n" + Value.alignedRows(rows: array.rows, columns: array.columns) { row, column in
                array.element(row * array.columns + column).repr
            }
        case .list(let list) where !list.items.isEmpty:
            return "\(list.items.count)-element \(typeName):\n"
                + Value.shownIndices(list.items.count, limit: Value.displayRows).map { $0.map { " " + list.items[$0].limitedRepr } ?? " ⋮" }
                    .joined(separator: "\n")
        case .tuple, .namedTuple, .pair, .object:
            return limitedRepr
        case .function(let function):
            if function.builtin != nil { return "\(function.name) (built-in function)" }
            let count = function.methods.count
            return "\(function.name) (generic function with \(count) method\(count == 1 ? "" : "s"))"
        case .engine(let object):
            return object.display
        case .dict(let d):
            return d.display
        default:
            return repr
        }
    }

    /// Julia's type name: `Int64`, `Vector{Float64}`, `Tuple{Int64, String}`.
    public var typeName: String { typeName(of: self) }

    private func typeName(of value: Value) -> String {
        switch value {
        case .int: return "Int64"
        case .float: return "Float64"
        case .bool: return "Bool"
        case .string: return "String"
        case .symbol: return "Symbol"
        case .nothing: return "Nothing"
        case .array(let array) where array.axes != nil: return "ComponentVector{Float64}"
        case .array(let array):
            let element = array.isInteger ? "Int64" : "Float64"
            return array.isMatrix ? "Matrix{\(element)}" : "Vector{\(element)}"
        case .list(let list): return "Vector{\(Value.elementTypeName(list.items) ?? "Any")}"
        case .range(let range):
            if range.isInteger { return range.step == 1 ? "UnitRange{Int64}" : "StepRange{Int64, Int64}" }
            return "StepRangeLen{Float64}"
        case .tuple(let items): return "Tuple{" + items.map(\.typeName).joined(separator: ", ") + "}"
        case .pair(let first, let second): return "Pair{\(first.typeName), \(second.typeName)}"
        case .namedTuple(let names, let values):
            return "NamedTuple{(" + names.map { ":" + $0 }.joined(separator: ", ") + (names.count == 1 ? ",)" : ")")
                + ", Tuple{" + values.map(\.typeName).joined(separator: ", ") + "}}"
        case .function(let function): return "typeof(\(function.name))"
        case .type: return "DataType"
        case .engine(let object): return object.typeName
        case .traced(let traced):
            let shape = traced.sym.shape
            let element = traced.isBool ? "Bool" : "Float64"
            return shape.isScalar ? "Traced{\(element)}" : shape.kind == .matrix ? "Traced{Matrix{\(element)}}" : "Traced{Vector{\(element)}}"
        case .tracedOutput: return "Traced{Vector{Float64}}"
        case .tape(let t): return typeName(of: t.plain)
        case .dict(let d): return d.typeName
        case .complex(let z): return z.typeName
        case .object(let instance): return instance.type.name
        }
    }

    /// Whether Julia prints a vector of these with its element type first (`ComplexF64[...]`).
    var isTypedElement: Bool {
        switch self {
        case .complex, .dict, .object: return true
        default: return false
        }
    }

    /// The common type name of `items`, `Any` when they differ, nil when empty.
    static func elementTypeName(_ items: [Value]) -> String? {
        guard let first = items.first?.typeName else { return nil }
        return items.allSatisfy { $0.typeName == first } ? first : "Any"
    }

    /// A string literal with Julia's escapes.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "$": result += "\\$"
            default: result.append(character)
            }
        }
        return result + "\""
    }

    /// A double as Julia prints it: shortest round-trip digits, `1.0`, `0.0001`, `1.0e-5`, `1.0e6`.
    public static func format(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "Inf" : "-Inf" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        let sign = x < 0 ? "-" : ""
        let text = "\(Swift.abs(x))"
        let parts = text.split(separator: "e")
        let mantissa = String(parts[0])
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        var digits = mantissa.filter { $0 != "." }
        var point = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
            ?? mantissa.count) + exponent
        while digits.first == "0" { digits.removeFirst(); point -= 1 }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { return "0.0" }
        let magnitude = Swift.abs(x)
        if magnitude >= 1e-4 && magnitude < 1e6 {
            if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
            if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) + ".0" }
            let index = digits.index(digits.startIndex, offsetBy: point)
            return sign + digits[..<index] + "." + digits[index...]
        }
        let rest = digits.dropFirst()
        return sign + String(digits.prefix(1)) + "." + (rest.isEmpty ? "0" : String(rest)) + "e\(point - 1)"
    }
}
