@testable import DiffEq
import Foundation
import LinearSolve
import TestSupport
import XCTest

/// The linear solvers of the implicit families (`SolverOptions.linsolve`): KLU on a sparsity
/// pattern takes the same steps as dense LU, reuses its symbolic analysis, allocates nothing per
/// step; GMRES (Newton–Krylov) solves a stiff problem with a closed form; bad choices fail clearly.
final class SparseLinearSolveTests: XCTestCase {
    /// Hairer and Wanner's 1-D Brusselator (BRUSS, Solving ODEs II §IV.10) with N interior points,
    /// interleaved (u₁, v₁, u₂, v₂, ...): u′ = 1 + u²v − 4u + α∇²u, v′ = 3u − u²v + α∇²v,
    /// α = 0.02 (N + 1)², u = 1, v = 3 on the boundary; u₀ = 1 + sin(2πx), v₀ = 3. Its Jacobian
    /// has at most four entries a row; `analytic` adds `jac` and `sparseJac`.
    static func bruss(_ N: Int, analytic: Bool = false, sparsity: Bool = true) -> ODEProblem {
        let alpha = 0.02 * Double((N + 1) * (N + 1))
        let n = 2 * N
        let f: RHSFunction = { du, y, _, _ in
            for i in 0..<N {
                let u = y[2 * i], v = y[2 * i + 1]
                let ul = i > 0 ? y[2 * i - 2] : 1, ur = i < N - 1 ? y[2 * i + 2] : 1
                let vl = i > 0 ? y[2 * i - 1] : 3, vr = i < N - 1 ? y[2 * i + 3] : 3
                du[2 * i] = 1 + u * u * v - 4 * u + alpha * (ul - 2 * u + ur)
                du[2 * i + 1] = 3 * u - u * u * v + alpha * (vl - 2 * v + vr)
            }
        }
        // Entries (row, column) of ∂f/∂u, and their values at y.
        func entries(_ y: UnsafePointer<Double>?) -> [(Int, Int, Double)] {
            var e: [(Int, Int, Double)] = []
            for i in 0..<N {
                let u = y?[2 * i] ?? 0, v = y?[2 * i + 1] ?? 0
                e.append((2 * i, 2 * i, 2 * u * v - 4 - 2 * alpha))
                e.append((2 * i, 2 * i + 1, u * u))
                e.append((2 * i + 1, 2 * i, 3 - 2 * u * v))
                e.append((2 * i + 1, 2 * i + 1, -u * u - 2 * alpha))
                if i > 0 { e.append((2 * i, 2 * i - 2, alpha)); e.append((2 * i + 1, 2 * i - 1, alpha)) }
                if i < N - 1 { e.append((2 * i, 2 * i + 2, alpha)); e.append((2 * i + 1, 2 * i + 3, alpha)) }
            }
            return e
        }
        let pattern = SparseMatrixCSC(rowCount: n, columnCount: n, rows: entries(nil).map(\.0),
                                      columns: entries(nil).map(\.1), values: entries(nil).map(\.2))!
        var fn = ODEFunction(f)
        if sparsity {
            fn.sparsity = JacobianSparsity(rows: n, cols: n, colPtr: pattern.colPtr, rowIndex: pattern.rowIndex)
        }
        if analytic {
            fn.jac = { J, y, _, _ in
                for k in 0..<(n * n) { J[k] = 0 }
                for (i, j, v) in entries(y) { J[i + j * n] = v }
            }
            fn.sparseJac = { nz, y, _, _ in
                for (i, j, v) in entries(y) { nz[pattern.storageIndex(row: i, column: j)!] = v }
            }
        }
        let u0 = (0..<n).map { k -> Double in
            let x = Double(k / 2 + 1) / Double(N + 1)
            return k % 2 == 0 ? 1 + sin(2 * Double.pi * x) : 3
        }
        return ODEProblem(fn, u0: u0, tspan: (0, 10))
    }

