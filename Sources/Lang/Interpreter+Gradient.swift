import Autodiff
import DiffEq
import Sensitivity
import Foundation

/// A value recorded on a reverse-mode `Tape` while `gradient(f, args...)` evaluates `f`.
/// Unlike tracing, every operation computes numbers at once, so comparisons give plain
/// Bools and control flow may depend on them.
public final class TapeValue {
    /// The recorded value.
    let variable: Variable
    /// The saved states of a differentiable solve, held as `Array(sol)` (n × count);
    /// `sol[j]` is then the j-th saved state (a column).
    let isSolution: Bool
    /// The named blocks of a `ComponentVector` being differentiated (`p.θ`).
    let axes: ComponentAxes?

    init(_ variable: Variable, isSolution: Bool = false, axes: ComponentAxes? = nil) {
        self.variable = variable
        self.isSolution = isSolution
        self.axes = axes
    }

    /// The current numbers as a plain language value.
    var plain: Value {
        let v = variable.values, s = variable.shape
        switch s.kind {
        case .scalar: return .float(v.first ?? .nan)
        case .matrix: return .array(NumericArray(v, shape: [s.rows, s.cols]))
        default: return .floats(v, axes: axes)
        }
    }
}

extension Value {
    /// Whether the value is on a gradient tape.
    var isTape: Bool {
        if case .tape = self { return true }
        return false
    }

    /// Tape values replaced by their current numbers.
    var untaped: Value {
        if case .tape(let t) = self { return t.plain }
        return self
    }
}

extension Interpreter {
    /// A non-differentiable use of a value being differentiated.
    func notDifferentiable(_ what: String, _ span: SourceSpan, hint: String? = nil) -> LangError {
        LangError("gradient: \(what) is not differentiable", at: span, hint: hint)
    }

    /// The tape of the first tape value among `values`.
    func tapeOf(_ values: [Value]) -> Tape? {
        for value in values { if case .tape(let t) = value { return t.variable.tape } }
        return nil
    }

    /// The value on `tape`: tape values as they are, numbers and numeric arrays as constants.
    func tapeVariable(_ value: Value, _ tape: Tape) -> Variable? {
        switch value {
        case .tape(let t): return t.variable
        case .int, .float, .bool: return tape.constant(value.asDouble ?? .nan)
        case .array(let a):
            return tape.constant(a.storage, a.isMatrix ? .matrix(a.rows, a.columns) : .vector(a.rows))
        case .range(let r): return tape.constant(r.elements, .vector(r.count))
        case .list(let list):
            let numbers = list.items.compactMap { $0.isNumber ? $0.asDouble : nil }
            guard numbers.count == list.items.count else { return nil }
            return tape.constant(numbers, .vector(numbers.count))
        default: return nil
        }
    }

    /// The variable as a language value, or the tape's first recorded error.
    func taped(_ v: Variable, _ span: SourceSpan, isSolution: Bool = false) throws -> Value {
        if let error = v.tape.error { throw LangError("gradient: " + error.message, at: span) }
        return .tape(TapeValue(v, isSolution: isSolution))
    }

    /// `op x` on a tape value; nil when `value` is not one.
    func tapeUnary(_ op: Operator, _ value: Value, _ span: SourceSpan) throws -> Value? {
        guard case .tape(let t) = value else { return nil }
        switch op {
        case .minus: return try taped(-t.variable, span)
        case .plus: return value
        case .sqrt: return try taped(sqrt(t.variable), span)
        default: throw notDifferentiable("operator \(op.rawValue)", span)
        }
    }

