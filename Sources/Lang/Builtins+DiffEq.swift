import Autodiff
import DiffEq
import Sensitivity
import Foundation

/// Holds the first error a language right-hand side raised during a solve.
final class RHSFailure {
    /// The error; once set, the right-hand side returns NaN without calling the function.
    var error: LangError?
}

extension Interpreter {
    /// The ODE builtins: method constructors (`Tsit5()`, every name in `MethodRegistry`),
    /// `ODEProblem` and `solve`.
    static var diffEqBuiltins: [Builtin] {
        let methods = MethodRegistry.names.map { name in
            let tableau = try? MethodRegistry.method(named: name)
            let implicit = tableau?.isImplicit == true
            // Rosenbrock methods are derived for exact solves with W: no Krylov solver.
            let exactOnly: Bool
            switch tableau?.family {
            case .rosenbrock?, .rosenbrock23?, .rosenbrock32?: exactOnly = true
            default: exactOnly = false
            }
            return Builtin(name: name, signature: implicit ? "\(name)(; linsolve)" : "\(name)()") { call in
                try call.expect(0)
                try call.allowKeywords(implicit ? ["linsolve"] : [])
                guard let value = call.keyword("linsolve") else { return .engine(.algorithm(name)) }
                guard case .engine(.algorithm(let solver)) = value, linearSolvers[solver] != nil else {
                    throw call.error("linsolve must be one of " + linearSolvers.keys.sorted().map { $0 + "()" }.joined(separator: ", ")
                                     + "; got \(value.repr)",
                                     hint: "for example \(name)(linsolve = KLUFactorization())")
                }
                if exactOnly, case .gmres = linearSolvers[solver] {
                    throw call.error("\(name) needs exact linear solves (a Rosenbrock method); \(solver)() is iterative",
                                     hint: "use \(name)(linsolve = KLUFactorization()) or LUFactorization(), or an SDIRK or BDF method (KenCarp4, QNDF) with KrylovJL_GMRES()")
                }
                return .engine(.algorithm("\(name)(linsolve = \(solver)())"))
            }
        }
        // LinearSolve.jl's names for the implicit methods' `linsolve` (the value is its name).
        let solvers = linearSolvers.keys.sorted().map { name in
            Builtin(name: name, signature: "\(name)()") { call in
                try call.expect(0)
                try call.allowKeywords([])
                return .engine(.algorithm(name))
            }
        }
        // AutoTsit5(Rosenbrock23()): the composite's value is its spelling, parsed again by `solve`.
        let composites = MethodRegistry.compositeBuilders.map { entry in
            Builtin(name: entry.name, signature: "\(entry.name)(stiffalg)") { call in
                try call.expect(1)
                try call.allowKeywords([])
                let stiff = try algorithm(call.arguments[0], call)
                if linearSolverSpelling(call.arguments[0]) != nil {
                    throw call.error("\(entry.name)(...): a linsolve on the stiff method of a composite is not supported",
                                     hint: "\(entry.name)(\(stiff)()) chooses the linear solver automatically (KLU for a sparse right-hand side)")
                }
                do {
                    return .engine(.algorithm(try MethodRegistry.composite(named: entry.name, stiff: stiff).name))
                } catch let error as TableauError {
                    throw call.error("\(entry.name)(\(stiff)()): \(error.reason)",
                                     hint: "for example \(entry.name)(Rosenbrock23()) or \(entry.name)(Rodas5P())")
                }
            }
        }
        return methods + solvers + composites + [
            Builtin(name: "ODEFunction", signature: "ODEFunction(f; mass_matrix = M)") { call in
                try call.expect(1)
                try call.allowKeywords(["mass_matrix"])
                guard case .function(let f) = call.arguments[0], f.builtin == nil else {
                    throw call.error("ODEFunction needs a function, got \(call.arguments[0].typeName)")
                }
                var mass: [Double]? = nil
                if let value = call.keyword("mass_matrix") {
                    guard case .array(let m) = value, m.isMatrix, m.rows == m.columns else {
                        throw call.error("mass_matrix must be a square matrix, got \(value.typeName)",
                                         hint: "for a DAE: M = [1.0 0 0; 0 1.0 0; 0 0 0]")
                    }
                    // Column-major, as the engine stores it.
                    mass = (0..<(m.rows * m.columns)).map { m.storage[($0 % m.rows) * m.columns + $0 / m.rows] }
                }
                return .engine(.odeFunction(ODEFunctionObject(function: call.arguments[0], massMatrix: mass)))
            },
            Builtin(name: "ODEProblem", signature: "ODEProblem(f, u0, tspan, p)") { call in
                try call.expect(3...4)
                try call.allowKeywords(["trace"])
                return .engine(.problem(try makeProblem(call)))
            },
            Builtin(name: "solve", signature: "solve(prob[, alg]; saveat, reltol, abstol, dt, ...), solve(eprob, alg, EnsembleThreads(); trajectories)") { call in
                if case .engine(.optimizationProblem(let problem)) = call.arguments.first {
                    return try solveOptimization(problem, call)
                }
                if case .engine(.ensembleProblem(let ensemble)) = call.arguments.first {
                    return try solveEnsemble(ensemble, call)
                }
                try call.expect(1...2)
                try call.allowKeywords(solveKeywords)
                if let differentiated = try differentiatedSolve(call) { return differentiated }
                return try solveProblem(call)
            },
        ]
    }

