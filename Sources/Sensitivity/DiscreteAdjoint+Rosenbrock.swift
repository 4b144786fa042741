import Autodiff
import DiffEq
import LinearSolve

/// The discrete adjoint through the steps of a Rosenbrock–Wanner method in the transformed
/// form (Rodas4, Rodas5P): the exact gradient of the computed solution with the step sizes
/// held fixed, as for the explicit methods.
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
    func rosenbrockGradient(_ co: RosenbrockCoefficients, steps: StepTimes, replayer: StepReplayer?,
                            solution: ODESolution, p: [Double], ybar: [Double]) throws -> (du0: [Double], dp: [Double]) {
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
        let a = co.a, C = co.cMatrix, c = co.c, d = co.d, b = co.b, H = co.h
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
                // u(θ) = u₀ + h Σⱼ wⱼ(θ) slotⱼ with slot 1 = Σ bᵢkᵢ/h and slot 2+r = Σ Hᵣᵢkᵢ/h.
                let w1 = tab.denseWeight(1, theta)
                for j in 0..<n { lambda[j] += ybar[row + j] }
                for i in 0..<s {
                    var weight = w1 * b[i]
                    for r in 0..<H.count { weight += tab.denseWeight(2 + r, theta) * H[r][i] }
                    if weight == 0 { continue }
                    for j in 0..<n { kbar[i * n + j] += weight * ybar[row + j] }
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
