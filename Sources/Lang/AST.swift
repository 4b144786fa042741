import Foundation

/// A syntax-tree node: what it is, and the source it came from.
///
/// Everything in the language is an expression (as in Julia, `if` and blocks have values),
/// so one node type serves the whole tree: `Expr = Node<ExprKind>`.
public struct Node<Kind: Sendable>: Sendable {
    /// What the node is.
    public var kind: Kind
    /// Where it came from; errors at run time point here.
    public var span: SourceSpan

    /// A node from its parts.
    public init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// An expression (every statement is one).
public typealias Expr = Node<ExprKind>

/// The kinds of expression. Operators are kept as operators (not calls) so the interpreter
/// can trace them; `dotted` marks Julia's broadcasting forms (`.+`, `f.(x)`, `.=`).
public indirect enum ExprKind: Sendable {
    // MARK: Literals and names
    /// `1`, `1_000`, `0x1F`.
    case integer(Int)
    /// `0.5`, `1e-3`, `1f0` (Float32 spellings are read as Float64).
    case float(Double)
    /// `true`, `false`.
    case bool(Bool)
    /// `nothing`.
    case nothing
    /// A string without interpolation, escapes processed.
    case string(String)
    /// A string with `$x` or `$(expr)` parts, e.g. `"loss = $(l)"`.
    case interpolation([StringPart])
    /// A quoted symbol `:log10` (used for options such as `yscale=:log10`).
    case symbol(String)
    /// A name: `x`, `θ`, `u₀`, `lotka!`, `π`, `pi`; also an operator used as a value (`+` in `reduce(+, v)`).
    case identifier(String)
    /// `end` inside indexing brackets: the last index of that dimension.
    case endIndex
    /// `begin` inside indexing brackets: the first index of that dimension.
    case beginIndex
    /// A bare `:` (all of a dimension, as in `A[:, 1]`).
    case colon

    // MARK: Collections
    /// `(a, b)`, `(x,)`, `()`; also the left side of `x, y = u`.
    case tuple([Expr])
    /// `(a=1, b=2)`, `(; a, b)`.
    case namedTuple([NamedField])
    /// `[1, 2, 3]`, `[]`.
    case vector([Expr])
    /// Concatenation: `[1 2; 3 4]` has rows `[[1, 2], [3, 4]]`; `[a b]` one row (hcat);
    /// `[a; b]` rows of one element each (vcat). Each row is concatenated horizontally,
    /// then the rows vertically, as Julia's `hvcat`.
    case concat(rows: [[Expr]])
    /// `[f(i) for i in 1:n if p(i)]`.
    case comprehension(Generator)
    /// `(x^2 for x in v)`, or bare inside a call: `sum(x^2 for x in v)`.
    case generator(Generator)
    /// A literal with an element type: `Float32[1, 2]` is an index expression, but
    /// `Float32[2.0; 0.0]`, `Float64[1 2]` and `Float32[x for x in v]` land here.
    case typedArray(type: Expr, array: Expr)
    /// `a:b` (step nil) or `a:s:b`.
    case range(start: Expr, step: Expr?, stop: Expr)

    // MARK: Operators
    /// `-x`, `!c`, `√x`, `.-x`.
    case unary(Operator, dotted: Bool, Expr)
    /// `a + b`, `a .* b`, `2x` (juxtaposition is multiplication).
    case binary(Operator, dotted: Bool, Expr, Expr)
    /// A chain of two or more comparisons: `a < b <= c` is `a < b && b <= c`, with `b` evaluated once.
    case comparison(first: Expr, rest: [ComparisonLink])
    /// `a && b` (short-circuit).
    case and(Expr, Expr)
    /// `a || b` (short-circuit).
    case or(Expr, Expr)
    /// `c ? a : b`.
    case ternary(condition: Expr, then: Expr, otherwise: Expr)
    /// `x'`.
    case adjoint(Expr)
    /// `args...` in a call, a tuple, a vector or a parameter list.
    case splat(Expr)
    /// `x::T` (type assertions are parsed; the interpreter may ignore them).
    case typed(Expr, type: Expr)
    /// `Vector{Float64}`.
    case curly(Expr, [Expr])

    // MARK: Access and calls
    /// `f(x, y; tol=1e-6)`, `f.(x)`, `sol(0.5)`.
    case call(Call)
    /// `u[1]`, `A[:, 2:end]`, `A[i, j]`.
    case index(Expr, [Expr])
    /// `sol.t`, `Lux.Dense`.
    case field(Expr, name: String)
    /// `@. expr`: the interpreter dots every call and operator inside (and `=` becomes `.=`).
    case broadcastAll(Expr)
    /// Any other macro, `@time f(x)`, `@show a b`: name without `@`, arguments as parsed.
    case macroCall(name: String, arguments: [Expr])

    // MARK: Assignment
    /// `x = 1`, `du[1] = ...`, `sol.t = ...`, `x, y = u`, `(a, b) = t`.
    case assign(target: Expr, value: Expr)
    /// `x .= expr`.
    case broadcastAssign(target: Expr, value: Expr)
    /// `x += 1` (operator `+`), `x .*= 2` (dotted).
    case updateAssign(Operator, dotted: Bool, target: Expr, value: Expr)
    /// `const x = 1`, `global x`, `local y = 2`.
    case declaration(DeclarationKind, Expr)

    // MARK: Functions and control flow
    /// A named or anonymous function in any of its forms.
    case function(FunctionDefinition)
    /// `struct Point ... end`, `mutable struct`, `Base.@kwdef struct`.
    case structDefinition(StructDefinition)
    /// `begin ... end`, `(a; b)`.
    case block([Expr])
    /// `if c ... elseif d ... else ... end`.
    case ifElse(branches: [Branch], otherwise: [Expr]?)
    /// `for i in 1:n, j in 1:m ... end`.
    case forLoop(bindings: [LoopBinding], body: [Expr])
    /// `while c ... end`.
    case whileLoop(condition: Expr, body: [Expr])
    /// `let a = 1, b ... end`: each binding is an assignment or a name.
    case letBlock(bindings: [Expr], body: [Expr])
    /// `try ... catch e ... finally ... end`.
    case tryCatch(body: [Expr], catchName: String?, catchBody: [Expr]?, finallyBody: [Expr]?)
    /// `return`, `return x`.
    case returnValue(Expr?)
    /// `break`.
    case breakLoop
    /// `continue`.
    case continueLoop
    /// `using X, Y`, `import X`: accepted and ignored (the parser adds a note).
    case using(UsingStatement)
    /// Stands in for text that did not parse (an error was reported for it).
    case error
}

/// An operator, normalised: `≤` is `.lessEqual`, `∈` is `.in`, `≠` is `.notEqual`.
/// The raw value is the spelling the interpreter's builtin table can use as a name.
public enum Operator: String, Sendable, CaseIterable {
    case plus = "+", minus = "-", times = "*", divide = "/", leftDivide = "\\", power = "^"
    case remainder = "%", integerDivide = "÷", rational = "//"
    case equal = "==", notEqual = "!=", identical = "===", notIdentical = "!=="
    case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", approx = "≈"
    case `in` = "in", notIn = "∉", isa = "isa", subtype = "<:", supertype = ">:"
    case not = "!", sqrt = "√", cbrt = "∛", bitNot = "~", bitAnd = "&", bitOr = "|", xor = "⊻"
    case shiftLeft = "<<", shiftRight = ">>", shiftRightLogical = ">>>"
    case pipe = "|>", pipeLeft = "<|", pair = "=>", compose = "∘", dot = "⋅", cross = "×"
    case union = "∪", intersect = "∩", kron = "⊗"
}