    /// `a op b` with a tape operand; nil when neither is one. Elementwise inside a broadcast.
    func tapeBinary(_ op: Operator, _ left: Value, _ right: Value, _ span: SourceSpan) throws -> Value? {
        guard left.isTape || right.isTape, let tape = tapeOf([left, right]) else { return nil }
        let elementwise = tracingElementwise > 0
        switch op {
        case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual:
            // The tape is dynamic: comparisons are on the current numbers.
            let l = left.untaped, r = right.untaped
            if elementwise { return try broadcast([l, r], span) { try self.binary(op, $0[0], $0[1], span) } }
            return try binary(op, l, r, span)
        default: break
        }
        guard let a = tapeVariable(left, tape), let b = tapeVariable(right, tape) else {
            throw notDifferentiable("operator \(op.rawValue) between \(left.typeName) and \(right.typeName)", span)
        }
        let scalarSide = a.shape.isScalar || b.shape.isScalar
        switch op {
        case .plus: return try taped(a + b, span)
        case .minus: return try taped(a - b, span)
        case .times, .dot:
            if elementwise || scalarSide { return try taped(a .* b, span) }
            let product = a * b
            // `x' * y` is a number, as in Julia.
            if a.shape.kind == .matrix, a.shape.rows == 1, b.shape.kind == .vector, product.count == 1 {
                return try taped(product.reshaped(.scalar), span)
            }
            return try taped(product, span)
        case .divide:
            guard elementwise || b.shape.isScalar else { throw notDifferentiable("matrix division", span) }
            return try taped(a ./ b, span)
        case .power:
            guard elementwise || (a.shape.isScalar && b.shape.isScalar) else { throw notDifferentiable("matrix power", span) }
            if !right.isTape, let n = right.asDouble, n.rounded() == n, n >= 1, n <= 8 {
                if n == 2 { return try taped(abs2(a), span) }
                var result = a
                for _ in 1..<Int(n) { result = result .* a }
                return try taped(result, span)
            }
            return try taped(pow(a, b), span)
        default: throw notDifferentiable("operator \(op.rawValue)", span)
        }
    }

    /// `x[i]`, `x[a:b]`, `A[i, :]`, `sol[j]` on a tape value (0-based specs).
    func tapeIndex(_ t: TapeValue, _ specs: [IndexSpec], _ span: SourceSpan) throws -> Value {
        let x = t.variable, shape = x.shape
        let offsets: [Int]
        let resultShape: Shape?
        if t.isSolution, shape.kind == .matrix, specs.count == 1 {
            // sol[j]: the j-th saved state, a column of Array(sol).
            switch specs[0] {
            case .one(let j):
                offsets = (0..<shape.rows).map { $0 * shape.cols + j }
                resultShape = .vector(shape.rows)
            case .many(let js):
                offsets = (0..<shape.rows).flatMap { row in js.map { row * shape.cols + $0 } }
                resultShape = .matrix(shape.rows, js.count)
            }
        } else if t.isSolution, shape.kind == .vector, specs.count == 1 {
            // One saved time: the solution is that state, and sol[1] (or sol[end]) is all of it.
            guard case .one(0) = specs[0] else {
                throw LangError("BoundsError: the solution has one saved state; index it with 1 or end", at: span)
            }
            return .tape(TapeValue(x))
        } else {
            (offsets, resultShape) = IndexSpec.selection(specs, in: shape)
        }
        guard let resultShape else { return try taped(x[offsets[0]], span) }
        return try taped(x.gathered(offsets, shape: resultShape), span)
    }

    /// `[a, b, ...]` with tape entries: a vector joined from scalars.
    func tapeVector(_ values: [Value], _ span: SourceSpan) throws -> Value {
        guard let tape = tapeOf(values) else { return .vector(values) }
        var parts: [Variable] = []
        for value in values {
            guard let v = tapeVariable(value, tape), v.count == 1 else {
                throw notDifferentiable("a vector literal of \(value.typeName) entries", span, hint: "entries must be numbers; use vcat(a, b) to join vectors")
            }
            parts.append(v)
        }
        return try taped(tape.concat(parts), span)
    }

