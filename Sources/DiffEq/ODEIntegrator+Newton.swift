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

    /// ∂f/∂u at (t, x) into `work.matrix`: dense column-major, on the sparsity pattern, or (for
    /// GMRES) the linearisation point itself, with J's diagonal when a pattern makes it cheap.
    /// The function's own Jacobian when it has one, forward differences otherwise (counted in
    /// `stats.nfdjacs`): column by column when dense, one f per colour when sparse. `f0` is f(t, x).
    func jacobian(at x: UnsafeMutablePointer<Double>, f0: UnsafePointer<Double>, _ work: ImplicitWork) {
        stats.njacs += 1
        let matrix = work.matrix
        switch matrix.kind {
        case .dense:
            denseJacobian(at: x, f0: f0, into: matrix.jacobian, work)
        case .sparse, .banded:
            if let storage = matrix.sparseJacobian { sparseJacobian(at: x, f0: f0, into: storage, work) }
        case .krylov:
            guard let krylov = matrix.krylov else { return }
            for i in 0..<n { krylov.point[i] = x[i]; krylov.f0[i] = f0[i] }
            krylov.time = t
            if krylov.usesSparseJacobian, let storage = matrix.sparseJacobian { sparseJacobian(at: x, f0: f0, into: storage, work) }
            krylov.jacobianChanged = true
        }
    }

    /// The forward-difference increment of component j at `value`: scaled by the component, and
    /// by its absolute tolerance when it is tiny (a component of size 1e-13, Robertson's late
    /// y₂, needs an increment of its own size). With a mass matrix the floor is √ε·1e-3
    /// instead: an algebraic equation (y₁ + y₂ + y₃ − 1) mixes a component at 0 with O(1)
    /// terms, and a smaller increment would be lost in their rounding, making the algebraic
    /// block look singular.
    @inline(__always)
    func finiteDifferenceIncrement(_ j: Int, _ value: Double, _ work: ImplicitWork) -> Double {
        let floor = work.mass == nil ? Swift.max(abstols[j], Double.leastNormalMagnitude) : 1e-3
        return Double.ulpOfOne.squareRoot() * Swift.max(Swift.abs(value), floor)
    }

    private func denseJacobian(at x: UnsafeMutablePointer<Double>, f0: UnsafePointer<Double>,
                               into jacobian: UnsafeMutablePointer<Double>, _ work: ImplicitWork) {
        if let jac = f.jac {
            jac(jacobian, x, p, t)
            return
        }
        stats.nfdjacs += 1
        let column = work.rhs
        for j in 0..<n {
            let saved = x[j]
            let delta = finiteDifferenceIncrement(j, saved, work)
            x[j] = saved + delta
            rhs(column, x, p, t)
            x[j] = saved
            for i in 0..<n { jacobian[i + j * n] = (column[i] - f0[i]) / delta }
        }
        stats.nf += n
    }

    /// ∂f/∂u on the pattern: `sparseJac`, or forward differences perturbing each colour's
    /// columns together (they share no row, so each row's difference belongs to one column).
    private func sparseJacobian(at x: UnsafeMutablePointer<Double>, f0: UnsafePointer<Double>,
                                into s: SparseJacobianStorage, _ work: ImplicitWork) {
        // `sparseJac` writes the function's own pattern (a band's storage without one is not it).
        if let sparseJac = f.sparseJac, f.sparsity != nil {
            sparseJac(s.values, x, p, t)
            return
        }
        stats.nfdjacs += 1
        for c in 0..<s.colorCount {
            let group = s.groupStart[c]..<s.groupStart[c + 1]
            if group.isEmpty { continue }
            for q in group {
                let j = s.groupColumns[q]
                s.saved[j] = x[j]
                s.increments[j] = finiteDifferenceIncrement(j, x[j], work)
                x[j] += s.increments[j]
            }
            rhs(s.perturbed, x, p, t)
            for q in group {
                let j = s.groupColumns[q]
                x[j] = s.saved[j]
                // Divided, not multiplied by 1/δ: the dense differences' values exactly.
                let delta = s.increments[j]
                for k in s.colPtr[j]..<s.colPtr[j + 1] {
                    let i = s.rowIndex[k]
                    s.values[k] = (s.perturbed[i] - f0[i]) / delta
                }
            }
            stats.nf += 1
        }
    }

    /// Forms W = d·M − s·J (M the identity without a mass matrix) from the last Jacobian and
    /// factors it (for GMRES: keeps d and s and sets the preconditioner up).
    /// Returns false when W is singular.
    func factorNewtonMatrix(diagonal d: Double, jacobianScale s: Double, _ work: ImplicitWork) -> Bool {
        stats.nw += 1
        let matrix = work.matrix
        switch matrix.kind {
        case .dense:
            guard let lu = matrix.lu else { return false }
            let jacobian = matrix.jacobian
            lu.withUnsafeMutableMatrix { w in
                for j in 0..<n { for i in 0..<n { w[i + j * n] = d * work.massEntry(i, j, n) - s * jacobian[i + j * n] } }
            }
            return lu.factor() == .success
        case .sparse, .banded:
            guard let system = matrix.sparseSystem, let storage = matrix.sparseJacobian else { return false }
            return system.factor(diagonal: d, jacobianScale: s, storage)
        case .krylov:
            return matrix.krylov?.prepare(diagonal: d, jacobianScale: s, matrix.sparseJacobian) ?? false
        }
    }

    /// x ← W⁻¹ x with the last factored (or, for GMRES, formed) W. Returns false when the solve
    /// failed; an unconverged GMRES iterate is kept (inexact Newton: the iteration's own
    /// convergence test judges it) unless it is not finite.
    @discardableResult
    func solveNewtonMatrix(_ x: UnsafeMutablePointer<Double>, _ work: ImplicitWork) -> Bool {
        let matrix = work.matrix
        switch matrix.kind {
        case .dense:
            return matrix.lu?.solve(UnsafeMutableBufferPointer(start: x, count: n)) ?? false
        case .sparse, .banded:
            return matrix.sparseSystem?.solve(x, n) ?? false
        case .krylov:
            guard let krylov = matrix.krylov else { return false }
            let n = self.n, b = krylov.b, d = krylov.diagonal, s = krylov.scale, inverse = krylov.inverseDiagonal
            for i in 0..<n { b[i] = x[i]; x[i] = 0 }
            // The closures are literals passed straight in, so they are not escaping and need
            // no heap context.
            let xb = UnsafeMutableBufferPointer(start: x, count: n), bb = UnsafeBufferPointer(start: b, count: n)
            let result: GMRES.Result
            if let amg = krylov.amg {
                // The hierarchy holds W assembled on the pattern: multiplying by it costs less
                // than J v, and solves with the W that a KLU solve would factor.
                result = krylov.gmres.solve(xb, bb, operator: { v, out in amg.multiply(v, into: out) },
                                            preconditioner: { r, z in amg.apply(r, z) })
            } else {
                result = krylov.gmres.solve(xb, bb, operator: { v, out in
                                                self.jacobianTimes(v.baseAddress.unsafelyUnwrapped, into: out.baseAddress.unsafelyUnwrapped, krylov)
                                                for i in 0..<n { out[i] = d * v[i] - s * out[i] }
                                            },
                                            preconditioner: { r, z in for i in 0..<n { z[i] = inverse[i] * r[i] } })
            }
            krylov.iterations += result.iterations
            if !result.converged { krylov.unconverged += 1 }
            if result.status == .nonFinite || result.status == .invalidInput {
                for i in 0..<n { x[i] = .nan }
                return false
            }
            return true
        }
    }

    /// J v at the linearisation point: the function's JVP, or a forward difference of f with
    /// the step √ε (1 + ‖u‖)/‖v‖ (Brown and Saad; Knoll and Keyes).
    /// References: P. N. Brown, Y. Saad, "Hybrid Krylov methods for nonlinear systems of
    /// equations", SIAM J. Sci. Stat. Comput. 11, 1990; D. A. Knoll, D. E. Keyes,
    /// "Jacobian-free Newton–Krylov methods", J. Comput. Phys. 193, 2004.
    func jacobianTimes(_ v: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, _ krylov: KrylovNewtonSystem) {
        if let jvp = f.jvp {
            jvp(out, v, krylov.point, p, krylov.time)
            return
        }
        var vv = 0.0, uu = 0.0
        for i in 0..<n { vv += v[i] * v[i]; uu += krylov.point[i] * krylov.point[i] }
        guard vv > 0 else { for i in 0..<n { out[i] = 0 }; return }
        let epsilon = Double.ulpOfOne.squareRoot() * (1 + uu.squareRoot()) / vv.squareRoot()
        for i in 0..<n { krylov.shifted[i] = krylov.point[i] + epsilon * v[i] }
        rhs(out, krylov.shifted, p, krylov.time)
        stats.nf += 1
        let inverse = 1 / epsilon
        for i in 0..<n { out[i] = (out[i] - krylov.f0[i]) * inverse }
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
        let newton = work.newton
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
            guard factorNewtonMatrix(diagonal: 1, jacobianScale: c, work) else {
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
