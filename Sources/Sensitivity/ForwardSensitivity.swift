import Autodiff
import DiffEq

/// Forward sensitivities: the state augmented with S = ∂u/∂(u₀, p), one column per direction,
/// solved together with u by the same method and error control:
/// S′ₖ = (∂f/∂u) Sₖ + (∂f/∂p) eₖ, with S(t₀) = [I 0].
/// Each column costs one compiled JVP per evaluation, so it pays off for few states plus
/// parameters (SciML's `ForwardSensitivity`; the C limit in shared/anchors uses it for case 5).
///
/// References: E. Hairer, S. P. Nørsett, G. Wanner, "Solving ODEs I", §I.14 (variational
/// equations); Y. Ma et al., "A comparison of automatic differentiation and continuous
/// sensitivity analysis for derivatives of differential equation solutions", 2021.
enum ForwardSensitivity {
    /// The augmented right-hand side on z = [u, S₀, ..., S_{q−1}] with q = n + m: one compiled
    /// program for the whole system when q is small (the primal part is shared by CSE and the
    /// unit parameter directions fold away), one JVP run per column otherwise.
    static func augmented(_ rhs: CompiledRHS) throws -> ODEFunction {
        if rhs.states + rhs.parameters <= 64 {
            return try CompiledRHS(augmentedGraph(rhs.graph, n: rhs.states, m: rhs.parameters)).odeFunction()
        }
        let make: @Sendable () -> ODEFunction = { instance(rhs) }
        var fn = instance(rhs)
        fn.perIntegrator = make
        return fn
    }

    /// The graph of z′ = [f(u, p, t); (S′)ᵀ] with S′ = (∂f/∂u) S + [0 ∂f/∂p]. The columns Sₖ are
    /// stored one after another, so z's tail read row-major is Sᵀ (q × n) and
    /// (S′)ᵀ = Sᵀ (∂f/∂u)ᵀ + [0; (∂f/∂p)ᵀ]: one matrix product over all columns. The Jacobian
    /// entries come from f's JVP seeded with unit directions, whose structural zeros fold away,
    /// so the program evaluates each partial derivative once instead of once per column.
    static func augmentedGraph(_ g: Graph, n: Int, m: Int) throws -> Graph {
        let q = n + m
        let jvp = try g.jvp(wrt: [0, 1])
        let b = GraphBuilder(foldsZeroProducts: true)
        let z = b.input("z", .vector(n * (1 + q)))
        let p = b.input("p", .vector(max(m, 1)))
        let t = b.input("t", .scalar)
        let uShape = g.inputs[0].shape, pShape = g.inputs[1].shape
        let u = b.slice(z, start: 0, shape: uShape)
        let pv = b.slice(p, start: 0, shape: pShape)
        let f = b.inline(g, inputs: [u, pv, t])[g.outputs[0]]
        // Column k of [∂f/∂u ∂f/∂p]: the JVP in direction eₖ.
        func column(_ k: Int) -> Int {
            var du = [Double](repeating: 0, count: n), dp = [Double](repeating: 0, count: pShape.count)
            if k < n { du[k] = 1 } else { dp[k - n] = 1 }
            let out = b.inline(jvp, inputs: [u, pv, t, b.constant(du, uShape), b.constant(dp, pShape)])[jvp.outputs[0]]
            return b.reshape(out, .vector(n))
        }
        let jacobianT = b.reshape(b.concat((0..<n).map(column)), .matrix(n, n))          // (∂f/∂u)ᵀ
        let forcingT = b.reshape(b.concat([b.zeros(.vector(n * n))] + (n..<q).map(column)), .matrix(q, n))
        let sT = b.reshape(b.slice(z, start: n, shape: .vector(n * q)), .matrix(q, n))
        let dS = b.binary(.add, b.matmul(sT, jacobianT), forcingT)
        let dz = b.concat([b.reshape(f, .vector(n)), b.reshape(dS, .vector(n * q))], shape: .vector(n * (1 + q)))
        return try b.build(outputs: [dz])
    }

    static func instance(_ rhs: CompiledRHS) -> ODEFunction {
        let n = rhs.states, m = rhs.parameters, q = n + m
        let fWS = rhs.f.makeWorkspace(), jvpWS = rhs.jvpUP.makeWorkspace()
        let scratch = ScratchBuffer(count: 1 + max(m, 1))
        let f = rhs.f, jvp = rhs.jvpUP
        return ODEFunction({ dz, z, p, t in
            let time = scratch.pointer, dp = scratch.pointer + 1
            time[0] = t
            f.run(fWS, z, p, time, into: dz)
            jvpWS.bind(input: 0, z)
            jvpWS.bind(input: 1, p)
            jvpWS.bind(input: 2, time)
            jvpWS.bind(input: 4, dp)
            for k in 0..<q {
                if k >= n { dp[k - n] = 1 }
                jvpWS.bind(input: 3, z + n * (1 + k))
                jvpWS.bind(output: 0, dz + n * (1 + k))
                jvp.run(jvpWS)
                if k >= n { dp[k - n] = 0 }
            }
        })
    }

    /// `blocks` copies of the n×n matrix `m` (column-major) down the diagonal.
    static func blockDiagonal(_ m: [Double], n: Int, blocks: Int) -> [Double] {
        let size = n * blocks
        var out = [Double](repeating: 0, count: size * size)
        for b in 0..<blocks {
            for j in 0..<n { for i in 0..<n { out[(b * n + i) + (b * n + j) * size] = m[i + j * n] } }
        }
        return out
    }

    /// A per-state tolerance repeated for every block of the augmented state.
    static func widen(_ tolerance: SolverOptions.Tolerance, columns: Int) -> SolverOptions.Tolerance {
        guard case .vector(let v) = tolerance else { return tolerance }
        return .vector((0..<columns).flatMap { _ in v })
    }

    /// z(t₀) = [u₀, I, 0].
    static func initialState(u0: [Double], m: Int) -> [Double] {
        let n = u0.count
        var z = u0 + [Double](repeating: 0, count: n * (n + m))
        for k in 0..<n { z[n * (1 + k) + k] = 1 }
        return z
    }

    /// Σₛ ȳₛᵀ S(tₛ), split into (∂L/∂u₀, ∂L/∂p), from an augmented solution saved in full.
    static func gradient(_ sol: ODESolution, n: Int, m: Int, ybar: [Double]) -> (du0: [Double], dp: [Double]) {
        let q = n + m, width = n * (1 + q)
        var g = [Double](repeating: 0, count: q)
        for s in 0..<sol.t.count {
            let row = s * width
            for k in 0..<q {
                var acc = 0.0
                for j in 0..<n { acc += ybar[s * n + j] * sol.values[row + n * (1 + k) + j] }
                g[k] += acc
            }
        }
        return (Array(g[0..<n]), Array(g[n..<q]))
    }
}

/// A few doubles owned by a closure set.
final class ScratchBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    init(count: Int) {
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { pointer.deallocate() }
}
