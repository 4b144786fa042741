import Autodiff
import DiffEq
import LinearSolve

/// The discrete adjoint through the steps of a Rosenbrock–Wanner method in the transformed
/// form (Rodas4, Rodas5P; Rosenbrock23 and Rosenbrock32 rewritten in it by `RosenbrockAdjointForm`):
/// the exact gradient of the computed solution with the step sizes held fixed, as for the
/// explicit methods.
///
/// A step solves W kᵢ = f(Yᵢ) + h dᵢ T + Σⱼ (Cᵢⱼ/h) kⱼ with W = I/(hγ) − J, J = ∂f/∂u(u₀),
/// T = ∂f/∂t(u₀), Yᵢ = u₀ + Σⱼ aᵢⱼ kⱼ, and u₁ = u₀ + Σ bᵢ kᵢ. Sweeping back, each stage's
/// cotangent k̄ᵢ becomes r̄ᵢ = W⁻ᵀ k̄ᵢ (one transposed solve with the step's LU), which is
/// pulled back through f at Yᵢ (a VJP), through the coupling and stage sums, and — because W
/// holds J(u₀, p) — through J itself: Σᵢ r̄ᵢᵀ (∂(J kᵢ)/∂(u₀, p)), a VJP of the JVP (second
/// derivatives of f). T(u₀, p) is pulled back the same way. The step's stages are recomputed
/// from u₀ with the analytic Jacobian, as the solve computed them.
///
/// The solve must have used f's analytic Jacobian (CompiledRHS gives it); T is taken by the
/// same forward difference as the solve, so for a right-hand side that depends on t the
/// gradient is exact up to that difference's error (exactly zero for an autonomous f).
///
/// References: A. Sandu, "On the properties of Runge–Kutta discrete adjoints", 2006, and
/// "Discrete adjoints of Rosenbrock methods" (H. Zhang, A. Sandu, FATODE, SIAM J. Sci.
/// Comput. 36, 2014).
final class RosenbrockAdjointPieces {
    let n: Int
    let m: Int
    let f: Program, fWS: Workspace
    let vjp: Program, vjpWS: Workspace
    /// (u, p, t, v, w) -> ((∂(J v)/∂u)ᵀ w, (∂(J v)/∂p)ᵀ w).
    let hvp: Program, hvpWS: Workspace
    /// (u, p, t, 1, w) -> ((∂T/∂u)ᵀ w, (∂T/∂p)ᵀ w) with T = ∂f/∂t.
    let tvp: Program, tvpWS: Workspace
    let jacobian: DenseJacobian
    let lu: DenseLU

    init(_ rhs: CompiledRHS) throws {
        n = rhs.states
        m = rhs.parameters
        f = try rhs.graph.compile(); fWS = f.makeWorkspace()
        vjp = rhs.vjpUP; vjpWS = vjp.makeWorkspace()
        hvp = try rhs.graph.jvp(wrt: [0]).vjp(wrt: [0, 1]).compile(); hvpWS = hvp.makeWorkspace()
        tvp = try rhs.graph.jvp(wrt: [2]).vjp(wrt: [0, 1]).compile(); tvpWS = tvp.makeWorkspace()
        jacobian = try DenseJacobian(rhs.graph, output: 0, wrt: 0)
        lu = DenseLU(dimension: rhs.states)
    }
}

