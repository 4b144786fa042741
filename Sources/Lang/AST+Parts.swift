import Foundation

/// One piece of an interpolated string.
public enum StringPart: Sendable {
    /// Literal text.
    case text(String)
    /// `$x` or `$(expr)`.
    case expr(Expr)
}

/// `name = value` in a named tuple.
public struct NamedField: Sendable {
    /// The field name.
    public var name: String
    /// Its value.
    public var value: Expr
    /// `name = value` in the source.
    public var span: SourceSpan

    /// A field from its parts.
    public init(name: String, value: Expr, span: SourceSpan) {
        self.name = name
        self.value = value
        self.span = span
    }
}

/// The body and clauses of a comprehension or generator.
///
/// `[x*y for x in a, y in b]` has one `.iterate` clause with two bindings (a product: the
/// result is a matrix); `[x for x in a for y in b]` has two clauses (nested: the result is
/// flattened); `.filter` clauses keep the elements for which they hold.
public struct Generator: Sendable {
    /// The value produced for each iteration.
    public var body: Expr
    /// `for` and `if` clauses in source order.
    public var clauses: [GeneratorClause]

    /// A generator from its parts.
    public init(body: Expr, clauses: [GeneratorClause]) {
        self.body = body
        self.clauses = clauses
    }
}

/// A clause of a comprehension or generator.
public enum GeneratorClause: Sendable {
    /// `for x in a, y in b`.
    case iterate([LoopBinding])
    /// `if cond`.
    case filter(Expr)
}

/// `target in iterable` (also `=` and `∈`) in a `for` loop or a comprehension.
public struct LoopBinding: Sendable {
    /// A name, `_`, or a tuple of targets: `(i, x)` in `for (i, x) in enumerate(v)`.
    public var target: Expr
    /// What to iterate over.
    public var iterable: Expr
    /// The whole binding.
    public var span: SourceSpan

    /// A binding from its parts.
    public init(target: Expr, iterable: Expr, span: SourceSpan) {
        self.target = target
        self.iterable = iterable
        self.span = span
    }
}

/// One `op operand` step of a comparison chain.
public struct ComparisonLink: Sendable {
    /// The comparison.
    public var op: Operator
    /// `.<` rather than `<`.
    public var dotted: Bool
    /// The right-hand operand.
    public var operand: Expr

    /// A link from its parts.
    public init(op: Operator, dotted: Bool, operand: Expr) {
        self.op = op
        self.dotted = dotted
        self.operand = operand
    }
}

/// `if`/`elseif` condition and body.
public struct Branch: Sendable {
    /// The condition.
    public var condition: Expr
    /// Statements run when it holds.
    public var body: [Expr]

    /// A branch from its parts.
    public init(condition: Expr, body: [Expr]) {
        self.condition = condition
        self.body = body
    }
}

/// `const`, `global` or `local`.
public enum DeclarationKind: String, Sendable {
    case const, global, local
}

/// A function call.
public struct Call: Sendable {
    /// What is called: usually a name, also `Lux.Dense`, `node` (a callable value), `sol`.
    public var callee: Expr
    /// Positional arguments; may hold `.splat` and `.generator` nodes.
    public var arguments: [Expr]
    /// Keyword arguments, whether written after `,` or after `;`.
    public var keywords: [KeywordArgument]
    /// `f.(x)`: broadcast the call.
    public var dotted: Bool

    /// A call from its parts.
    public init(callee: Expr, arguments: [Expr], keywords: [KeywordArgument] = [], dotted: Bool = false) {
        self.callee = callee
        self.arguments = arguments
        self.keywords = keywords
        self.dotted = dotted
    }
}

/// `name = value` in a call, or `opts...` after `;`.
public struct KeywordArgument: Sendable {
    /// The keyword; empty for a splat.
    public var name: String
    /// Its value (for a splat, the collection of pairs).
    public var value: Expr
    /// The whole argument.
    public var span: SourceSpan
    /// `; opts...`.
    public var isSplat: Bool
    /// Written after `;`. Calls treat both kinds alike; a short function definition
    /// `f(x, y=2; tol=1) = ...` reads the ones before `;` as default positional values.
    public var followsSemicolon: Bool

