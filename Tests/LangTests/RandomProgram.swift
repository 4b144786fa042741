import Foundation

/// Random, mostly well-formed programs in Julia syntax for round-trip fuzzing: every
/// operator, bracket form, literal and block construct, nested at random, with random
/// spacing where the language allows it.
struct RandomProgram {
    var random: RobustnessTests.Generator

    init(seed: UInt64) { random = RobustnessTests.Generator(state: seed) }

    mutating func pick<T>(_ options: [T]) -> T { options[random.below(options.count)] }

    static let names = ["x", "y", "θ", "u₀", "f", "g", "A", "sol", "p", "lotka!", "π", "α₁", "x̄"]
    static let binary = ["+", "-", "*", "/", "^", "\\", "%", "÷", "//", ".+", ".-", ".*", "./", ".^", "==", "!=", "<",
                         "<=", ">", ">=", "≈", "∈", "in", "isa", "&&", "||", "|>", "=>", "∘", ".==", ".<", "&", "|"]

    mutating func atom() -> String {
        switch random.below(9) {
        case 0: return String(random.below(1000))
        case 1: return pick(["0.5", "1e-3", "2.5f0", "1.0", ".5", "0x1F", "1_000"])
        case 2: return pick(["true", "false", "nothing"])
        case 3: return pick([":log10", ":a", ":blue"])
        case 4: return pick(["\"text\"", "\"a $x b\"", "\"v = $(x + 1)\"", "\"esc \\\" \\n \\$\"", "\"\""])
        default: return pick(Self.names)
        }
    }

    mutating func expression(_ depth: Int) -> String {
        if depth <= 0 { return atom() }
        let d = depth - 1
        switch random.below(24) {
        case 0, 1, 2: return expression(d) + " " + pick(Self.binary) + " " + expression(d)
        case 3: return pick(["-", "!", "+", "√", ".-"]) + expression(d)
        case 4: return "(" + expression(d) + ")"
        case 5: return pick(Self.names) + "(" + arguments(d) + ")"
        case 6: return pick(Self.names) + ".(" + arguments(d) + ")"
        case 7: return pick(Self.names) + "[" + indices(d) + "]"
        case 8: return expression(d) + ":" + expression(d)
        case 9: return "(" + expression(d) + ":" + expression(d) + ":" + expression(d) + ")"
        case 10: return expression(d) + " ? " + expression(d) + " : " + expression(d)
        case 11: return pick(["x -> ", "(x, y) -> ", "() -> "]) + expression(d)
        case 12: return "[" + list(d, ", ") + "]"
        case 13: return "[" + expression(d) + " " + expression(d) + "; " + expression(d) + " " + expression(d) + "]"
        case 14: return "[" + expression(d) + " for x in " + expression(d) + (random.below(2) == 0 ? " if " + expression(d) : "") + "]"
        case 15: return "(" + expression(d) + ", " + expression(d) + ")"
        case 16: return "(a = " + expression(d) + ", b = " + expression(d) + ")"
        case 17: return "(" + expression(d) + ")'"
        case 18: return String(random.below(10)) + pick(["x", "π", "(x + 1)"])
        case 19: return pick(Self.names) + "." + pick(["t", "u", "minimizer"])
        case 20: return "@. " + expression(d)
        case 21: return "sum(" + expression(d) + " for x in v)"
        case 22: return "begin\n" + expression(d) + "\n" + expression(d) + "\nend"
        default: return "if " + expression(d) + "\n" + expression(d) + "\nelse\n" + expression(d) + "\nend"
        }
    }

    mutating func list(_ depth: Int, _ separator: String) -> String {
        (0..<random.below(4)).map { _ in expression(depth) }.joined(separator: separator)
    }

    mutating func arguments(_ depth: Int) -> String {
        var parts = (0..<random.below(3)).map { _ in expression(depth) }
        if random.below(3) == 0 { parts.append("k = " + expression(depth)) }
        var text = parts.joined(separator: ", ")
        if random.below(4) == 0 { text += "; tol = " + expression(depth) }
        return text
    }

    mutating func indices(_ depth: Int) -> String {
        (0..<(1 + random.below(2))).map { _ in
            pick([expression(depth), ":", "end", "2:end", "end - 1", "begin"])
        }.joined(separator: ", ")
    }

    mutating func statement(_ depth: Int) -> String {
        switch random.below(10) {
        case 0: return "x = " + expression(depth)
        case 1: return "du[1] = " + expression(depth)
        case 2: return "a, b = " + expression(depth)
        case 3: return "x .+= " + expression(depth)
        case 4: return "f(u, p; k = 1) = " + expression(depth)
        case 5: return "function g!(du, u)\n    " + statement(depth - 1) + "\n    return " + expression(depth) + "\nend"
        case 6: return "for i in " + expression(depth) + "\n    " + statement(depth - 1) + "\nend"
        case 7: return "while " + expression(depth) + "\n    break\nend"
        case 8: return "let a = " + expression(depth) + "\n    a\nend"
        default: return expression(depth)
        }
    }

    mutating func program() -> String {
        (0..<(1 + random.below(4))).map { _ in statement(1 + random.below(4)) }.joined(separator: "\n")
    }
}
