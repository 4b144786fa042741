import Foundation

extension Parser {
    /// Advice for an unexpected token, aimed at habits from Python, MATLAB and C that Julia
    /// (and so Fluxion) does not share. Nil when there is nothing better to say.
    func hint(for token: Token) -> String? {
        let previous = self.previous
        switch token.kind {
        case .leftParen where token.spaceBefore:
            if let previous, case .identifier(let name) = previous.kind {
                return "remove the space: write \(name)(...); in Julia 'f (x)' is not a call"
            }
        case .leftBracket where token.spaceBefore:
            if let previous, case .identifier(let name) = previous.kind {
                return "remove the space: write \(name)[...] to index"
            }
        case .leftBrace:
            return "Julia blocks end with 'end', not braces"
        case .identifier(let name):
            switch name {
            case "and": return "use && for 'and'"
            case "or": return "use || for 'or'"
            case "not": return "use ! for 'not'"
            case "then": return "Julia's 'if' needs no 'then': write if c ... end"
            case "endif", "endfor", "endwhile", "endfunction": return "close every block with plain 'end'"
            default: break
            }
            if let previous, case .identifier(let word) = previous.kind {
                switch word {
                case "def": return "define functions with 'function f(x) ... end' or 'f(x) = ...'"
                case "elif": return "use 'elseif'"
                case "lambda": return "write anonymous functions as x -> ..."
                case "print", "printf": return "call it with parentheses: println(...)"
                default: return "to multiply, write \(word) * \(name); to call, write \(word)(\(name))"
                }
            }
            if let previous, previous.kind == .integer(0) || isNumber(previous) {
                return "to multiply, write the number and the name without a space (2x) or with '*'"
            }
        case .integer, .float:
            if let previous, case .identifier(let word) = previous.kind {
                return "to call \(word), write \(word)(...)"
            }
        case .op("~") where peek().isOp("=") && !peek().spaceBefore:
            return "'~=' is not an operator; use != for 'not equal'"
        case .op("+") where peek().isOp("+") && !peek().spaceBefore:
            return "'++' is not an operator; use x += 1"
        case .op(":"):
            if peek().newlineBefore || peek().kind == .endOfInput {
                return "Julia blocks do not end with ':'; remove it (the block ends with 'end')"
            }
        case .stringStart:
            if let previous, case .identifier = previous.kind, !token.spaceBefore {
                return "string macros like r\"...\" are not supported"
            }
        default:
            break
        }
        return nil
    }

    func isNumber(_ token: Token) -> Bool {
        switch token.kind {
        case .integer, .float: return true
        default: return false
        }
    }
}