    func options(_ linsolve: LinearSolverChoice, tol: Double = 1e-6) -> SolverOptions {
        var o = SolverOptions()
        o.reltol = .scalar(tol)
        o.abstol = .scalar(tol)
        o.linsolve = linsolve
        return o
    }

    static let families = ["Rosenbrock23", "Rodas5P", "KenCarp4", "TRBDF2", "QNDF"]

    func testAutomaticChoiceFollowsSizeAndDensity() throws {
        let tableau = try MethodRegistry.method(named: "Rodas5P")
        // 64 states, 4 entries a row: 6 % dense, so KLU.
        XCTAssertEqual(ODEIntegrator(Self.bruss(32), tableau, options: options(.automatic)).implicitWork?.matrix.kind, .sparse)
        // Below 50 states dense, whatever the density; without a pattern dense.
        XCTAssertEqual(ODEIntegrator(Self.bruss(12), tableau, options: options(.automatic)).implicitWork?.matrix.kind, .dense)
        XCTAssertEqual(ODEIntegrator(Self.bruss(32, sparsity: false), tableau, options: options(.automatic)).implicitWork?.matrix.kind, .dense)
        XCTAssertEqual(ODEIntegrator(Self.bruss(32), tableau, options: options(.dense)).implicitWork?.matrix.kind, .dense)
        XCTAssertEqual(ODEIntegrator(Self.bruss(12), tableau, options: options(.klu)).implicitWork?.matrix.kind, .sparse)
        // 40 entries a column: at 1000 states 4 % dense, yet above the per-column ceiling.
        var wide = Self.stiffLinear(n: 1000, withSparsity: false)
        var colPtr = [0], rowIndex: [Int] = []
        for j in 0..<1000 { rowIndex += (0..<1000).filter { ($0 - j + 1000) % 1000 < 40 }; colPtr.append(rowIndex.count) }
        wide.f.sparsity = JacobianSparsity(rows: 1000, cols: 1000, colPtr: colPtr, rowIndex: rowIndex)
        XCTAssertEqual(ODEIntegrator(wide, tableau, options: options(.automatic)).resolvedLinsolve, .dense)
        var narrower = wide
        narrower.f.sparsity = JacobianSparsity(band: 1000, lower: 5, upper: 5)
        XCTAssertEqual(ODEIntegrator(narrower, tableau, options: options(.automatic)).resolvedLinsolve, .klu)
    }

    /// KLU and dense LU give the same steps for every family, with analytic Jacobians
    /// (`sparseJac` against `jac`) and finite-difference ones (coloured for KLU: one f per
    /// colour, against one per column). With fixed steps the solutions agree to 1e-10 (analytic)
    /// — the LU's rounding only; finite differences divide a state's rounding difference by
    /// their √ε increment, so there 1e-7. Adaptively the step sequences have the same length and
    /// accepted/rejected counts and the solutions agree far inside the tolerance (the error
    /// controller amplifies rounding-level differences, as any change of platform would).
    func testSparseAndDenseTakeTheSameSteps() throws {
        for analytic in [true, false] {
            // Up to t = 2: the limit cycle's phase error would amplify rounding differences later.
            var problem = Self.bruss(16, analytic: analytic)
            problem.tspan = (0, 2)
            for name in Self.families {
                let tableau = try MethodRegistry.method(named: name)
                for adaptive in [false, true] {
                    var denseOptions = options(.dense)
                    denseOptions.adaptive = adaptive
                    denseOptions.dt = 0.01
                    for linsolve in [LinearSolverChoice.klu, .banded(lower: 2, upper: 2)] {
                    var sparseOptions = denseOptions
                    sparseOptions.linsolve = linsolve
                    let dense = ODEIntegrator(problem, tableau, options: denseOptions).solve()
                    let sparse = ODEIntegrator(problem, tableau, options: sparseOptions).solve()
                    let label = "\(name), \(linsolve), analytic \(analytic), adaptive \(adaptive)"
                    XCTAssertEqual(dense.retcode, .success, label)
                    XCTAssertEqual(sparse.retcode, .success, label)
                    XCTAssertEqual(dense.t.count, sparse.t.count, label)
                    XCTAssertEqual(dense.stats.naccept, sparse.stats.naccept, label)
                    XCTAssertEqual(dense.stats.nreject, sparse.stats.nreject, label)
                    var worst = 0.0
                    for (a, b) in zip(dense.t, sparse.t) { worst = max(worst, abs(a - b) / max(abs(a), 1)) }
                    for k in 0..<min(dense.t.count, sparse.t.count) {
                        for (a, b) in zip(dense[k], sparse[k]) { worst = max(worst, abs(a - b) / max(abs(a), 1)) }
                    }
                    XCTAssertLessThan(worst, analytic ? (adaptive ? 1e-8 : 1e-10) : (adaptive ? 1e-4 : 1e-7), label)
                    if !analytic {
                        XCTAssertGreaterThan(sparse.stats.nfdjacs, 0, label)
                        XCTAssertLessThan(sparse.stats.nf, dense.stats.nf, label)
                    }
                    }
                }
            }
        }
    }

