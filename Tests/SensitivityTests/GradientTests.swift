import Autodiff
import DiffEq
import Sensitivity
import TestSupport
import XCTest

/// DiffEqFlux's gradient example: Lotka–Volterra, loss = sum of the solution saved every 0.1.
final class GradientTests: XCTestCase {
    let p: [Double] = [1.5, 1, 3, 1]
    let u0: [Double] = [1, 1]

    func lvSolve(_ sensealg: SensitivityAlgorithm, tol: Double = 1e-10, tableau: ButcherTableau? = nil) throws -> DifferentiableSolve {
        var o = SolverOptions()
        o.reltol = .scalar(tol); o.abstol = .scalar(tol); o.saveat = .every(0.1)
        return try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: (0, 10),
                                       tableau: tableau ?? ButcherTableau.dp5(), options: o, sensealg: sensealg)
    }

    static func sumLoss(_ sol: ODESolution) -> (value: Double, ybar: [Double]) {
        (sol.values.reduce(0, +), [Double](repeating: 1, count: sol.values.count))
    }

    /// Central differences of the loss, each solve at the same tight tolerance.
    func finiteDifferences(_ ds: DifferentiableSolve, h: Double = 1e-6) throws -> [Double] {
        var g: [Double] = []
        for k in 0..<(u0.count + p.count) {
            var up = u0 + p, um = u0 + p
            up[k] += h; um[k] -= h
            let fp = try ds.solve(u0: Array(up[0..<2]), p: Array(up[2...])).values.reduce(0, +)
            let fm = try ds.solve(u0: Array(um[0..<2]), p: Array(um[2...])).values.reduce(0, +)
            g.append((fp - fm) / (2 * h))
        }
        return g
    }

    func testEverySensealgAgreesWithForwardAndFiniteDifferences() throws {
        let forward = try lvSolve(.forward).gradient(u0: u0, p: p, loss: Self.sumLoss)
        let reference = forward.du0 + forward.dp
        let fd = try finiteDifferences(try lvSolve(.forward))
        for (a, b) in zip(reference, fd) {
            XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), "forward vs central differences")
        }
        for alg in SensitivityAlgorithm.allCases {
            let g = try lvSolve(alg).gradient(u0: u0, p: p, loss: Self.sumLoss)
            XCTAssertEqual(g.value, forward.value, accuracy: 1e-8 * abs(forward.value))
            for (a, b) in zip(g.du0 + g.dp, reference) {
                XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b)), "\(alg) vs forward sensitivities")
            }
            for (a, b) in zip(g.du0 + g.dp, fd) {
                XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), "\(alg) vs central differences")
            }
        }
    }

    func testDiscreteAdjointIsTheExactGradientOfTheComputedSolution() throws {
        // At a loose tolerance the discrete adjoint differs from the true gradient, but it is the
        // exact derivative of the discrete map: compare with finite differences taken with the
        // step sizes frozen (fixed-step solves reproduce that map exactly).
        for name in ["DP5", "BS3", "RK4", "Heun"] {
            var o = SolverOptions()
            o.adaptive = false; o.dt = 0.05; o.saveat = .every(0.1)
            let tab = try MethodRegistry.method(named: name)
            let ds = try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: (0, 3), tableau: tab,
                                             options: o, sensealg: .discreteAdjoint)
            let weights = (0..<62).map { sin(Double($0)) }   // a loss that weighs every saved value differently
            let loss: (ODESolution) -> (value: Double, ybar: [Double]) = { sol in
                (zip(sol.values, weights).reduce(0) { $0 + $1.0 * $1.1 }, Array(weights.prefix(sol.values.count)))
            }
            let g = try ds.gradient(u0: u0, p: p, loss: loss)
            let h = 1e-6
            for k in 0..<6 {
                var up = u0 + p, um = u0 + p
                up[k] += h; um[k] -= h
                let fp = try loss(ds.solve(u0: Array(up[0..<2]), p: Array(up[2...]))).value
                let fm = try loss(ds.solve(u0: Array(um[0..<2]), p: Array(um[2...]))).value
                let fd = (fp - fm) / (2 * h)
                let mine = (g.du0 + g.dp)[k]
                XCTAssertEqual(mine, fd, accuracy: 1e-6 * max(1, abs(fd)), "\(name), component \(k)")
            }
        }
    }

    func testSolveAsATapePrimitive() throws {
        let ds = try lvSolve(.discreteAdjoint, tol: 1e-8)
        let data = try ds.solve(u0: u0, p: p).values
        let tape = Tape()
        let pv = tape.variable([1.2, 0.8, 2.8, 0.8], .vector(4))
        let uv = tape.variable(u0, .vector(2))
        let pred = try tape.solve(ds, u0: uv, p: pv)
        let target = tape.constant(data, pred.shape)
        let loss = sum(abs2(pred .- target))
        let g = try tape.gradient(of: loss, wrt: [uv, pv])
        // The same gradient by forward sensitivities, with the loss's cotangent 2(pred − data).
        let fs = try lvSolve(.forward, tol: 1e-8)
        let ref = try fs.gradient(u0: u0, p: [1.2, 0.8, 2.8, 0.8]) { sol in
            (0, zip(sol.values, data).map { 2 * ($0 - $1) })
        }
        for (a, b) in zip(g[0] + g[1], ref.du0 + ref.dp) {
            XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b)))
        }
        XCTAssertGreaterThan(loss.scalar, 1)
    }

    func testFailedSolvesAndWrongSizesAreErrors() throws {
        let ds = try lvSolve(.discreteAdjoint)
        XCTAssertThrowsError(try ds.gradient(u0: [1], p: p, loss: Self.sumLoss)) { e in
            XCTAssertTrue("\(e)".contains("u0 has 1"), "\(e)")
        }
        var o = SolverOptions()
        o.maxiters = 5; o.saveat = .every(0.1)
        let short = try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: (0, 10),
                                            tableau: ButcherTableau.dp5(), options: o, sensealg: .discreteAdjoint)
        XCTAssertThrowsError(try short.gradient(u0: u0, p: p, loss: Self.sumLoss)) { e in
            XCTAssertTrue("\(e)".contains("MaxIters"), "\(e)")
        }
        XCTAssertThrowsError(try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: (0, 1),
                                                     tableau: ButcherTableau.dp5(), options: SolverOptions()))
    }

    func testPerStateTolerancesWorkWithForwardSensitivities() throws {
        var o = SolverOptions()
        o.reltol = .vector([1e-9, 1e-9]); o.abstol = .vector([1e-9, 1e-10]); o.saveat = .every(0.5)
        let forward = try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: (0, 5),
                                              tableau: ButcherTableau.dp5(), options: o, sensealg: .forward)
        let adjoint = try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: (0, 5),
                                              tableau: ButcherTableau.dp5(), options: o, sensealg: .discreteAdjoint)
        let a = try forward.gradient(u0: u0, p: p, loss: Self.sumLoss)
        let b = try adjoint.gradient(u0: u0, p: p, loss: Self.sumLoss)
        for (x, y) in zip(a.du0 + a.dp, b.du0 + b.dp) { XCTAssertEqual(x, y, accuracy: 1e-6 * max(1, abs(y))) }
    }
}
