import Foundation
import LinearSolve

/// What the implicit families share: the Jacobian, the Newton matrix W = I − cJ, stage
/// combinations and the scaled error norm.
extension ODEIntegrator {
    /// out = base + Σₘ₍ₘ<count₎ weights[m] · stages[m·n ..< (m+1)·n] (base nil: zero), skipping zero
    /// weights: a stage argument, u₁ or an error estimate of the implicit families.
    @inline(__always)
    func combineStages(into out: UnsafeMutablePointer<Double>, base: UnsafePointer<Double>?,
                       weights: UnsafePointer<Double>, count: Int, stages: UnsafePointer<Double>) {
        let n = self.n
        if let base { for j in 0..<n { out[j] = base[j] } } else { for j in 0..<n { out[j] = 0 } }
        for m in 0..<count where weights[m] != 0 {
            let w = weights[m], v = stages + m * n
            for j in 0..<n { out[j] += w * v[j] }
        }
    }

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
            // Scaled by the component, and by its absolute tolerance when it is tiny (a component
            // of size 1e-13, Robertson's late y₂, needs an increment of its own size). With a
            // mass matrix the floor is √ε·1e-3 instead: an algebraic equation (y₁ + y₂ + y₃ − 1)
            // mixes a component at 0 with O(1) terms, and a smaller increment would be lost in
            // their rounding, making the algebraic block look singular.
            let floor = work.mass == nil ? Swift.max(abstols[j], Double.leastNormalMagnitude) : 1e-3
            let delta = Double.ulpOfOne.squareRoot() * Swift.max(Swift.abs(saved), floor)
            x[j] = saved + delta
            rhs(column, x, p, t)
            x[j] = saved
            for i in 0..<n { work.jacobian[i + j * n] = (column[i] - f0[i]) / delta }
        }
        stats.nf += n
    }

    /// ‖constant · e‖ with each component scaled by abstol + reltol·max(|u₀|, |u₁|) (into `err`),
    /// in `internalnorm` when one is given, root mean square otherwise.
    func scaledErrorNorm(_ e: UnsafePointer<Double>, times constant: Double = 1) -> Double {
        var acc = 0.0
        for j in 0..<n {
            let scaled = constant * e[j] / (abstols[j] + reltols[j] * Swift.max(Swift.abs(uprev[j]), Swift.abs(u[j])))
            err[j] = scaled
            acc += scaled * scaled
        }
        if let norm = internalnorm { return norm(UnsafeBufferPointer(start: err, count: n), t) }
        return (acc / Double(Swift.max(n, 1))).squareRoot()
    }

    /// Makes W = I − cJ ready for Newton's iterations from (t, uprev): a new Jacobian when none is
    /// held or a refresh was asked for (unless the one held was taken at this step's start), and a
    /// new LU when c changed. Returns whether the Jacobian is this step's own (a failure with an
    /// older one is retried with a new one), or nil when W is singular.
    func prepareNewtonMatrix(c: Double, _ work: ImplicitWork) -> Bool? {
        let newton = work.newton, n = self.n
        var current = newton.jacobianValid && newton.jacobianAccepted == stats.naccept && newton.jacobianT == t
        if newton.refreshJacobian || !newton.jacobianValid {
            if !current {
                jacobian(at: uprev, f0: slot(0), work)
                newton.jacobianValid = true
                newton.jacobianAccepted = stats.naccept
                newton.jacobianT = t
                current = true
            }
            newton.refreshJacobian = false
            newton.factoredC = 0
        }
        if newton.factoredC != c {
            work.lu.withUnsafeMutableMatrix { w in
                for j in 0..<n { for i in 0..<n { w[i + j * n] = (i == j ? 1 : 0) - c * work.jacobian[i + j * n] } }
            }
            stats.nw += 1
            guard work.lu.factor() == .success else {
                // Singular W: the step is rejected, and a smaller one brings W nearer the identity.
                newton.factoredC = 0
                return nil
            }
            newton.factoredC = c
        }
        return current
    }

    /// Takes the Jacobian at x (time t) for the next attempt at this step, and marks W for
    /// refactoring.
    func retryWithJacobian(at x: UnsafeMutablePointer<Double>, _ work: ImplicitWork) {
        rhs(work.f1, x, p, t)
        stats.nf += 1
        jacobian(at: x, f0: work.f1, work)
        let newton = work.newton
        newton.jacobianValid = true
        newton.jacobianAccepted = stats.naccept
        newton.jacobianT = t
        newton.refreshJacobian = false
        newton.factoredC = 0
    }
}