extension DiscreteAdjointSweep {
    func rosenbrockGradient(_ form: RosenbrockAdjointForm, steps: StepTimes, replayer: StepReplayer?,
                            solution: ODESolution, p: [Double], ybar: [Double]) throws -> (du0: [Double], dp: [Double]) {
        let co = form.coefficients
        let pieces = try rosenbrockPieces ?? RosenbrockAdjointPieces(rhs)
        rosenbrockPieces = pieces
        let tab = steps.tableau, s = co.stages, M = steps.count
        // Saved points: at t₀, at a step's end, or inside a step (dense output over the slots).
        var lambda = [Double](repeating: 0, count: n), dp = [Double](repeating: 0, count: m)
        var startBar = [Double](repeating: 0, count: n)
        startBar.withUnsafeMutableBufferPointer { placeSavedPoints(solution, steps, ybar, startBar: $0.baseAddress!) }
        var nextInside = insidePoints.count - 1
        // Per step: stages k, stage points Y, ∂f/∂t, the Jacobian, and the cotangents.
        var k = [Double](repeating: 0, count: s * n), Y = k, kbar = k
        var T = [Double](repeating: 0, count: n), Tbar = T, column = T, sum = T, fPlus = T, rbar = T
        var J = [Double](repeating: 0, count: n * n)
        var uOut = [Double](repeating: 0, count: n), pOut = [Double](repeating: 0, count: Swift.max(m, 1))
        var time = [0.0], one = [1.0]
        let pb = p.isEmpty ? [0] : p
        let a = co.a, C = co.cMatrix, c = co.c, d = co.d, b = co.b
        var weights = [Double](repeating: 0, count: s)
        func runF(_ x: [Double], _ tt: Double, into out: inout [Double]) {
            time[0] = tt
            x.withUnsafeBufferPointer { xb in pb.withUnsafeBufferPointer { pp in time.withUnsafeBufferPointer { tb in
                out.withUnsafeMutableBufferPointer { ob in
                    pieces.f.run(pieces.fWS, xb.baseAddress!, pp.baseAddress!, tb.baseAddress!, into: ob.baseAddress!)
                }
            } } }
        }
        /// One of the VJP-shaped programs: inputs (u, p, t, extra…, w), outputs (ū, p̄) added in.
        func pull(_ program: Program, _ ws: Workspace, at x: [Double], _ tt: Double, extra: [Double]?, cotangent w: [Double],
                  into ubar: inout [Double]) {
            time[0] = tt
            x.withUnsafeBufferPointer { xb in pb.withUnsafeBufferPointer { pp in time.withUnsafeBufferPointer { tb in
                w.withUnsafeBufferPointer { wb in (extra ?? one).withUnsafeBufferPointer { eb in
                    uOut.withUnsafeMutableBufferPointer { uo in pOut.withUnsafeMutableBufferPointer { po in
                        ws.bind(input: 0, xb.baseAddress!); ws.bind(input: 1, pp.baseAddress!); ws.bind(input: 2, tb.baseAddress!)
                        if extra != nil {
                            ws.bind(input: 3, eb.baseAddress!); ws.bind(input: 4, wb.baseAddress!)
                        } else {
                            ws.bind(input: 3, wb.baseAddress!)
                        }
                        ws.bind(output: 0, uo.baseAddress!); ws.bind(output: 1, po.baseAddress!)
                        program.run(ws)
                    } }
                } }
            } } }
            for j in 0..<n { ubar[j] += uOut[j] }
            for j in 0..<m { dp[j] += pOut[j] }
        }
        for q in stride(from: M - 1, through: 0, by: -1) {
            let h = steps.h[q], tq = steps.t[q]
            let u0: [Double]
            if let replayer {
                u0 = Array(UnsafeBufferPointer(start: replayer.step(q).0, count: n))
            } else {
                u0 = Array(steps.u0[(q * n)..<((q + 1) * n)])
            }
            // The step's stages, as the solve computed them.
            time[0] = tq
            try u0.withUnsafeBufferPointer { ub in try pb.withUnsafeBufferPointer { pp in try time.withUnsafeBufferPointer { tb in
                try J.withUnsafeMutableBufferPointer { jb in
                    try pieces.jacobian.evaluate(ub, UnsafeBufferPointer(start: pp.baseAddress, count: m), tb, into: jb)
                }
            } } }
            var f0 = [Double](repeating: 0, count: n)
            runF(u0, tq, into: &f0)
            let dt = Double.ulpOfOne.squareRoot() * Swift.max(Swift.abs(tq), 1) * (h < 0 ? -1 : 1)
            runF(u0, tq + dt, into: &T)
            for j in 0..<n { T[j] = (T[j] - f0[j]) / dt }
            let diagonal = 1 / (h * co.gamma), invH = 1 / h
            pieces.lu.withUnsafeMutableMatrix { w in
                for jj in 0..<n { for i in 0..<n { w[i + jj * n] = (i == jj ? diagonal : 0) - J[i + jj * n] } }
            }
            guard pieces.lu.factor() == .success else {
                throw AutodiffError(.invalidArgument, "the discrete adjoint met a singular W at step \(q) (t = \(tq))")
            }
            for stage in 0..<s {
                var y = u0
                for mm in 0..<stage where a[stage * s + mm] != 0 {
                    for j in 0..<n { y[j] += a[stage * s + mm] * k[mm * n + j] }
                }
                for j in 0..<n { Y[stage * n + j] = y[j] }
                if stage == 0 { column = f0 } else { runF(y, tq + c[stage] * h, into: &column) }
                for j in 0..<n { sum[j] = 0 }
                for mm in 0..<stage {
                    let cc = C[stage * s + mm] * invH
                    if cc == 0 { continue }
                    for j in 0..<n { sum[j] += cc * k[mm * n + j] }
                }
                let hd = h * d[stage]
                for j in 0..<n { fPlus[j] = column[j] + hd * T[j] + sum[j] }
                _ = fPlus.withUnsafeMutableBufferPointer { pieces.lu.solve($0) }
                for j in 0..<n { k[stage * n + j] = fPlus[j] }
            }
            // u₁ = u₀ + Σ bᵢ kᵢ; saved points at the end and inside the step.
            if hasEnd[q] { for j in 0..<n { lambda[j] += endBars[q * n + j] } }
            for i in 0..<(s * n) { kbar[i] = 0 }
            for i in 0..<s where b[i] != 0 { for j in 0..<n { kbar[i * n + j] += b[i] * lambda[j] } }
            while nextInside >= 0, insidePoints[nextInside].step == q {
                let theta = insidePoints[nextInside].theta, row = insidePoints[nextInside].row
                nextInside -= 1
                form.denseWeights(tab, theta, into: &weights)
                for j in 0..<n { lambda[j] += ybar[row + j] }
                for i in 0..<s where weights[i] != 0 {
                    for j in 0..<n { kbar[i * n + j] += weights[i] * ybar[row + j] }
                }
            }
            // Stages in reverse.
            for j in 0..<n { Tbar[j] = 0 }
            var u0bar = lambda
            for stage in stride(from: s - 1, through: 0, by: -1) {
                for j in 0..<n { rbar[j] = kbar[stage * n + j] }
                if rbar.allSatisfy({ $0 == 0 }) { continue }
                _ = rbar.withUnsafeMutableBufferPointer { pieces.lu.solveTransposed($0, rhsCount: 1) }
                // Through J(u₀, p) inside W: J̄ = r̄ kᵢᵀ.
                pull(pieces.hvp, pieces.hvpWS, at: u0, tq, extra: Array(k[(stage * n)..<((stage + 1) * n)]), cotangent: rbar,
                     into: &u0bar)
                // The right-hand side f(Yᵢ) + h dᵢ T + Σⱼ (Cᵢⱼ/h) kⱼ.
                let hd = h * d[stage]
                if hd != 0 { for j in 0..<n { Tbar[j] += hd * rbar[j] } }
                for mm in 0..<stage {
                    let cc = C[stage * s + mm] * invH
                    if cc == 0 { continue }
                    for j in 0..<n { kbar[mm * n + j] += cc * rbar[j] }
                }
                var ybarStage = [Double](repeating: 0, count: n)
                pull(pieces.vjp, pieces.vjpWS, at: Array(Y[(stage * n)..<((stage + 1) * n)]), tq + c[stage] * h, extra: nil,
                     cotangent: rbar, into: &ybarStage)
                for j in 0..<n { u0bar[j] += ybarStage[j] }
                for mm in 0..<stage where a[stage * s + mm] != 0 {
                    for j in 0..<n { kbar[mm * n + j] += a[stage * s + mm] * ybarStage[j] }
                }
            }
            // Through T(u₀, p).
            if Tbar.contains(where: { $0 != 0 }) {
                pull(pieces.tvp, pieces.tvpWS, at: u0, tq, extra: [1.0], cotangent: Tbar, into: &u0bar)
            }
            lambda = u0bar
        }
        for j in 0..<n { lambda[j] += startBar[j] }
        return (lambda, dp)
    }
}

