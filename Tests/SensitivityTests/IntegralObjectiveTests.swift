import Autodiff
import DiffEq
import Sensitivity
import XCTest

/// Continuous losses ∫ g dt: values against a closed form, gradients across sensealgs and
/// against finite differences.
final class IntegralObjectiveTests: XCTestCase {
    func testDecayIntegralHasItsClosedFormAndGradient() throws {
        // u′ = −p u, g = u²: ∫₀ᵀ u0² e^{−2pt} dt = u0² (1 − e^{−2pT}) / (2p).
        let f = try trace(.vector(1), .vector(1)) { u, p, t in [-p[0] * u[0]] }
        let g = try trace([GraphInput("u", .vector(1)), GraphInput("p", .vector(1)), GraphInput("t", .scalar)]) { x in
            x[0][0] * x[0][0]
        }
        var o = SolverOptions()
        o.reltol = 1e-11; o.abstol = 1e-11
        let (u0, p, T) = (1.5, 0.7, 2.0)
        let exact = u0 * u0 * (1 - exp(-2 * p * T)) / (2 * p)
        let dExactDu0 = 2 * u0 * (1 - exp(-2 * p * T)) / (2 * p)
        let dExactDp = u0 * u0 * (2 * T * exp(-2 * p * T) * 2 * p - 2 * (1 - exp(-2 * p * T))) / (4 * p * p)
        for alg in SensitivityAlgorithm.allCases {
            let objective = try IntegralObjective(f, integrand: g, tspan: (0, T), tableau: .dp5(), options: o, sensealg: alg)
            let r = try objective.gradient(u0: [u0], p: [p])
            XCTAssertEqual(r.value, exact, accuracy: 1e-9, "\(alg)")
            XCTAssertEqual(r.du0[0], dExactDu0, accuracy: 1e-7, "\(alg)")
            XCTAssertEqual(r.dp[0], dExactDp, accuracy: 1e-7, "\(alg)")
        }
    }

    func testLotkaVolterraIntegralAgreesWithFiniteDifferences() throws {
        let f = try CompiledRHSTests.lvGraph()
        let g = try trace([GraphInput("u", .vector(2)), GraphInput("p", .vector(4)), GraphInput("t", .scalar)]) { x in
            x[0][0] * x[0][1] + sin(x[2]) * x[0][0]
        }
        var o = SolverOptions()
        o.reltol = 1e-10; o.abstol = 1e-10
        let objective = try IntegralObjective(f, integrand: g, tspan: (0, 5), tableau: .tsit5(), options: o, sensealg: .discreteAdjoint)
        let u0: [Double] = [1, 1], p: [Double] = [1.5, 1, 3, 1]
        let r = try objective.gradient(u0: u0, p: p)
        let h = 1e-6
        for k in 0..<4 {
            var pp = p, pm = p
            pp[k] += h; pm[k] -= h
            let fd = (try objective.gradient(u0: u0, p: pp).value - objective.gradient(u0: u0, p: pm).value) / (2 * h)
            XCTAssertEqual(r.dp[k], fd, accuracy: 1e-5 * max(1, abs(fd)), "p[\(k)]")
        }
    }
}
