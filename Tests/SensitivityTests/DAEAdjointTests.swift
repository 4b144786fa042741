import Autodiff
import DiffEq
import Foundation
import Sensitivity
import XCTest

/// The continuous adjoints of mass-matrix problems (index-1 DAEs): the adjoint DAE
/// Mᵀλ′ = −f_uᵀλ solved backwards by Rodas5P, with the algebraic variables' cotangents routed
/// through the algebraic equations at the saved times. Each gradient is checked against forward
/// sensitivities of the same DAE, the ODE form's gradient and central differences of a tighter solve.
final class DAEAdjointTests: XCTestCase {
    /// The adjoints checked, by name.
    static func adjoints() -> [(String, SensitivityAlgorithm, AdjointOptions)] {
        var checkpointed = AdjointOptions(checkpointing: true)
        checkpointed.stepsPerCheckpoint = 8
        return [("interpolating", .interpolatingAdjoint, AdjointOptions()),
                ("interpolating checkpointed", .interpolatingAdjoint, checkpointed),
                ("quadrature", .quadratureAdjoint, AdjointOptions()),
                ("gauss", .gaussAdjoint, AdjointOptions())]
    }

    /// The largest |a − b| / |b| over the entries, printed with `label` (the measured agreement).
    @discardableResult
    static func relativeError(_ a: [Double], _ b: [Double], _ label: String) -> Double {
        let e = zip(a, b).map { $0.1 == 0 ? Swift.abs($0.0) : Swift.abs($0.0 - $0.1) / Swift.abs($0.1) }.max() ?? 0
        print("DAEAdjointTests: \(label): largest relative difference \(e)")
        return e
    }

    /// Central differences of `loss` ∘ `solve` in each entry of `x` with step h.
    static func centralDifferences(_ x: [Double], h: Double, _ value: ([Double]) throws -> Double) rethrows -> [Double] {
        try (0..<x.count).map { k in
            var up = x, down = x
            up[k] += h; down[k] -= h
            return (try value(up) - value(down)) / (2 * h)
        }
    }

    // MARK: Robertson

