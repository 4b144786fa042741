import Autodiff
import DiffEq
import NeuralDE
import NeuralNets
import Sensitivity

/// A network layer as a language value: `Dense(2, 50, tanh)`, `Chain(...)`.
public final class LayerObject {
    /// The engine's layer.
    public let layer: any Layer
    /// The compiled network per input shape, for `U(x, θ)` outside traced code.
    let programs = LayerPrograms()

    init(_ layer: any Layer) { self.layer = layer }

    /// Julia's type name (`Dense`, `Chain`).
    var typeName: String {
        switch layer {
        case is Dense, is LanguageActivationDense: return "Dense"
        case is Chain: return "Chain"
        default: return "Layer"
        }
    }
}

/// `NeuralODE(model, tspan, alg; saveat, ...)`: the engine's `NeuralODE`, whose solve is a
/// primitive of the gradient tape (its derivative is the engine's sensitivity algorithm).
public final class NeuralODEObject {
    /// The engine's neural ODE.
    public let node: NeuralDE.NeuralODE
    /// The method's name (`Tsit5`).
    let algorithm: String
    /// The state count (the first Dense layer's input size).
    let states: Int

    init(node: NeuralDE.NeuralODE, algorithm: String, states: Int) {
        self.node = node
        self.algorithm = algorithm
        self.states = states
    }

    /// θ's length (at least 1, as the engine's `initialParameters`).
    var parameterCount: Int { max(node.model.parameterCount, 1) }

    /// `NeuralODE(Chain(...), tspan = (0.0, 1.5), Tsit5(), 252 parameters)`.
    var summary: String {
        "NeuralODE(\(node.model.name), tspan = (\(Value.format(node.tspan.0)), \(Value.format(node.tspan.1))), "
            + "\(algorithm)(), \(node.model.parameterCount) parameters)"
    }
}

/// The first error a language function layer raised while the network was traced.
final class LayerTraceFailure {
    var error: LangError?
}

extension Interpreter {
    /// The neural network builtins: `Dense`, `Chain`, `NeuralODE`, `initial_params`, `paramlength`.
    static var neuralBuiltins: [Builtin] {
        [
            Builtin(name: "Dense", signature: "Dense(in => out, σ=identity; bias=true), or Dense(in, out, σ)") { call in
                try call.allowKeywords(["bias"])
                // Flux and Lux write Dense(2 => 50, tanh); the older form is Dense(2, 50, tanh).
                var arguments = call.arguments
                if case .pair(let from, let to) = arguments.first {
                    arguments.replaceSubrange(0..<1, with: [from, to])
                }
                guard (2...3).contains(arguments.count) else {
                    throw call.error("Dense takes the sizes and an optional activation, Dense(in => out, σ), "
                                     + "got \(call.arguments.count) argument\(call.arguments.count == 1 ? "" : "s")")
                }
                func size(_ i: Int) throws -> Int {
                    guard let n = arguments[i].asInt, arguments[i].isNumber, n > 0 else {
                        throw call.error("Dense needs positive integer sizes, got \(arguments[i].repr)")
                    }
                    return n
                }
                var bias = true
                if let value = call.keyword("bias") {
                    guard case .bool(let flag) = value else { throw call.error("bias must be true or false, got \(value.repr)") }
                    bias = flag
                }
                let (inputs, outputs) = (try size(0), try size(1))
                guard arguments.count == 3 else { return .engine(.layer(LayerObject(Dense(inputs, outputs, bias: bias)))) }
                let given = arguments[2]
                guard case .function(let function) = given else {
                    throw call.error("Dense: the activation must be a function (tanh, relu, or one you define), got \(given.repr)")
                }
                if function.builtin != nil, let found = Activation(rawValue: function.name) {
                    return .engine(.layer(LayerObject(Dense(inputs, outputs, found, bias: bias))))
                }
                // Any other function (rbf(x) = exp.(-(x.^2)), sin) is broadcast over the layer's output.
                let activation = LanguageLayer(name: layerName(function), function: given, interpreter: call.interpreter,
                                               span: call.span, failure: LayerTraceFailure(), elementwise: true)
                return .engine(.layer(LayerObject(LanguageActivationDense(dense: Dense(inputs, outputs, bias: bias),
                                                                          activation: activation))))
            },
            Builtin(name: "Chain", signature: "Chain(layers...)") { call in
                try call.allowKeywords([])
                guard !call.arguments.isEmpty else { throw call.error("Chain needs at least one layer") }
                let layers: [any Layer] = try call.arguments.map { value in
                    switch value {
                    case .engine(.layer(let object)): return object.layer
                    case .function(let function) where function.builtin == nil:
                        return functionLayer(value, name: layerName(function), call)
                    default:
                        throw call.error("Chain takes layers (Dense(...), Chain(...)) or functions, got \(value.typeName)")
                    }
                }
                return .engine(.layer(LayerObject(Chain(layers))))
            },
            Builtin(name: "NeuralODE", signature: "NeuralODE(model, tspan, alg; saveat, reltol, abstol, sensealg)") { call in
                try call.expect(2...3)
                try call.allowKeywords(solveKeywords.subtracting(["u0", "p", "save_idxs"]))
                return .engine(.neuralODE(try makeNeuralODE(call)))
            },
            Builtin(name: "initial_params", signature: "initial_params(model; seed=0)") { call in
                try call.expect(1)
                try call.allowKeywords(["seed"])
                var seed: UInt64 = 0
                if let value = call.keyword("seed") {
                    guard let n = value.asInt, value.isNumber, n >= 0 else {
                        throw call.error("seed must be a non-negative integer, got \(value.repr)")
                    }
                    seed = UInt64(n)
                }
                switch call.arguments[0] {
                case .engine(.neuralODE(let object)): return .floats(object.node.initialParameters(seed: seed))
                case .engine(.layer(let object)): return .floats(object.layer.initialParameters(seed: seed))
                default: throw call.error("initial_params needs a NeuralODE or a layer, got \(call.arguments[0].typeName)")
                }
            },
            Builtin(name: "paramlength", signature: "paramlength(model)") { call in
                try call.expect(1)
                try call.allowKeywords([])
                switch call.arguments[0] {
                case .engine(.neuralODE(let object)): return .int(object.node.model.parameterCount)
                case .engine(.layer(let object)): return .int(object.layer.parameterCount)
                default: throw call.error("paramlength needs a NeuralODE or a layer, got \(call.arguments[0].typeName)")
                }
            },
        ]
    }

