import Autodiff
import Foundation

extension IndexSpec {
    /// `selection(_:rows:columns:)` for a graph value's shape.
    static func selection(_ specs: [IndexSpec], in shape: Shape) -> (offsets: [Int], shape: Shape?) {
        let (offsets, dims) = selection(specs, rows: shape.kind == .matrix ? shape.rows : nil, columns: shape.cols)
        return (offsets, dims.map { $0.count == 2 ? .matrix($0[0], $0[1]) : .vector($0[0]) })
    }
}

/// A traced scalar or array: a node of a graph under construction (`Sym`). Right-hand sides
/// given to `ODEProblem` are run once on traced inputs, and every operation on them adds a
/// node instead of computing numbers. Comparisons give traced Booleans (`isBool`), which
/// only `ifelse` (and arithmetic) accept: they cannot decide control flow.
public final class TracedValue {
    /// The node.
    let sym: Sym
    /// A comparison result (0 or 1 elementwise).
    let isBool: Bool
    /// The named blocks of a traced `ComponentVector` parameter (`p.θ`).
    let axes: ComponentAxes?

    init(_ sym: Sym, isBool: Bool = false, axes: ComponentAxes? = nil) {
        self.sym = sym
        self.isBool = isBool
        self.axes = axes
    }
}

/// The `du` of an in-place right-hand side while it is traced: indexed assignments record
/// the components, which are joined into the output afterwards.
public final class TracedOutput {
    let builder: GraphBuilder
    /// The components assigned so far (0-based).
    var parts: [Sym?]

    init(_ builder: GraphBuilder, count: Int) {
        self.builder = builder
        self.parts = Array(repeating: nil, count: count)
    }
}

extension Value {
    /// Whether the value is traced (a traced value or the traced output buffer).
    var isTraced: Bool {
        switch self {
        case .traced, .tracedOutput: return true
        default: return false
        }
    }
}

extension Interpreter {
    /// A tracing limitation: the construct works when interpreted but has no graph form yet.
    func unsupported(_ what: String, _ span: SourceSpan) -> LangError {
        LangError("tracing: \(what) is not supported on traced values", at: span)
    }

    /// The error for control flow that depends on a traced value.
    static func controlFlowError(_ span: SourceSpan) -> LangError {
        LangError(AutodiffError.controlFlow.message, at: span,
                  hint: "for example ifelse(u[1] > 0, a, b) instead of if u[1] > 0 ... else ... end")
    }

    /// Whether `error` is the traced control-flow error.
    static func isControlFlowError(_ error: LangError) -> Bool { error.message == AutodiffError.controlFlow.message }

    /// The value as a `Sym` in `builder`: traced values as they are, numbers and numeric arrays
    /// as constants; nil for anything else.
    func symbol(_ value: Value, _ builder: GraphBuilder, _ span: SourceSpan) throws -> Sym? {
        switch value {
        case .traced(let traced): return traced.sym
        case .tracedOutput(let output): return try outputSym(output, span)
        case .int, .float, .bool:
            return Sym(builder, builder.scalar(value.asDouble ?? .nan))
        case .array(let array):
            let shape: Shape = array.isMatrix ? .matrix(array.rows, array.columns) : .vector(array.rows)
            return Sym(builder, builder.constant(array.storage, shape))
        case .range(let range):
            return Sym(builder, builder.constant(range.elements, .vector(range.count)))
        default: return nil
        }
    }

    /// The whole traced `du` read back (every component must have been assigned).
    func outputSym(_ output: TracedOutput, _ span: SourceSpan) throws -> Sym {
        var parts: [Int] = []
        for (i, part) in output.parts.enumerated() {
            guard let part else { throw unsupported("reading du before du[\(i + 1)] is assigned", span) }
            parts.append(part.id)
        }
        return Sym(output.builder, output.builder.concat(parts, shape: .vector(parts.count)))
    }

    /// The builder of the first traced value among `values`.
    func tracedBuilder(_ values: [Value]) -> GraphBuilder? {
        for value in values {
            if case .traced(let traced) = value { return traced.sym.builder }
            if case .tracedOutput(let output) = value { return output.builder }
        }
        return nil
    }

    /// `op x` on a traced value; nil when `value` is not traced.
    func tracedUnary(_ op: Operator, _ value: Value, _ span: SourceSpan) throws -> Value? {
        guard value.isTraced, let builder = tracedBuilder([value]),
              let x = try symbol(value, builder, span) else { return nil }
        switch op {
        case .minus: return .traced(TracedValue(-x))
        case .plus: return value
        case .sqrt: return .traced(TracedValue(sqrt(x)))
        case .not:
            guard case .traced(let t) = value, t.isBool else { throw unsupported("! of a non-Boolean", span) }
            return .traced(TracedValue(1.0 - x, isBool: true))
        default: throw unsupported("operator \(op.rawValue)", span)
        }
    }