    /// `f.(args...)` for a user function with tape arguments: f applied element by element.
    func tapeBroadcastUser(_ function: Value, _ arguments: [Value], _ keywords: [(String, Value)], _ span: SourceSpan) throws -> Value {
        guard let tape = tapeOf(arguments) else { return .nothing }
        let vars = arguments.map { tapeVariable($0, tape) }
        let shaped = vars.compactMap { $0 }.filter { !$0.shape.isScalar }
        guard let shape = shaped.first?.shape, shaped.allSatisfy({ $0.shape == shape }) else {
            throw notDifferentiable("broadcasting a user function over arrays of different shapes", span)
        }
        let saved = tracingElementwise
        tracingElementwise = 0
        defer { tracingElementwise = saved }
        var parts: [Variable] = []
        for k in 0..<shape.count {
            let here = zip(arguments, vars).map { argument, v -> Value in
                guard let v, !v.shape.isScalar else { return argument }
                return .tape(TapeValue(v[k]))
            }
            let result = try apply(function, here, keywords, span)
            guard let v = tapeVariable(result, tape), v.count == 1 else {
                throw notDifferentiable("broadcasting a function that returns \(result.typeName)", span)
            }
            parts.append(v)
        }
        return try taped(tape.concat(parts, shape: shape), span)
    }

    /// Builtins called with tape arguments (or keywords).
    func tapeBuiltin(_ builtin: Builtin, _ call: BuiltinCall) throws -> Value {
        let args = call.arguments, span = call.span
        guard let tape = tapeOf(args + call.keywords.map(\.1)) else { return try builtin.body(call) }
        if call.name == "solve" {
            if case .engine(.ensembleProblem(let ensemble)) = args.first { return try Interpreter.solveEnsemble(ensemble, call) }
            return try Interpreter.tapeSolve(call, tape)
        }
        if call.name == "remake" { return try builtin.body(call) }
        switch call.name {
        case "println", "print", "display", "show", "string", "typeof", "repr", "isfinite", "isnan", "round", "floor", "ceil":
            if ["round", "floor", "ceil"].contains(call.name), args.count > 1 {
                throw notDifferentiable("\(call.name) of a value being differentiated to an integer", span)
            }
            // Inspecting the current numbers is fine; their results carry no derivative.
            return try builtin.body(BuiltinCall(interpreter: self, name: call.name, signature: call.signature,
                                                arguments: args.map(\.untaped), keywords: call.keywords.map { ($0.0, $0.1.untaped) },
                                                span: span))
        default: break
        }
        guard call.keywords.isEmpty else { throw notDifferentiable("\(call.name) with keywords", span) }
        func v(_ i: Int) throws -> Variable {
            guard i < args.count, let x = tapeVariable(args[i], tape) else {
                throw notDifferentiable("\(call.name) with a \(i < args.count ? args[i].typeName : "missing") argument", span)
            }
            return x
        }
        let unaries: [String: (Variable) -> Variable] = [
            "exp": exp, "log": log, "log1p": log1p, "sin": sin, "cos": cos, "tan": tan, "tanh": tanh,
            "sigmoid": sigmoid, "relu": relu, "softplus": softplus, "swish": swish, "gelu": gelu,
            "sqrt": sqrt, "abs": abs, "abs2": abs2, "sign": sign,
        ]
        if let f = unaries[call.name], args.count == 1 { return try taped(f(try v(0)), span) }
        let elementwise = tracingElementwise > 0
        switch (call.name, args.count) {
        case ("ifelse", 3):
            guard case .bool(let c) = args[0] else { throw notDifferentiable("ifelse with a non-Boolean condition", span) }
            return c ? args[1] : args[2]
        case ("min", 2): return try taped(min(try v(0), try v(1)), span)
        case ("max", 2): return try taped(max(try v(0), try v(1)), span)
        case ("sum", 1) where !elementwise: return try taped(sum(try v(0)), span)
        case ("sum", 2) where !elementwise: return try tapeSumMapped(args[0], args[1], tape, span)
        case ("mean", 1) where !elementwise: return try taped(mean(try v(0)), span)
        case ("mean", 2) where !elementwise:
            // mean(f, x) = sum(f, x) / length(x), as the loss of DiffEqFlux's tutorials: mean(abs2, X .- X̂).
            guard case .tape(let total) = try tapeSumMapped(args[0], args[1], tape, span) else { return try builtin.body(call) }
            return try taped(total.variable / Double(try v(1).count), span)
        case ("dot", 2) where !elementwise: return try taped(dot(try v(0), try v(1)), span)
        case ("norm", 1) where !elementwise: return try taped(sqrt(sum(abs2(try v(0)))), span)
        case ("length", 1) where !elementwise: return .int(try v(0).count)
        case ("size", 1) where !elementwise:
            let s = try v(0).shape
            return s.kind == .matrix ? .tuple([.int(s.rows), .int(s.cols)]) : s.isScalar ? .tuple([]) : .tuple([.int(s.count)])
        case ("transpose", 1) where !elementwise: return try taped(try v(0).transposed, span)
        case ("vec", 1) where !elementwise:
            let x = try v(0)
            // Julia's vec is column-major.
            return try taped(x.shape.kind == .matrix ? x.transposed.reshaped(.vector(x.count)) : x.reshaped(.vector(x.count)), span)
        case ("vcat", _) where !elementwise && !args.isEmpty:
            return try taped(tape.concat(try (0..<args.count).map(v)), span)
        case ("first", 1): return try taped(try v(0)[0], span)
        case ("last", 1):
            let x = try v(0)
            return try taped(x[x.count - 1], span)
        case ("identity", 1): return args[0]
        default:
            throw notDifferentiable("\(call.name)(...) on a value being differentiated", span,
                                    hint: "differentiable: arithmetic, broadcasting, exp/log/sin/cos/tanh/sqrt/abs/abs2/..., sum, mean, dot, norm, indexing, vector literals, solve")
        }
    }

