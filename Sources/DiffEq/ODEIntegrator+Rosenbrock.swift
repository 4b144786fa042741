import Foundation
import LinearSolve

extension ODEIntegrator {
    /// Makes u₀ consistent for a semi-explicit index-1 DAE (a mass matrix with zero rows):
    /// Newton's method on the algebraic variables (the zero columns of M), the differential
    /// ones held, until the algebraic equations hold — SciML's `BrownFullBasicInit` in its
    /// semi-explicit form. Returns why not when it cannot. slot 0 is f(t₀, u₀) on entry and exit.
    /// References: P. N. Brown, A. C. Hindmarsh, L. R. Petzold, "Consistent initial condition
    /// calculation for differential-algebraic systems", SIAM J. Sci. Comput. 19, 1998.
    func initializeAlgebraicVariables() -> String? {
        guard let work = implicitWork, !work.algebraicRows.isEmpty else { return nil }
        let rows = work.algebraicRows, columns = work.algebraicColumns
        guard let lu = work.initializationLU else {
            return "the mass matrix has \(rows.count) zero rows but \(columns.count) zero columns: Fluxion initialises semi-explicit index-1 DAEs, with one algebraic variable per algebraic equation"
        }
        let m = rows.count, f0 = slot(0), step = work.f1
        for _ in 0..<10 {
            jacobian(at: u, f0: f0, work)
            lu.withUnsafeMutableMatrix { a in
                for (bj, j) in columns.enumerated() { for (ai, i) in rows.enumerated() { a[ai + bj * m] = work.matrix.jacobianEntry(i, j) } }
            }
            guard lu.factor() == .success else {
                return "u0 is not consistent and the algebraic equations (rows \(rows.map { $0 + 1 })) do not determine the algebraic variables (u[\(columns.map { $0 + 1 })]): their Jacobian block is singular, so the DAE is not index 1 there"
            }
            for (ai, i) in rows.enumerated() { step[ai] = -f0[i] }
            _ = lu.solve(UnsafeMutableBufferPointer(start: step, count: m))
            var largest = 0.0
            for (bj, j) in columns.enumerated() {
                u[j] += step[bj]
                largest = Swift.max(largest, Swift.abs(step[bj]) / (abstols[j] + reltols[j] * Swift.abs(u[j])))
            }
            rhs(f0, u, p, t)
            stats.nf += 1
            for i in 0..<n where !f0[i].isFinite { return "initialising the algebraic variables made f(u0)[\(i + 1)] \(f0[i])" }
            if largest <= 1e-3 { return nil }
        }
        return "u0 is not consistent: Newton's method on the algebraic variables u[\(columns.map { $0 + 1 })] did not satisfy the algebraic equations (rows \(rows.map { $0 + 1 })) in 10 iterations"
    }