    /// A language function `x -> x.^3` as a parameterless layer.
    static func functionLayer(_ function: Value, name: String, _ call: BuiltinCall) -> any Layer {
        LanguageLayer(name: name, function: function, interpreter: call.interpreter, span: call.span, failure: LayerTraceFailure(),
                      elementwise: false)
    }

    /// How a function layer prints: its name, or `x -> x .^ 3` for an anonymous one.
    static func layerName(_ function: FunctionValue) -> String {
        guard function.methods.count == 1, let definition = function.methods.first?.definition, definition.name == nil,
              definition.body.count == 1, definition.parameters.count == 1 else { return function.name }
        return definition.parameters[0].name + " -> " + SourcePrinter.print(definition.body[0])
    }

    /// The input size of the first Dense layer: the state count of a neural ODE.
    static func firstDenseInput(_ layer: any Layer) -> Int? {
        if let dense = layer as? Dense { return dense.inputSize }
        if let dense = layer as? LanguageActivationDense { return dense.dense.inputSize }
        if let chain = layer as? Chain {
            for inner in chain.layers { if let n = firstDenseInput(inner) { return n } }
        }
        return nil
    }

    /// `NeuralODE(model, tspan, alg; saveat, ...)`.
    static func makeNeuralODE(_ call: BuiltinCall) throws -> NeuralODEObject {
        guard case .engine(.layer(let object)) = call.arguments[0] else {
            throw call.error("NeuralODE needs a network (Chain(...) or Dense(...)) first, got \(call.arguments[0].typeName)")
        }
        guard let states = firstDenseInput(object.layer) else {
            throw call.error("NeuralODE: cannot tell the state count of \(object.layer.name)",
                             hint: "the network needs a Dense layer; its input size is the state count")
        }
        let tspan = try timeSpan(call.arguments[1], call)
        let method = call.arguments.count == 3 ? try algorithm(call.arguments[2], call) : "Tsit5"
        let options = try solverOptions(call, states: states)
        guard let saveat = options.saveat else {
            throw call.error("NeuralODE needs saveat (the saved times fix the prediction's shape)",
                             hint: "for example NeuralODE(dudt, tspan, Tsit5(), saveat=tsteps)")
        }
        var sensealg: SensitivityAlgorithm?
        if let value = call.keyword("sensealg") {
            guard case .engine(.algorithm(let name)) = value, let alg = SensitivityAlgorithm(rawValue: name) else {
                throw call.error("sensealg must be one of " + SensitivityAlgorithm.allCases.map { $0.rawValue + "()" }.joined(separator: ", ")
                                 + "; got \(value.repr)")
            }
            sensealg = alg
        }
        // Function layers trace while the engine builds the network's graph.
        let languageLayers = languageLayers(object.layer)
        for layer in languageLayers { layer.failure.error = nil }
        let savedOutput = call.interpreter.output
        call.interpreter.output = { _ in }
        defer { call.interpreter.output = savedOutput }
        let node: NeuralDE.NeuralODE
        do {
            node = try NeuralDE.NeuralODE(object.layer, tspan: tspan, try MethodRegistry.method(named: method), saveat: saveat,
                                          sensealg: sensealg, options: options, states: states)
        } catch let error as LangError {
            throw error
        } catch {
            throw call.error("NeuralODE: \(error)")
        }
        if let error = languageLayers.lazy.compactMap({ $0.failure.error }).first {
            throw LangError("NeuralODE: a function layer could not be traced: " + error.message, at: call.span,
                            hint: "function layers in a Chain must use operations tracing supports (for example x -> x.^3)")
        }
        return NeuralODEObject(node: node, algorithm: method, states: states)
    }