    /// Keywords `solve` understands (SciML's names).
    static let solveKeywords: Set<String> = [
        "saveat", "reltol", "abstol", "dt", "adaptive", "maxiters", "save_everystep", "dense", "tstops", "dtmax",
        "dtmin", "save_start", "save_end", "save_idxs", "u0", "p", "sensealg", "callback",
    ]

    /// `ODEProblem(f, u0, tspan, p)`: f in place with four parameters, out of place with three.
    static func makeProblem(_ call: BuiltinCall) throws -> ProblemObject {
        var function = call.arguments[0]
        var mass: [Double]? = nil
        if case .engine(.odeFunction(let object)) = function {
            function = object.function
            mass = object.massMatrix
        }
        guard case .function(let value) = function, value.builtin == nil else {
            throw call.error("ODEProblem needs a function as its first argument, got \(function.typeName)",
                             hint: "define f!(du, u, p, t) (in place) or f(u, p, t) (returning du)")
        }
        let inPlace: Bool
        if value.methods.contains(where: { call.interpreter.accepts($0.definition, 4) }) {
            inPlace = true
        } else if value.methods.contains(where: { call.interpreter.accepts($0.definition, 3) }) {
            inPlace = false
        } else {
            throw call.error("ODEProblem: \(value.name) takes neither (du, u, p, t) nor (u, p, t)",
                             hint: "define \(value.name)!(du, u, p, t) to write du in place, or \(value.name)(u, p, t) returning du")
        }
        let u0 = try numbers(call.arguments[1], "u0", call)
        guard !u0.isEmpty else { throw call.error("ODEProblem: u0 is empty") }
        let tspan = try timeSpan(call.arguments[2], call)
        let parameters = call.arguments.count == 4 ? try parameterValue(call.arguments[3], call) : .nothing
        let problem = ProblemObject(function: function, inPlace: inPlace, u0: u0, tspan: tspan, parameters: parameters)
        if let mass {
            guard mass.count == u0.count * u0.count else {
                let side = Int(Double(mass.count).squareRoot())
                throw call.error("ODEProblem: the mass matrix is \(side)×\(side) for \(u0.count) states")
            }
            problem.massMatrix = mass
        }
        var wantsTrace = true
        if let flag = call.keyword("trace") {
            guard case .bool(let value) = flag else { throw call.error("trace must be true or false, got \(flag.repr)") }
            wantsTrace = value
        }
        if wantsTrace {
            try compileRHS(problem, name: value.name, call)
        } else {
            problem.mode = "interpreted: trace = false"
            problem.traceDisabled = true
        }
        return problem
    }

