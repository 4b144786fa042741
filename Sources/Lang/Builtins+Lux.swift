/// Lux's and Random's spellings in DiffEqFlux tutorials, so they run with their `using` lines
/// ignored:
///
///     rng = Random.default_rng(); Random.seed!(rng, 0)
///     p, st = Lux.setup(rng, model)          # flat parameters and an empty state
///     prob_neuralode(u0, p, st)[1]           # a NeuralODE called Lux's way returns (sol, st)
///
/// A random generator here is its seed: `Lux.setup` draws the network's initial parameters
/// with it (`initial_params(model; seed)`), so the same seed gives the same network.
public final class RNGObject {
    var seed: UInt64
    let name: String
    init(seed: UInt64, name: String) {
        self.seed = seed
        self.name = name
    }
}

extension Interpreter {
    static var luxBuiltins: [Builtin] {
        func generator(_ name: String) -> Builtin {
            Builtin(name: name, signature: "\(name)(seed = 0)") { call in
                try call.expect(0...1)
                try call.allowKeywords([])
                let seed = call.arguments.isEmpty ? 0 : try call.integer(0)
                guard seed >= 0 else { throw call.error("\(name): the seed must be a non-negative integer") }
                return .engine(.rng(RNGObject(seed: UInt64(seed), name: name)))
            }
        }
        return [
            generator("default_rng"),
            generator("Xoshiro"),
            generator("MersenneTwister"),
            Builtin(name: "setup", signature: "setup(rng, model) — Lux.setup: (parameters, state)") { call in
                try call.expect(2)
                try call.allowKeywords([])
                guard case .engine(.rng(let rng)) = call.arguments[0] else {
                    throw call.error("setup needs a random generator first, got \(call.arguments[0].typeName)",
                                     hint: "rng = Random.default_rng(); p, st = Lux.setup(rng, model)")
                }
                let parameters: [Double]
                switch call.arguments[1] {
                case .engine(.layer(let object)): parameters = object.layer.initialParameters(seed: rng.seed)
                case .engine(.neuralODE(let object)): parameters = object.node.initialParameters(seed: rng.seed)
                default: throw call.error("setup needs a model (Chain, Dense or NeuralODE), got \(call.arguments[1].typeName)")
                }
                // Lux's state: these layers keep none.
                return .tuple([.floats(parameters), .namedTuple(names: [], values: [])])
            },
        ]
    }
}
