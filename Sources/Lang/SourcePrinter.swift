import Foundation

/// Prints syntax trees back as canonical Fluxion source: four-space indentation, one
/// statement per line, spaces around binary operators, parentheses only where precedence
/// needs them, keyword arguments after `;` where they were written after `;`.
///
/// Parsing the printed text gives the same tree (the tests check this on every script),
/// so the output can be saved and loaded: the workbench writes sessions with it.
public enum SourcePrinter {
    /// Statements, one per line (blocks over several lines), with a final newline.
    public static func print(_ statements: [Expr]) -> String {
        statements.map { statement($0, indent: 0) + "\n" }.joined()
    }

    /// One expression or statement.
    public static func print(_ expr: Expr) -> String {
        statement(expr, indent: 0)
    }

    // MARK: - Statements and blocks

    static func pad(_ indent: Int) -> String { String(repeating: "    ", count: indent) }

    static func statement(_ expr: Expr, indent: Int) -> String {
        switch expr.kind {
        case .assign(let target, let value):
            // Statement level: `a, b = u` needs no parentheses.
            if case .tuple(let items) = target.kind, !items.isEmpty {
                let lhs = items.map { expression($0, Prec.assignment + 1, indent) }.joined(separator: ", ")
                return lhs + (items.count == 1 ? "," : "") + " = " + expression(value, Prec.assignment, indent)
            }
            return expression(expr, Prec.assignment, indent)
        default:
            return expression(expr, Prec.assignment, indent)
        }
    }

    /// `statements` indented one level deeper than `indent`, each on its own line.
    static func body(_ statements: [Expr], _ indent: Int) -> String {
        statements.map { pad(indent + 1) + statement($0, indent: indent + 1) + "\n" }.joined()
    }

    // MARK: - Expressions

    /// Binding power of a printed node: lower ones need parentheses under tighter operators.
    static func precedence(_ expr: Expr) -> Int {
        switch expr.kind {
        case .assign, .broadcastAssign, .updateAssign, .declaration: return Prec.assignment
        case .function(let function):
            switch function.form {
            case .arrow: return Prec.arrow
            case .short: return function.name == nil ? Prec.arrow : Prec.assignment
            case .long: return Prec.postfix + 1
            }
        case .ternary, .splat: return Prec.ternary
        case .or: return Prec.or
        case .and: return Prec.and
        case .comparison: return Prec.comparison
        case .range: return Prec.colon
        case .binary(let op, _, _, _): return OperatorTable.precedence(op)
        case .unary: return Prec.unary
        case .adjoint, .typed, .curly, .call, .index, .field, .typedArray: return Prec.postfix
        case .macroCall, .broadcastAll, .returnValue: return Prec.assignment
        case .identifier(let name) where isOperatorName(name): return Prec.postfix + 1
        default: return Prec.postfix + 1
        }
    }

    static func isOperatorName(_ name: String) -> Bool {
        OperatorTable.binaryInfo(name) != nil || OperatorTable.unaryInfo(name) != nil || name == "^"
    }

    /// `expr`, parenthesised if it binds more loosely than `minPrec`.
    static func expression(_ expr: Expr, _ minPrec: Int, _ indent: Int) -> String {
        let text = bare(expr, indent)
        return precedence(expr) < minPrec ? "(" + text + ")" : text
    }

