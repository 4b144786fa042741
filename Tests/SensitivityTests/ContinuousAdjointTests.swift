import Autodiff
import DiffEq
import Foundation
import Sensitivity
import TestSupport
import XCTest

/// The continuous adjoints (BacksolveAdjoint, InterpolatingAdjoint, QuadratureAdjoint,
/// GaussAdjoint) against forward sensitivities, the discrete adjoint and finite differences,
/// with and without checkpointing and the seminorm.
final class ContinuousAdjointTests: XCTestCase {
    static let adjoints: [SensitivityAlgorithm] = [.backsolveAdjoint, .interpolatingAdjoint, .quadratureAdjoint, .gaussAdjoint]
    static let variants: [(name: String, options: AdjointOptions)] = [
        ("checkpointed", AdjointOptions(checkpointing: true)),
        ("checkpointed+seminorm", AdjointOptions(checkpointing: true, seminorm: true)),
        ("plain", AdjointOptions(checkpointing: false)),
        ("plain+seminorm", AdjointOptions(checkpointing: false, seminorm: true)),
    ]

    /// The largest |a − b| / max(1, |b|), as GradientTests measures agreement.
    static func componentwise(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
    }

    /// ‖a − b‖∞ / ‖b‖∞: agreement of a whole gradient whose components differ in scale.
    static func normwise(_ a: [Double], _ b: [Double]) -> Double {
        let scale = b.map(Swift.abs).max() ?? 0
        return (zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0) / Swift.max(scale, .leastNormalMagnitude)
    }

    // MARK: Lotka–Volterra (DiffEqFlux's gradient example)

    let lvP: [Double] = [1.5, 1, 3, 1]
    let lvU0: [Double] = [1, 1]