/// A Rosenbrock method as the sweep differentiates it: coefficients of the transformed form
/// (W = I/(hγ) − J, W Kᵢ = f(u₀ + Σ aᵢⱼKⱼ) + h dᵢ T + Σ (Cᵢⱼ/h) Kⱼ, u₁ = u₀ + Σ bᵢKᵢ) and the
/// dense output as weights on the Kᵢ.
///
/// Rodas4 and Rodas5P are stepped in that form. Rosenbrock23 and Rosenbrock32 are stepped in
/// ode23s's own form (W = I − γhJ with the increments kⱼ), which is the standard form
/// (I − γhJ) k̃ᵢ = h f(u₀ + Σ αᵢⱼk̃ⱼ) + hJ Σ γᵢⱼk̃ⱼ + h²γᵢT with k̃ = hk; Hairer and Wanner's
/// substitution K = Γk̃ (Γ = (γᵢⱼ), γᵢᵢ = γ) turns it into the transformed form with
/// a = αΓ⁻¹, C = diag(1/γ) − Γ⁻¹, b = b̂Γ⁻¹, dᵢ = Σⱼ γᵢⱼ. The two forms compute the same
/// stages up to rounding, so the sweep's gradient is that of the computed solve.
/// For ode23s, W(k₂ − k₁) = f₁ − k₁ gives γ₂₁ = −γ; Rosenbrock32's third stage, with
/// f₀ = Wk₁ − γhT and f₁ = W(k₂ − k₁) + k₁ substituted, gives γ₃₁ = γ(e₃₂ − 2), γ₃₂ = −γe₃₂,
/// Y₃ = u₀ + hk₂ and γ₃ = −γ.
/// References: E. Hairer and G. Wanner, Solving ODEs II, §IV.7 (the transformation);
/// L. F. Shampine and M. W. Reichelt, "The MATLAB ODE suite", SIAM J. Sci. Comput. 18, 1997.
struct RosenbrockAdjointForm {
    let coefficients: RosenbrockCoefficients
    /// ode23s-form methods: Γ⁻¹, row-major s × s (the slots kⱼ = (Γ⁻¹K)ⱼ/h); nil for Rodas.
    let gammaInverse: [Double]?

