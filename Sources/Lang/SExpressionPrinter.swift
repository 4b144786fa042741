import Foundation

/// Prints syntax trees as s-expressions, the form tests state expectations in:
/// `1 + 2*3` is `(+ 1 (* 2 3))`, `f(x; tol=1e-6)` is `(call f x (kw tol 1e-06))`.
///
/// The shape names follow Julia's `Meta.show_sexpr` where one exists (`call`, `ref`,
/// `vect`, `hcat`, `vcat`, `tuple`, `comparison`, `->`), so a Julia user can read them.
public enum SExpressionPrinter {
    /// One line per statement.
    public static func print(_ statements: [Expr]) -> String {
        statements.map { print($0) }.joined(separator: "\n")
    }

    /// One expression on one line.
    public static func print(_ expr: Expr) -> String {
        var out = ""
        write(expr, to: &out)
        return out
    }

    static func write(_ expr: Expr, to out: inout String) {
        switch expr.kind {
        case .integer(let value): out += String(value)
        case .float(let value): out += SourcePrinter.formatFloat(value)
        case .bool(let value): out += value ? "true" : "false"
        case .nothing: out += "nothing"
        case .string(let text): out += SourcePrinter.quote(text)
        case .interpolation(let parts):
            out += "(string"
            for part in parts {
                out += " "
                switch part {
                case .text(let text): out += SourcePrinter.quote(text)
                case .expr(let value): write(value, to: &out)
                }
            }
            out += ")"
        case .symbol(let name): out += ":" + name
        case .identifier(let name): out += name
        case .endIndex: out += "end"
        case .beginIndex: out += "begin"
        case .colon: out += ":"
        case .tuple(let items): list("tuple", items, &out)
        case .namedTuple(let fields):
            out += "(namedtuple"
            for field in fields {
                out += " (= \(field.name) "
                write(field.value, to: &out)
                out += ")"
            }
            out += ")"
        case .vector(let items): list("vect", items, &out)
        case .concat(let rows): writeConcat(rows, &out)
        case .comprehension(let generator): writeGenerator("comprehension", generator, &out)
        case .generator(let generator): writeGenerator("generator", generator, &out)
        case .typedArray(let type, let array): list("typed", [type, array], &out)
        case .range(let start, let step, let stop):
            list(":", step.map { [start, $0, stop] } ?? [start, stop], &out)
        case .unary(let op, let dotted, let operand): list((dotted ? "." : "") + op.rawValue, [operand], &out)
        case .binary(let op, let dotted, let lhs, let rhs): list((dotted ? "." : "") + op.rawValue, [lhs, rhs], &out)
        case .comparison(let first, let rest):
            out += "(comparison "
            write(first, to: &out)
            for link in rest {
                out += " " + (link.dotted ? "." : "") + link.op.rawValue + " "
                write(link.operand, to: &out)
            }
            out += ")"
        case .and(let lhs, let rhs): list("&&", [lhs, rhs], &out)
        case .or(let lhs, let rhs): list("||", [lhs, rhs], &out)
        case .ternary(let condition, let then, let otherwise): list("?", [condition, then, otherwise], &out)
        case .adjoint(let inner): list("'", [inner], &out)
        case .splat(let inner): list("...", [inner], &out)
        case .typed(let inner, let type): list("::", [inner, type], &out)
        case .curly(let base, let arguments): list("curly", [base] + arguments, &out)
        case .call(let call): writeCall(call, &out)
        case .index(let base, let indices): list("ref", [base] + indices, &out)
        case .field(let base, let name):
            out += "(. "
            write(base, to: &out)
            out += " \(name))"
        case .broadcastAll(let inner): list("@.", [inner], &out)
        case .macroCall(let name, let arguments):
            out += "(macrocall @\(name)"
            for argument in arguments {
                out += " "
                write(argument, to: &out)
            }
            out += ")"
        case .assign(let target, let value): list("=", [target, value], &out)
        case .broadcastAssign(let target, let value): list(".=", [target, value], &out)
        case .updateAssign(let op, let dotted, let target, let value):
            list((dotted ? "." : "") + op.rawValue + "=", [target, value], &out)
        case .declaration(let kind, let inner): list(kind.rawValue, [inner], &out)
        case .function(let function): writeFunction(function, &out)
        case .structDefinition(let definition):
            out += "(" + (definition.isKeywordDefined ? "@kwdef " : "") + (definition.isMutable ? "mutable struct " : "struct ") + definition.name
            for field in definition.fields {
                out += " "
                if field.type == nil && field.defaultValue == nil { out += field.name; continue }
                out += "(" + field.name
                if let type = field.type { out += " :: "; write(type, to: &out) }
                if let value = field.defaultValue { out += " = "; write(value, to: &out) }
                out += ")"
            }
            out += ")"
        case .block(let statements): block(statements, &out)
        case .ifElse(let branches, let otherwise):
            out += "(if "
            for (index, branch) in branches.enumerated() {
                if index > 0 { out += " (elseif " }
                write(branch.condition, to: &out)
                out += " "
                block(branch.body, &out)
                if index > 0 { out += ")" }
            }
            if let otherwise {
                out += " (else "
                block(otherwise, &out)
                out += ")"
            }
            out += ")"
        case .forLoop(let bindings, let body):
            out += "(for"
            for binding in bindings { writeBinding(binding, &out) }
            out += " "
            block(body, &out)
            out += ")"
        case .whileLoop(let condition, let body):
            out += "(while "
            write(condition, to: &out)
            out += " "
            block(body, &out)
            out += ")"
        case .letBlock(let bindings, let body):
            out += "(let"
            for binding in bindings {
                out += " "
                write(binding, to: &out)
            }
            out += " "
            block(body, &out)
            out += ")"
        case .tryCatch(let body, let catchName, let catchBody, let finallyBody):
            out += "(try "
            block(body, &out)
            if let catchBody {
                out += " (catch" + (catchName.map { " " + $0 } ?? "") + " "
                block(catchBody, &out)
                out += ")"
            }
            if let finallyBody {
                out += " (finally "
                block(finallyBody, &out)
                out += ")"
            }
            out += ")"
        case .returnValue(let value): list("return", value.map { [$0] } ?? [], &out)
        case .breakLoop: out += "(break)"
        case .continueLoop: out += "(continue)"
        case .using(let statement):
            out += statement.isImport ? "(import" : "(using"
            for module in statement.modules { out += " " + module }
            if !statement.names.isEmpty { out += " (: " + statement.names.joined(separator: " ") + ")" }
            out += ")"
        case .error: out += "(error)"
        }
    }

