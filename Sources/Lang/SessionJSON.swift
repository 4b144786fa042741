import Foundation

/// A JSON value as a session file holds it. Numbers keep their text, so a double written
/// in its shortest round-trip form (`Double.description`) reads back bit for bit, which a
/// parser that goes through `Double` arithmetic of its own does not promise.
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number, as written.
    case number(String)
    case string(String)
    case array([JSON])
    /// Members in order (a session file is written in a fixed order, so it diffs well).
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: return false
        }
    }

    /// An integer.
    static func int(_ value: Int) -> JSON { .number(String(value)) }

    /// A double that reads back bit for bit: the shortest round-trip decimal, and the strings
    /// `"NaN"`, `"Inf"`, `"-Inf"` for what JSON numbers cannot say.
    static func double(_ value: Double) -> JSON {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Inf" : "Inf") }
        return .number(value.description)
    }

    /// Member `key` of an object.
    subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
    var intValue: Int? { if case .number(let text) = self { return Int(text) } else { return nil } }

    /// A double written by `double(_:)`.
    var doubleValue: Double? {
        switch self {
        case .number(let text): return Double(text)
        case .string("NaN"): return .nan
        case .string("Inf"): return .infinity
        case .string("-Inf"): return -.infinity
        default: return nil
        }
    }

    // MARK: writing

    /// The text: objects and arrays of containers one member per line (indented), arrays of
    /// scalars on one line, so a long parameter vector stays one line.
    public func serialized(indent: Int = 0) -> String {
        var out = ""
        write(to: &out, indent: indent)
        return out
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let text): out += text
        case .string(let s): JSON.writeString(s, to: &out)
        case .array, .object:
            // Small containers (a value's tag, a cell's output) stay on one line.
            let compact = compactText()
            if compact.count <= 100 && !compact.contains("\n") {
                out += compact
                return
            }
            writeExpanded(to: &out, indent: indent)
        }
    }

    private func compactText() -> String {
        switch self {
        case .array(let items): return "[" + items.map { $0.compactText() }.joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.map { key, value in
                var text = ""
                JSON.writeString(key, to: &text)
                return text + ": " + value.compactText()
            }.joined(separator: ", ") + "}"
        default: return serialized()
        }
    }

    private func writeExpanded(to out: inout String, indent: Int) {
        switch self {
        case .null, .bool, .number, .string: write(to: &out, indent: indent)
        case .array(let items):
            let nested = items.contains { if case .array = $0 { return true }; if case .object = $0 { return true }; return false }
            if items.isEmpty { out += "[]"; return }
            if !nested {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    item.write(to: &out, indent: indent)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 1)
                item.write(to: &out, indent: indent + 1)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, value)) in members.enumerated() {
                out += String(repeating: " ", count: indent + 1)
                JSON.writeString(key, to: &out)
                out += ": "
                value.write(to: &out, indent: indent + 1)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