    /// `a op b` with a traced operand; nil when neither is traced. Elementwise inside a broadcast.
    func tracedBinary(_ op: Operator, _ left: Value, _ right: Value, _ span: SourceSpan) throws -> Value? {
        guard left.isTraced || right.isTraced, let builder = tracedBuilder([left, right]) else { return nil }
        guard let a = try symbol(left, builder, span), let b = try symbol(right, builder, span) else {
            throw unsupported("operator \(op.rawValue) between \(left.typeName) and \(right.typeName)", span)
        }
        let elementwise = tracingElementwise > 0
        let scalarSide = a.shape.isScalar || b.shape.isScalar
        func check(_ result: Sym) throws -> Value {
            if let error = builder.error { throw LangError(error.message, at: span) }
            return .traced(TracedValue(result))
        }
        func compare(_ result: SymBool) throws -> Value {
            if let error = builder.error { throw LangError(error.message, at: span) }
            return .traced(TracedValue(result.value, isBool: true))
        }
        switch op {
        case .plus: return try check(a + b)
        case .minus: return try check(a - b)
        case .times, .dot:
            if elementwise || scalarSide { return try check(a .* b) }
            return try check(a * b)
        case .divide:
            guard elementwise || b.shape.isScalar else { throw unsupported("matrix division", span) }
            return try check(a ./ b)
        case .power:
            guard elementwise || (a.shape.isScalar && b.shape.isScalar) else { throw unsupported("matrix power", span) }
            if let c = builder.constantValues(b.id), c.count == 1, c[0] == 2 { return try check(abs2(a)) }
            return try check(pow(a, b))
        case .less: return try compare(a < b)
        case .lessEqual: return try compare(a <= b)
        case .greater: return try compare(a > b)
        case .greaterEqual: return try compare(a >= b)
        case .equal:
            guard elementwise || (a.shape.isScalar && b.shape.isScalar) else { throw unsupported("== on arrays", span) }
            return .traced(TracedValue(Sym(builder, builder.binary(.eq, a.id, b.id)), isBool: true))
        case .notEqual:
            guard elementwise || (a.shape.isScalar && b.shape.isScalar) else { throw unsupported("!= on arrays", span) }
            return .traced(TracedValue(Sym(builder, builder.binary(.ne, a.id, b.id)), isBool: true))
        case .bitAnd: return .traced(TracedValue(a .* b, isBool: true))
        case .bitOr: return .traced(TracedValue(max(a, b), isBool: true))
        default: throw unsupported("operator \(op.rawValue)", span)
        }
    }

    /// `x[i]`, `x[a:b]`, `A[i, j]` on a traced array (1-based indices already made 0-based).
    func tracedIndex(_ container: Value, _ specs: [IndexSpec], _ span: SourceSpan) throws -> Value {
        let x: Sym
        switch container {
        case .traced(let traced): x = traced.sym
        case .tracedOutput(let output):
            if specs.count == 1, case .one(let i) = specs[0] {
                guard let part = output.parts[i] else { throw unsupported("reading du[\(i + 1)] before it is assigned", span) }
                return .traced(TracedValue(part))
            }
            x = try outputSym(output, span)
        default: throw unsupported("indexing", span)
        }
        let (offsets, resultShape) = IndexSpec.selection(specs, in: x.shape)
        guard let resultShape else { return .traced(TracedValue(x[offsets[0]])) }
        if resultShape.kind == .vector, let first = offsets.first, offsets == Array(first..<(first + offsets.count)) {
            return .traced(TracedValue(x[first..<(first + offsets.count)]))
        }
        return .traced(TracedValue(Sym(x.builder, x.builder.gather(x.id, offsets, shape: resultShape))))
    }

    /// `du[i] = value` (and selections) on the traced output buffer.
    func tracedSetIndex(_ output: TracedOutput, _ specs: [IndexSpec], _ value: Value, _ span: SourceSpan) throws {
        guard specs.count == 1 else { throw unsupported("multi-dimensional assignment into du", span) }
        let targets = specs[0].positions
        guard let source = try symbol(value, output.builder, span) else {
            throw LangError("cannot assign a \(value.typeName) into du", at: span)
        }
        if case .one = specs[0] {
            guard source.shape.isScalar || source.count == 1 else {
                throw LangError("DimensionMismatch: tried to assign \(source.count) elements to 1 destination", at: span)
            }
            output.parts[targets[0]] = source.shape.isScalar ? source : source[0]
            return
        }
        if source.shape.isScalar {
            for i in targets { output.parts[i] = source }
            return
        }
        guard source.count == targets.count else {
            throw LangError("DimensionMismatch: tried to assign \(source.count) elements to \(targets.count) destinations", at: span)
        }
        // Julia assigns matrices in column-major order; row-major element k of the source otherwise.
        let s = source.shape
        for (k, i) in targets.enumerated() {
            let offset = s.kind == .matrix ? (k % s.rows) * s.cols + k / s.rows : k
            output.parts[i] = source[offset]
        }
    }