    static func bare(_ expr: Expr, _ indent: Int) -> String {
        switch expr.kind {
        case .integer(let value): return String(value)
        case .float(let value): return formatFloat(value)
        case .bool(let value): return value ? "true" : "false"
        case .nothing: return "nothing"
        case .string(let text): return quote(text)
        case .interpolation(let parts):
            var out = "\""
            for part in parts {
                switch part {
                case .text(let text): out += String(quote(text).dropFirst().dropLast())
                case .expr(let value): out += "$(" + expression(value, Prec.assignment, indent) + ")"
                }
            }
            return out + "\""
        case .symbol(let name): return ":" + name
        case .identifier(let name): return isOperatorName(name) ? "(" + name + ")" : name
        case .endIndex: return "end"
        case .beginIndex: return "begin"
        case .colon: return ":"
        case .tuple(let items):
            let inner = items.map { expression($0, Prec.assignment + 1, indent) }
            return "(" + inner.joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .namedTuple(let fields):
            if fields.isEmpty { return "(;)" }
            return "(" + fields.map { "\($0.name) = " + expression($0.value, Prec.assignment + 1, indent) }
                .joined(separator: ", ") + (fields.count == 1 ? ",)" : ")")
        case .vector(let items):
            return "[" + items.map { expression($0, Prec.assignment + 1, indent) }.joined(separator: ", ") + "]"
        case .concat(let rows):
            let printed = rows.map { row in row.map { element($0, indent) }.joined(separator: " ") }
            if rows.count == 1 && rows[0].count == 1 { return "[" + printed[0] + ";]" }
            return "[" + printed.joined(separator: "; ") + "]"
        case .comprehension(let generator): return "[" + generatorText(generator, indent) + "]"
        case .generator(let generator): return "(" + generatorText(generator, indent) + ")"
        case .typedArray(let type, let array): return expression(type, Prec.postfix, indent) + bare(array, indent)
        case .range(let start, let step, let stop):
            let parts = ([start] + (step.map { [$0] } ?? []) + [stop]).map { expression($0, Prec.colon + 1, indent) }
            // `1:n` stays tight; spaces keep `:` from fusing into `::`, `<:` or `>:` (`a : :b`, `:< : x`).
            let crowded = parts.dropFirst().contains { $0.hasPrefix(":") }
                || parts.dropLast().contains { $0.last.map { ":<>".contains($0) } ?? false }
            return parts.joined(separator: crowded ? " : " : ":")
        case .unary(let op, let dotted, let operand):
            // No blank after the operator: inside `[...]` and macro arguments `- x` would read
            // as a binary operator. Adjacent operators do not fuse (`--x`, `-:a`, `.-.5`).
            return (dotted ? "." : "") + op.rawValue + expression(operand, Prec.unary, indent)
        case .binary(let op, let dotted, let lhs, let rhs):
            let prec = OperatorTable.precedence(op)
            let right = OperatorTable.isRightAssociative(op)
            // Comparisons do not associate: `(a < b) < c` is not the chain `a < b < c`. A ternary
            // left of `=>` needs parentheses: its last branch would take the `=>`.
            let leftMin = prec < Prec.ternary ? Prec.ternary + 1 : right || prec == Prec.comparison ? prec + 1 : prec
            let left = expression(lhs, leftMin, indent)
            let rightText = expression(rhs, right ? prec : prec + 1, indent)
            return left + " " + (dotted ? "." : "") + op.rawValue + " " + rightText
        case .comparison(let first, let rest):
            var out = expression(first, Prec.comparison + 1, indent)
            for link in rest {
                out += " " + (link.dotted ? "." : "") + link.op.rawValue + " " + expression(link.operand, Prec.comparison + 1, indent)
            }
            return out
        case .and(let lhs, let rhs):
            return expression(lhs, Prec.and + 1, indent) + " && " + expression(rhs, Prec.and, indent)
        case .or(let lhs, let rhs):
            return expression(lhs, Prec.or + 1, indent) + " || " + expression(rhs, Prec.or, indent)
        case .ternary(let condition, let then, let otherwise):
            // `:` makes no range in the middle of `? :`, so a range there needs parentheses.
            return expression(condition, Prec.ternary + 1, indent) + " ? " + expression(then, Prec.colon + 1, indent)
                + " : " + expression(otherwise, Prec.ternary, indent)
        case .adjoint(let inner): return postfixBase(inner, indent) + "'"
        case .splat(let inner): return expression(inner, Prec.ternary + 1, indent) + "..."
        case .typed(let inner, let type): return postfixBase(inner, indent) + "::" + expression(type, Prec.postfix, indent)
        case .curly(let base, let arguments):
            return postfixBase(base, indent) + "{" + arguments.map { expression($0, Prec.assignment + 1, indent) }
                .joined(separator: ", ") + "}"
        case .call(let call): return callText(call, indent)
        case .index(let base, let indices):
            return postfixBase(base, indent) + "[" + indices.map { element($0, indent) }.joined(separator: ", ") + "]"
        case .field(let base, let name): return postfixBase(base, indent) + "." + name
        case .broadcastAll(let inner): return "@. " + expression(inner, Prec.assignment, indent)
        case .macroCall(let name, let arguments):
            return (["@" + name] + arguments.map { element($0, indent, Prec.assignment) }).joined(separator: " ")
        case .assign(let target, let value):
            return expression(target, Prec.assignment + 1, indent) + " = " + expression(value, Prec.assignment, indent)
        case .broadcastAssign(let target, let value):
            return expression(target, Prec.assignment + 1, indent) + " .= " + expression(value, Prec.assignment, indent)
        case .updateAssign(let op, let dotted, let target, let value):
            return expression(target, Prec.assignment + 1, indent) + " " + (dotted ? "." : "") + op.rawValue + "= "
                + expression(value, Prec.assignment, indent)
        case .declaration(let kind, let inner): return kind.rawValue + " " + statement(inner, indent: indent)
        case .function(let function): return functionText(function, indent)
        case .structDefinition(let definition):
            let fields = definition.fields.map { field in
                pad(indent + 1) + field.name + (field.type.map { "::" + expression($0, Prec.postfix, indent) } ?? "")
                    + (field.defaultValue.map { " = " + expression($0, Prec.assignment, indent + 1) } ?? "") + "\n"
            }
            return (definition.isKeywordDefined ? "Base.@kwdef " : "") + (definition.isMutable ? "mutable struct " : "struct ")
                + definition.name + "\n" + fields.joined() + pad(indent) + "end"
        case .block(let statements): return "begin\n" + body(statements, indent) + pad(indent) + "end"
        case .ifElse(let branches, let otherwise):
            var out = ""
            for (index, branch) in branches.enumerated() {
                out += (index == 0 ? "if " : pad(indent) + "elseif ") + expression(branch.condition, Prec.assignment + 1, indent)
                out += "\n" + body(branch.body, indent)
            }
            if let otherwise { out += pad(indent) + "else\n" + body(otherwise, indent) }
            return out + pad(indent) + "end"
        case .forLoop(let bindings, let statements):
            return "for " + bindings.map { bindingText($0, indent) }.joined(separator: ", ") + "\n"
                + body(statements, indent) + pad(indent) + "end"
        case .whileLoop(let condition, let statements):
            return "while " + expression(condition, Prec.assignment + 1, indent) + "\n" + body(statements, indent) + pad(indent) + "end"
        case .letBlock(let bindings, let statements):
            let head = bindings.isEmpty ? "let" : "let " + bindings.map { expression($0, Prec.assignment, indent) }
                .joined(separator: ", ")
            return head + "\n" + body(statements, indent) + pad(indent) + "end"
        case .tryCatch(let statements, let catchName, let catchBody, let finallyBody):
            var out = "try\n" + body(statements, indent)
            if let catchBody { out += pad(indent) + "catch" + (catchName.map { " " + $0 } ?? "") + "\n" + body(catchBody, indent) }
            if let finallyBody { out += pad(indent) + "finally\n" + body(finallyBody, indent) }
            return out + pad(indent) + "end"
        case .returnValue(let value):
            return value.map { "return " + expression($0, Prec.assignment, indent) } ?? "return"
        case .breakLoop: return "break"
        case .continueLoop: return "continue"
        case .using(let statement):
            var out = (statement.isImport ? "import " : "using ") + statement.modules.joined(separator: ", ")
            if !statement.names.isEmpty { out += ": " + statement.names.joined(separator: ", ") }
            return out
        case .error: return "nothing #= error =#"
        }
    }

