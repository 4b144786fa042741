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