    /// A keyword argument from its parts.
    public init(name: String, value: Expr, span: SourceSpan, isSplat: Bool = false, followsSemicolon: Bool = false) {
        self.name = name
        self.value = value
        self.span = span
        self.isSplat = isSplat
        self.followsSemicolon = followsSemicolon
    }
}

/// A function definition: `function f(u, p, t) ... end`, `f(x) = ...`, `x -> ...`,
/// `(x, y) -> ...`, `function (p, l; doplot=false) ... end`, and `do` blocks.
public struct FunctionDefinition: Sendable {
    /// How it was written; the printer reproduces it.
    public enum Form: Sendable {
        /// `function ... end`.
        case long
        /// `f(x) = expr`.
        case short
        /// `x -> expr` (also `do` blocks).
        case arrow
    }

    /// The name, `nil` for an anonymous function.
    public var name: String?
    /// Positional parameters.
    public var parameters: [Parameter]
    /// Keyword parameters (after `;`).
    public var keywordParameters: [Parameter]
    /// The statements; the last one's value is returned unless `return` says otherwise.
    public var body: [Expr]
    /// How it was written.
    public var form: Form

    /// A function from its parts.
    public init(name: String?, parameters: [Parameter], keywordParameters: [Parameter] = [],
                body: [Expr], form: Form) {
        self.name = name
        self.parameters = parameters
        self.keywordParameters = keywordParameters
        self.body = body
        self.form = form
    }

    /// A name ending in `!`: by convention the function mutates its first argument
    /// (`lotka!(du, u, p, t)` is an in-place right-hand side).
    public var isMutating: Bool { name?.hasSuffix("!") ?? false }
}

/// A function parameter: `x`, `x::T`, `x = 1`, `args...`.
public struct Parameter: Sendable {
    /// Its name (`_` allowed).
    public var name: String
    /// A declared type, parsed and kept for messages.
    public var type: Expr?
    /// The default value, evaluated at call time.
    public var defaultValue: Expr?
    /// `args...`: collects the remaining arguments into a tuple.
    public var isSplat: Bool
    /// Where it is.
    public var span: SourceSpan

    /// A parameter from its parts.
    public init(name: String, type: Expr? = nil, defaultValue: Expr? = nil, isSplat: Bool = false, span: SourceSpan) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.isSplat = isSplat
        self.span = span
    }
}

/// `using A, B: c` or `import A`; recorded so the interpreter can say what it ignored.
public struct UsingStatement: Sendable {
    /// `import` rather than `using`.
    public var isImport: Bool
    /// Module paths as written: `Flux`, `DiffEqFlux`, `Optimization.OptimizationOptimisers`.
    public var modules: [String]
    /// Names after `:`, e.g. `Chain`, `Dense` in `using Flux: Chain, Dense`.
    public var names: [String]

    /// A using statement from its parts.
    public init(isImport: Bool, modules: [String], names: [String] = []) {
        self.isImport = isImport
        self.modules = modules
        self.names = names
    }
}

/// `struct Name ... end`: its fields in order, with optional types and (for `Base.@kwdef`)
/// defaults. Type parameters and a supertype are accepted and dropped.
public struct StructDefinition: Sendable {
    /// One field: `x`, `x::Float64`, `x::Float64 = 1.0`.
    public struct Field: Sendable {
        public var name: String
        public var type: Expr?
        public var defaultValue: Expr?
        public var span: SourceSpan
    }

    public var name: String
    /// `mutable struct`: fields can be assigned.
    public var isMutable: Bool
    /// `Base.@kwdef`: a keyword constructor using the defaults.
    public var isKeywordDefined: Bool
    public var fields: [Field]
}
