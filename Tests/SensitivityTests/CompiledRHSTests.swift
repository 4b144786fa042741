import Autodiff
import DiffEq
import Sensitivity
import TestSupport
import XCTest

final class CompiledRHSTests: XCTestCase {
    static func lvGraph() throws -> Graph {
        try trace(.vector(2), .vector(4)) { u, p, t in
            [p[0] * u[0] - p[1] * u[0] * u[1], -p[2] * u[1] + p[3] * u[0] * u[1]]
        }
    }

    func testCompiledRightHandSideSolvesLikeTheClosure() throws {
        let f = try CompiledRHS(Self.lvGraph()).odeFunction()
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-8; o.saveat = .every(0.5)
        let compiled = solve(ODEProblem(f, u0: [1, 1], tspan: (0, 10), p: [1.5, 1, 3, 1]), try ButcherTableau.dp5(), options: o)
        let closure = solve(ODEProblem({ du, u, p, t in
            du[0] = p[0] * u[0] - p[1] * u[0] * u[1]
            du[1] = -p[2] * u[1] + p[3] * u[0] * u[1]
        }, u0: [1, 1], tspan: (0, 10), p: [1.5, 1, 3, 1]), try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(compiled.retcode, .success)
        XCTAssertEqual(compiled.stats, closure.stats)
        XCTAssertEqual(compiled.values, closure.values, "same arithmetic in the same order: identical results")
    }

    func testDerivativesMatchFiniteDifferences() throws {
        let f = try CompiledRHS(Self.lvGraph()).odeFunction()
        let u: [Double] = [0.7, 1.3], p: [Double] = [1.5, 1, 3, 1], t = 0.2
        var J = [Double](repeating: 0, count: 4), Jp = [Double](repeating: 0, count: 8)
        var jv = [0.0, 0.0], vj = [0.0, 0.0]
        let v: [Double] = [0.3, -0.8]
        u.withUnsafeBufferPointer { ub in p.withUnsafeBufferPointer { pb in v.withUnsafeBufferPointer { vb in
            J.withUnsafeMutableBufferPointer { f.jac?($0.baseAddress!, ub.baseAddress!, pb.baseAddress!, t) }
            Jp.withUnsafeMutableBufferPointer { f.paramJacobian?($0.baseAddress!, ub.baseAddress!, pb.baseAddress!, t) }
            jv.withUnsafeMutableBufferPointer { f.jvp?($0.baseAddress!, vb.baseAddress!, ub.baseAddress!, pb.baseAddress!, t) }
            vj.withUnsafeMutableBufferPointer { f.vjp?($0.baseAddress!, vb.baseAddress!, ub.baseAddress!, pb.baseAddress!, t) }
        } } }
        // Exact: J = [[p0 - p1 u1, -p1 u0], [p3 u1, -p2 + p3 u0]], column-major.
        let exact = [p[0] - p[1] * u[1], p[3] * u[1], -p[1] * u[0], -p[2] + p[3] * u[0]]
        for (a, b) in zip(J, exact) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        XCTAssertEqual(jv[0], exact[0] * v[0] + exact[2] * v[1], accuracy: 1e-14)
        XCTAssertEqual(jv[1], exact[1] * v[0] + exact[3] * v[1], accuracy: 1e-14)
        XCTAssertEqual(vj[0], exact[0] * v[0] + exact[1] * v[1], accuracy: 1e-14)
        XCTAssertEqual(vj[1], exact[2] * v[0] + exact[3] * v[1], accuracy: 1e-14)
        // ∂f/∂p column-major 2×4: [u0, 0], [-u0 u1, 0], [0, -u1], [0, u0 u1].
        let exactP = [u[0], 0, -u[0] * u[1], 0, 0, -u[1], 0, u[0] * u[1]]
        for (a, b) in zip(Jp, exactP) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        XCTAssertEqual(f.sparsity?.colPtr, [0, 2, 4])
    }

    func testThreadedEnsembleWithACompiledFunction() throws {
        let f = try CompiledRHS(Self.lvGraph()).odeFunction()
        let ensemble = EnsembleProblem(ODEProblem(f, u0: [1, 1], tspan: (0, 5), p: [1.5, 1, 3, 1]),
                                       probFunc: { m, i, _ in m.u0 = [1 + 0.01 * Double(i), 1] },
                                       outputFunc: { sol, _ in (Array(sol[sol.t.count - 1]), false) })
        let dp5 = try ButcherTableau.dp5()
        let serial = solve(ensemble, dp5, .serial, trajectories: 40)
        let threads = solve(ensemble, dp5, .threads, trajectories: 40)
        XCTAssertEqual(serial.u, threads.u)
    }

    func testABadGraphIsRefusedWithItsShapes() throws {
        let g = try trace([GraphInput("u", .vector(2)), GraphInput("p", .vector(1))]) { x in x[0] }
        XCTAssertThrowsError(try CompiledRHS(g)) { e in
            XCTAssertTrue("\(e)".contains("(u, p, t)"), "\(e)")
        }
    }
}
