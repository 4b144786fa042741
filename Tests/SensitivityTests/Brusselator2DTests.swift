import Autodiff
@testable import DiffEq
import Sensitivity
import TestSupport
import XCTest

/// The 2-D Brusselator traced into a graph: Autodiff finds the 5-point stencil's pattern, colours
/// it, and DiffEq picks KLU by itself; the sparse solve agrees with the dense one.
final class Brusselator2DTests: XCTestCase {
    func problem(_ N: Int) throws -> ODEProblem {
        ODEProblem(try CompiledRHS(Brusselator2D.graph(N)).odeFunction(), u0: Brusselator2D.initialState(N),
                   tspan: Brusselator2D.tspan, p: Brusselator2D.parameters(N))
    }

    func testDetectedPatternIsTheStencilAndFewColours() throws {
        for N in [4, 8, 16] {
            let f = try problem(N).f
            let sparsity = try XCTUnwrap(f.sparsity)
            let expected = Brusselator2D.expectedPattern(N)
            XCTAssertEqual(sparsity.colPtr, expected.colPtr, "N = \(N)")
            XCTAssertEqual(sparsity.rowIndex, expected.rowIndex, "N = \(N)")
            XCTAssertEqual(sparsity.rowIndex.count, 12 * N * N, "N = \(N)")
            let colors = try XCTUnwrap(f.colorvec)
            XCTAssertLessThanOrEqual(colors.max()! + 1, 10, "N = \(N)")
            XCTAssertNil(SparseJacobianStorage.problem(sparsity, colors: colors, n: 2 * N * N), "N = \(N)")
        }
    }

    /// The compiled sparse Jacobian against the compiled dense one, at the initial state after
    /// the forcing has started.
    func testSparseJacobianMatchesDense() throws {
        let N = 6, n = 2 * N * N
        let f = try problem(N).f
        let u = Brusselator2D.initialState(N), p = Brusselator2D.parameters(N)
        var dense = [Double](repeating: .nan, count: n * n)
        f.jac!(&dense, u, p, 2)
        let sparsity = try XCTUnwrap(f.sparsity)
        var values = [Double](repeating: .nan, count: sparsity.rowIndex.count)
        f.sparseJac!(&values, u, p, 2)
        var covered = 0.0
        for j in 0..<n {
            for k in sparsity.colPtr[j]..<sparsity.colPtr[j + 1] {
                XCTAssertEqual(values[k], dense[sparsity.rowIndex[k] + j * n], accuracy: 1e-12 * max(1, abs(values[k])))
                covered += abs(values[k])
            }
        }
        let total = dense.reduce(0) { $0 + abs($1) }
        XCTAssertEqual(covered, total, accuracy: 1e-9 * total, "no Jacobian entry outside the pattern")
    }

    func testKLUIsChosenAndAgreesWithDense() throws {
        let N = 8
        let problem = try self.problem(N)
        var o = SolverOptions()
        o.reltol = 1e-6
        o.abstol = 1e-6
        o.tstops = [Brusselator2D.forcingStart]
        o.saveat = .times([1, 5, 11.5])
        for name in ["Rodas5P", "KenCarp4", "QNDF"] {
            let tableau = try MethodRegistry.method(named: name)
            let automatic = ODEIntegrator(problem, tableau, options: o)
            XCTAssertEqual(automatic.implicitWork?.matrix.kind, .sparse, name)
            let sparse = automatic.solve()
            var denseOptions = o
            denseOptions.linsolve = .dense
            let dense = ODEIntegrator(problem, tableau, options: denseOptions).solve()
            XCTAssertEqual(sparse.retcode, .success, name)
            XCTAssertEqual(dense.retcode, .success, name)
            XCTAssertEqual(sparse.t, [1, 5, 11.5], name)
            var worst = 0.0
            for k in 0..<sparse.t.count {
                for (a, b) in zip(sparse[k], dense[k]) { worst = max(worst, abs(a - b) / (1e-6 + 1e-6 * abs(b))) }
            }
            // Same steps up to rounding: far inside the tolerance.
            XCTAssertLessThan(worst, 1e-3, name)
            XCTAssertEqual(sparse.stats.naccept, dense.stats.naccept, name)
            // The compiled sparse Jacobian: no finite differences.
            XCTAssertEqual(sparse.stats.nfdjacs, 0, name)
            print("Brusselator N = \(N) \(name): KLU \(sparse.stats); dense \(dense.stats)")
        }
    }

    /// Newton–Krylov with the AMG preconditioner on the same problem as KLU: the same
    /// solution to well inside the tolerance, a multilevel hierarchy, few Krylov iterations a
    /// linear solve, and less than twice as many at N = 16 as at 8.
    func testAMGPreconditionedGMRESAgreesWithKLU() throws {
        var perSolve: [Int: Double] = [:]
        for N in [8, 16] {
            // Past the forcing's start, not to the end: the test runs in debug builds.
            var problem = try self.problem(N)
            problem.tspan = (0, 4)
            var o = SolverOptions()
            o.reltol = 1e-6
            o.abstol = 1e-6
            o.tstops = [Brusselator2D.forcingStart]
            o.saveat = .times([1, 2.5, 4])
            for name in ["KenCarp4", "QNDF"] {
                let tableau = try MethodRegistry.method(named: name)
                let klu = ODEIntegrator(problem, tableau, options: o).solve()
                var amgOptions = o
                // Linear solves tight enough for the steps to be KLU's up to rounding, as in the
                // comparison with dense LU above (the default 1e-6 leaves differences of about
                // 1e-3 of the tolerance).
                amgOptions.linsolve = .gmres(reltol: 1e-9, preconditioner: .amg)
                let integrator = ODEIntegrator(problem, tableau, options: amgOptions)
                XCTAssertEqual(integrator.implicitWork?.matrix.kind, .krylov, name)
                let amg = integrator.solve()
                XCTAssertEqual(amg.retcode, .success, name)
                XCTAssertEqual(amg.t, [1, 2.5, 4], name)
                var worst = 0.0
                for k in 0..<amg.t.count {
                    for (a, b) in zip(amg[k], klu[k]) { worst = max(worst, abs(a - b) / (1e-6 + 1e-6 * abs(b))) }
                }
                XCTAssertLessThan(worst, 1e-3, "N = \(N) \(name)")
                let summary = integrator.multigridSummary
                XCTAssertGreaterThan(summary.levels.count, 1, "N = \(N) \(name)")
                XCTAssertGreaterThan(summary.updates, 0, "N = \(N) \(name): hγ changes keep the aggregates")
                XCTAssertEqual(integrator.unconvergedKrylovSolves, 0, "N = \(N) \(name)")
                let iterations = Double(integrator.krylovIterations) / Double(amg.stats.nsolve)
                XCTAssertLessThan(iterations, 15, "N = \(N) \(name)")
                if name == "KenCarp4" { perSolve[N] = iterations }
                print("Brusselator N = \(N) \(name) AMG-GMRES: \(amg.stats), \(iterations) Krylov iterations a solve, levels \(summary.levels), worst \(worst)")
            }
        }
        XCTAssertLessThan(perSolve[16]!, 2 * perSolve[8]!)
    }
}
