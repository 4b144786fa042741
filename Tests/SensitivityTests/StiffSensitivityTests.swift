import Autodiff
import DiffEq
import Sensitivity
import XCTest

/// Sensitivities of a stiff problem solved with a stiff method: Robertson with its rate
/// constants in log space (k = exp(p)), a loss weighing every species at eleven saved times
/// from 1e-5 to 1e5, solved by Rodas5P. Forward sensitivities, the interpolating (with and
/// without checkpoints), quadrature and Gauss adjoints agree with each other and with central
/// differences; the backsolve adjoint, whose backward solve of u is unstable here, fails
/// with a clear error instead of a wrong gradient.
final class StiffSensitivityTests: XCTestCase {
    static let times: [Double] = [1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1e3, 1e4, 1e5]
    static let logRates = [log(0.04) + 0.1, log(3e7) - 0.1, log(1e4) + 0.05]

    func problem(_ alg: SensitivityAlgorithm, _ adjoint: AdjointOptions = AdjointOptions()) throws -> DifferentiableSolve {
        let f = try trace(.vector(3), .vector(3)) { u, p, t in
            let k1 = exp(p[0]), k2 = exp(p[1]), k3 = exp(p[2])
            return [-k1 * u[0] + k3 * u[1] * u[2], k1 * u[0] - k2 * u[1] * u[1] - k3 * u[1] * u[2], k2 * u[1] * u[1]]
        }
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        o.saveat = .times(Self.times)
        return try DifferentiableSolve(CompiledRHS(f), tspan: (0, 1e5), tableau: .rodas5P(), options: o, sensealg: alg,
                                       adjointOptions: adjoint)
    }

    /// y₂ weighted by 1e4 (it stays below 4e-5), and later times weighted more.
    func loss(_ sol: ODESolution) -> (value: Double, ybar: [Double]) {
        let weights = (0..<sol.values.count).map { [1.0, 1e4, 3.0][$0 % 3] * Double($0 / 3 + 1) }
        return (zip(sol.values, weights).reduce(0) { $0 + $1.0 * $1.1 }, weights)
    }

    func testEveryAdjointAgreesWithForwardSensitivitiesAndFiniteDifferences() throws {
        let u0: [Double] = [1, 0, 0]
        let forward = try problem(.forward).gradient(u0: u0, p: Self.logRates, loss: loss).dp
        let reference = try problem(.forward)
        let h = 1e-6
        for k in 0..<3 {
            var up = Self.logRates, down = Self.logRates
            up[k] += h; down[k] -= h
            let fd = (loss(try reference.solve(u0: u0, p: up)).value - loss(try reference.solve(u0: u0, p: down)).value) / (2 * h)
            XCTAssertEqual(forward[k], fd, accuracy: 1e-5 * abs(fd), "forward vs FD, k\(k + 1)")
        }
        var checkpointed = AdjointOptions(checkpointing: true)
        checkpointed.stepsPerCheckpoint = 32
        for (name, alg, options) in [("interpolating", SensitivityAlgorithm.interpolatingAdjoint, AdjointOptions()),
                                     ("interpolating checkpointed", .interpolatingAdjoint, checkpointed),
                                     ("quadrature", .quadratureAdjoint, AdjointOptions()),
                                     ("gauss", .gaussAdjoint, AdjointOptions())] {
            let g = try problem(alg, options).gradient(u0: u0, p: Self.logRates, loss: loss).dp
            for k in 0..<3 {
                XCTAssertEqual(g[k], forward[k], accuracy: 1e-6 * abs(forward[k]), "\(name), k\(k + 1)")
            }
        }
    }