    /// `sum(f, x)`: f applied to every element, then summed.
    func tapeSumMapped(_ f: Value, _ xValue: Value, _ tape: Tape, _ span: SourceSpan) throws -> Value {
        guard let x = tapeVariable(xValue, tape) else { throw notDifferentiable("sum(f, \(xValue.typeName))", span) }
        let saved = tracingElementwise
        tracingElementwise = 1
        if case .function(let function) = f, function.builtin != nil {
            // A builtin applies elementwise to the whole array in one call.
            let mapped = try apply(f, [.tape(TapeValue(x))], [], span)
            tracingElementwise = saved
            guard let y = tapeVariable(mapped, tape) else { throw notDifferentiable("sum(f, x) with f returning \(mapped.typeName)", span) }
            return try taped(sum(y), span)
        }
        tracingElementwise = 0
        defer { tracingElementwise = saved }
        var total = tape.constant(0)
        for k in 0..<x.count {
            let result = try apply(f, [.tape(TapeValue(x[k]))], [], span)
            guard let y = tapeVariable(result, tape), y.count == 1 else {
                throw notDifferentiable("sum(f, x) with f returning \(result.typeName)", span)
            }
            total = total + (y.shape.isScalar ? y : y.reshaped(.scalar))
        }
        return try taped(total, span)
    }

    /// `Array(x)`, `Float64(x)`, `Int(x)` on a tape value.
    func tapeConvert(_ type: String, _ t: TapeValue, _ span: SourceSpan) throws -> Value {
        switch type {
        case "Array", "Vector", "collect", "Float64", "Float32", "Matrix": return .tape(TapeValue(t.variable))
        default:
            throw notDifferentiable("converting a value being differentiated to \(type)", span,
                                    hint: "its current number can be used for control flow, but not as an integer or an index")
        }
    }
}

extension Interpreter {
    /// `gradient(f, args...)` and the sensitivity-algorithm constructors.
    static var gradientBuiltins: [Builtin] {
        let sensealgs = SensitivityAlgorithm.allCases.map { alg in
            Builtin(name: alg.rawValue, signature: "\(alg.rawValue)()") { call in
                try call.expect(0)
                try call.allowKeywords([])
                return .engine(.algorithm(alg.rawValue))
            }
        }
        return sensealgs + [
            Builtin(name: "gradient", signature: "gradient(f, args...)") { call in
                guard call.arguments.count >= 2 else {
                    throw call.error("gradient needs a function and at least one argument", hint: "gradient(x -> x^2, 3.0)")
                }
                try call.allowKeywords([])
                return try gradient(call)
            },
            Builtin(name: "jacobian", signature: "jacobian(f, args...)") { call in
                guard call.arguments.count >= 2 else {
                    throw call.error("jacobian needs a function and at least one argument", hint: "jacobian(x -> x .^ 2, [1.0, 2.0])")
                }
                try call.allowKeywords([])
                return try jacobian(call)
            },
            Builtin(name: "hessian", signature: "hessian(f, x)") { call in
                try call.expect(2)
                try call.allowKeywords([])
                return try hessian(call)
            },
        ]
    }