    /// The form of `tableau`'s method, or nil when it is not a Rosenbrock method.
    init?(_ tableau: ButcherTableau) throws {
        let g = 1 / (2 + 2.0.squareRoot())
        let alpha: [[Double]], Gamma: [[Double]], bHat: [Double], c: [Double]
        switch tableau.family {
        case .rosenbrock(let co):
            coefficients = co
            gammaInverse = nil
            return
        case .rosenbrock23:
            alpha = [[0, 0], [0.5, 0]]
            Gamma = [[g, 0], [-g, g]]
            bHat = [0, 1]
            c = [0, 0.5]
        case .rosenbrock32:
            let e32 = 6 + 2.0.squareRoot()
            alpha = [[0, 0, 0], [0.5, 0, 0], [0, 1, 0]]
            Gamma = [[g, 0, 0], [-g, g, 0], [g * (e32 - 2), -g * e32, g]]
            bHat = [1.0 / 6, 4.0 / 6, 1.0 / 6]
            c = [0, 0.5, 1]
        default:
            return nil
        }
        let s = c.count
        // Γ⁻¹ by forward substitution (Γ is lower triangular with γ on the diagonal).
        var inverse = [[Double]](repeating: [Double](repeating: 0, count: s), count: s)
        for col in 0..<s {
            for i in col..<s {
                var v = i == col ? 1.0 : 0.0
                for k in col..<i { v -= Gamma[i][k] * inverse[k][col] }
                inverse[i][col] = v / Gamma[i][i]
            }
        }
        func product(_ row: [Double]) -> [Double] {
            (0..<s).map { j in (0..<s).reduce(0) { $0 + row[$1] * inverse[$1][j] } }
        }
        let a = (0..<s).map { i in Array(product(alpha[i]).prefix(i)) }
        let cMatrix = (0..<s).map { i in (0..<i).map { j in -inverse[i][j] } }
        let d = Gamma.map { $0.reduce(0, +) }
        coefficients = try RosenbrockCoefficients(name: tableau.name + " (transformed)", gamma: g, a: a, cMatrix: cMatrix,
                                                  c: c, d: d, b: product(bHat), btilde: [Double](repeating: 0, count: s),
                                                  h: [])
        gammaInverse = inverse.flatMap { $0 }
    }

    /// The weight of each Kᵢ in the dense output u(θ) − u₀.
    func denseWeights(_ tableau: ButcherTableau, _ theta: Double, into weights: inout [Double]) {
        let s = coefficients.stages
        if let gammaInverse {
            // u(θ) = u₀ + h Σⱼ wⱼ(θ) kⱼ with slot j = k_j (j = 1…s) and h kⱼ = (Γ⁻¹K)ⱼ.
            for i in 0..<s { weights[i] = 0 }
            for j in 0..<s {
                let w = tableau.denseWeight(j + 1, theta)
                if w == 0 { continue }
                for i in 0...j { weights[i] += w * gammaInverse[j * s + i] }
            }
        } else {
            // u(θ) = u₀ + h Σⱼ wⱼ(θ) slotⱼ with slot 1 = Σ bᵢKᵢ/h and slot 2+r = Σ HᵣᵢKᵢ/h.
            let w1 = tableau.denseWeight(1, theta), H = coefficients.h
            for i in 0..<s {
                var weight = w1 * coefficients.b[i]
                for r in 0..<H.count { weight += tableau.denseWeight(2 + r, theta) * H[r][i] }
                weights[i] = weight
            }
        }
    }
}
