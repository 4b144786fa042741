import Autodiff
import DiffEq
import NeuralNets
import Sensitivity

/// A neural ODE u′ = model(u, θ), as DiffEqFlux's `NeuralODE(model, tspan, alg; saveat, sensealg)`:
/// calling it with (u₀, θ) solves, and its gradient flows through the chosen sensitivity
/// algorithm. The network is traced once into IR and compiled with its derivatives.
public final class NeuralODE: @unchecked Sendable {
    public let model: any Layer
    public let tspan: (Double, Double)
    public let problem: DifferentiableSolve

    /// - Parameters:
    ///   - saveat: the saved times (required: they fix the prediction's shape).
    ///   - sensealg: nil chooses automatically (`SensitivityAlgorithm.automatic`).
    public init(_ model: any Layer, tspan: (Double, Double), _ tableau: ButcherTableau, saveat: SolverOptions.SaveAt,
                sensealg: SensitivityAlgorithm? = nil, options: SolverOptions = SolverOptions(), states: Int) throws {
        self.model = model
        self.tspan = tspan
        let count = model.parameterCount
        let graph = try trace([GraphInput("u", .vector(states)), GraphInput("p", .vector(max(count, 1))), GraphInput("t", .scalar)]) { x in
            model.apply(x[0], count > 0 ? x[1][0..<count] : nil)
        }
        var o = options
        o.saveat = saveat
        problem = try DifferentiableSolve(CompiledRHS(graph), tspan: tspan, tableau: tableau, options: o, sensealg: sensealg)
    }

    /// Initial parameters of the network (DiffEqFlux's `initial_params`).
    public func initialParameters(seed: UInt64 = 0) -> [Double] {
        let p = model.initialParameters(seed: seed)
        return p.isEmpty ? [0] : p
    }

    /// The solution from u₀ with parameters θ.
    public func callAsFunction(_ u0: [Double], _ theta: [Double]) throws -> ODESolution {
        try problem.solve(u0: u0, p: theta)
    }

    /// The loss of the prediction and its gradient with respect to θ (and u₀).
    public func gradient(_ u0: [Double], _ theta: [Double], loss: (ODESolution) throws -> (value: Double, ybar: [Double])) throws
        -> (value: Double, dtheta: [Double], du0: [Double]) {
        let g = try problem.gradient(u0: u0, p: theta, loss: loss)
        return (g.value, g.dp, g.du0)
    }
}

/// A universal differential equation: known physics with network terms in one right-hand side.
/// θ holds the physical parameters first, then the network's (`layout` names them), and the
/// body receives the network as a function to call wherever the model needs it:
/// ```swift
/// let ude = try UniversalODE(network: Chain(Dense(2, 16, .tanh), Dense(16, 2)), physics: 2, states: 2, ...) { u, p, t, nn in
///     let r = nn(u)
///     return [p[0] * u[0] + r[0], -p[1] * u[1] + r[1]]
/// }
/// ```
public final class UniversalODE: @unchecked Sendable {
    public let network: any Layer
    public let layout: ParameterLayout
    public let problem: DifferentiableSolve

    public init(network: any Layer, physics: Int, states: Int, tspan: (Double, Double), _ tableau: ButcherTableau,
                saveat: SolverOptions.SaveAt, sensealg: SensitivityAlgorithm? = nil, options: SolverOptions = SolverOptions(),
                rhs body: @escaping (_ u: Sym, _ physics: Sym?, _ t: Sym, _ network: (Sym) -> Sym) -> [Sym]) throws {
        self.network = network
        var l = ParameterLayout()
        if physics > 0 { l.append("physics", .vector(physics)) }
        l.append(network.layout, prefix: "nn")
        layout = l
        let nnCount = network.parameterCount
        let graph = try trace(.vector(states), .vector(max(l.count, 1))) { u, p, t in
            let physicsPart = physics > 0 ? p[0..<physics] : nil
            let nnPart = nnCount > 0 ? p[physics..<(physics + nnCount)] : nil
            return body(u, physicsPart, t) { x in network.apply(x, nnPart) }
        }
        var o = options
        o.saveat = saveat
        problem = try DifferentiableSolve(CompiledRHS(graph), tspan: tspan, tableau: tableau, options: o, sensealg: sensealg)
    }

    /// Physical parameters followed by the network's initial ones.
    public func initialParameters(physics: [Double], seed: UInt64 = 0) -> [Double] {
        physics + network.initialParameters(seed: seed)
    }
}
