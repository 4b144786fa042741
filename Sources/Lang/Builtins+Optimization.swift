import Optimizers

/// Optimization.jl's spellings over `train`, and the package names DiffEqFlux tutorials
/// qualify builtins with, so a pasted tutorial runs with its `using` lines ignored:
///
///     optf = Optimization.OptimizationFunction((x, p) -> loss(x), Optimization.AutoZygote())
///     optprob = Optimization.OptimizationProblem(optf, θ)
///     res = Optimization.solve(optprob, OptimizationOptimisers.Adam(0.05); callback, maxiters = 300)
///
/// Every AD type (`AutoZygote()`, `AutoForwardDiff()`, …) means Fluxion's reverse mode over
/// the tape; `solve(optprob, opt; maxiters, callback)` is `train(θ -> f(θ, p), u0, opt; …)`.
public final class OptimizationProblemObject {
    /// `f(θ, p)` (or `f(θ)`), the AD type's name and the problem's start and parameters.
    let function: Value
    let adType: String?
    let u0: Value
    let parameters: Value

    init(function: Value, adType: String?, u0: Value, parameters: Value) {
        self.function = function
        self.adType = adType
        self.u0 = u0
        self.parameters = parameters
    }
}

extension Interpreter {
    /// Package names whose members are Fluxion's builtins of the same name (`Optimization.solve`).
    static let packageNames = [
        "Optimization", "OptimizationOptimisers", "OptimizationOptimJL", "OptimizationPolyalgorithms", "Optim",
        "Optimisers", "OrdinaryDiffEq", "DifferentialEquations", "SciMLSensitivity", "DiffEqFlux", "Lux",
        "ComponentArrays", "Plots", "LinearAlgebra", "Statistics", "Random", "Zygote", "ForwardDiff", "SciMLBase",
        "DiffEqCallbacks", "OrdinaryDiffEqTsit5", "OrdinaryDiffEqRosenbrock",
    ]

    /// The AD choices of ADTypes.jl; all mean the tape's reverse mode here.
    static let adTypeNames = ["AutoZygote", "AutoForwardDiff", "AutoReverseDiff", "AutoEnzyme", "AutoFiniteDiff", "AutoTracker"]

    static var optimizationBuiltins: [Builtin] {
        let adTypes = adTypeNames.map { name in
            Builtin(name: name, signature: "\(name)()") { call in
                try call.expect(0)
                try call.allowKeywords(["compile"])   // AutoReverseDiff(compile = true)
                return .engine(.adType(name))
            }
        }
        return adTypes + [
            Builtin(name: "OptimizationFunction", signature: "OptimizationFunction(f, adtype)") { call in
                try call.expect(1...2)
                try call.allowKeywords([])
                guard case .function = call.arguments[0] else {
                    throw call.error("OptimizationFunction needs the loss function f(θ, p), got \(call.arguments[0].typeName)")
                }
                var adType: String? = nil
                if call.arguments.count == 2 {
                    guard case .engine(.adType(let name)) = call.arguments[1] else {
                        throw call.error("OptimizationFunction's second argument is an AD type such as AutoZygote(), got \(call.arguments[1].typeName)")
                    }
                    adType = name
                }
                return .engine(.optimizationProblem(OptimizationProblemObject(function: call.arguments[0], adType: adType,
                                                                              u0: .nothing, parameters: .nothing)))
            },
            Builtin(name: "OptimizationProblem", signature: "OptimizationProblem(optf, u0, p = nothing)") { call in
                try call.expect(2...3)
                try call.allowKeywords([])
                guard case .engine(.optimizationProblem(let optf)) = call.arguments[0], case .nothing = optf.u0 else {
                    throw call.error("OptimizationProblem needs an OptimizationFunction first, got \(call.arguments[0].typeName)",
                                     hint: "optf = OptimizationFunction((x, p) -> loss(x), AutoZygote())")
                }
                return .engine(.optimizationProblem(OptimizationProblemObject(
                    function: optf.function, adType: optf.adType, u0: call.arguments[1],
                    parameters: call.arguments.count == 3 ? call.arguments[2] : .nothing)))
            },
            Builtin(name: "remake", signature: "remake(prob; u0, p, tspan)") { call in
                try call.expect(1)
                switch call.arguments[0] {
                case .engine(.optimizationProblem(let problem)):
                    try call.allowKeywords(["u0", "p"])
                    guard case .function = problem.function, !{ if case .nothing = problem.u0 { return true } else { return false } }() else {
                        throw call.error("remake needs an OptimizationProblem, got an OptimizationFunction")
                    }
                    return .engine(.optimizationProblem(OptimizationProblemObject(
                        function: problem.function, adType: problem.adType, u0: call.keyword("u0") ?? problem.u0,
                        parameters: call.keyword("p") ?? problem.parameters)))
                case .engine(.problem(let problem)):
                    try call.allowKeywords(["u0", "p", "tspan"])
                    return .engine(.problem(try remakeProblem(problem, call)))
                default:
                    throw call.error("remake needs an ODEProblem or an OptimizationProblem, got \(call.arguments[0].typeName)")
                }
            },
            Builtin(name: "PolyOpt", signature: "PolyOpt()") { call in
                try call.expect(0)
                try call.allowKeywords([])
                return .engine(.optimizer(OptimizerObject(PolyOpt(), "PolyOpt()")))
            },
        ]
    }