    /// One Rosenbrock23 step of size h from (t, uprev) with slot 0 = f(t, uprev): k₁ and k₂ in
    /// slots 1 and 2, the trial state in `u`, f(t + h, u) in the end slot, and the scaled
    /// error estimate h/6 (k₁ − 2k₂ + k₃) returned (NaN when W is singular, so the step is
    /// rejected and retried smaller). With `thirdOrder` (Rosenbrock32) the step advances with
    /// the third-order u₀ + h/6 (k₁ + 4k₂ + k₃) instead, k₃ kept in slot 3.
    /// References: L. F. Shampine and M. W. Reichelt, "The MATLAB ODE suite", 1997.
    func performRosenbrock23Step(_ h: Double, _ work: ImplicitWork, thirdOrder: Bool = false) -> Double {
        let gamma = 1 / (2 + 2.0.squareRoot()), e32 = 6 + 2.0.squareRoot()
        let f0 = slot(0), k1 = slot(1), k2 = slot(2), f2 = slot(tableau.stages)
        jacobian(at: uprev, f0: f0, work)
        // ∂f/∂t by a forward difference (one evaluation).
        let dt = Double.ulpOfOne.squareRoot() * Swift.max(Swift.abs(t), 1) * (h < 0 ? -1 : 1)
        rhs(work.dfdt, uprev, p, t + dt)
        stats.nf += 1
        for i in 0..<n { work.dfdt[i] = (work.dfdt[i] - f0[i]) / dt }
        // W = M − γhJ (M = I without a mass matrix).
        let hg = h * gamma
        guard factorNewtonMatrix(diagonal: 1, jacobianScale: hg, work) else { return .nan }
        func solve(_ x: UnsafeMutablePointer<Double>) {
            stats.nsolve += 1
            solveNewtonMatrix(x, work)
        }
        // k₁ = W⁻¹ (f₀ + γh ∂f/∂t).
        for i in 0..<n { k1[i] = f0[i] + hg * work.dfdt[i] }
        solve(k1)
        // f₁ = f(t + h/2, u₀ + h/2 k₁); k₂ = W⁻¹ (f₁ − M k₁) + k₁.
        for i in 0..<n { tmp[i] = uprev[i] + 0.5 * h * k1[i] }
        rhs(work.f1, tmp, p, t + 0.5 * h)
        let mk1 = work.massTimes(k1, n)
        for i in 0..<n { k2[i] = work.f1[i] - mk1[i] }
        solve(k2)
        for i in 0..<n { k2[i] += k1[i] }
        // u₁ = u₀ + h k₂; f₂ = f(t + h, u₁).
        for i in 0..<n { u[i] = uprev[i] + h * k2[i] }
        rhs(f2, u, p, t + h)
        stats.nf += 2
        endDerivativeValid = true
        guard adaptive || thirdOrder else { return 0 }
        // k₃ = W⁻¹ (f₂ − M (e₃₂ k₂ + 2 k₁) + e₃₂ f₁ + 2 f₀ + γh ∂f/∂t); error h/6 (k₁ − 2k₂ + k₃).
        let k3 = thirdOrder ? slot(3) : work.rhs
        for i in 0..<n { k3[i] = e32 * k2[i] + 2 * k1[i] }
        let mk = work.massTimes(k3, n)
        for i in 0..<n {
            k3[i] = f2[i] - mk[i] + e32 * work.f1[i] + 2 * f0[i] + hg * work.dfdt[i]
        }
        solve(k3)
        if thirdOrder {
            // Rosenbrock32 advances with the third-order solution and needs f at it.
            for i in 0..<n { u[i] = uprev[i] + h / 6 * (k1[i] + 4 * k2[i] + k3[i]) }
            rhs(slot(tableau.stages), u, p, t + h)
            stats.nf += 1
            guard adaptive else { return 0 }
        }
        var acc = 0.0
        for i in 0..<n {
            let e = h / 6 * (k1[i] - 2 * k2[i] + k3[i])
            let scaled = e / (abstols[i] + reltols[i] * Swift.max(Swift.abs(uprev[i]), Swift.abs(u[i])))
            err[i] = scaled
            acc += scaled * scaled
        }
        if let norm = internalnorm { return norm(UnsafeBufferPointer(start: err, count: n), t) }
        return (acc / Double(Swift.max(n, 1))).squareRoot()
    }

