import Foundation
import LinearSolve

/// Memory of a linearly implicit step, allocated with the integrator: the Jacobian, ∂f/∂t,
/// an intermediate derivative, a right-hand side and the LU of W.
final class ImplicitWork {
    let jacobian: UnsafeMutablePointer<Double>
    let dfdt: UnsafeMutablePointer<Double>
    let f1: UnsafeMutablePointer<Double>
    let rhs: UnsafeMutablePointer<Double>
    let lu: DenseLU

    init(n: Int) {
        jacobian = .allocate(capacity: max(n * n, 1))
        jacobian.initialize(repeating: 0, count: max(n * n, 1))
        dfdt = .allocate(capacity: max(n, 1))
        dfdt.initialize(repeating: 0, count: max(n, 1))
        f1 = .allocate(capacity: max(n, 1))
        f1.initialize(repeating: 0, count: max(n, 1))
        rhs = .allocate(capacity: max(n, 1))
        rhs.initialize(repeating: 0, count: max(n, 1))
        lu = DenseLU(dimension: n)
    }

    deinit {
        jacobian.deallocate()
        dfdt.deallocate()
        f1.deallocate()
        rhs.deallocate()
    }
}

extension ODEIntegrator {
    /// ∂f/∂u at (t, x), column-major into `work.jacobian`: the function's own Jacobian when it
    /// has one, forward differences otherwise (counted in `stats.nfdjacs`). `f0` is f(t, x).
    func jacobian(at x: UnsafeMutablePointer<Double>, f0: UnsafePointer<Double>, _ work: ImplicitWork) {
        stats.njacs += 1
        if let jac = f.jac {
            jac(work.jacobian, x, p, t)
            return
        }
        stats.nfdjacs += 1
        let column = work.rhs
        for j in 0..<n {
            let saved = x[j]
            // Scaled by the component (and its absolute tolerance when it is tiny), not by 1: a
            // component of size 1e-5 (Robertson's y₂) needs an increment of its own size.
            let delta = Double.ulpOfOne.squareRoot() * Swift.max(Swift.abs(saved), abstols[j], Double.leastNormalMagnitude)
            x[j] = saved + delta
            rhs(column, x, p, t)
            x[j] = saved
            for i in 0..<n { work.jacobian[i + j * n] = (column[i] - f0[i]) / delta }
        }
        stats.nf += n
    }

    /// One Rosenbrock23 step of size h from (t, uprev) with slot 0 = f(t, uprev): k₁ and k₂ in
    /// slots 1 and 2, the trial state in `u`, f(t + h, u) in the end slot, and the scaled
    /// error estimate h/6 (k₁ − 2k₂ + k₃) returned (NaN when W is singular, so the step is
    /// rejected and retried smaller).
    /// References: L. F. Shampine and M. W. Reichelt, "The MATLAB ODE suite", 1997.
    func performRosenbrock23Step(_ h: Double, _ work: ImplicitWork) -> Double {
        let gamma = 1 / (2 + 2.0.squareRoot()), e32 = 6 + 2.0.squareRoot()
        let f0 = slot(0), k1 = slot(1), k2 = slot(2), f2 = slot(3)
        jacobian(at: uprev, f0: f0, work)
        // ∂f/∂t by a forward difference (one evaluation).
        let dt = Double.ulpOfOne.squareRoot() * Swift.max(Swift.abs(t), 1) * (h < 0 ? -1 : 1)
        rhs(work.dfdt, uprev, p, t + dt)
        stats.nf += 1
        for i in 0..<n { work.dfdt[i] = (work.dfdt[i] - f0[i]) / dt }
        // W = I − γhJ.
        let lu = work.lu
        let hg = h * gamma
        let status = lu.withUnsafeMutableMatrix { w -> Bool in
            for j in 0..<n { for i in 0..<n { w[i + j * n] = (i == j ? 1 : 0) - hg * work.jacobian[i + j * n] } }
            return true
        }
        _ = status
        guard lu.factor() == .success else { return .nan }
        func solve(_ x: UnsafeMutablePointer<Double>) { _ = lu.solve(UnsafeMutableBufferPointer(start: x, count: n)) }
        // k₁ = W⁻¹ (f₀ + γh ∂f/∂t).
        for i in 0..<n { k1[i] = f0[i] + hg * work.dfdt[i] }
        solve(k1)
        // f₁ = f(t + h/2, u₀ + h/2 k₁); k₂ = W⁻¹ (f₁ − k₁) + k₁.
        for i in 0..<n { tmp[i] = uprev[i] + 0.5 * h * k1[i] }
        rhs(work.f1, tmp, p, t + 0.5 * h)
        for i in 0..<n { k2[i] = work.f1[i] - k1[i] }
        solve(k2)
        for i in 0..<n { k2[i] += k1[i] }
        // u₁ = u₀ + h k₂; f₂ = f(t + h, u₁).
        for i in 0..<n { u[i] = uprev[i] + h * k2[i] }
        rhs(f2, u, p, t + h)
        stats.nf += 2
        endDerivativeValid = true
        guard adaptive else { return 0 }
        // k₃ = W⁻¹ (f₂ − e₃₂ (k₂ − f₁) − 2 (k₁ − f₀) + γh ∂f/∂t); error h/6 (k₁ − 2k₂ + k₃).
        let k3 = work.rhs
        for i in 0..<n {
            k3[i] = f2[i] - e32 * (k2[i] - work.f1[i]) - 2 * (k1[i] - f0[i]) + hg * work.dfdt[i]
        }
        solve(k3)
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
}