    /// Above 100 states plus parameters the automatic choice is an adjoint: the discrete one
    /// for an explicit method, the interpolating one for a stiff method, and it differentiates.
    func testAutomaticChoiceForLargeStiffProblems() throws {
        let f = try trace(.vector(10), .vector(100)) { u, p, t in (0..<10).map { -exp(p[$0]) * u[$0] } }
        var o = SolverOptions()
        o.saveat = .times([1])
        o.reltol = 1e-8; o.abstol = 1e-10
        let rhs = try CompiledRHS(f)
        let stiff = try DifferentiableSolve(rhs, tspan: (0, 1), tableau: .rodas5P(), options: o)
        let explicit = try DifferentiableSolve(rhs, tspan: (0, 1), tableau: .tsit5(), options: o)
        XCTAssertEqual(stiff.sensealg, .interpolatingAdjoint)
        XCTAssertEqual(explicit.sensealg, .discreteAdjoint)
        let p = [Double](repeating: 0, count: 100)
        let g = try stiff.gradient(u0: [Double](repeating: 1, count: 10), p: p) { sol in
            (sol.values.reduce(0, +), [Double](repeating: 1, count: sol.values.count))
        }
        // d/dpᵢ e^{−e^{pᵢ}} = −e^{pᵢ} e^{−e^{pᵢ}} = −1/e at pᵢ = 0.
        for i in 0..<10 { XCTAssertEqual(g.dp[i], -exp(-1.0), accuracy: 1e-6) }
        for i in 10..<100 { XCTAssertEqual(g.dp[i], 0) }
    }

    /// Robertson as an index-1 DAE (the third equation replaced by y₁ + y₂ + y₃ = 1, M = diag(1, 1, 0)):
    /// forward sensitivities through Rodas5P give the ODE form's gradient and central differences';
    /// BacksolveAdjoint refuses a mass matrix clearly (the other continuous adjoints solve the
    /// adjoint DAE: DAEAdjointTests).
    func testDAEGradientByForwardSensitivities() throws {
        let dae = try trace(.vector(3), .vector(3)) { u, p, t in
            let k1 = exp(p[0]), k2 = exp(p[1]), k3 = exp(p[2])
            return [-k1 * u[0] + k3 * u[1] * u[2], k1 * u[0] - k2 * u[1] * u[1] - k3 * u[1] * u[2], u[0] + u[1] + u[2] - 1]
        }
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        o.saveat = .times([1e-3, 0.1, 10, 1000])
        let mass: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 0]
        let ds = try DifferentiableSolve(CompiledRHS(dae), tspan: (0, 1000), tableau: .rodas5P(), options: o, massMatrix: mass)
        XCTAssertEqual(ds.sensealg, .forward)
        let g = try ds.gradient(u0: [1, 0, 0], p: Self.logRates, loss: loss)
        // The ODE form on the same saved times.
        let ode = try problem(.forward)
        var odeOptions = ode.options
        odeOptions.saveat = .times([1e-3, 0.1, 10, 1000])
        let reference = try DifferentiableSolve(ode.rhs, tspan: (0, 1000), tableau: .rodas5P(), options: odeOptions, sensealg: .forward)
            .gradient(u0: [1, 0, 0], p: Self.logRates, loss: loss)
        for k in 0..<3 { XCTAssertEqual(g.dp[k], reference.dp[k], accuracy: 1e-5 * abs(reference.dp[k]), "k\(k + 1)") }
        let h = 1e-6
        for k in 0..<3 {
            var up = Self.logRates, down = Self.logRates
            up[k] += h; down[k] -= h
            let fd = (loss(try ds.solve(u0: [1, 0, 0], p: up)).value - loss(try ds.solve(u0: [1, 0, 0], p: down)).value) / (2 * h)
            // Central differences of an adaptive DAE solve carry its step-selection noise: 1e-4.
            XCTAssertEqual(g.dp[k], fd, accuracy: 1e-4 * abs(fd), "DAE forward vs FD, k\(k + 1)")
        }
        XCTAssertThrowsError(try DifferentiableSolve(CompiledRHS(dae), tspan: (0, 1000), tableau: .rodas5P(), options: o,
                                                     sensealg: .backsolveAdjoint, massMatrix: mass)) { error in
            XCTAssertTrue("\(error)".contains("BacksolveAdjoint does not differentiate a mass-matrix problem"), "\(error)")
        }
    }

    func testBacksolveFailsClearlyOnAStiffProblem() throws {
        XCTAssertThrowsError(try problem(.backsolveAdjoint).gradient(u0: [1, 0, 0], p: Self.logRates, loss: loss)) { error in
            XCTAssertTrue("\(error)".contains("backward (adjoint) solve failed"), "\(error)")
        }
    }
}