    func testColouredDifferencesUseOneEvaluationPerColour() throws {
        let problem = Self.bruss(20)
        let integrator = ODEIntegrator(problem, try MethodRegistry.method(named: "Rodas5P"), options: options(.klu))
        let storage = try XCTUnwrap(integrator.implicitWork?.matrix.sparseJacobian)
        XCTAssertLessThanOrEqual(storage.colorCount, 5)
        // Validity: no two columns of one colour share a row.
        var seen = Set<[Int]>()
        for c in 0..<storage.colorCount {
            for q in storage.groupStart[c]..<storage.groupStart[c + 1] {
                let j = storage.groupColumns[q]
                for k in storage.colPtr[j]..<storage.colPtr[j + 1] { XCTAssertTrue(seen.insert([storage.rowIndex[k], c]).inserted) }
            }
        }
        integrator.run()
        XCTAssertEqual(integrator.retcode, .success)
        let work = try XCTUnwrap(integrator.implicitWork)
        let before = integrator.stats.nf
        integrator.jacobian(at: integrator.u, f0: integrator.slot(0), work)
        XCTAssertEqual(integrator.stats.nf - before, storage.colorCount)
        // The coloured differences agree with the analytic Jacobian to difference accuracy.
        let n = 40
        var exact = [Double](repeating: 0, count: n * n)
        Self.bruss(20, analytic: true).f.jac!(&exact, integrator.u, integrator.p, integrator.t)
        for j in 0..<n {
            for i in 0..<n {
                XCTAssertEqual(work.matrix.jacobianEntry(i, j), exact[i + j * n], accuracy: 1e-5 * max(1, abs(exact[i + j * n])), "(\(i), \(j))")
            }
        }
    }

    /// `.banded` without a pattern differences the whole band (lower + upper + 1 evaluations
    /// per Jacobian) and solves as the dense LU does; a pattern outside the band is refused.
    func testBandedWithoutAPattern() throws {
        var problem = Self.bruss(16, sparsity: false)
        problem.tspan = (0, 2)
        for name in ["Rodas5P", "KenCarp4"] {
            let tableau = try MethodRegistry.method(named: name)
            var o = options(.banded(lower: 2, upper: 2))
            o.dt = 0.01
            let banded = ODEIntegrator(problem, tableau, options: o)
            XCTAssertEqual(banded.resolvedLinsolve, .banded(lower: 2, upper: 2))
            XCTAssertEqual(banded.implicitWork?.matrix.sparseJacobian?.colorCount, 5)
            let sol = banded.solve()
            o.linsolve = .dense
            let dense = ODEIntegrator(problem, tableau, options: o).solve()
            XCTAssertEqual(sol.retcode, .success, name)
            XCTAssertEqual(sol.stats.naccept, dense.stats.naccept, name)
            XCTAssertEqual(sol.stats.nf - dense.stats.nf, sol.stats.nfdjacs * (5 - 32), name)
            var worst = 0.0
            for (a, b) in zip(sol.u.last!, dense.u.last!) { worst = max(worst, abs(a - b)) }
            XCTAssertLessThan(worst, 1e-4, name)
        }
        let narrow = ODEIntegrator(Self.bruss(16), try MethodRegistry.method(named: "Rodas5P"),
                                   options: options(.banded(lower: 1, upper: 2))).solve()
        XCTAssertEqual(narrow.retcode, .initialFailure)
        XCTAssertTrue(narrow.message?.contains("outside the band") ?? false, narrow.message ?? "")
    }

