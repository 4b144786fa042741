import Autodiff
import DiffEq
import NeuralDE
import NeuralNets
import Sensitivity
import TestSupport
import XCTest

final class NeuralODETests: XCTestCase {
    static let times = (0..<30).map { 1.5 * Double($0) / 29 }

    /// The spiral data: the true ODE u′ = ((u.^3)ᵀ A)ᵀ from (2, 0), A = [-0.1 2; -2 -0.1].
    static func spiralData() throws -> [Double] {
        let truth = ODEProblem({ du, u, p, t in
            let a = u[0] * u[0] * u[0], b = u[1] * u[1] * u[1]
            du[0] = -0.1 * a - 2 * b
            du[1] = 2 * a - 0.1 * b
        }, u0: [2, 0], tspan: (0, 1.5))
        var o = SolverOptions()
        o.reltol = 1e-10; o.abstol = 1e-10; o.saveat = .times(times)
        return solve(truth, try ButcherTableau.tsit5(), options: o).values
    }

    func testSpiralNeuralODEGradientAgreesAcrossSensealgsAndFiniteDifferences() throws {
        let data = try Self.spiralData()
        let net = Chain(FunctionLayer("x -> x.^3") { pow($0, 3.0) }, Dense(2, 8, .tanh), Dense(8, 2))
        var o = SolverOptions()
        o.reltol = 1e-9; o.abstol = 1e-9
        let loss: (ODESolution) -> (value: Double, ybar: [Double]) = { sol in
            (zip(sol.values, data).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }, zip(sol.values, data).map { 2 * ($0 - $1) })
        }
        var gradients: [[Double]] = []
        var theta: [Double] = []
        for alg in SensitivityAlgorithm.allCases {
            let node = try NeuralODE(net, tspan: (0, 1.5), try ButcherTableau.tsit5(), saveat: .times(Self.times),
                                     sensealg: alg, options: o, states: 2)
            theta = node.initialParameters(seed: 7)
            let g = try node.gradient([2, 0], theta, loss: loss)
            XCTAssertGreaterThan(g.value, 1)
            gradients.append(g.dtheta)
        }
        for g in gradients.dropFirst() {
            for (a, b) in zip(g, gradients[0]) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
        }
        // Central differences of an adaptive solve are noisy (the step sequence moves with θ):
        // check against the exact derivative of a fixed-step solve instead.
        var fixed = SolverOptions()
        fixed.adaptive = false; fixed.dt = 0.01
        let node = try NeuralODE(net, tspan: (0, 1.5), try ButcherTableau.tsit5(), saveat: .times(Self.times),
                                 sensealg: .discreteAdjoint, options: fixed, states: 2)
        let exact = try node.gradient([2, 0], theta, loss: loss).dtheta
        let h = 1e-6
        for k in [0, 5, 17, 33, theta.count - 1] {
            var tp = theta, tm = theta
            tp[k] += h; tm[k] -= h
            let fd = (loss(try node([2, 0], tp)).value - loss(try node([2, 0], tm)).value) / (2 * h)
            XCTAssertEqual(exact[k], fd, accuracy: 1e-6 * max(1, abs(fd)), "θ[\(k)]")
            XCTAssertEqual(gradients[0][k], fd, accuracy: 1e-3 * max(1, abs(fd)), "θ[\(k)] adaptive vs fixed-step")
        }
    }

    func testUniversalODEWithKnownPhysics() throws {
        // Lotka–Volterra whose interaction terms are left to a small network.
        let net = Chain(Dense(2, 6, .tanh), Dense(6, 2, .identity, initWeight: .scaled(.glorotUniform, 0.1)))
        var fixed = SolverOptions()
        fixed.adaptive = false; fixed.dt = 0.02
        let ude = try UniversalODE(network: net, physics: 2, states: 2, tspan: (0, 3), try ButcherTableau.tsit5(),
                                   saveat: .every(0.1), sensealg: .discreteAdjoint, options: fixed) { u, p, t, nn in
            let r = nn(u)
            let alpha = p?[0] ?? u[0], delta = p?[1] ?? u[1]
            return [alpha * u[0] + r[0], -delta * u[1] + r[1]]
        }
        XCTAssertEqual(ude.layout.entries.first?.name, "physics")
        XCTAssertEqual(ude.layout.count, 2 + net.parameterCount)
        let theta = ude.initialParameters(physics: [1.3, 1.8], seed: 2)
        let loss: (ODESolution) -> (value: Double, ybar: [Double]) = { sol in
            (sol.values.reduce(0) { $0 + $1 * $1 }, sol.values.map { 2 * $0 })
        }
        let g = try ude.problem.gradient(u0: [0.44, 4.6], p: theta, loss: loss)
        let h = 1e-6
        for k in [0, 1, 4, theta.count - 1] {
            var tp = theta, tm = theta
            tp[k] += h; tm[k] -= h
            let fp = loss(try ude.problem.solve(u0: [0.44, 4.6], p: tp)).value
            let fm = loss(try ude.problem.solve(u0: [0.44, 4.6], p: tm)).value
            XCTAssertEqual(g.dp[k], (fp - fm) / (2 * h), accuracy: 1e-6 * max(1, abs(g.dp[k])), "θ[\(k)]")
        }
    }

    func testMismatchedNetworkSizesAreReported() {
        XCTAssertThrowsError(try NeuralODE(Dense(3, 2), tspan: (0, 1), try ButcherTableau.tsit5(), saveat: .every(0.1), states: 2)) { e in
            XCTAssertTrue("\(e)".contains("matrix product"), "\(e)")
        }
    }
}
