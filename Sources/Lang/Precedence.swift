import Foundation

/// Binding powers of Julia's binary operators, loosest first (Julia's `julia-parser.scm`:
/// assignment < `->` < `=>` < `?:` < `||` < `&&` < comparison < `<|` < `|>` < `:` < `+` <
/// `*` < `//` < `<<`; unary operators, juxtaposition (`2x`) and `^` bind tighter still and
/// are parsed by dedicated functions).
enum Prec {
    static let assignment = 1
    static let arrow = 2
    static let pair = 3
    static let ternary = 4
    static let or = 5
    static let and = 6
    static let comparison = 7
    static let pipeLeft = 8
    static let pipe = 9
    static let colon = 10
    static let plus = 11
    static let times = 12
    static let rational = 13
    static let shift = 14
    /// Tighter than every binary operator: unary operands, printing.
    static let unary = 15
    static let power = 16
    static let postfix = 17
}

/// How a binary operator token parses.
struct BinaryOperatorInfo {
    var op: Operator
    var dotted: Bool
    var precedence: Int
    var rightAssociative: Bool
}

enum OperatorTable {
    /// Binary operators by spelling (without the broadcasting dot), Unicode aliases included.
    static let binary: [String: (Operator, Int, Bool)] = [
        "+": (.plus, Prec.plus, false), "-": (.minus, Prec.plus, false), "|": (.bitOr, Prec.plus, false),
        "∪": (.union, Prec.plus, false), "⊻": (.xor, Prec.plus, false),
        "*": (.times, Prec.times, false), "/": (.divide, Prec.times, false), "\\": (.leftDivide, Prec.times, false),
        "%": (.remainder, Prec.times, false), "÷": (.integerDivide, Prec.times, false), "&": (.bitAnd, Prec.times, false),
        "⋅": (.dot, Prec.times, false), "×": (.cross, Prec.times, false), "∘": (.compose, Prec.times, false),
        "∩": (.intersect, Prec.times, false), "⊗": (.kron, Prec.times, false),
        "//": (.rational, Prec.rational, false),
        "<<": (.shiftLeft, Prec.shift, false), ">>": (.shiftRight, Prec.shift, false), ">>>": (.shiftRightLogical, Prec.shift, false),
        "==": (.equal, Prec.comparison, false), "!=": (.notEqual, Prec.comparison, false), "≠": (.notEqual, Prec.comparison, false),
        "===": (.identical, Prec.comparison, false), "≡": (.identical, Prec.comparison, false),
        "!==": (.notIdentical, Prec.comparison, false),
        "<": (.less, Prec.comparison, false), "<=": (.lessEqual, Prec.comparison, false), "≤": (.lessEqual, Prec.comparison, false),
        ">": (.greater, Prec.comparison, false), ">=": (.greaterEqual, Prec.comparison, false),
        "≥": (.greaterEqual, Prec.comparison, false), "≈": (.approx, Prec.comparison, false),
        "∈": (.in, Prec.comparison, false), "∉": (.notIn, Prec.comparison, false),
        "<:": (.subtype, Prec.comparison, false), ">:": (.supertype, Prec.comparison, false),
        "<|": (.pipeLeft, Prec.pipeLeft, true), "|>": (.pipe, Prec.pipe, false),
        "=>": (.pair, Prec.pair, true),
    ]

    /// Prefix operators.
    static let unary: [String: Operator] = [
        "-": .minus, "+": .plus, "!": .not, "√": .sqrt, "∛": .cbrt, "~": .bitNot,
    ]

    /// Assignment operators: `=` and the updating forms, each also dotted.
    static let updating: [String: Operator] = [
        "+=": .plus, "-=": .minus, "*=": .times, "/=": .divide, "\\=": .leftDivide, "^=": .power,
        "%=": .remainder, "|=": .bitOr, "&=": .bitAnd, "<<=": .shiftLeft, ">>=": .shiftRight, "//=": .rational,
    ]

    /// The binary operator spelled `spelling` (`.+` is `+` dotted).
    static func binaryInfo(_ spelling: String) -> BinaryOperatorInfo? {
        if let entry = binary[spelling] {
            return BinaryOperatorInfo(op: entry.0, dotted: false, precedence: entry.1, rightAssociative: entry.2)
        }
        if spelling.hasPrefix("."), spelling.count > 1, let entry = binary[String(spelling.dropFirst())] {
            return BinaryOperatorInfo(op: entry.0, dotted: true, precedence: entry.1, rightAssociative: entry.2)
        }
        return nil
    }

    /// The prefix operator spelled `spelling` and whether it is dotted (`.-x`).
    static func unaryInfo(_ spelling: String) -> (Operator, Bool)? {
        if let op = unary[spelling] { return (op, false) }
        if spelling.hasPrefix("."), spelling.count > 1, let op = unary[String(spelling.dropFirst())] { return (op, true) }
        return nil
    }

    /// The spelling the printer uses for an operator (ASCII where Julia has one).
    static func spelling(_ op: Operator) -> String { op.rawValue }

    /// Binding power of a binary operator when printed.
    static func precedence(_ op: Operator) -> Int {
        if op == .power { return Prec.power }
        if let entry = binary[op.rawValue] { return entry.1 }
        if op == .in || op == .isa { return Prec.comparison }
        return Prec.times
    }

    /// Whether a binary operator groups to the right when printed.
    static func isRightAssociative(_ op: Operator) -> Bool {
        if op == .power { return true }
        return binary[op.rawValue]?.2 ?? false
    }
}