    /// With a mass matrix W = M/(hγ) − J holds M's entries, merged into J's pattern: the
    /// Robertson DAE (M = diag(1, 1, 0), an inconsistent y₃ initialised through the sparse
    /// Jacobian's entries) and M u′ = A u with M bidiagonal off A's diagonal pattern agree
    /// with the dense W.
    func testMassMatricesOnKLU() throws {
        let rodas = try MethodRegistry.method(named: "Rodas5P")
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        o.saveat = .times([0.4, 4, 40])
        o.saveStart = true
        var dae = MassMatrixTests.robertsonDAE(u0: [1, 0, 0.5])
        dae.f.sparsity = JacobianSparsity(rows: 3, cols: 3, colPtr: [0, 3, 6, 9], rowIndex: [0, 1, 2, 0, 1, 2, 0, 1, 2])
        var sparseOptions = o
        sparseOptions.linsolve = .klu
        let sparse = ODEIntegrator(dae, rodas, options: sparseOptions).solve()
        let dense = ODEIntegrator(dae, rodas, options: o).solve()
        XCTAssertEqual(sparse.retcode, .success, sparse.message ?? "")
        XCTAssertEqual(sparse.t, dense.t)
        XCTAssertEqual(sparse[0][sparse[0].startIndex + 2], 0, accuracy: 1e-14)
        for (a, b) in zip(sparse.values, dense.values) { XCTAssertEqual(a, b, accuracy: 1e-12 + 1e-8 * abs(b)) }

        // M = I + 0.5 (superdiagonal), A = diag(−1, −10, −100, ...): J's pattern is the diagonal.
        let n = 6
        var linear = ODEFunction({ du, u, _, _ in for i in 0..<n { du[i] = -pow(10, Double(i)) * u[i] } })
        var mass = [Double](repeating: 0, count: n * n)
        for i in 0..<n { mass[i + i * n] = 1; if i + 1 < n { mass[i + (i + 1) * n] = 0.5 } }
        linear.massMatrix = mass
        linear.sparsity = JacobianSparsity(rows: n, cols: n, colPtr: Array(0...n), rowIndex: Array(0..<n))
        let problem = ODEProblem(linear, u0: [Double](repeating: 1, count: n), tspan: (0, 1))
        let integrator = ODEIntegrator(problem, rodas, options: sparseOptions)
        XCTAssertEqual(integrator.implicitWork?.matrix.sparseSystem?.nnz, 2 * n - 1, "the superdiagonal merged in")
        let a = integrator.solve()
        let b = ODEIntegrator(problem, rodas, options: o).solve()
        XCTAssertEqual(a.retcode, .success, a.message ?? "")
        XCTAssertEqual(a.stats.naccept, b.stats.naccept)
        for (x, y) in zip(a.values, b.values) { XCTAssertEqual(x, y, accuracy: 1e-12 + 1e-8 * abs(y)) }
    }

    /// One symbolic analysis for the whole solve (and the next, after `reinit`); the numeric
    /// factorisations after the first are refactorisations.
    func testKLUReusesItsSymbolicAnalysis() throws {
        for name in ["Rodas5P", "KenCarp4", "QNDF"] {
            let integrator = ODEIntegrator(Self.bruss(32), try MethodRegistry.method(named: name), options: options(.automatic))
            integrator.run()
            XCTAssertEqual(integrator.retcode, .success, name)
            let lu = try XCTUnwrap(integrator.implicitWork?.matrix.sparseSystem?.lu, name)
            XCTAssertEqual(lu.statistics.analyses, 1, name)
            XCTAssertGreaterThan(integrator.stats.nw, 5, name)
            XCTAssertEqual(lu.statistics.factorizations + lu.statistics.refactorizations, integrator.stats.nw, name)
            XCTAssertLessThanOrEqual(lu.statistics.factorizations, 2, name)
            integrator.reinit()
            integrator.run()
            XCTAssertEqual(lu.statistics.analyses, 1, name)
        }
    }