    /// One step of a Rosenbrock–Wanner method in the transformed form (Rodas5P) of size h from
    /// (t, uprev) with slot 0 = f(t, uprev). With W = I/(hγ) − J, factored once, each stage
    /// solves W kᵢ = f(t + cᵢh, u₀ + Σⱼ aᵢⱼ kⱼ) + h dᵢ ∂f/∂t + Σⱼ (Cᵢⱼ/h) kⱼ; u₁ = u₀ + Σ bᵢ kᵢ
    /// goes to `u`, f(t + h, u₁) to the end slot, (u₁ − u₀)/h and the dense combinations
    /// Σᵢ Hᵣᵢ kᵢ / h to slots 1, 2, …; the scaled error Σ b̃ᵢ kᵢ is returned (NaN when W is
    /// singular, so the step is rejected and retried smaller).
    /// References: G. Steinebach, "Construction of Rosenbrock–Wanner method Rodas5P and
    /// numerical benchmarks within the Julia Differential Equations package", BIT 63, 2023;
    /// E. Hairer and G. Wanner, Solving ODEs II, §IV.7.
    func performRosenbrockStep(_ h: Double, _ work: ImplicitWork) -> Double {
        let s = work.stages, n = self.n
        let co = work.coefficients
        let aM = co, cM = co + s * s, cv = co + 2 * s * s, dv = cv + s, bv = dv + s, btv = bv + s, hM = btv + s
        let f0 = slot(0)
        let ks = work.increments
        jacobian(at: uprev, f0: f0, work)
        // ∂f/∂t by a forward difference (one evaluation).
        let dt = Double.ulpOfOne.squareRoot() * Swift.max(Swift.abs(t), 1) * (h < 0 ? -1 : 1)
        rhs(work.dfdt, uprev, p, t + dt)
        stats.nf += 1
        for i in 0..<n { work.dfdt[i] = (work.dfdt[i] - f0[i]) / dt }
        // W = M/(hγ) − J.
        guard factorNewtonMatrix(diagonal: 1 / (h * work.gamma), jacobianScale: 1, work) else { return .nan }
        let invH = 1 / h
        for stage in 0..<s {
            let ki = ks + stage * n
            let fi: UnsafeMutablePointer<Double>
            if stage == 0 {
                fi = f0
            } else {
                combineStages(into: tmp, base: uprev, weights: aM + stage * s, count: stage, stages: ks)
                rhs(work.f1, tmp, p, t + cv[stage] * h)
                stats.nf += 1
                fi = work.f1
            }
            let hd = h * dv[stage]
            // Σⱼ (Cᵢⱼ/h) kⱼ, multiplied by M when there is one.
            let sum = work.rhs
            for j in 0..<n { sum[j] = 0 }
            for m in 0..<stage {
                let cc = cM[stage * s + m] * invH
                if cc == 0 { continue }
                let km = ks + m * n
                for j in 0..<n { sum[j] += cc * km[j] }
            }
            let coupled = work.massTimes(sum, n)
            for j in 0..<n { ki[j] = fi[j] + hd * work.dfdt[j] + coupled[j] }
            solveNewtonMatrix(ki, work)
        }
        stats.nsolve += s
        // u₁ = u₀ + Σ bᵢ kᵢ; f(t + h, u₁) in the end slot.
        combineStages(into: u, base: uprev, weights: bv, count: s, stages: ks)
        rhs(slot(tableau.stages), u, p, t + h)
        stats.nf += 1
        endDerivativeValid = true
        // Dense output: slot 1 = (u₁ − u₀)/h, slot 2 + r = Σᵢ Hᵣᵢ kᵢ / h.
        let s1 = slot(1)
        for j in 0..<n { s1[j] = (u[j] - uprev[j]) * invH }
        for r in 0..<work.denseRows {
            let out = slot(2 + r)
            for j in 0..<n { out[j] = 0 }
            for m in 0..<s {
                let hc = hM[r * s + m] * invH
                if hc == 0 { continue }
                let km = ks + m * n
                for j in 0..<n { out[j] += hc * km[j] }
            }
        }
        guard adaptive else { return 0 }
        var acc = 0.0
        for j in 0..<n {
            var e = 0.0
            for m in 0..<s where btv[m] != 0 { e += btv[m] * ks[m * n + j] }
            let scaled = e / (abstols[j] + reltols[j] * Swift.max(Swift.abs(uprev[j]), Swift.abs(u[j])))
            err[j] = scaled
            acc += scaled * scaled
        }
        if let norm = internalnorm { return norm(UnsafeBufferPointer(start: err, count: n), t) }
        return (acc / Double(Swift.max(n, 1))).squareRoot()
    }
}