    /// `f(args...)` of `gradient(f, args...)` or `jacobian(f, args...)` recorded on a fresh tape,
    /// with the arguments as its variables.
    static func recorded(_ call: BuiltinCall) throws -> (tape: Tape, variables: [Variable], result: Value) {
        let f = call.arguments[0]
        guard case .function = f else { throw call.error("\(call.name) needs a function first, got \(f.typeName)") }
        let tape = Tape()
        let variables = try call.arguments.dropFirst().enumerated().map { k, argument in
            try tapeArgument(argument, k, tape, call)
        }
        let values = zip(variables, call.arguments.dropFirst()).map { v, argument in
            Value.tape(TapeValue(v, axes: argument.componentAxes))
        }
        return (tape, variables, try call.interpreter.apply(f, values, [], call.span))
    }

    /// Argument `k` (0-based) of `gradient` or `jacobian` as a variable of `tape`.
    static func tapeArgument(_ argument: Value, _ k: Int, _ tape: Tape, _ call: BuiltinCall) throws -> Variable {
        switch argument {
        case .int, .float: return tape.variable(argument.asDouble ?? .nan)
        case .array(let a): return tape.variable(a.storage, a.isMatrix ? .matrix(a.rows, a.columns) : .vector(a.rows))
        case .range, .list:
            let items = try call.interpreter.elements(argument, call.span)
            let numbers = items.compactMap { $0.isNumber ? $0.asDouble : nil }
            if numbers.count == items.count { return tape.variable(numbers) }
        default: break
        }
        throw call.error("\(call.name): argument \(k + 1) is a \(argument.typeName); differentiate with respect to numbers, vectors or matrices")
    }

    /// Reverse mode over a fresh tape: a tuple of one gradient per argument, always a tuple as
    /// Zygote's (`gradient(loss, p)[1]` is the DiffEqFlux idiom).
    static func gradient(_ call: BuiltinCall) throws -> Value {
        let (tape, variables, result) = try recorded(call)
        let grads: [[Double]]
        switch result {
        case .tape(let t):
            guard t.variable.shape.isScalar else {
                throw call.error("gradient: the function must return a number, got \(t.plain.typeName) of \(t.variable.count) elements",
                                 hint: "reduce it to a scalar loss, e.g. sum(...) or sum(abs2, ...)")
            }
            do {
                grads = try tape.gradient(of: t.variable, wrt: variables)
            } catch let error as LangError {
                throw error
            } catch {
                throw call.error("gradient: \(error)")
            }
        case .int, .float:
            grads = variables.map { [Double](repeating: 0, count: $0.count) }
        default:
            throw call.error("gradient: the function must return a number, got \(result.typeName)",
                             hint: "reduce it to a scalar loss, e.g. sum(...) or sum(abs2, ...)")
        }
        // A gradient has its argument's shape (and a ComponentVector's named blocks).
        let values: [Value] = zip(zip(variables, grads), call.arguments.dropFirst()).map { pair, argument in
            let (v, g) = pair
            let s = v.shape
            switch s.kind {
            case .scalar: return .float(g.first ?? 0)
            case .matrix: return .array(NumericArray(g, shape: [s.rows, s.cols]))
            default: return .floats(g, axes: argument.componentAxes)
            }
        }
        return .tuple(values)
    }

    /// `solve(prob, ...)` of a problem `remake` made from values being differentiated: the tape
    /// solve with those values as `u0` and `p` (unless the call gives its own); nil for a
    /// problem without them.
    static func differentiatedSolve(_ call: BuiltinCall) throws -> Value? {
        guard case .engine(.problem(let problem)) = call.arguments.first else { return nil }
        var keywords = call.keywords
        for (key, value) in [("u0", problem.differentiatedU0), ("p", problem.differentiatedP)] {
            if let value, call.keyword(key) == nil { keywords.append((key, value)) }
        }
        let values = keywords.map(\.1) + call.arguments
        guard let tape = call.interpreter.tapeOf(values) else { return nil }
        return try tapeSolve(BuiltinCall(interpreter: call.interpreter, name: call.name, signature: call.signature,
                                         arguments: call.arguments, keywords: keywords, span: call.span), tape)
    }