    func lotkaVolterra(_ alg: SensitivityAlgorithm, _ adjoint: AdjointOptions = AdjointOptions(),
                       saveat: SolverOptions.SaveAt = .every(0.1), tspan: (Double, Double) = (0, 10),
                       tol: Double = 1e-10) throws -> DifferentiableSolve {
        var o = SolverOptions()
        o.reltol = .scalar(tol); o.abstol = .scalar(tol); o.saveat = saveat
        return try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: tspan, tableau: ButcherTableau.dp5(),
                                       options: o, sensealg: alg, adjointOptions: adjoint)
    }

    /// Central differences of a loss, each solve at the solve's own tolerance.
    static func finiteDifferences(_ ds: DifferentiableSolve, u0: [Double], p: [Double], components: [Int], h: Double,
                                  loss: (ODESolution) -> Double) throws -> [Double] {
        let n = u0.count
        return try components.map { k in
            var up = u0 + p, um = u0 + p
            up[k] += h; um[k] -= h
            let fp = loss(try ds.solve(u0: Array(up[0..<n]), p: Array(up[n...])))
            let fm = loss(try ds.solve(u0: Array(um[0..<n]), p: Array(um[n...])))
            return (fp - fm) / (2 * h)
        }
    }

    func testLotkaVolterraAdjointsAgreeWithForwardSensitivitiesAndFiniteDifferences() throws {
        let forward = try lotkaVolterra(.forward).gradient(u0: lvU0, p: lvP, loss: GradientTests.sumLoss)
        let reference = forward.du0 + forward.dp
        let fd = try Self.finiteDifferences(try lotkaVolterra(.forward), u0: lvU0, p: lvP, components: Array(0..<6), h: 1e-6) {
            $0.values.reduce(0, +)
        }
        XCTAssertLessThanOrEqual(Self.componentwise(reference, fd), 1e-5, "forward sensitivities vs central differences")
        var lines: [String] = []
        for alg in Self.adjoints {
            var steps: [String: Int] = [:]
            for (name, options) in Self.variants {
                let ds = try lotkaVolterra(alg, options)
                let g = try ds.gradient(u0: lvU0, p: lvP, loss: GradientTests.sumLoss)
                let mine = g.du0 + g.dp
                let vsForward = Self.componentwise(mine, reference), vsFD = Self.componentwise(mine, fd)
                XCTAssertEqual(g.value, forward.value, accuracy: 1e-8 * Swift.abs(forward.value))
                XCTAssertLessThanOrEqual(vsForward, 1e-6, "\(alg) \(name) vs forward sensitivities")
                XCTAssertLessThanOrEqual(vsFD, 1e-5, "\(alg) \(name) vs central differences")
                let stats = try XCTUnwrap(ds.adjointStats)
                steps[name] = stats.naccept
                lines.append("LV \(alg.rawValue) \(name): vs forward \(vsForward), vs fd \(vsFD), backward \(stats)"
                             + (ds.checkpointStats.map { ", re-solves \($0)" } ?? ""))
            }
            // The seminorm leaves μ (and the re-integrated u) out of the error norm: never more steps.
            for base in ["checkpointed", "plain"] {
                XCTAssertLessThanOrEqual(try XCTUnwrap(steps[base + "+seminorm"]), try XCTUnwrap(steps[base]), "\(alg) \(base)")
            }
        }
        print(lines.joined(separator: "\n"))
    }

    func testUnsavedStartAndEndAndABackwardTimeSpan() throws {
        // t₀ and the end not among the saved times (the last interval runs to t₀ with no jump
        // there), a weighted loss, and the same problem solved backwards in time.
        let weights: [Double] = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1]
        let loss: (ODESolution) -> (value: Double, ybar: [Double]) = { sol in
            (zip(sol.values, weights).reduce(0) { $0 + $1.0 * $1.1 }, Array(weights.prefix(sol.values.count)))
        }
        for (tspan, times) in [((0.0, 3.0), [0.5, 1.25, 2.5]), ((3.0, 0.0), [2.5, 1.25, 0.5])] {
            let reference = try lotkaVolterra(.forward, saveat: .times(times), tspan: tspan)
                .gradient(u0: lvU0, p: lvP, loss: loss)
            for alg in Self.adjoints {
                for (name, options) in Self.variants {
                    let g = try lotkaVolterra(alg, options, saveat: .times(times), tspan: tspan).gradient(u0: lvU0, p: lvP, loss: loss)
                    let error = Self.componentwise(g.du0 + g.dp, reference.du0 + reference.dp)
                    XCTAssertLessThanOrEqual(error, 1e-7, "\(alg) \(name) on \(tspan)")
                }
            }
        }
    }

    func testAdjointsAreTapePrimitives() throws {
        // The tape's `solve` primitive pulls back through a continuous adjoint like any other.
        let data = try lotkaVolterra(.forward, tol: 1e-8).solve(u0: lvU0, p: lvP).values
        let pTrial: [Double] = [1.2, 0.8, 2.8, 0.8]
        let reference = try lotkaVolterra(.forward, tol: 1e-8).gradient(u0: lvU0, p: pTrial) { sol in
            (0, zip(sol.values, data).map { 2 * ($0 - $1) })
        }
        for alg in Self.adjoints {
            let ds = try lotkaVolterra(alg, tol: 1e-8)
            let tape = Tape()
            let pv = tape.variable(pTrial, .vector(4))
            let uv = tape.variable(lvU0, .vector(2))
            let pred = try tape.solve(ds, u0: uv, p: pv)
            let loss = sum(abs2(pred .- tape.constant(data, pred.shape)))
            let g = try tape.gradient(of: loss, wrt: [uv, pv])
            XCTAssertLessThanOrEqual(Self.componentwise(g[0] + g[1], reference.du0 + reference.dp), 1e-4, "\(alg)")
        }
    }

    func testAFailedBackwardSolveIsAnError() throws {
        var adjoint = AdjointOptions()
        adjoint.abstol = 1e-10
        adjoint.reltol = 1e-10
        var o = SolverOptions()
        o.saveat = .every(0.1)
        o.maxiters = 200
        for alg in Self.adjoints {
            let ds = try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: (0, 10),
                                             tableau: ButcherTableau.dp5(), options: o, sensealg: alg, adjointOptions: adjoint)
            XCTAssertThrowsError(try ds.gradient(u0: lvU0, p: lvP, loss: GradientTests.sumLoss), "\(alg)") { e in
                XCTAssertTrue("\(e)".contains("backward") && "\(e)".contains("MaxIters"), "\(e)")
            }
        }
    }

    func testOtherMethodsAndFixedSteps() throws {
        // The backward solve uses the forward solve's method: BS3 (Hermite dense output) with
        // adaptive steps, and RK4 with fixed steps (the backward solve takes the same dt).
        let rhs = try CompiledRHS(CompiledRHSTests.lvGraph())
        for (name, adaptive, tolerance) in [("BS3", true, 1e-6), ("RK4", false, 1e-6)] {
            var o = SolverOptions()
            o.saveat = .every(0.25)
            if adaptive { o.reltol = 1e-9; o.abstol = 1e-9 } else { o.adaptive = false; o.dt = 0.005 }
            let tableau = try MethodRegistry.method(named: name)
            let reference = try DifferentiableSolve(rhs, tspan: (0, 3), tableau: tableau, options: o, sensealg: .forward)
                .gradient(u0: lvU0, p: lvP, loss: GradientTests.sumLoss)
            for alg in Self.adjoints {
                for (variant, options) in Self.variants {
                    let ds = try DifferentiableSolve(rhs, tspan: (0, 3), tableau: tableau, options: o, sensealg: alg, adjointOptions: options)
                    let g = try ds.gradient(u0: lvU0, p: lvP, loss: GradientTests.sumLoss)
                    let error = Self.componentwise(g.du0 + g.dp, reference.du0 + reference.dp)
                    XCTAssertLessThanOrEqual(error, tolerance, "\(name) \(alg) \(variant)")
                }
            }
        }
    }

    // MARK: Spiral neural ODE (DiffEqFlux's getting-started example)

    enum Spiral {
        static let hidden = 50
        static let w1 = 0, b1 = 100, w2 = 150, b2 = 250, count = 252
        static let times = (0..<30).map { 1.5 * Double($0) / 29 }
        static let u0: [Double] = [2, 0]

        /// du = W2 tanh.(W1 u.^3 + b1) + b2, as Benchmarks/fluxion-bench/RHSCases.swift traces it.
        static func graph() throws -> Graph {
            try trace([GraphInput("u", .vector(2)), GraphInput("p", .vector(count)), GraphInput("t", .scalar)]) { x in
                let (u, p) = (x[0], x[1])
                let W1 = p[w1..<b1].reshaped(.matrix(hidden, 2)), bias1 = p[b1..<w2]
                let W2 = p[w2..<b2].reshaped(.matrix(2, hidden)), bias2 = p[b2..<count]
                return W2 * tanh(W1 * pow(u, 3.0) + bias1) + bias2
            }
        }

        /// Glorot-uniform weights and small biases from a fixed seed.
        static func parameters() -> [Double] {
            var rng = Xoshiro256StarStar(seed: 2018)
            let limit = (6.0 / Double(2 + hidden)).squareRoot()
            var p = randomValues(count, &rng, in: -limit...limit)
            for j in b1..<w2 { p[j] *= 0.1 }
            for j in b2..<count { p[j] *= 0.1 }
            return p
        }

        /// The true spiral u′ = ((u.^3)ᵀ A)ᵀ with A = [−0.1 2; −2 −0.1], saved at `times`.
        static func data() throws -> [Double] {
            var o = SolverOptions()
            o.reltol = 1e-10; o.abstol = 1e-10; o.saveat = .times(times)
            let sol = DiffEq.solve(ODEProblem({ du, u, _, _ in
                let a = u[0] * u[0] * u[0], b = u[1] * u[1] * u[1]
                du[0] = -0.1 * a - 2.0 * b
                du[1] = 2.0 * a - 0.1 * b
            }, u0: u0, tspan: (0, 1.5)), try ButcherTableau.dp5(), options: o)
            return sol.values
        }

        static func loss(_ data: [Double]) -> (ODESolution) -> (value: Double, ybar: [Double]) {
            { sol in
                var value = 0.0
                var ybar = [Double](repeating: 0, count: sol.values.count)
                for (i, (a, b)) in zip(sol.values, data).enumerated() { value += (a - b) * (a - b); ybar[i] = 2 * (a - b) }
                return (value, ybar)
            }
        }

        static func solve(_ rhs: CompiledRHS, _ alg: SensitivityAlgorithm, _ adjoint: AdjointOptions = AdjointOptions(),
                          tol: Double = 1e-8) throws -> DifferentiableSolve {
            var o = SolverOptions()
            o.reltol = .scalar(tol); o.abstol = .scalar(tol); o.saveat = .times(times)
            return try DifferentiableSolve(rhs, tspan: (0, 1.5), tableau: ButcherTableau.dp5(), options: o,
                                           sensealg: alg, adjointOptions: adjoint)
        }
    }

    func testSpiralNeuralODEAdjointsAgreeWithTheDiscreteAdjointAndFiniteDifferences() throws {
        let rhs = try CompiledRHS(Spiral.graph())
        XCTAssertEqual(rhs.parameters, 252)
        let p = Spiral.parameters()
        let data = try Spiral.data()
        let loss = Spiral.loss(data)
        let discrete = try Spiral.solve(rhs, .discreteAdjoint).gradient(u0: Spiral.u0, p: p, loss: loss)
        let reference = discrete.du0 + discrete.dp
        XCTAssertGreaterThan(discrete.value, 0.1, "the untrained network misses the data")

        // Central differences on u₀ and a few parameters of each layer, from tight solves.
        let components = [0, 1, 2 + 3, 2 + 77, 2 + 120, 2 + 180, 2 + 251]
        let fd = try Self.finiteDifferences(try Spiral.solve(rhs, .forward, tol: 1e-12), u0: Spiral.u0, p: p,
                                            components: components, h: 1e-4) { loss($0).value }
        let scale = reference.map(Swift.abs).max() ?? 1
        let discreteVsFD = zip(components, fd).map { Swift.abs(reference[$0] - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(discreteVsFD / scale, 1e-5, "discrete adjoint vs central differences")

        var lines = ["spiral: loss \(discrete.value), ‖∇‖∞ \(scale), discrete adjoint vs fd \(discreteVsFD / scale)"]
        var gradients: [[Double]] = []
        for alg in Self.adjoints {
            var steps: [String: Int] = [:]
            for (name, options) in Self.variants {
                let ds = try Spiral.solve(rhs, alg, options)
                let g = try ds.gradient(u0: Spiral.u0, p: p, loss: loss)
                let mine = g.du0 + g.dp
                gradients.append(mine)
                let vsDiscrete = Self.normwise(mine, reference)
                let vsFD = (zip(components, fd).map { Swift.abs(mine[$0] - $1) }.max() ?? 0) / scale
                XCTAssertLessThanOrEqual(vsDiscrete, 1e-4, "\(alg) \(name) vs the discrete adjoint")
                XCTAssertLessThanOrEqual(vsFD, 1e-4, "\(alg) \(name) vs central differences")
                let stats = try XCTUnwrap(ds.adjointStats)
                steps[name] = stats.naccept
                lines.append("spiral \(alg.rawValue) \(name): vs discrete \(vsDiscrete), vs fd \(vsFD), backward \(stats)"
                             + (ds.checkpointStats.map { ", re-solves \($0)" } ?? ""))
            }
            for base in ["checkpointed", "plain"] {
                XCTAssertLessThanOrEqual(try XCTUnwrap(steps[base + "+seminorm"]), try XCTUnwrap(steps[base]), "\(alg) \(base)")
            }
        }
        var spread = 0.0
        for a in gradients { for b in gradients { spread = Swift.max(spread, Self.normwise(a, b)) } }
        XCTAssertLessThanOrEqual(spread, 1e-4, "the adjoints agree with each other")
        lines.append("spiral: largest disagreement between any two continuous adjoints \(spread)")
        print(lines.joined(separator: "\n"))
    }
}
