import Autodiff
import DiffEq
import Sensitivity
import XCTest

/// The discrete adjoint through Rodas4's, Rodas5P's, Rosenbrock23's and Rosenbrock32's steps
/// (the last two rewritten in the transformed form): with fixed steps, the exact
/// gradient of the computed solution (central differences of the solve agree to 1e-7); with
/// adaptive steps, forward sensitivities agree to the tolerance; checkpointed replay gives
/// the stored steps' gradient.
final class RosenbrockDiscreteAdjointTests: XCTestCase {
    /// A stiff-ish nonlinear system (van der Pol, μ = p₁) with a second parameter scaling y.
    func problem(_ tableau: ButcherTableau, adaptive: Bool, _ alg: SensitivityAlgorithm = .discreteAdjoint,
                 checkpointing: Bool = false) throws -> DifferentiableSolve {
        let f = try trace(.vector(2), .vector(2)) { u, p, t in
            [p[1] * u[1], p[0] * (1 - u[0] * u[0]) * u[1] - u[0]]
        }
        var o = SolverOptions()
        if adaptive { o.reltol = 1e-10; o.abstol = 1e-10 } else { o.adaptive = false; o.dt = 0.05 }
        o.saveat = .times([0.33, 0.5, 1.2, 2.0])
        var a = AdjointOptions(checkpointing: checkpointing)
        a.stepsPerCheckpoint = 5
        return try DifferentiableSolve(CompiledRHS(f), tspan: (0, 2), tableau: tableau, options: o, sensealg: alg,
                                       adjointOptions: a)
    }

    let weights: [Double] = [1, -0.5, 0.3, 2, -1, 0.7, 0.2, 1.1]
    func loss(_ sol: ODESolution) -> (value: Double, ybar: [Double]) {
        (zip(sol.values, weights).reduce(0) { $0 + $1.0 * $1.1 }, weights)
    }

    func testFixedStepsGiveTheExactGradientOfTheComputedSolve() throws {
        let u0: [Double] = [1.5, -0.3], p: [Double] = [5, 0.9]
        for tableau in [try ButcherTableau.rodas5P(), try ButcherTableau.rodas4(), try ButcherTableau.rosenbrock23(),
                        try ButcherTableau.rosenbrock32()] {
            for checkpointing in [false, true] {
                let ds = try problem(tableau, adaptive: false, checkpointing: checkpointing)
                let g = try ds.gradient(u0: u0, p: p, loss: loss)
                let got = g.du0 + g.dp
                let h = 1e-6
                for k in 0..<4 {
                    var up = u0, um = u0, pp = p, pm = p
                    if k < 2 { up[k] += h; um[k] -= h } else { pp[k - 2] += h; pm[k - 2] -= h }
                    let fd = (loss(try ds.solve(u0: up, p: pp)).value - loss(try ds.solve(u0: um, p: pm)).value) / (2 * h)
                    XCTAssertEqual(got[k], fd, accuracy: 1e-7 * max(1, abs(fd)),
                                   "\(tableau.name)\(checkpointing ? " checkpointed" : ""), component \(k)")
                }
            }
        }
    }

    func testAdaptiveStepsAgreeWithForwardSensitivities() throws {
        let u0: [Double] = [1.5, -0.3], p: [Double] = [5, 0.9]
        let forward = try problem(.rodas5P(), adaptive: true, .forward).gradient(u0: u0, p: p, loss: loss)
        let discrete = try problem(.rodas5P(), adaptive: true).gradient(u0: u0, p: p, loss: loss)
        for (a, b) in zip(discrete.du0 + discrete.dp, forward.du0 + forward.dp) {
            XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b)))
        }
    }

    /// The low-order pairs at a tolerance they reach in a few thousand steps: the discrete
    /// gradient is that of the computed solve, so it agrees with Rodas5P's forward
    /// sensitivities to the solve's own accuracy.
    func testLowOrderRosenbrockAdaptiveStepsAgreeWithForwardSensitivities() throws {
        let u0: [Double] = [1.5, -0.3], p: [Double] = [5, 0.9]
        let forward = try problem(.rodas5P(), adaptive: true, .forward).gradient(u0: u0, p: p, loss: loss)
        for tableau in [try ButcherTableau.rosenbrock23(), try ButcherTableau.rosenbrock32()] {
            let ds = try problem(tableau, adaptive: true)
            let discrete = try ds.gradient(u0: u0, p: p, loss: loss)
            let checkpointed = try problem(tableau, adaptive: true, checkpointing: true).gradient(u0: u0, p: p, loss: loss)
            for (k, (a, b)) in zip(discrete.du0 + discrete.dp, forward.du0 + forward.dp).enumerated() {
                XCTAssertEqual(a, b, accuracy: 2e-5 * max(1, abs(b)), "\(tableau.name), component \(k)")
            }
            for (a, b) in zip(discrete.du0 + discrete.dp, checkpointed.du0 + checkpointed.dp) {
                XCTAssertEqual(a, b, accuracy: 1e-10 * max(1, abs(b)), "\(tableau.name) checkpointed")
            }
        }
    }
}