    /// `solve(prob, alg; u0=..., p=..., saveat=...)` with tape values: the solver as a tape
    /// primitive, differentiated by the `sensealg` (ForwardSensitivity by default for small problems).
    static func tapeSolve(_ call: BuiltinCall, _ tape: Tape) throws -> Value {
        try call.expect(1...2)
        try call.allowKeywords(solveKeywords)
        guard case .engine(.problem(let problem)) = call.arguments[0] else {
            throw call.error("solve needs an ODEProblem, got \(call.arguments[0].typeName)")
        }
        guard let compiled = problem.compiled else {
            throw call.error("gradient: differentiating solve needs a traceable right-hand side, but this problem's is \(problem.mode)",
                             hint: "write f with operations tracing supports (ifelse instead of if on u or p)")
        }
        let method = call.arguments.count == 2 ? try algorithm(call.arguments[1], call) : "Tsit5"
        let interpreter = call.interpreter
        func given(_ key: String, _ fallback: Value) throws -> Variable {
            let value = call.keyword(key) ?? fallback
            guard let v = interpreter.tapeVariable(value, tape) else {
                throw call.error("solve: \(key) must be a number or a vector of numbers, got \(value.typeName)")
            }
            return v
        }
        var u0 = try given("u0", .floats(problem.u0))
        var p: Variable
        if case .nothing = problem.parameters, call.keyword("p") == nil { p = tape.constant([0]) } else { p = try given("p", problem.parameters) }
        if u0.shape.isScalar { u0 = u0.reshaped(.vector(1)) }
        if p.shape.isScalar { p = p.reshaped(.vector(1)) }
        guard u0.count == compiled.states, u0.shape.kind == .vector else {
            throw call.error("solve: u0 has \(u0.count) entries; the problem has \(compiled.states) states")
        }
        guard p.count == compiled.parameters, p.shape.kind == .vector else {
            throw call.error("solve: p has \(p.count) entries; the problem's right-hand side takes \(compiled.parameters)")
        }
        let options = try solverOptions(call, states: compiled.states)
        guard options.saveat != nil else {
            throw call.error("gradient: a differentiable solve needs saveat (the saved times fix the output's shape)",
                             hint: "for example solve(prob, Tsit5(), u0=u0, p=p, saveat=0.1)")
        }
        var sensealg: SensitivityAlgorithm?
        if let value = call.keyword("sensealg") {
            guard case .engine(.algorithm(let name)) = value, let alg = SensitivityAlgorithm(rawValue: name) else {
                throw call.error("sensealg must be one of " + SensitivityAlgorithm.allCases.map { $0.rawValue + "()" }.joined(separator: ", ")
                                 + "; got \(value.repr)")
            }
            sensealg = alg
        }
        let callback = try callbackObject(call)
        let key = ([method, "\(problem.tspan)"] + call.keywords.filter { $0.0 != "u0" && $0.0 != "p" && $0.0 != "callback" }
            .map { "\($0.0)=\($0.1.untaped.repr)" }.sorted()
            + (callback.map { ["callback=#\($0.serial)"] } ?? [])).joined(separator: ";")
        let differentiable: DifferentiableSolve
        do {
            if let cached = problem.differentiable.solves[key] {
                differentiable = cached
            } else {
                let tableau = try MethodRegistry.method(named: method)
                let events = try callback.map { try differentiableEvents($0, problem, call) } ?? []
                differentiable = try DifferentiableSolve(compiled, tspan: problem.tspan, tableau: tableau, options: options,
                                                         sensealg: sensealg, events: events, massMatrix: problem.massMatrix)
                problem.differentiable.solves[key] = differentiable
            }
            let states = try tape.solve(differentiable, u0: u0, p: p)
            return try interpreter.taped(states.transposed, call.span, isSolution: true)
        } catch let error as LangError {
            throw error
        } catch let error as AutodiffError {
            throw call.error("gradient: solve: " + error.message)
        } catch {
            throw call.error("gradient: solve: \(error)")
        }
    }
}