    /// A vector of numbers (u0, p, tolerances, times), or an error naming `what`.
    static func numbers(_ value: Value, _ what: String, _ call: BuiltinCall) throws -> [Double] {
        switch value {
        case .array(let array) where !array.isMatrix: return array.storage
        case .range(let range): return range.elements
        case .list, .tuple:
            let items = try call.interpreter.elements(value, call.span)
            let numbers = items.compactMap { $0.isNumber ? $0.asDouble : nil }
            if numbers.count == items.count { return numbers }
        case .int, .float:
            throw call.error("\(what) must be a vector, got the number \(value.repr)", hint: "write [\(value.repr)]")
        default: break
        }
        throw call.error("\(what) must be a vector of numbers, got \(value.typeName)")
    }

    /// `(t0, t1)`.
    static func timeSpan(_ value: Value, _ call: BuiltinCall) throws -> (Double, Double) {
        let items: [Value]
        switch value {
        case .tuple(let list): items = list
        case .array(let array) where !array.isMatrix: items = (0..<array.storage.count).map(array.element)
        default: items = []
        }
        guard items.count == 2, let t0 = items[0].asDouble, let t1 = items[1].asDouble, t0.isFinite, t1.isFinite else {
            throw call.error("tspan must be a tuple of two times, got \(value.repr)", hint: "write (0.0, 10.0)")
        }
        return (t0, t1)
    }

    /// `p`: `nothing`, a number, or a numeric vector (copied as a float vector).
    static func parameterValue(_ value: Value, _ call: BuiltinCall) throws -> Value {
        switch value {
        case .nothing, .int, .float: return value
        default: return .floats(try numbers(value, "p", call), axes: value.componentAxes)
        }
    }

    /// The ODE method `value` names: an algorithm value (or a string or symbol naming one).
    /// A composite (`AutoTsit5(Rosenbrock23())`) only where `composite` allows it: a plain
    /// `solve` does, a differentiable solve or a NeuralODE (one method's steps) does not.
    static func algorithm(_ value: Value, _ call: BuiltinCall, composite: Bool = false) throws -> String {
        let name: String
        switch value {
        case .engine(.algorithm(let spelling)) where splitLinsolve(spelling) != nil:
            // `KenCarp4(linsolve = KLUFactorization())`: the method; `solverOptions` reads the solver.
            return splitLinsolve(spelling).unsafelyUnwrapped.method
        case .engine(.algorithm(let method)):
            if method.hasSuffix(")") {
                guard composite else {
                    throw call.error("\(call.name) needs a single ODE method here; \(method) switches between two",
                                     hint: "use one of them, e.g. Tsit5() or Rodas5P()")
                }
                return method
            }
            if MethodRegistry.names.contains(method) { return method }
            throw call.error("\(method)() is not an ODE method",
                             hint: "for example solve(prob, Tsit5()); known: " + MethodRegistry.names.joined(separator: ", "))
        case .string(let text), .symbol(let text): name = text
        default:
            throw call.error("solve needs an ODE method as its second argument, got \(value.typeName)",
                             hint: "for example solve(prob, Tsit5()); known: " + MethodRegistry.names.joined(separator: ", "))
        }
        if MethodRegistry.names.contains(name) { return name }
        let suggestion = Spelling.suggestion(for: name, among: MethodRegistry.names)
        throw call.error("unknown ODE method \(name)",
                         hint: suggestion.map { "did you mean \($0)()?" } ?? "known: " + MethodRegistry.names.joined(separator: ", "))
    }

    /// LinearSolve.jl's names the `linsolve` keyword takes, and the engine's choice for each.
    static let linearSolvers: [String: LinearSolverChoice] = [
        "LUFactorization": .dense, "KLUFactorization": .klu, "KrylovJL_GMRES": .gmres(),
    ]

    /// The method and solver of a spelling `Method(linsolve = Solver())`, nil for other spellings.
    static func splitLinsolve(_ spelling: String) -> (method: String, solver: String)? {
        guard let range = spelling.range(of: "(linsolve = "), spelling.hasSuffix("())") else { return nil }
        let solver = String(spelling[range.upperBound..<spelling.index(spelling.endIndex, offsetBy: -3)])
        return linearSolvers[solver] == nil ? nil : (String(spelling[..<range.lowerBound]), solver)
    }

    /// The linear solver an algorithm value carries (`KenCarp4(linsolve = KLUFactorization())`).
    static func linearSolverSpelling(_ value: Value) -> LinearSolverChoice? {
        guard case .engine(.algorithm(let spelling)) = value, let split = splitLinsolve(spelling) else { return nil }
        return linearSolvers[split.solver]
    }

