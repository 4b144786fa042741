import Foundation

extension Interpreter {
    /// Julia's help mode: `?name` at the prompt shows what `name` is. Builtins answer with
    /// their signature (the one table that also words their misuse errors), user functions
    /// with their methods, variables with their type and a limited view of their value.
    /// `?` alone lists the builtins.
    public func help(_ query: String) -> String {
        let name = query.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else {
            let names = builtins.keys.filter { $0.first?.isLetter ?? false }.sorted()
            return "Type ?name for help on one of them. Builtins:\n" + wrapped(names, width: Value.displayWidth)
        }
        // Julia's help mode on a string searches the documentation: `?"ensemble"`.
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { return apropos(String(name.dropFirst().dropLast())) }
        guard let value = globals.lookup(name) else {
            let suggestion = Spelling.suggestion(for: name, among: globals.visibleNames)
            return "No documentation found for `\(name)`." + (suggestion.map { " Did you mean `\($0)`?" } ?? "")
        }
        switch value {
        case .function(let function) where function.builtin != nil:
            return "  " + (function.builtin?.signature ?? name) + "\n\n" + "\(name) is a built-in function."
        case .function(let function):
            let methods = function.methods.map { "  " + Interpreter.signature(function.name, $0.definition) }
            return methods.joined(separator: "\n") + "\n\n\(name) is a function with \(methods.count) method"
                + (methods.count == 1 ? "." : "s.")
        case .type(let typeName) where structTypes[typeName] != nil:
            guard let type = structTypes[typeName] else { return typeName }
            return type.source.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
                + "\n\n\(name) is a \(type.definition.isMutable ? "mutable " : "")struct; construct it as \(type.signature)"
                + (type.definition.isKeywordDefined ? " or with keywords." : ".")
        default:
            return "\(name) is a variable of type \(value.typeName): " + value.limitedRepr
        }
    }

    /// Julia's `apropos("text")`: the builtins whose name or help text mentions `text`
    /// (ignoring case), each with its help line, and the user's functions whose name does.
    public func apropos(_ text: String) -> String {
        let needle = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !needle.isEmpty else { return "apropos needs some text to look for, e.g. apropos(\"ensemble\")" }
        var lines: [String] = []
        for name in builtins.keys.sorted() {
            guard let builtin = builtins[name]?.builtin, globals.lookup(name).map({ value in
                if case .function(let f) = value { return f.builtin != nil } else { return false }
            }) ?? false else { continue }
            let signature = builtin.signature
            guard name.lowercased().contains(needle) || signature.lowercased().contains(needle) else { continue }
            lines.append("  " + (signature.hasPrefix(name) ? signature : "\(name): \(signature)"))
        }
        for name in globals.values.keys.sorted() where name.lowercased().contains(needle) {
            guard case .function(let function)? = globals.values[name], function.builtin == nil else { continue }
            lines += function.methods.map { "  " + Interpreter.signature(function.name, $0.definition) + "  (yours)" }
        }
        guard !lines.isEmpty else { return "Nothing mentions \"\(text)\"; ? alone lists the builtins." }
        return lines.joined(separator: "\n")
    }

    /// `apropos(text)`, `apropos(:name)`.
    static var helpBuiltins: [Builtin] { [
        Builtin(name: "apropos", signature: "apropos(\"text\") — lists the builtins whose name or help mentions text") { call in
            try call.expect(1)
            try call.allowKeywords([])
            let text: String
            switch call.arguments[0] {
            case .string(let value), .symbol(let value): text = value
            case .function(let f): text = f.name
            default: throw call.error("apropos needs a string, got \(call.arguments[0].typeName)", hint: "apropos(\"ensemble\")")
            }
            call.interpreter.output(call.interpreter.apropos(text) + "\n")
            return .nothing
        },
    ] }

    /// Names joined by spaces, broken into lines of at most `width` characters.
    private func wrapped(_ names: [String], width: Int) -> String {
        var lines: [String] = [], line = " "
        for name in names {
            if line.count + name.count + 2 > width, line.count > 1 {
                lines.append(line)
                line = " "
            }
            line += " " + name
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