    func testSparseBandedAndKrylovStepsAllocateNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        var cases: [(String, LinearSolverChoice)] = ["Rosenbrock23", "Rodas5P", "KenCarp4", "QNDF"].map { ($0, .klu) }
        cases += [("KenCarp4", .gmres()), ("QNDF", .gmres()), ("Rodas5P", .banded(lower: 2, upper: 2))]
        for (name, linsolve) in cases {
            var o = options(linsolve)
            o.saveat = .every(0.5)
            o.dense = false
            let integrator = ODEIntegrator(Self.bruss(32), try MethodRegistry.method(named: name), options: o)
            integrator.run()
            XCTAssertEqual(integrator.retcode, .success, "\(name) \(linsolve)")
            integrator.reinit()
            let count = allocations { integrator.run() }
            XCTAssertEqual(integrator.retcode, .success, "\(name) \(linsolve)")
            XCTAssertEqual(count, 0, "\(name) \(linsolve)")
        }
    }

    /// u′ = A (u − g(t)) + g′(t), u(0) = g(0), has the solution u = g(t) whatever A: here A is
    /// a nonsymmetric tridiagonal matrix with eigenvalues down to about −2·10⁴, so the problem is
    /// stiff, and GMRES sees a W that is not diagonal.
    static func stiffLinear(n: Int, withSparsity: Bool) -> ODEProblem {
        func g(_ i: Int, _ t: Double) -> Double { cos(t + Double(i) / Double(n)) }
        func dg(_ i: Int, _ t: Double) -> Double { -sin(t + Double(i) / Double(n)) }
        func diagonal(_ i: Int) -> Double { -pow(10, 4.3 * Double(i) / Double(n - 1)) }
        var fn = ODEFunction({ du, u, _, t in
            for i in 0..<n {
                var r = diagonal(i) * (u[i] - g(i, t))
                if i > 0 { r += 0.5 * (u[i - 1] - g(i - 1, t)) }
                if i < n - 1 { r -= 0.3 * (u[i + 1] - g(i + 1, t)) }
                du[i] = r + dg(i, t)
            }
        })
        if withSparsity {
            var colPtr = [0], rowIndex: [Int] = []
            for j in 0..<n { rowIndex += (max(j - 1, 0)...min(j + 1, n - 1)).map { $0 }; colPtr.append(rowIndex.count) }
            fn.sparsity = JacobianSparsity(rows: n, cols: n, colPtr: colPtr, rowIndex: rowIndex)
        }
        return ODEProblem(fn, u0: (0..<n).map { g($0, 0) }, tspan: (0, 2))
    }

    func testGMRESSolvesAStiffLinearProblem() throws {
        let n = 40
        for withSparsity in [false, true] {
            for name in ["ImplicitEuler", "TRBDF2", "KenCarp4", "Kvaerno5", "QNDF"] {
                let problem = Self.stiffLinear(n: n, withSparsity: withSparsity)
                let integrator = ODEIntegrator(problem, try MethodRegistry.method(named: name), options: options(.gmres(), tol: 1e-7))
                XCTAssertEqual(integrator.implicitWork?.matrix.kind, .krylov)
                let sol = integrator.solve()
                let label = "\(name), Jacobi \(withSparsity)"
                guard sol.retcode == .success, let end = sol.u.last, end.count == n else {
                    XCTFail("\(label): \(sol.retcode) \(sol.message ?? "") \(sol.stats)")
                    continue
                }
                var worst = 0.0
                for i in 0..<n { worst = max(worst, abs(end[i] - cos(2 + Double(i) / Double(n)))) }
                XCTAssertLessThan(worst, name == "ImplicitEuler" ? 1e-3 : 1e-5, label)
                // The stiff components would need ~15 000 explicit steps.
                XCTAssertLessThan(sol.stats.nsteps, name == "ImplicitEuler" ? 4000 : 300, label)
                let krylov = try XCTUnwrap(integrator.implicitWork?.matrix.krylov)
                XCTAssertGreaterThan(krylov.iterations, 0, label)
                XCTAssertEqual(krylov.preconditioner, withSparsity ? .jacobi : .none, label)
                print("GMRES \(label): error \(worst), \(sol.stats), Krylov iterations \(krylov.iterations), unconverged \(krylov.unconverged)")
            }
        }
    }

    /// Below `AlgebraicMultigrid.Options.maximumCoarse` unknowns the hierarchy is one level
    /// factored densely: an exact solve with the assembled W, so GMRES converges in one
    /// iteration a solve, which checks that W is assembled as d·I − s·J.
    func testAMGOnASmallSystemIsAnExactSolveWithW() throws {
        let n = 40
        for name in ["ImplicitEuler", "KenCarp4", "QNDF"] {
            let problem = Self.stiffLinear(n: n, withSparsity: true)
            let integrator = ODEIntegrator(problem, try MethodRegistry.method(named: name),
                                           options: options(.gmres(preconditioner: .amg), tol: 1e-7))
            let sol = integrator.solve()
            XCTAssertEqual(sol.retcode, .success, name)
            XCTAssertEqual(integrator.resolvedLinsolve, .gmres(preconditioner: .amg), name)
            var worst = 0.0
            for i in 0..<n { worst = max(worst, abs(sol.u.last![i] - cos(2 + Double(i) / Double(n)))) }
            XCTAssertLessThan(worst, name == "ImplicitEuler" ? 1e-3 : 1e-5, name)
            XCTAssertEqual(integrator.multigridSummary.levels, [n], name)
            XCTAssertLessThanOrEqual(Double(integrator.krylovIterations), 1.05 * Double(sol.stats.nsolve), name)
        }
    }

    func testUnusableChoicesFailWithTheirReason() throws {
        let problem = Self.stiffLinear(n: 10, withSparsity: false)
        let rodas = ODEIntegrator(problem, try MethodRegistry.method(named: "Rodas5P"), options: options(.gmres())).solve()
        XCTAssertEqual(rodas.retcode, .initialFailure)
        XCTAssertTrue(rodas.message?.contains("exact linear solves") ?? false, rodas.message ?? "")
        let klu = ODEIntegrator(problem, try MethodRegistry.method(named: "KenCarp4"), options: options(.klu)).solve()
        XCTAssertEqual(klu.retcode, .initialFailure)
        XCTAssertTrue(klu.message?.contains("sparsity pattern") ?? false, klu.message ?? "")
        let amg = ODEIntegrator(problem, try MethodRegistry.method(named: "QNDF"), options: options(.gmres(preconditioner: .amg))).solve()
        XCTAssertEqual(amg.retcode, .initialFailure)
        XCTAssertTrue(amg.message?.contains("preconditioner: .amg) needs the Jacobian's sparsity pattern") ?? false, amg.message ?? "")
        var bad = problem
        bad.f.sparsity = JacobianSparsity(rows: 10, cols: 10, colPtr: [0, 2], rowIndex: [0, 1])
        let wrong = ODEIntegrator(bad, try MethodRegistry.method(named: "KenCarp4"), options: options(.klu)).solve()
        XCTAssertEqual(wrong.retcode, .initialFailure)
        XCTAssertTrue(wrong.message?.contains("CSC") ?? false, wrong.message ?? "")
        var badColors = Self.bruss(8)
        badColors.f.colorvec = [Int](repeating: 0, count: 16)
        let colors = ODEIntegrator(badColors, try MethodRegistry.method(named: "Rodas5P"), options: options(.klu)).solve()
        XCTAssertEqual(colors.retcode, .initialFailure)
        XCTAssertTrue(colors.message?.contains("colorvec") ?? false, colors.message ?? "")
    }
}