    /// `solve(prob, alg; keywords...)`; without `alg`, the default method (Tsit5 switching to a
    /// stiff method when stiffness appears: `CompositeAlgorithm.defaultAlgorithm`).
    static func solveProblem(_ call: BuiltinCall) throws -> Value {
        let prepared = try prepareSolve(call)
        return try prepared.value(prepared.run())
    }

    /// Everything `solve(prob, alg; keywords...)` decides before the engine runs, made on the
    /// interpreter's thread.
    static func prepareSolve(_ call: BuiltinCall) throws -> PreparedSolve {
        guard case .engine(.problem(let given)) = call.arguments[0] else {
            throw call.error("solve needs an ODEProblem, got \(call.arguments[0].typeName)",
                             hint: "prob = ODEProblem(f, u0, tspan, p); solve(prob, Tsit5())")
        }
        let chosen = call.arguments.count == 2 ? try algorithm(call.arguments[1], call, composite: true) : nil
        var problem = given
        if call.keyword("u0") != nil || call.keyword("p") != nil {
            let u0 = try call.keyword("u0").map { try numbers($0, "u0", call) } ?? given.u0
            let p = try call.keyword("p").map { try parameterValue($0, call) } ?? given.parameters
            guard u0.count == given.u0.count else {
                throw call.error("u0 has \(u0.count) entries; the problem has \(given.u0.count) states")
            }
            problem = ProblemObject(function: given.function, inPlace: given.inPlace, u0: u0, tspan: given.tspan, parameters: p)
            problem.massMatrix = given.massMatrix
            if let compiled = given.compiled, compiled.parameters == max(problem.parameterNumbers.count, 1),
               parameterKind(p) == parameterKind(given.parameters) {
                problem.compiled = compiled
            }
        }
        let options = try solverOptions(call, states: problem.u0.count)
        let failure = RHSFailure()
        var runOptions = options
        runOptions.progress = { _ in failure.error == nil }
        let callback = try callbackObject(call)
        if let callback {
            runOptions.callback = try engineCallback(callback, problem, call, failure: failure)
        }
        let engineProblem: DiffEq.ODEProblem
        var isCompiled = false
        if let compiled = problem.compiled, let function = try? compiled.odeFunction() {
            let p = problem.parameterNumbers
            engineProblem = DiffEq.ODEProblem(function, u0: problem.u0, tspan: problem.tspan, p: p.isEmpty ? [0] : p)
            isCompiled = true
        } else {
            engineProblem = DiffEq.ODEProblem(rhs(problem, call, failure), u0: problem.u0, tspan: problem.tspan,
                                              p: problem.parameterNumbers)
        }
        var massProblem = engineProblem
        massProblem.f.massMatrix = problem.massMatrix
        let method: ODEMethod
        do {
            method = try chosen.map(ODEMethod.init(named:)) ?? .composite(.defaultAlgorithm(for: massProblem, options: runOptions))
        } catch {
            throw call.error("cannot build \(chosen ?? "the default method")(): \(error)")
        }
        return PreparedSolve(problem: massProblem, method: method, options: runOptions, failure: failure,
                             isThreadSafe: isCompiled && callback == nil)
    }