    /// `[a, b, ...]` with traced entries: a vector joined from scalars.
    func tracedVector(_ values: [Value], _ span: SourceSpan) throws -> Value {
        guard let builder = tracedBuilder(values) else { return .vector(values) }
        var ids: [Int] = []
        for value in values {
            guard let sym = try symbol(value, builder, span), sym.count == 1 else {
                throw unsupported("a vector literal of \(value.typeName) entries", span)
            }
            ids.append(sym.id)
        }
        return .traced(TracedValue(Sym(builder, builder.concat(ids, shape: .vector(ids.count)))))
    }

    /// Builtins called with traced arguments; anything else is a tracing limitation.
    func tracedBuiltin(_ call: BuiltinCall) throws -> Value {
        let args = call.arguments, span = call.span
        guard let builder = tracedBuilder(args) else { throw unsupported(call.name, span) }
        func sym(_ i: Int) throws -> Sym {
            guard let s = try symbol(args[i], builder, span) else {
                throw unsupported("\(call.name) with a \(args[i].typeName) argument", span)
            }
            return s
        }
        let unaries: [String: (Sym) -> Sym] = [
            "exp": exp, "log": log, "log1p": log1p, "sin": sin, "cos": cos, "tan": tan, "tanh": tanh,
            "sigmoid": sigmoid, "relu": relu, "softplus": softplus, "swish": swish, "gelu": gelu,
            "sqrt": sqrt, "abs": abs, "abs2": abs2, "sign": sign,
        ]
        guard call.keywords.isEmpty else { throw unsupported("\(call.name) with keywords", span) }
        if let f = unaries[call.name], args.count == 1 { return .traced(TracedValue(f(try sym(0)))) }
        let elementwise = tracingElementwise > 0
        switch (call.name, args.count) {
        case ("ifelse", 3):
            guard case .traced(let c) = args[0], c.isBool else {
                throw unsupported("ifelse with a traced non-Boolean condition", span)
            }
            let a = try sym(1), b = try sym(2)
            let result = Sym(builder, builder.select(c.sym.id, a.id, b.id))
            if let error = builder.error { throw LangError(error.message, at: span) }
            return .traced(TracedValue(result))
        case ("min", 2): return .traced(TracedValue(min(try sym(0), try sym(1))))
        case ("max", 2): return .traced(TracedValue(max(try sym(0), try sym(1))))
        case ("sum", 1) where !elementwise: return .traced(TracedValue(sum(try sym(0))))
        case ("sum", 2) where !elementwise:
            // sum(f, x): f broadcast over x, then summed (sum(abs2, x)).
            let mapped = try applyElementwise(args[0], args[1], span)
            guard let y = try symbol(mapped, builder, span) else { throw unsupported("sum(f, x) with f returning \(mapped.typeName)", span) }
            return .traced(TracedValue(sum(y)))
        case ("dot", 2) where !elementwise:
            let result = dot(try sym(0), try sym(1))
            if let error = builder.error { throw LangError(error.message, at: span) }
            return .traced(TracedValue(result))
        case ("length", 1) where !elementwise: return .int(try sym(0).count)
        case ("transpose", 1) where !elementwise: return .traced(TracedValue(try sym(0).transposed))
        case ("identity", 1): return args[0]
        default: throw unsupported("\(call.name)(...)", span)
        }
    }

    /// `f.(x)` on a traced array, for an activation: `f` runs once on the whole array with
    /// operators elementwise, which is Julia's broadcast for the arithmetic an activation uses.
    func applyElementwise(_ function: Value, _ x: Value, _ span: SourceSpan) throws -> Value {
        tracingElementwise += 1
        defer { tracingElementwise -= 1 }
        // `apply` refuses to broadcast user functions over traced values in general (their bodies
        // may index or branch); an activation is called directly, and `apply` reports a MethodError.
        guard case .function(let f) = function, f.builtin == nil,
              let method = f.methods.last(where: { accepts($0.definition, 1) }) else {
            return try apply(function, [x], [], span)
        }
        return try invoke(f.name, method, [x], [], span)
    }

    /// `x'` on a traced value.
    func tracedTranspose(_ value: Value, _ span: SourceSpan) throws -> Value {
        guard let builder = tracedBuilder([value]), let x = try symbol(value, builder, span) else {
            throw unsupported("transpose", span)
        }
        return .traced(TracedValue(x.transposed))
    }
}
