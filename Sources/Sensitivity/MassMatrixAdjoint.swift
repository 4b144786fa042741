import Autodiff
import DiffEq
import LinearSolve

/// The pieces of the continuous adjoints of a mass-matrix problem M u′ = f(u, p, t) with a
/// constant, semi-explicit index-1 M: after permuting rows and columns,
///
///     M = [M_dd 0; 0 0],  u = (x, z),  f = (f_d, f_a),  M_dd x′ = f_d(x, z),  0 = f_a(x, z),
///
/// with M_dd and f_{a,z} = ∂f_a/∂z nonsingular. The differential variables x are M's nonzero
/// columns, the algebraic variables z its zero columns; the differential equations are M's
/// nonzero rows, the algebraic ones its zero rows (as many as zero columns).
///
/// The adjoint DAE (Cao, Li, Petzold & Serban 2003, for F(u′, u) = M u′ − f) is
/// Mᵀλ′ = −(∂f/∂u)ᵀλ, solved backwards with the forward method; λ is indexed by equations, so
/// λ_a (the algebraic equations' multipliers) are its algebraic variables and 0 = (f_uᵀλ)_z its
/// algebraic equations. ∂L/∂p = ∫ f_pᵀλ dt as for an ODE.
///
/// A loss on the saved states is a sum of point terms ℓ(u(tᵢ)). Since z(tᵢ) = φ(x(tᵢ), p) with
/// φ_x = −f_{a,z}⁻¹ f_{a,x} and φ_p = −f_{a,z}⁻¹ f_{a,p}, a cotangent ȳ = (ȳ_x, ȳ_z) at tᵢ acts
/// as the reduced cotangent ȳ_x + f_{a,x}ᵀη on x and f_{a,p}ᵀη on p, with f_{a,z}ᵀη = −ȳ_z: an
/// impulse η in λ_a. So at tᵢ (backwards): Mᵀλ jumps by the reduced cotangent on the
/// differential part, M_ddᵀ Δλ_d = ȳ_x + f_{a,x}ᵀη, the parameter gradient gains f_pᵀ(0, η)
/// (SciMLSensitivity's `Δλas`), and λ_a is then made consistent, f_{a,z}ᵀλ_a = −f_{d,z}ᵀλ_d,
/// before the backward solve continues (its integrator makes only λ(t_N) consistent).
///
/// A nonsingular M (no algebraic part) gives the ODE u′ = M⁻¹f's adjoint ν = Mᵀλ: the jump is
/// M⁻ᵀȳ and ∂L/∂u₀ = Mᵀλ(t₀).
///
/// ∂L/∂u₀: the solve replaces the algebraic part of u₀ by the one consistent with its
/// differential part, so the loss does not depend on z₀: its entries are 0 (as forward
/// sensitivities and finite differences give; SciMLSensitivity returns λ_a(t₀) there, a
/// multiplier rather than a derivative). The differential entries are M_ddᵀλ_d(t₀), plus the
/// reduced cotangent of a state saved at t₀.
///
/// References: Y. Cao, S. Li, L. Petzold, R. Serban, "Adjoint sensitivity analysis for
/// differential-algebraic equations: the adjoint DAE system and its numerical solution",
/// SIAM J. Sci. Comput. 24(3), 2003; SciMLSensitivity.jl (semi-explicit DAEs in its adjoints).
final class MassMatrixAdjoint {
    let n: Int
    let m: Int
    /// Mᵀ, column-major: the mass matrix of the backward λ equations.
    let transposedMass: [Double]
    let differentialRows: [Int]
    let differentialColumns: [Int]
    let algebraicRows: [Int]
    let algebraicColumns: [Int]
    /// LU of M_dd = M[differentialRows, differentialColumns]; nil when M_dd is the identity.
    let massLU: DenseLU?
    /// LU of f_{a,z}ᵀ at the current state (rebuilt at every jump).
    let algebraicLU: DenseLU
    let program: Program
    let workspace: Workspace
    /// time, u, v (a cotangent of f), f_uᵀv, f_pᵀv, and two scratch vectors of n.
    let scratch: ScratchBuffer