    /// The engine's options from `solve`'s keywords.
    static func solverOptions(_ call: BuiltinCall, states n: Int) throws -> SolverOptions {
        var options = SolverOptions()
        // The method argument's `linsolve` (solve, NeuralODE and a differentiated solve alike).
        if let choice = call.arguments.lazy.compactMap(linearSolverSpelling).first { options.linsolve = choice }
        func real(_ key: String) throws -> Double? {
            guard let value = call.keyword(key) else { return nil }
            guard let number = value.asDouble, value.isNumber else {
                throw call.error("\(key) must be a number, got \(value.repr)")
            }
            return number
        }
        func flag(_ key: String) throws -> Bool? {
            guard let value = call.keyword(key) else { return nil }
            guard case .bool(let flag) = value else { throw call.error("\(key) must be true or false, got \(value.repr)") }
            return flag
        }
        func tolerance(_ key: String) throws -> SolverOptions.Tolerance? {
            guard let value = call.keyword(key) else { return nil }
            let tolerance: SolverOptions.Tolerance
            if let number = value.asDouble, value.isNumber { tolerance = .scalar(number) } else {
                let vector = try numbers(value, key, call)
                guard vector.count == n else { throw call.error("\(key) has \(vector.count) entries for \(n) states") }
                tolerance = .vector(vector)
            }
            return tolerance
        }
        if let value = try tolerance("abstol") { options.abstol = value }
        if let value = try tolerance("reltol") { options.reltol = value }
        options.dt = try real("dt")
        options.dtmax = try real("dtmax")
        options.dtmin = try real("dtmin")
        for (key, value) in [("dt", options.dt), ("dtmax", options.dtmax), ("dtmin", options.dtmin)] {
            if let value, !(value > 0 && value.isFinite) { throw call.error("\(key) must be a positive number, got \(Value.format(value))") }
        }
        if let value = try flag("adaptive") { options.adaptive = value }
        if !options.adaptive, options.dt == nil {
            throw call.error("a fixed-step solve (adaptive=false) needs dt", hint: "for example solve(prob, RK4(), dt=0.01, adaptive=false)")
        }
        if let value = call.keyword("maxiters") {
            guard let count = value.asInt, count > 0 else { throw call.error("maxiters must be a positive integer, got \(value.repr)") }
            options.maxiters = count
        }
        if let value = call.keyword("saveat") {
            if let step = value.asDouble, value.isNumber {
                guard step > 0 else { throw call.error("saveat must be positive, got \(value.repr)") }
                options.saveat = .every(step)
            } else {
                options.saveat = .times(try numbers(value, "saveat", call))
            }
        }
        options.saveEverystep = try flag("save_everystep")
        options.saveStart = try flag("save_start")
        options.saveEnd = try flag("save_end")
        options.dense = try flag("dense")
        if let value = call.keyword("tstops") { options.tstops = try numbers(value, "tstops", call) }
        if let value = call.keyword("save_idxs") {
            let indices = value.isNumber ? [value.asDouble ?? 0] : try numbers(value, "save_idxs", call)
            options.saveIdxs = try indices.map { index in
                guard index.rounded() == index, index >= 1, index <= Double(n) else {
                    throw call.error("save_idxs: \(Value.format(index)) is not a state index 1:\(n)")
                }
                return Int(index) - 1
            }
        }
        return options
    }

    /// The right-hand side the solver calls. For now it calls back into the interpreter on
    /// every evaluation (no tracing into the IR yet): u and p are copied into fresh language
    /// vectors, the function is called, and du is copied back. The first error it raises is
    /// kept in `failure` and every later call returns NaN, which stops the solve; `solve` then
    /// reports the stored error, with the position inside f where it happened.
    static func rhs(_ problem: ProblemObject, _ call: BuiltinCall, _ failure: RHSFailure) -> RHSFunction {
        let interpreter = call.interpreter, span = call.span
        let function = problem.function, inPlace = problem.inPlace
        let n = problem.u0.count
        let parameters = problem.parameters
        let m = problem.parameterNumbers.count
        let name: String
        if case .function(let value) = function { name = value.name } else { name = "f" }
        return { du, u, p, t in
            func fail(_ error: LangError) {
                var error = error
                let note = "raised in \(name) while solving, at t = \(Value.format(t))"
                error.hint = error.hint.map { $0 + "; " + note } ?? note
                failure.error = error
                for i in 0..<n { du[i] = .nan }
            }
            if failure.error != nil {
                for i in 0..<n { du[i] = .nan }
                return
            }
            let uValue = Value.floats(Array(UnsafeBufferPointer(start: u, count: n)))
            var pValue = parameters
            if case .array(let given) = parameters { pValue = .floats(Array(UnsafeBufferPointer(start: p, count: m)), axes: given.axes) }
            do {
                if inPlace {
                    let duArray = NumericArray(vector: [Double](repeating: 0, count: n))
                    _ = try interpreter.apply(function, [.array(duArray), uValue, pValue, .float(t)], [], span)
                    for i in 0..<n { du[i] = duArray.storage[i] }
                } else {
                    let result = try interpreter.apply(function, [uValue, pValue, .float(t)], [], span)
                    let items = interpreter.isCollection(result) || { if case .tuple = result { return true } else { return false } }()
                        ? try interpreter.elements(result, span) : []
                    guard items.count == n, items.allSatisfy({ $0.isNumber || $0.asDouble != nil }) else {
                        fail(LangError("\(name) returned \(result.repr) (\(result.typeName)); it must return a vector of \(n) numbers",
                                       at: span, hint: "an out-of-place f(u, p, t) returns du"))
                        return
                    }
                    for i in 0..<n { du[i] = items[i].asDouble ?? .nan }
                }
            } catch let error as LangError {
                fail(error)
            } catch ControlFlow.exit {
                fail(LangError("exit() inside the right-hand side \(name)", at: span))
            } catch {
                fail(LangError("\(error) inside the right-hand side \(name)", at: span))
            }
        }
    }
}