    static func list(_ head: String, _ items: [Expr], _ out: inout String) {
        out += "(" + head
        for item in items {
            out += " "
            write(item, to: &out)
        }
        out += ")"
    }

    static func block(_ statements: [Expr], _ out: inout String) {
        list("block", statements, &out)
    }

    static func writeConcat(_ rows: [[Expr]], _ out: inout String) {
        if rows.count == 1, let row = rows.first, row.count > 1 {
            list("hcat", row, &out)
        } else if rows.allSatisfy({ $0.count == 1 }) {
            list("vcat", rows.compactMap(\.first), &out)
        } else {
            out += "(vcat"
            for row in rows {
                out += " "
                list("row", row, &out)
            }
            out += ")"
        }
    }

    static func writeGenerator(_ head: String, _ generator: Generator, _ out: inout String) {
        out += "(" + head + " "
        write(generator.body, to: &out)
        for clause in generator.clauses {
            switch clause {
            case .iterate(let bindings):
                out += " (for"
                for binding in bindings { writeBinding(binding, &out) }
                out += ")"
            case .filter(let condition):
                out += " (if "
                write(condition, to: &out)
                out += ")"
            }
        }
        out += ")"
    }

    static func writeBinding(_ binding: LoopBinding, _ out: inout String) {
        out += " (in "
        write(binding.target, to: &out)
        out += " "
        write(binding.iterable, to: &out)
        out += ")"
    }

    static func writeCall(_ call: Call, _ out: inout String) {
        out += call.dotted ? "(call. " : "(call "
        write(call.callee, to: &out)
        for argument in call.arguments {
            out += " "
            write(argument, to: &out)
        }
        for keyword in call.keywords {
            if keyword.isSplat {
                out += " (kw... "
            } else {
                out += " (kw \(keyword.name) "
            }
            write(keyword.value, to: &out)
            out += ")"
        }
        out += ")"
    }

    static func writeFunction(_ function: FunctionDefinition, _ out: inout String) {
        if let name = function.name {
            out += "(function \(name) ("
        } else {
            out += "(-> ("
        }
        var first = true
        for parameter in function.parameters {
            if !first { out += " " }
            first = false
            writeParameter(parameter, &out)
        }
        if !function.keywordParameters.isEmpty {
            if !first { out += " " }
            out += "(;"
            for parameter in function.keywordParameters {
                out += " "
                writeParameter(parameter, &out)
            }
            out += ")"
        }
        out += ") "
        block(function.body, &out)
        out += ")"
    }

    static func writeParameter(_ parameter: Parameter, _ out: inout String) {
        var text = parameter.name
        if let type = parameter.type { text = "(:: \(text) \(print(type)))" }
        if parameter.isSplat { text = "(... \(text))" }
        if let value = parameter.defaultValue { text = "(= \(text) \(print(value)))" }
        out += text
    }
}
