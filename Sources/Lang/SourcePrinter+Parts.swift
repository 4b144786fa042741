import Foundation

extension SourcePrinter {
    static func callText(_ call: Call, _ indent: Int) -> String {
        var parts = call.arguments.map { expression($0, Prec.assignment + 1, indent) }
        let keyword: (KeywordArgument) -> String = { argument in
            argument.isSplat ? expression(argument.value, Prec.ternary + 1, indent) + "..."
                             : argument.name + " = " + expression(argument.value, Prec.assignment + 1, indent)
        }
        parts += call.keywords.filter { !$0.followsSemicolon && !$0.isSplat }.map(keyword)
        let afterSemicolon = call.keywords.filter { $0.followsSemicolon || $0.isSplat }.map(keyword)
        var inner = parts.joined(separator: ", ")
        if !afterSemicolon.isEmpty { inner += "; " + afterSemicolon.joined(separator: ", ") }
        return postfixBase(call.callee, indent) + (call.dotted ? ".(" : "(") + inner + ")"
    }

    static func generatorText(_ generator: Generator, _ indent: Int) -> String {
        var out = expression(generator.body, Prec.assignment + 1, indent)
        for clause in generator.clauses {
            switch clause {
            case .iterate(let bindings): out += " for " + bindings.map { bindingText($0, indent) }.joined(separator: ", ")
            case .filter(let condition): out += " if " + expression(condition, Prec.assignment + 1, indent)
            }
        }
        return out
    }

    static func bindingText(_ binding: LoopBinding, _ indent: Int) -> String {
        expression(binding.target, Prec.postfix, indent) + " in " + expression(binding.iterable, Prec.assignment + 1, indent)
    }

    static func parameterText(_ parameter: Parameter, _ indent: Int) -> String {
        var out = parameter.name
        if let type = parameter.type { out += "::" + expression(type, Prec.postfix, indent) }
        if parameter.isSplat { out += "..." }
        if let value = parameter.defaultValue { out += " = " + expression(value, Prec.assignment + 1, indent) }
        return out
    }

    static func parameterList(_ function: FunctionDefinition, _ indent: Int) -> String {
        var out = function.parameters.map { parameterText($0, indent) }.joined(separator: ", ")
        if !function.keywordParameters.isEmpty {
            out += "; " + function.keywordParameters.map { parameterText($0, indent) }.joined(separator: ", ")
        }
        return "(" + out + ")"
    }

    /// Whether a body prints on one line after `=` or `->` (one statement that is not a block).
    static func inlineBody(_ statements: [Expr]) -> Expr? {
        guard statements.count == 1, let only = statements.first else { return nil }
        if case .block = only.kind { return nil }
        return only
    }

    static func functionText(_ function: FunctionDefinition, _ indent: Int) -> String {
        let inline = inlineBody(function.body)
        let blockBody = "begin\n" + body(function.body, indent) + pad(indent) + "end"
        switch function.form {
        case .long:
            return "function " + (function.name ?? "") + parameterList(function, indent) + "\n"
                + body(function.body, indent) + pad(indent) + "end"
        case .short where function.name != nil:
            let rhs = inline.map { expression($0, Prec.assignment, indent) } ?? blockBody
            return (function.name ?? "") + parameterList(function, indent) + " = " + rhs
        case .short, .arrow:
            let simple = function.parameters.count == 1 && function.keywordParameters.isEmpty
                && function.parameters[0].type == nil && function.parameters[0].defaultValue == nil
                && !function.parameters[0].isSplat
            let head = simple ? function.parameters[0].name : parameterList(function, indent)
            let rhs = inline.map { expression($0, Prec.assignment, indent) } ?? blockBody
            return head + " -> " + rhs
        }
    }

    // MARK: - Literals

    /// The shortest text that reads back as the same Float64 (`0.1`, `1.0`, `1e-06`).
    public static func formatFloat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "Inf" }
        return String(value)
    }

    /// A string literal with Julia's escapes (`\"`, `\\`, `\$`, `\n`, `\t`, `\u{..}`).
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "$": out += "\\$"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