    /// An element inside `[...]` or after a macro, where blanks separate elements: a
    /// leading unary operator or a symbol is fine, but a parenthesised tuple would split.
    static func element(_ expr: Expr, _ indent: Int, _ minPrec: Int = Prec.assignment + 1) -> String {
        // A macro at the end would swallow the next element as another argument.
        endsWithMacro(expr) ? "(" + bare(expr, indent) + ")" : expression(expr, minPrec, indent)
    }

    /// Whether the printed form of `expr` ends with macro arguments (`x -> @. a`, `a + @time b`).
    static func endsWithMacro(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .macroCall, .broadcastAll: return true
        case .unary(_, _, let operand): return endsWithMacro(operand)
        case .binary(_, _, _, let rhs), .and(_, let rhs), .or(_, let rhs): return endsWithMacro(rhs)
        case .ternary(_, _, let otherwise): return endsWithMacro(otherwise)
        case .comparison(_, let rest): return rest.last.map { endsWithMacro($0.operand) } ?? false
        case .range(_, _, let stop): return endsWithMacro(stop)
        case .assign(_, let value), .broadcastAssign(_, let value), .updateAssign(_, _, _, let value):
            return endsWithMacro(value)
        case .returnValue(let value): return value.map(endsWithMacro) ?? false
        case .function(let function) where function.form != .long:
            return inlineBody(function.body).map(endsWithMacro) ?? false
        default: return false
        }
    }

    /// The base of a call, index, field or `'`: parenthesised unless it binds tightly, and
    /// always for a number (`2(x)` would be multiplication).
    static func postfixBase(_ base: Expr, _ indent: Int) -> String {
        switch base.kind {
        case .integer, .float, .typed: return "(" + bare(base, indent) + ")"
        default: return expression(base, Prec.postfix, indent)
        }
    }
}