    /// Splits `mass` (n × n, column-major); throws when it is not of the semi-explicit form.
    init(_ rhs: CompiledRHS, mass: [Double]) throws {
        let n = rhs.states
        self.n = n
        m = rhs.parameters
        guard mass.count == n * n else {
            throw AutodiffError(.shapeMismatch, "the mass matrix has \(mass.count) entries for \(n) × \(n)")
        }
        let algebraicRows = (0..<n).filter { i in (0..<n).allSatisfy { mass[i + $0 * n] == 0 } }
        let algebraicColumns = (0..<n).filter { j in (0..<n).allSatisfy { mass[$0 + j * n] == 0 } }
        let differentialRows = (0..<n).filter { !algebraicRows.contains($0) }
        let differentialColumns = (0..<n).filter { !algebraicColumns.contains($0) }
        self.algebraicRows = algebraicRows
        self.algebraicColumns = algebraicColumns
        self.differentialRows = differentialRows
        self.differentialColumns = differentialColumns
        guard algebraicRows.count == algebraicColumns.count else {
            throw AutodiffError(.invalidArgument, "the continuous adjoints take a mass matrix whose zero rows (algebraic equations, here \(algebraicRows.count)) and zero columns (algebraic variables, here \(algebraicColumns.count)) are as many, its other entries forming a nonsingular block: a semi-explicit index-1 DAE")
        }
        let d = differentialRows.count
        var isIdentity = true
        var block = [Double](repeating: 0, count: d * d)
        for (bj, j) in differentialColumns.enumerated() {
            for (bi, i) in differentialRows.enumerated() {
                block[bi + bj * d] = mass[i + j * n]
                if block[bi + bj * d] != (bi == bj ? 1 : 0) { isIdentity = false }
            }
        }
        if isIdentity {
            massLU = nil
        } else {
            let lu = DenseLU(dimension: d)
            lu.withUnsafeMutableMatrix { a in for k in 0..<(d * d) { a[k] = block[k] } }
            guard lu.factor() == .success, lu.reciprocalCondition() > 1e-14 else {
                throw AutodiffError(.invalidArgument, "the continuous adjoints need the mass matrix's block on its nonzero rows and columns (the differential part) to be nonsingular")
            }
            massLU = lu
        }
        var transposed = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { transposed[j + i * n] = mass[i + j * n] } }
        transposedMass = transposed
        algebraicLU = DenseLU(dimension: algebraicRows.count)
        program = rhs.vjpUP
        workspace = program.makeWorkspace()
        scratch = ScratchBuffer(count: 1 + 6 * n + m)
    }

    /// Whether M has algebraic equations (otherwise λ has no algebraic part to route).
    var isSingular: Bool { !algebraicRows.isEmpty }

    /// The backward mass matrix: Mᵀ on λ, the identity on the `extra` components after it (μ).
    func backwardMass(extra: Int) -> [Double] {
        let w = n + extra
        var out = [Double](repeating: 0, count: w * w)
        for j in 0..<n { for i in 0..<n { out[i + j * w] = transposedMass[i + j * n] } }
        for k in n..<w { out[k + k * w] = 1 }
        return out
    }

    /// Pointers into the scratch buffer.
    private var time: UnsafeMutablePointer<Double> { scratch.pointer }
    private var u: UnsafeMutablePointer<Double> { scratch.pointer + 1 }
    private var v: UnsafeMutablePointer<Double> { scratch.pointer + 1 + n }
    private var ubar: UnsafeMutablePointer<Double> { scratch.pointer + 1 + 2 * n }
    private var reduced: UnsafeMutablePointer<Double> { scratch.pointer + 1 + 3 * n }
    private var work: UnsafeMutablePointer<Double> { scratch.pointer + 1 + 4 * n }
    private var pbar: UnsafeMutablePointer<Double> { scratch.pointer + 1 + 6 * n }

    /// (f_uᵀv, f_pᵀv) at (u, p, t) into `ubar` and `pbar`.
    private func pullback(_ p: UnsafePointer<Double>) {
        workspace.bind(input: 0, u)
        workspace.bind(input: 1, p)
        workspace.bind(input: 2, time)
        workspace.bind(input: 3, v)
        workspace.bind(output: 0, ubar)
        workspace.bind(output: 1, pbar)
        program.run(workspace)
    }

    /// Factors f_{a,z}ᵀ at (u, p, t): column l holds (f_uᵀ e_{A_r[l]}) on the algebraic variables.
    private func factorAlgebraicBlock(_ p: UnsafePointer<Double>) throws {
        let na = algebraicRows.count
        for (l, row) in algebraicRows.enumerated() {
            for i in 0..<n { v[i] = 0 }
            v[row] = 1
            pullback(p)
            algebraicLU.withUnsafeMutableMatrix { a in
                for (k, column) in algebraicColumns.enumerated() { a[k + l * na] = ubar[column] }
            }
        }
        guard algebraicLU.factor() == .success else {
            throw AutodiffError(.invalidArgument, "∂f/∂u on the algebraic equations and variables is singular at t = \(time[0]): the DAE is not index 1 there, and its adjoint is not defined")
        }
    }

    /// The reduced cotangent of a saved state: `ybar` (indexed by states) becomes ȳ_x + f_{a,x}ᵀη
    /// on the differential variables (0 on the algebraic ones) in `reduced`, and f_{a,p}ᵀη is
    /// added to `dp`, with f_{a,z}ᵀη = −ȳ_z. Factors f_{a,z}ᵀ at (state, p, t) for `makeConsistent`.
    private func reduce(state: UnsafePointer<Double>, t: Double, p: UnsafePointer<Double>,
                        ybar: UnsafePointer<Double>, dp: UnsafeMutablePointer<Double>) throws {
        time[0] = t
        for i in 0..<n { u[i] = state[i] }
        for i in 0..<n { reduced[i] = ybar[i] }
        guard isSingular else { return }
        try factorAlgebraicBlock(p)
        let eta = work
        var any = false
        for (k, column) in algebraicColumns.enumerated() {
            eta[k] = -ybar[column]
            any = any || eta[k] != 0
        }
        for column in algebraicColumns { reduced[column] = 0 }
        guard any else { return }
        _ = algebraicLU.solve(UnsafeMutableBufferPointer(start: eta, count: algebraicRows.count))
        for i in 0..<n { v[i] = 0 }
        for (l, row) in algebraicRows.enumerated() { v[row] = eta[l] }
        pullback(p)
        for column in differentialColumns { reduced[column] += ubar[column] }
        for j in 0..<m { dp[j] += pbar[j] }
    }

    /// The jump of λ at a saved time: M_ddᵀ Δλ_d = the reduced cotangent, its parameter term
    /// into `dp`, then λ_a made consistent at the forward `state`.
    func jump(state: UnsafePointer<Double>, t: Double, p: UnsafePointer<Double>, ybar: UnsafePointer<Double>,
              lambda: UnsafeMutablePointer<Double>, dp: UnsafeMutablePointer<Double>) throws {
        try reduce(state: state, t: t, p: p, ybar: ybar, dp: dp)
        let d = differentialRows.count, delta = work + n
        for (k, column) in differentialColumns.enumerated() { delta[k] = reduced[column] }
        if let massLU { _ = massLU.solveTransposed(UnsafeMutableBufferPointer(start: delta, count: d), rhsCount: 1) }
        for (k, row) in differentialRows.enumerated() { lambda[row] += delta[k] }
        makeConsistent(p: p, lambda: lambda)
    }

    /// λ_a from 0 = (f_uᵀλ)_z: f_{a,z}ᵀλ_a = −(f_uᵀλ with λ_a = 0)_z, with the factors of the last jump.
    private func makeConsistent(p: UnsafePointer<Double>, lambda: UnsafeMutablePointer<Double>) {
        guard isSingular else { return }
        for i in 0..<n { v[i] = lambda[i] }
        for row in algebraicRows { v[row] = 0 }
        pullback(p)
        let rhs = work
        for (k, column) in algebraicColumns.enumerated() { rhs[k] = -ubar[column] }
        _ = algebraicLU.solve(UnsafeMutableBufferPointer(start: rhs, count: algebraicRows.count))
        for (l, row) in algebraicRows.enumerated() { lambda[row] = rhs[l] }
    }

    /// ∂L/∂u₀ from λ(t₀) and the cotangent of a state saved at t₀ (`ybar0`): M_ddᵀλ_d(t₀) plus
    /// the reduced cotangent on the differential variables, 0 on the algebraic ones; the
    /// cotangent's parameter term is added to `dp`.
    func initialGradient(u0: UnsafePointer<Double>, t0: Double, p: UnsafePointer<Double>, ybar0: UnsafePointer<Double>,
                         lambda: UnsafePointer<Double>, dp: UnsafeMutablePointer<Double>) throws -> [Double] {
        try reduce(state: u0, t: t0, p: p, ybar: ybar0, dp: dp)
        var du0 = [Double](repeating: 0, count: n)
        // (Mᵀλ)_j = Σᵢ M[i, j] λᵢ on the differential columns j.
        for j in differentialColumns {
            var s = reduced[j]
            for i in differentialRows { s += transposedMass[j + i * n] * lambda[i] }
            du0[j] = s
        }
        return du0
    }
}
