import Autodiff
import DiffEq

/// A continuous loss L = ∫ g(u, p, t) dt over the time span, and its gradient with respect to
/// u₀ and p by any sensitivity algorithm.
///
/// The integral is carried as one more state, q′ = g(u, p, t) with q(t₀) = 0, so it is
/// integrated by the same method and error control as u, and every sensitivity algorithm
/// differentiates it as an ordinary state: L = q(T), ∂L/∂q(T) = 1. (The continuous adjoints'
/// λ′ = −(∂f/∂u)ᵀλ − ∂g/∂u arises from this augmentation.)
public final class IntegralObjective: @unchecked Sendable {
    public let problem: DifferentiableSolve
    let states: Int

    /// - Parameters:
    ///   - f: the right-hand side (u, p, t) -> du.
    ///   - integrand: g (u, p, t) -> a scalar.
    public init(_ f: Graph, integrand g: Graph, tspan: (Double, Double), tableau: ButcherTableau,
                options: SolverOptions = SolverOptions(), sensealg: SensitivityAlgorithm? = nil) throws {
        guard g.inputs.count == 3, g.outputs.count == 1, g.outputShapes[0].count == 1,
              f.inputs.count == 3, g.inputs.map(\.shape) == f.inputs.map(\.shape) else {
            throw AutodiffError(.invalidArgument, "an integrand takes the right-hand side's (u, p, t) and returns a scalar")
        }
        let n = f.inputs[0].shape.count
        states = n
        let b = GraphBuilder()
        let v = b.input("v", .vector(n + 1))
        let p = b.input("p", f.inputs[1].shape)
        let t = b.input("t", .scalar)
        let u = b.slice(v, start: 0, shape: f.inputs[0].shape)
        let du = b.inline(f, inputs: [u, p, t])[f.outputs[0]]
        let dq = b.inline(g, inputs: [u, p, t])[g.outputs[0]]
        let augmented = try b.build(outputs: [b.concat([b.reshape(du, .vector(n)), b.reshape(dq, .vector(1))])])
        var o = options
        o.saveat = .times([tspan.1])
        o.saveStart = false
        problem = try DifferentiableSolve(CompiledRHS(augmented), tspan: tspan, tableau: tableau, options: o,
                                          sensealg: sensealg)
    }

    /// ∫ g dt from u₀ with parameters p, and its gradient.
    public func gradient(u0: [Double], p: [Double]) throws -> (value: Double, du0: [Double], dp: [Double]) {
        guard u0.count == states else {
            throw AutodiffError(.shapeMismatch, "u0 has \(u0.count) values; the right-hand side takes vector(\(states))")
        }
        let n = states
        let g = try problem.gradient(u0: u0 + [0], p: p) { sol in
            var ybar = [Double](repeating: 0, count: sol.values.count)
            ybar[ybar.count - 1] = 1
            return (sol.values.last ?? .nan, ybar)
        }
        return (g.value, Array(g.du0[0..<n]), g.dp)
    }
}