    static let robertsonTimes: [Double] = [1e-3, 0.1, 1, 10, 100, 1000]
    static let logRates = [log(0.04) + 0.1, log(3e7) - 0.1, log(1e4) + 0.05]
    static let robertsonMass: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 0]

    /// Robertson with y₁ + y₂ + y₃ = 1 as its third equation, M = diag(1, 1, 0), k = exp(p).
    static func robertsonDAE() throws -> CompiledRHS {
        try CompiledRHS(trace(.vector(3), .vector(3)) { u, p, t in
            let k1 = exp(p[0]), k2 = exp(p[1]), k3 = exp(p[2])
            return [-k1 * u[0] + k3 * u[1] * u[2], k1 * u[0] - k2 * u[1] * u[1] - k3 * u[1] * u[2], u[0] + u[1] + u[2] - 1]
        })
    }

    static func robertsonODE() throws -> CompiledRHS {
        try CompiledRHS(trace(.vector(3), .vector(3)) { u, p, t in
            let k1 = exp(p[0]), k2 = exp(p[1]), k3 = exp(p[2])
            return [-k1 * u[0] + k3 * u[1] * u[2], k1 * u[0] - k2 * u[1] * u[1] - k3 * u[1] * u[2], k2 * u[1] * u[1]]
        })
    }

    static func robertsonOptions(reltol: Double = 1e-8, abstol: Double = 1e-12) -> SolverOptions {
        var o = SolverOptions()
        o.reltol = .scalar(reltol); o.abstol = .scalar(abstol)
        o.saveat = .times(robertsonTimes)
        return o
    }

    /// Σ (wⱼ yⱼ)² over the saved times, y₂ weighted by 1e4 (it stays below 4e-5); y₃ is the
    /// algebraic variable of the DAE.
    static func squares(_ sol: ODESolution) -> (value: Double, ybar: [Double]) {
        let w = [1.0, 1e4, 1.0]
        var value = 0.0
        var ybar = [Double](repeating: 0, count: sol.values.count)
        for (i, y) in sol.values.enumerated() {
            let wy = w[i % 3] * y
            value += wy * wy
            ybar[i] = 2 * w[i % 3] * wy
        }
        return (value, ybar)
    }

    func testRobertsonDAEAdjointsAgreeWithForwardODEFormAndFiniteDifferences() throws {
        let u0: [Double] = [1, 0, 0]
        let dae = try Self.robertsonDAE()
        let forward = try DifferentiableSolve(dae, tspan: (0, 1000), tableau: .rodas5P(), options: Self.robertsonOptions(),
                                              sensealg: .forward, massMatrix: Self.robertsonMass)
            .gradient(u0: u0, p: Self.logRates, loss: Self.squares)
        let ode = try DifferentiableSolve(Self.robertsonODE(), tspan: (0, 1000), tableau: .rodas5P(),
                                          options: Self.robertsonOptions(), sensealg: .forward)
            .gradient(u0: u0, p: Self.logRates, loss: Self.squares)
        // Central differences of a tighter solve: the step-selection noise of the 1e-8 solve
        // would otherwise dominate the quotient.
        let tight = try DifferentiableSolve(dae, tspan: (0, 1000), tableau: .rodas5P(),
                                            options: Self.robertsonOptions(reltol: 1e-12, abstol: 1e-16),
                                            sensealg: .forward, massMatrix: Self.robertsonMass)
        let fd = try Self.centralDifferences(Self.logRates, h: 1e-4) { Self.squares(try tight.solve(u0: u0, p: $0)).value }
        XCTAssertLessThan(Self.relativeError(forward.dp, ode.dp, "Robertson forward DAE vs ODE form"), 1e-5)
        XCTAssertLessThan(Self.relativeError(forward.dp, fd, "Robertson forward DAE vs FD"), 1e-5)
        for (name, alg, options) in Self.adjoints() {
            let ds = try DifferentiableSolve(dae, tspan: (0, 1000), tableau: .rodas5P(), options: Self.robertsonOptions(),
                                             sensealg: alg, adjointOptions: options, massMatrix: Self.robertsonMass)
            let g = try ds.gradient(u0: u0, p: Self.logRates, loss: Self.squares)
            // The loss of the plain solve; the forward-sensitivity solve also controls the error of
            // the sensitivities, so its steps and value differ within the tolerances.
            XCTAssertEqual(g.value, forward.value, accuracy: 1e-8 * forward.value)
            XCTAssertLessThan(Self.relativeError(g.dp, forward.dp, "Robertson \(name) vs forward"), 1e-6, name)
            XCTAssertLessThan(Self.relativeError(g.dp, ode.dp, "Robertson \(name) vs ODE form"), 1e-5, name)
            XCTAssertLessThan(Self.relativeError(g.dp, fd, "Robertson \(name) vs FD"), 1e-5, name)
            // ∂L/∂u₀: the differential entries as forward sensitivities give them, 0 on y₃.
            XCTAssertLessThan(Self.relativeError(Array(g.du0[0..<2]), Array(forward.du0[0..<2]), "Robertson \(name) du0 vs forward"),
                              1e-6, name)
            XCTAssertEqual(g.du0[2], 0, name)
            XCTAssertEqual(forward.du0[2], 0, accuracy: 1e-9 * Swift.abs(forward.du0[0]), "forward sensitivities agree on y₃")
        }
    }

    // MARK: A DAE with the algebraic variable in the dynamics and a general M

    /// u = (x₁, z, x₂) with the algebraic variable in the middle, its equation first, and a
    /// non-diagonal block on the differential part:
    ///
    ///     0 = z (1 + x₂²) − p₄ x₁
    ///     2 x₁′ + 0.5 x₂′ = −p₁ x₁ + p₂ z x₂
    ///     0.3 x₁′ + x₂′  = p₃ z − x₂ − 0.1 x₁ x₂
    static let coupledMass: [Double] = [0, 2, 0.3, 0, 0, 0, 0, 0.5, 1]
    static let coupledP: [Double] = [0.7, 1.3, 0.9, 1.5]
    static let coupledTimes: [Double] = [0, 0.5, 1.5, 3, 5]
    static let coupledU0: [Double] = [1, 0, 0.5]

    static func coupledDAE() throws -> CompiledRHS {
        try CompiledRHS(trace(.vector(3), .vector(4)) { u, p, t in
            let x1 = u[0], z = u[1], x2 = u[2]
            return [z * (1 + x2 * x2) - p[3] * x1, -p[0] * x1 + p[1] * z * x2, p[2] * z - x2 - 0.1 * x1 * x2]
        })
    }

    /// The ODE form: M_dd⁻¹ applied to the differential equations, and z′ the derivative of
    /// z = p₄ x₁ / (1 + x₂²) (the algebraic equation differentiated once: index 0).
    static func coupledODE() throws -> CompiledRHS {
        try CompiledRHS(trace(.vector(3), .vector(4)) { u, p, t in
            let x1 = u[0], z = u[1], x2 = u[2]
            let f1 = -p[0] * x1 + p[1] * z * x2, f2 = p[2] * z - x2 - 0.1 * x1 * x2
            let d1 = (f1 - 0.5 * f2) / 1.85, d2 = (-0.3 * f1 + 2 * f2) / 1.85
            let s = 1 + x2 * x2
            return [d1, p[3] * (d1 * s - 2 * x1 * x2 * d2) / (s * s), d2]
        })
    }

    static func coupledOptions(reltol: Double = 1e-8, abstol: Double = 1e-10) -> SolverOptions {
        var o = SolverOptions()
        o.reltol = .scalar(reltol); o.abstol = .scalar(abstol)
        o.saveat = .times(coupledTimes)
        return o
    }

    /// Σ wⱼ (yⱼ − cⱼ)² over the saved times; z (y₂) weighted most.
    static func coupledLoss(_ sol: ODESolution) -> (value: Double, ybar: [Double]) {
        let w = [1.0, 3.0, 0.5], c = [0.2, 0.4, -0.1]
        var value = 0.0
        var ybar = [Double](repeating: 0, count: sol.values.count)
        for (i, y) in sol.values.enumerated() {
            let r = y - c[i % 3]
            value += w[i % 3] * r * r
            ybar[i] = 2 * w[i % 3] * r
        }
        return (value, ybar)
    }

    func testCoupledDAEWithGeneralMassMatrix() throws {
        let dae = try Self.coupledDAE()
        let p = Self.coupledP, u0 = Self.coupledU0
        let forwardSolve = try DifferentiableSolve(dae, tspan: (0, 5), tableau: .rodas5P(), options: Self.coupledOptions(),
                                                   sensealg: .forward, massMatrix: Self.coupledMass)
        let forward = try forwardSolve.gradient(u0: u0, p: p, loss: Self.coupledLoss)
        XCTAssertEqual(forwardSolve.sensealg, .forward)
        let sol = try forwardSolve.solve(u0: u0, p: p)
        XCTAssertEqual(sol.t, Self.coupledTimes)
        XCTAssertEqual(sol.values[1], 1.5 * 1 / 1.25, accuracy: 1e-12, "z(0) made consistent")
        // The ODE form starts from the consistent z₀ = p₄ x₁ / (1 + x₂²), which depends on p₄, x₁
        // and x₂: its gradient gains those paths through z₀.
        let s0 = 1 + u0[2] * u0[2]
        let odeU0 = [u0[0], p[3] * u0[0] / s0, u0[2]]
        let odeRaw = try DifferentiableSolve(Self.coupledODE(), tspan: (0, 5), tableau: .rodas5P(),
                                             options: Self.coupledOptions(), sensealg: .forward)
            .gradient(u0: odeU0, p: p, loss: Self.coupledLoss)
        var odeDp = odeRaw.dp
        odeDp[3] += odeRaw.du0[1] * u0[0] / s0
        let odeDu0 = [odeRaw.du0[0] + odeRaw.du0[1] * p[3] / s0, 0,
                      odeRaw.du0[2] - odeRaw.du0[1] * 2 * p[3] * u0[0] * u0[2] / (s0 * s0)]
        let tight = try DifferentiableSolve(dae, tspan: (0, 5), tableau: .rodas5P(),
                                            options: Self.coupledOptions(reltol: 1e-12, abstol: 1e-14),
                                            sensealg: .forward, massMatrix: Self.coupledMass)
        let fd = try Self.centralDifferences(p, h: 1e-5) { Self.coupledLoss(try tight.solve(u0: u0, p: $0)).value }
        // z₀ is replaced by the consistent value: the loss does not depend on it.
        let fdU0 = try Self.centralDifferences(u0, h: 1e-5) { Self.coupledLoss(try tight.solve(u0: $0, p: p)).value }
        XCTAssertLessThan(Self.relativeError(forward.dp, odeDp, "coupled forward DAE vs ODE form"), 1e-5)
        XCTAssertLessThan(Self.relativeError(forward.dp, fd, "coupled forward DAE vs FD"), 1e-5)
        XCTAssertEqual(fdU0[1], 0, accuracy: 1e-9)
        for (name, alg, options) in Self.adjoints() {
            let ds = try DifferentiableSolve(dae, tspan: (0, 5), tableau: .rodas5P(), options: Self.coupledOptions(),
                                             sensealg: alg, adjointOptions: options, massMatrix: Self.coupledMass)
            let g = try ds.gradient(u0: u0, p: p, loss: Self.coupledLoss)
            XCTAssertLessThan(Self.relativeError(g.dp, forward.dp, "coupled \(name) vs forward"), 1e-6, name)
            XCTAssertLessThan(Self.relativeError(g.dp, odeDp, "coupled \(name) vs ODE form"), 1e-5, name)
            XCTAssertLessThan(Self.relativeError(g.dp, fd, "coupled \(name) vs FD"), 1e-5, name)
            XCTAssertLessThan(Self.relativeError([g.du0[0], g.du0[2]], [forward.du0[0], forward.du0[2]],
                                                 "coupled \(name) du0 vs forward"), 1e-6, name)
            XCTAssertLessThan(Self.relativeError([g.du0[0], g.du0[2]], [odeDu0[0], odeDu0[2]], "coupled \(name) du0 vs ODE form"),
                              1e-5, name)
            XCTAssertLessThan(Self.relativeError([g.du0[0], g.du0[2]], [fdU0[0], fdU0[2]], "coupled \(name) du0 vs FD"), 1e-5, name)
            XCTAssertEqual(g.du0[1], 0, name)
        }
    }

    // MARK: A nonsingular mass matrix

    /// M = [2 0.5; 0.3 1] nonsingular: the adjoints solve Mᵀλ′ = −f_uᵀλ, jump by M⁻ᵀȳ and give
    /// ∂L/∂u₀ = Mᵀλ(t₀), as the ODE u′ = M⁻¹f does.
    func testNonsingularMassMatrixMatchesTheODEForm() throws {
        let mass: [Double] = [2, 0.3, 0.5, 1]
        let withMass = try CompiledRHS(trace(.vector(2), .vector(3)) { u, p, t in
            [-p[0] * u[0] + p[1] * u[1] * u[0], p[2] * u[0] - u[1] * u[1]]
        })
        let ode = try CompiledRHS(trace(.vector(2), .vector(3)) { u, p, t in
            let f1 = -p[0] * u[0] + p[1] * u[1] * u[0], f2 = p[2] * u[0] - u[1] * u[1]
            return [(f1 - 0.5 * f2) / 1.85, (-0.3 * f1 + 2 * f2) / 1.85]
        })
        var o = SolverOptions()
        o.reltol = 1e-9; o.abstol = 1e-11
        o.saveat = .times([0.5, 1, 2])
        let p = [0.8, 0.6, 1.1], u0 = [1.0, 0.4]
        let loss: (ODESolution) -> (value: Double, ybar: [Double]) = { sol in
            (sol.values.reduce(0) { $0 + $1 * $1 }, sol.values.map { 2 * $0 })
        }
        let reference = try DifferentiableSolve(ode, tspan: (0, 2), tableau: .rodas5P(), options: o, sensealg: .forward)
            .gradient(u0: u0, p: p, loss: loss)
        for (name, alg, options) in [("forward", SensitivityAlgorithm.forward, AdjointOptions())] + Self.adjoints() {
            let g = try DifferentiableSolve(withMass, tspan: (0, 2), tableau: .rodas5P(), options: o, sensealg: alg,
                                            adjointOptions: options, massMatrix: mass)
                .gradient(u0: u0, p: p, loss: loss)
            XCTAssertLessThan(Self.relativeError(g.dp, reference.dp, "nonsingular M \(name) vs ODE form"), 1e-6, name)
            XCTAssertLessThan(Self.relativeError(g.du0, reference.du0, "nonsingular M \(name) du0 vs ODE form"), 1e-6, name)
        }
    }

    // MARK: Choices and refusals

    /// Above 100 states plus parameters a mass-matrix problem is differentiated by the
    /// interpolating adjoint; below, by forward sensitivities.
    func testAutomaticChoiceForMassMatrixProblems() throws {
        XCTAssertEqual(SensitivityAlgorithm.automatic(states: 3, parameters: 3, stiff: true, massMatrix: true), .forward)
        XCTAssertEqual(SensitivityAlgorithm.automatic(states: 3, parameters: 200, stiff: false, massMatrix: true),
                       .interpolatingAdjoint)
        let f = try trace(.vector(2), .vector(100)) { u, p, t in
            [-exp(p[0]) * u[0] + u[1], u[0] + u[1] - p[1] * 0]
        }
        var o = SolverOptions()
        o.saveat = .times([1])
        o.reltol = 1e-8; o.abstol = 1e-10
        let ds = try DifferentiableSolve(CompiledRHS(f), tspan: (0, 1), tableau: .rodas5P(), options: o,
                                         massMatrix: [1, 0, 0, 0])
        XCTAssertEqual(ds.sensealg, .interpolatingAdjoint)
        // x′ = −e^{p₀}x + z with z = −x: x(1) = e^{−(e^{p₀} + 1)}, d/dp₀ = −e^{p₀} x(1).
        var p = [Double](repeating: 0, count: 100)
        p[0] = 0.2
        let g = try ds.gradient(u0: [1, 0], p: p) { sol in (sol.values[0], [1, 0]) }
        XCTAssertEqual(g.dp[0], -exp(0.2) * exp(-(exp(0.2) + 1)), accuracy: 1e-7)
        XCTAssertEqual(g.du0[0], exp(-(exp(0.2) + 1)), accuracy: 1e-7)
        XCTAssertEqual(g.du0[1], 0)
    }

    func testUnsupportedCombinationsAreRefusedClearly() throws {
        let dae = try Self.robertsonDAE()
        XCTAssertThrowsError(try DifferentiableSolve(dae, tspan: (0, 1000), tableau: .rodas5P(), options: Self.robertsonOptions(),
                                                     sensealg: .backsolveAdjoint, massMatrix: Self.robertsonMass)) { error in
            XCTAssertTrue("\(error)".contains("BacksolveAdjoint does not differentiate a mass-matrix problem"), "\(error)")
        }
        XCTAssertThrowsError(try DifferentiableSolve(dae, tspan: (0, 1000), tableau: .rodas5P(), options: Self.robertsonOptions(),
                                                     sensealg: .discreteAdjoint, massMatrix: Self.robertsonMass)) { error in
            XCTAssertTrue("\(error)".contains("DiscreteAdjoint does not differentiate a mass-matrix problem"), "\(error)")
        }
        // Events of a DAE: their jumps would need the algebraic routing too.
        let u = GraphInput("u", .vector(3)), p = GraphInput("p", .vector(3)), t = GraphInput("t", .scalar)
        let condition = try trace([u, p, t]) { x in x[0][0] - 0.5 }
        let affect = try trace([u, p, t]) { x in vcat(x[0][0] * 0.9, x[0][1], x[0][2]) }
        XCTAssertThrowsError(try DifferentiableSolve(dae, tspan: (0, 1000), tableau: .rodas5P(), options: Self.robertsonOptions(),
                                                     sensealg: .interpolatingAdjoint,
                                                     events: [DifferentiableEvent(condition: condition, affect: affect)],
                                                     massMatrix: Self.robertsonMass)) { error in
            XCTAssertTrue("\(error)".contains("do not differentiate events of a mass-matrix problem"), "\(error)")
        }
        // Two zero rows but one zero column: not semi-explicit.
        XCTAssertThrowsError(try DifferentiableSolve(dae, tspan: (0, 1000), tableau: .rodas5P(), options: Self.robertsonOptions(),
                                                     sensealg: .interpolatingAdjoint, massMatrix: [1, 0, 0, 1, 0, 0, 0, 0, 0])) { error in
            XCTAssertTrue("\(error)".contains("semi-explicit index-1"), "\(error)")
        }
    }
}