    /// The language function layers of `layer`.
    static func languageLayers(_ layer: any Layer) -> [LanguageLayer] {
        if let function = layer as? LanguageLayer { return [function] }
        if let dense = layer as? LanguageActivationDense { return [dense.activation] }
        if let chain = layer as? Chain { return chain.layers.flatMap(languageLayers) }
        return []
    }
}

/// A language function as a parameterless layer: traced into the network's IR when the
/// network is. Layers cannot throw, so the first error is kept in `failure` and raised after tracing.
struct LanguageLayer: Layer, @unchecked Sendable {
    let name: String
    let function: Value
    let interpreter: Interpreter
    let span: SourceSpan
    let failure: LayerTraceFailure
    /// Applied as Julia's broadcast `f.(x)` (an activation) rather than to the whole array.
    let elementwise: Bool

    var layout: ParameterLayout { ParameterLayout() }
    func initialParameters(_ rng: inout Xoshiro256StarStar) -> [Double] { [] }

    func apply(_ x: Sym, _ theta: Sym?) -> Sym {
        guard failure.error == nil else { return x }
        do {
            let result = elementwise
                ? try interpreter.applyElementwise(function, .traced(TracedValue(x)), span)
                : try interpreter.apply(function, [.traced(TracedValue(x))], [], span)
            guard let sym = try interpreter.symbol(result, x.builder, span) else {
                throw LangError("a function layer must return numbers, got \(result.typeName)", at: span)
            }
            return sym
        } catch let error as LangError {
            failure.error = error
        } catch {
            failure.error = LangError("\(error)", at: span)
        }
        return x
    }
}

extension Interpreter {
    /// `node(u0, θ)`: the solution, as `solve` returns it. With tape values (inside `gradient`
    /// or `train`) the solve is one primitive of the tape, differentiated by the engine's
    /// sensitivity algorithm (`DifferentiableSolve`).
    func callNeuralODE(_ object: NeuralODEObject, _ arguments: [Value], _ keywords: [(String, Value)],
                       _ span: SourceSpan) throws -> Value {
        // Lux's form node(u0, θ, st) returns (solution, st).
        if arguments.count == 3, keywords.isEmpty {
            return .tuple([try callNeuralODE(object, Array(arguments.prefix(2)), keywords, span), arguments[2]])
        }
        guard arguments.count == 2, keywords.isEmpty else {
            throw LangError("MethodError: call a NeuralODE with the initial state and the parameters, node(u0, θ) (or Lux's node(u0, θ, st))", at: span)
        }
        if arguments.contains(where: \.isTraced) {
            throw unsupported("calling a NeuralODE inside a traced function", span)
        }
        let n = object.states, m = object.parameterCount
        if let tape = tapeOf(arguments) {
            guard var u0 = tapeVariable(arguments[0], tape), var p = tapeVariable(arguments[1], tape) else {
                throw LangError("NeuralODE: u0 and θ must be numbers or vectors of numbers, got "
                                + "\(arguments[0].typeName) and \(arguments[1].typeName)", at: span)
            }
            if u0.shape.isScalar { u0 = u0.reshaped(.vector(1)) }
            if p.shape.isScalar { p = p.reshaped(.vector(1)) }
            guard u0.count == n, u0.shape.kind == .vector else {
                throw LangError("NeuralODE: u0 has \(u0.count) entries; the network takes \(n)", at: span)
            }
            guard p.count == m, p.shape.kind == .vector else {
                throw LangError("NeuralODE: θ has \(p.count) entries; the network has \(m) parameters", at: span,
                                hint: "θ = initial_params(node)")
            }
            do {
                let states = try tape.solve(object.node.problem, u0: u0, p: p)
                return try taped(states.transposed, span, isSolution: true)
            } catch let error as LangError {
                throw error
            } catch let error as AutodiffError {
                throw LangError("gradient: NeuralODE: " + error.message, at: span)
            } catch {
                throw LangError("gradient: NeuralODE: \(error)", at: span)
            }
        }
        let call = BuiltinCall(interpreter: self, name: "NeuralODE", signature: "node(u0, θ)", arguments: arguments,
                               keywords: keywords, span: span)
        let u0 = arguments[0].isNumber ? [arguments[0].asDouble ?? .nan] : try Interpreter.numbers(arguments[0], "u0", call)
        let theta = arguments[1].isNumber ? [arguments[1].asDouble ?? .nan] : try Interpreter.numbers(arguments[1], "θ", call)
        guard u0.count == n else { throw LangError("NeuralODE: u0 has \(u0.count) entries; the network takes \(n)", at: span) }
        guard theta.count == m else {
            throw LangError("NeuralODE: θ has \(theta.count) entries; the network has \(m) parameters", at: span,
                            hint: "θ = initial_params(node)")
        }
        let solution: ODESolution
        do {
            solution = try object.node(u0, theta)
        } catch {
            throw LangError("NeuralODE: \(error)", at: span)
        }
        return .engine(.solution(SolutionObject(solution: solution, algorithm: object.algorithm)))
    }
}