extension Interpreter {
    /// How `p` is passed to a traced function: 0 nothing, 1 a number, 2 a vector.
    static func parameterKind(_ value: Value) -> Int {
        switch value {
        case .nothing: return 0
        case .int, .float, .bool: return 1
        default: return 2
        }
    }

    /// Traces the problem's right-hand side into the IR and compiles it. A traced value
    /// deciding control flow is the user's error and is thrown; any other failure (a construct
    /// tracing does not cover yet, or an error the interpreted solve will report in context)
    /// leaves the problem interpreted, with the reason in `mode`.
    static func compileRHS(_ problem: ProblemObject, name: String, _ call: BuiltinCall) throws {
        let interpreter = call.interpreter
        let n = problem.u0.count
        let (builder, u, t, pValue) = problem.tracedInputs()
        func fallback(_ reason: String) {
            problem.mode = "interpreted: " + reason
        }
        // Output printed while tracing would appear once instead of at every evaluation.
        var printed = false
        let savedOutput = interpreter.output
        interpreter.output = { _ in printed = true }
        defer { interpreter.output = savedOutput }
        let output = TracedOutput(builder, count: n)
        let result: Value
        do {
            if problem.inPlace {
                _ = try interpreter.apply(problem.function, [.tracedOutput(output), .traced(TracedValue(u)), pValue,
                                                             .traced(TracedValue(t))], [], call.span)
                result = .nothing
            } else {
                result = try interpreter.apply(problem.function, [.traced(TracedValue(u)), pValue, .traced(TracedValue(t))],
                                               [], call.span)
            }
        } catch let error as LangError {
            if isControlFlowError(error) {
                var error = error
                let note = "raised while tracing \(name) for ODEProblem"
                error.hint = error.hint.map { $0 + "; " + note } ?? note
                throw error
            }
            return fallback(error.message)
        } catch {
            return fallback("\(error)")
        }
        if printed { return fallback("\(name) prints output") }
        let du: Sym
        if problem.inPlace {
            var ids: [Int] = []
            for (i, part) in output.parts.enumerated() {
                guard let part else { return fallback("\(name) never assigns du[\(i + 1)]") }
                ids.append(part.id)
            }
            du = Sym(builder, builder.concat(ids, shape: .vector(n)))
        } else {
            guard let value = try? interpreter.symbol(result, builder, call.span), value.count == n, !value.shape.isScalar else {
                return fallback("\(name) returned \(result.typeName); expected a vector of \(n) entries")
            }
            du = value.shape == .vector(n) ? value : value.reshaped(.vector(n))
        }
        do {
            let graph = try builder.build(outputs: [du.id])
            problem.compiled = try CompiledRHS(graph)
            problem.mode = "traced: \(instructionCount(graph)) instructions"
        } catch {
            problem.compiled = nil
            fallback("\(error)")
        }
    }

    /// Live nodes of a graph other than inputs and constants.
    static func instructionCount(_ graph: Graph) -> Int {
        let pruned = graph.description.split(separator: "\n").filter { line in
            line.hasPrefix("  %") && !line.contains(" = input") && !line.contains(" = const")
        }
        return pruned.count
    }
}