    /// `remake(prob; u0, p, tspan)`: a new problem with the same right-hand side. Its compiled
    /// form is reused when the new u0 and p have the shapes it was traced for (an ensemble's
    /// prob_func remakes once per member); otherwise the function is traced again. Values being
    /// differentiated (inside `gradient`) are kept as what u0 and p stand for, so that solving the
    /// remade problem records on the tape.
    static func remakeProblem(_ problem: ProblemObject, _ call: BuiltinCall) throws -> ProblemObject {
        let u0Given = call.keyword("u0"), pGiven = call.keyword("p")
        let u0 = try u0Given.map { try numbers($0.untaped, "u0", call) } ?? problem.u0
        let p = try pGiven.map { try parameterValue($0.untaped, call) } ?? problem.parameters
        let tspan = try call.keyword("tspan").map { try timeSpan($0, call) } ?? problem.tspan
        let remade: ProblemObject
        if let compiled = problem.compiled, u0.count == problem.u0.count, parameterKind(p) == parameterKind(problem.parameters),
           compiled.parameters == max(ProblemObject.parameterNumbers(p).count, 1), p.componentAxes == problem.parameters.componentAxes {
            remade = ProblemObject(function: problem.function, inPlace: problem.inPlace, u0: u0, tspan: tspan, parameters: p)
            remade.compiled = compiled
            remade.mode = problem.mode
            remade.differentiable = problem.differentiable
        } else {
            var arguments: [Value] = [problem.function, .floats(u0), .tuple([.float(tspan.0), .float(tspan.1)])]
            if case .nothing = p {} else { arguments.append(p) }
            remade = try makeProblem(BuiltinCall(interpreter: call.interpreter, name: "ODEProblem", signature: call.signature,
                                                 arguments: arguments, keywords: problem.traceDisabled ? [("trace", .bool(false))] : [],
                                                 span: call.span))
        }
        remade.massMatrix = problem.massMatrix
        remade.differentiatedU0 = u0Given.map { $0.isTape ? $0 : nil } ?? problem.differentiatedU0
        remade.differentiatedP = pGiven.map { $0.isTape ? $0 : nil } ?? problem.differentiatedP
        return remade
    }

    /// `solve(optprob, opt; maxiters, callback, …)`: `train` on θ ↦ f(θ, p) from u0.
    static func solveOptimization(_ problem: OptimizationProblemObject, _ call: BuiltinCall) throws -> Value {
        guard case .function(let f) = problem.function else { throw call.error("the optimization problem has no loss function") }
        guard call.arguments.count == 2 else {
            throw call.error("solve(optprob, opt): give the optimiser", hint: "solve(optprob, Adam(0.05); maxiters = 300)")
        }
        if case .nothing = problem.u0 {
            throw call.error("solve needs an OptimizationProblem, got an OptimizationFunction",
                             hint: "optprob = OptimizationProblem(optf, θ); solve(optprob, Adam(0.05))")
        }
        let interpreter = call.interpreter
        let parameters = problem.parameters
        // θ ↦ f(θ, p) when f takes two arguments (Optimization.jl's form), f(θ) otherwise: a
        // language closure, so the tape differentiates through it as through any user function.
        let takesParameters = f.builtin == nil && f.methods.contains { interpreter.accepts($0.definition, 2) }
        let scope = Environment(parent: interpreter.globals)
        scope.define("f", problem.function)
        scope.define("p", parameters)
        let parsed = Syntax.parse(takesParameters ? "θ -> f(θ, p)" : "θ -> f(θ)", file: "<OptimizationProblem>")
        guard let lambda = parsed.statements.first else { throw call.error("internal: the objective did not parse") }
        let loss = try interpreter.eval(lambda, scope)
        let allowed: Set<String> = ["maxiters", "callback", "progress", "autosave", "autosave_every", "allow_f_increases"]
        // Optimization.jl's tolerances and time limits have no counterpart in `train` yet.
        let unsupported = call.keywords.map(\.0).filter { !allowed.contains($0) }
        // Optim's allow_f_increases = false is what the Wolfe line searches here do anyway.
        if let value = call.keyword("allow_f_increases"), case .bool(true) = value {
            throw call.error("allow_f_increases = true is not supported: the line searches here never accept a higher loss")
        }
        if let name = unsupported.first {
            throw call.error("solve(optprob, …): the keyword \(name) is not supported; supported: " + allowed.sorted().joined(separator: ", "))
        }
        let trainCall = BuiltinCall(interpreter: interpreter, name: "train", signature: call.signature,
                                    arguments: [loss, problem.u0, call.arguments[1]],
                                    keywords: call.keywords.filter { $0.0 != "allow_f_increases" },
                                    span: call.span)
        return try train(trainCall)
    }
}
