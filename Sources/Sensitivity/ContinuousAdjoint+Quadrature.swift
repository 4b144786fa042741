import Autodiff
import DiffEq

/// ∂L/∂p = ∫ (∂f/∂p)ᵀλ dt for the adjoints that solve λ alone (QuadratureAdjoint and
/// GaussAdjoint), from the backward solve's recorded steps and the forward trajectory.
extension ContinuousAdjoint {
    /// The forward trajectory, the backward solve's λ(t) and the integrand, for the quadratures.
    func quadratureParts(_ integrator: ODEIntegrator) throws -> (DenseInterpolant, DenseInterpolant, ParameterIntegrand) {
        guard let forward = source.trajectory, let steps = integrator.makeSolution().steps,
              let lambda = DenseInterpolant(steps) else {
            throw AutodiffError(.invalidArgument, "the backward solve kept no steps to integrate over")
        }
        let g = integrand ?? ParameterIntegrand(rhs)
        integrand = g
        return (forward, lambda, g)
    }

    /// QuadratureAdjoint: Σₛ ∫_{tₛ}^{tₛ₊₁} f_pᵀλ dt, each by adaptive Gauss–Kronrod, split at
    /// the events (where u and λ jump) and started on the backward solve's own steps: λ of a
    /// stiff problem has boundary layers (its fast modes, excited by each jump, die within a
    /// tiny time) that a panel spanning a whole interval would never see.
    func quadratureIntegral(_ integrator: ODEIntegrator) throws -> [Double] {
        var dp = [Double](repeating: 0, count: m)
        guard m > 0 else { return dp }
        let (forward, lambda, g) = try quadratureParts(integrator)
        let quad = quadrature ?? AdaptiveQuadrature(dimension: m)
        quadrature = quad
        let abstol = settings.quadratureAbstol ?? Self.largest(settings.abstol ?? forwardOptions.abstol)
        let reltol = settings.quadratureReltol ?? Self.largest(settings.reltol ?? forwardOptions.reltol)
        var piece = [Double](repeating: 0, count: m)
        p.withUnsafeBufferPointer { pb in
            piece.withUnsafeMutableBufferPointer { out in
                let params = pb.baseAddress.unsafelyUnwrapped, result = out.baseAddress.unsafelyUnwrapped
                var edges = times
                let lo = Swift.min(times[0], times[times.count - 1]), hi = Swift.max(times[0], times[times.count - 1])
                for e in fired where e.t > lo && e.t < hi { edges.append(e.t) }
                if !fired.isEmpty { edges.sort { tspan.1 >= tspan.0 ? $0 < $1 : $0 > $1 } }
                for s in 0..<(edges.count - 1) where edges[s] != edges[s + 1] {
                    let inside = Self.stepTimes(lambda, between: edges[s], and: edges[s + 1])
                    quad.integrate(from: edges[s], to: edges[s + 1], abstol: abstol, reltol: reltol,
                                   maxPanels: Swift.max(settings.quadratureMaxPanels, inside.count + 1),
                                   breakpoints: inside, into: result) { t, values in
                        g.evaluate(t, forward: forward, lambda: lambda, p: params, into: values)
                    }
                    for j in 0..<m { dp[j] += result[j] }
                    quadratureEvaluations += quad.evaluations
                }
            }
        }
        return dp
    }

    /// GaussAdjoint: Σ over backward steps of −(h/2) Σᵢ wᵢ f_pᵀλ(τᵢ) (h < 0 for a forward-in-time
    /// problem), with λ from the step's own dense output.
    func gaussIntegral(_ integrator: ODEIntegrator) throws -> [Double] {
        var dp = [Double](repeating: 0, count: m)
        guard m > 0 else { return dp }
        let (forward, lambda, g) = try quadratureParts(integrator)
        var values = [Double](repeating: 0, count: m)
        let (nodes, weights) = gaussRule
        p.withUnsafeBufferPointer { pb in
            values.withUnsafeMutableBufferPointer { out in
                let params = pb.baseAddress.unsafelyUnwrapped, v = out.baseAddress.unsafelyUnwrapped
                for q in 0..<lambda.count {
                    let tq = lambda.t[q], hq = lambda.h[q]
                    for i in 0..<nodes.count {
                        g.evaluate(tq + 0.5 * hq * (1 + nodes[i]), forward: forward, lambda: lambda, lambdaStep: q,
                                   p: params, into: v)
                        quadratureEvaluations += 1
                        let scale = -0.5 * hq * weights[i]
                        for j in 0..<m { dp[j] += scale * v[j] }
                    }
                }
            }
        }
        return dp
    }

    /// The start times of `record`'s steps strictly between a and b, ordered from a to b.
    static func stepTimes(_ record: DenseInterpolant, between a: Double, and b: Double) -> ArraySlice<Double> {
        let lo = Swift.min(a, b), hi = Swift.max(a, b)
        var inside = record.t.filter { $0 > lo && $0 < hi }
        inside.sort { a <= b ? $0 < $1 : $0 > $1 }
        return inside[...]
    }

    static func largest(_ tol: SolverOptions.Tolerance) -> Double {
        switch tol {
        case .scalar(let v): return v
        case .vector(let v): return v.max() ?? 0
        }
    }
}
