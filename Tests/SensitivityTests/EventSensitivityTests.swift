import Autodiff
import DiffEq
import Sensitivity
import XCTest

/// Sensitivities through events: the bouncing ball's height at t = 15 with respect to the
/// restitution (and gravity, and the initial state), against central differences.
final class EventSensitivityTests: XCTestCase {
    func bouncingBall(tolerance: Double) throws -> DifferentiableSolve {
        let f = try trace(.vector(2), .vector(2)) { u, p, t in [u[1], -p[0]] }
        let condition = try trace([GraphInput("u", .vector(2)), GraphInput("p", .vector(2)), GraphInput("t", .scalar)]) { x in
            x[0][0]
        }
        let affect = try trace([GraphInput("u", .vector(2)), GraphInput("p", .vector(2)), GraphInput("t", .scalar)]) { x in
            vcat(x[0][0], -x[1][1] * x[0][1])
        }
        var o = SolverOptions()
        o.reltol = .scalar(tolerance); o.abstol = .scalar(tolerance); o.saveat = .times([15])
        return try DifferentiableSolve(CompiledRHS(f), tspan: (0, 15), tableau: .dp5(), options: o,
                                       events: [DifferentiableEvent(condition: condition, affect: affect, direction: .down)])
    }

    func testHeightAtFifteenWithRespectToRestitution() throws {
        let u0: [Double] = [50, 0], p: [Double] = [9.81, 0.9]
        let ds = try bouncingBall(tolerance: 1e-11)
        XCTAssertEqual(ds.sensealg, .forward)
        let heightLoss: (ODESolution) -> (value: Double, ybar: [Double]) = { sol in (sol.values[0], [1, 0]) }
        let g = try ds.gradient(u0: u0, p: p, loss: heightLoss)
        // Closed form of the forward solve: three bounces before t = 15, then in flight.
        let t1 = (2 * u0[0] / p[0]).squareRoot(), v1 = p[0] * t1
        var t = t1, v = v1
        while true {
            let flight = 2 * p[1] * v / p[0]
            if t + flight > 15 { break }
            t += flight; v *= p[1]
        }
        let s = 15 - t, launch = p[1] * v
        XCTAssertEqual(g.value, launch * s - 0.5 * p[0] * s * s, accuracy: 1e-7)
        // Central differences of the solve (each at the same tight tolerance).
        let h = 1e-6
        func height(_ u0: [Double], _ p: [Double]) throws -> Double { try ds.solve(u0: u0, p: p).values[0] }
        let fdRestitution = (try height(u0, [p[0], p[1] + h]) - height(u0, [p[0], p[1] - h])) / (2 * h)
        let fdGravity = (try height(u0, [p[0] + h, p[1]]) - height(u0, [p[0] - h, p[1]])) / (2 * h)
        let fdHeight = (try height([u0[0] + h, 0], p) - height([u0[0] - h, 0], p)) / (2 * h)
        XCTAssertEqual(g.dp[1], fdRestitution, accuracy: 1e-5 * max(1, abs(fdRestitution)))
        XCTAssertEqual(g.dp[0], fdGravity, accuracy: 1e-5 * max(1, abs(fdGravity)))
        XCTAssertEqual(g.du0[0], fdHeight, accuracy: 1e-5 * max(1, abs(fdHeight)))
        XCTAssertGreaterThan(abs(g.dp[1]), 1, "the restitution matters at t = 15")
    }

    /// Every sensitivity algorithm and adjoint setting differentiated through events.
    static let algorithms: [(String, SensitivityAlgorithm, AdjointOptions)] = [
        ("forward", .forward, AdjointOptions()),
        ("discrete", .discreteAdjoint, AdjointOptions()),
        ("discrete checkpointed", .discreteAdjoint, { var o = AdjointOptions(checkpointing: true); o.stepsPerCheckpoint = 3; return o }()),
        ("backsolve", .backsolveAdjoint, AdjointOptions()),
        ("interpolating", .interpolatingAdjoint, AdjointOptions()),
        ("interpolating checkpointed", .interpolatingAdjoint, { var o = AdjointOptions(checkpointing: true); o.stepsPerCheckpoint = 3; return o }()),
        ("quadrature", .quadratureAdjoint, AdjointOptions()),
        ("gauss", .gaussAdjoint, AdjointOptions()),
    ]

    /// A ball bouncing on a floor at height p[2] under gravity p[0] + 0.5 sin(t) (so f depends
    /// on t) with cubic drag (so the adjoint reads u on the right side of each bounce), restitution p[1]; the loss weighs the heights and speeds saved at four times.
    func bouncingBallProblem(_ sensealg: SensitivityAlgorithm, _ adjoint: AdjointOptions) throws -> DifferentiableSolve {
        let f = try trace(.vector(2), .vector(3)) { u, p, t in [u[1], -p[0] + 0.5 * sin(t) - 1e-4 * u[1] * u[1] * u[1]] }
        let inputs = [GraphInput("u", .vector(2)), GraphInput("p", .vector(3)), GraphInput("t", .scalar)]
        let condition = try trace(inputs) { x in x[0][0] - x[1][2] }
        let affect = try trace(inputs) { x in vcat(x[0][0], -x[1][1] * x[0][1]) }
        var o = SolverOptions()
        o.reltol = .scalar(1e-11); o.abstol = .scalar(1e-11); o.saveat = .times([2, 5, 9, 15])
        return try DifferentiableSolve(CompiledRHS(f), tspan: (0, 15), tableau: .dp5(), options: o, sensealg: sensealg,
                                       adjointOptions: adjoint,
                                       events: [DifferentiableEvent(condition: condition, affect: affect, direction: .down)])
    }

    static let weights: [Double] = [1, 0.3, -0.5, 0.2, 2, -0.1, 0.7, 0.4]

    func weightedLoss(_ sol: ODESolution) -> (value: Double, ybar: [Double]) {
        (zip(sol.values, Self.weights).reduce(0) { $0 + $1.0 * $1.1 }, Self.weights)
    }

    /// Every algorithm agrees with forward sensitivities and central differences through three
    /// bounces, with u and p (including the floor, which enters the event condition only).
    func testEveryAlgorithmThroughEvents() throws {
        let u0: [Double] = [50, 0], p: [Double] = [9.81, 0.9, 0.5]
        let reference = try bouncingBallProblem(.forward, AdjointOptions())
        let exact = try reference.gradient(u0: u0, p: p, loss: weightedLoss)
        // Central differences of the forward solve.
        let h = 1e-6
        func loss(_ u0: [Double], _ p: [Double]) throws -> Double { weightedLoss(try reference.solve(u0: u0, p: p)).value }
        var fd = [Double]()
        for k in 0..<5 {
            var up = u0, um = u0, pp = p, pm = p
            if k < 2 { up[k] += h; um[k] -= h } else { pp[k - 2] += h; pm[k - 2] -= h }
            fd.append((try loss(up, pp) - loss(um, pm)) / (2 * h))
        }
        let forward = exact.du0 + exact.dp
        for k in 0..<5 {
            XCTAssertEqual(forward[k], fd[k], accuracy: 1e-5 * max(1, abs(fd[k])), "forward vs FD, component \(k)")
        }
        XCTAssertGreaterThan(abs(exact.dp[2]), 0.1, "the floor height matters")
        _ = try reference.solve(u0: u0, p: p)
        XCTAssertGreaterThanOrEqual(reference.eventTimes.count, 3, "three bounces or more")
        for (name, alg, options) in Self.algorithms.dropFirst() {
            let ds = try bouncingBallProblem(alg, options)
            let g = try ds.gradient(u0: u0, p: p, loss: weightedLoss)
            XCTAssertEqual(g.value, exact.value, accuracy: 1e-6, name)
            let got = g.du0 + g.dp
            for k in 0..<5 {
                XCTAssertEqual(got[k], forward[k], accuracy: 1e-6 * max(1, abs(forward[k])), "\(name), component \(k)")
            }
        }
    }

    /// The discrete adjoint is the exact gradient of the computed solution: with fixed steps,
    /// where central differences of the solve are smooth, they agree to 1e-8.
    func testDiscreteAdjointIsExactThroughEvents() throws {
        let u0: [Double] = [50, 0], p: [Double] = [9.81, 0.9, 0.5]
        for (name, options) in [("stored", AdjointOptions()), ("checkpointed", { var o = AdjointOptions(checkpointing: true); o.stepsPerCheckpoint = 4; return o }())] {
            let f = try trace(.vector(2), .vector(3)) { u, p, t in [u[1], -p[0] + 0.5 * sin(t) - 1e-4 * u[1] * u[1] * u[1]] }
            let inputs = [GraphInput("u", .vector(2)), GraphInput("p", .vector(3)), GraphInput("t", .scalar)]
            let condition = try trace(inputs) { x in x[0][0] - x[1][2] }
            let affect = try trace(inputs) { x in vcat(x[0][0], -x[1][1] * x[0][1]) }
            var o = SolverOptions()
            o.adaptive = false; o.dt = 0.05; o.saveat = .times([2, 5, 9, 15])
            let ds = try DifferentiableSolve(CompiledRHS(f), tspan: (0, 15), tableau: .rk4(), options: o,
                                             sensealg: .discreteAdjoint, adjointOptions: options,
                                             events: [DifferentiableEvent(condition: condition, affect: affect, direction: .down)])
            let g = try ds.gradient(u0: u0, p: p, loss: weightedLoss)
            let h = 1e-6
            func loss(_ u0: [Double], _ p: [Double]) throws -> Double { weightedLoss(try ds.solve(u0: u0, p: p)).value }
            let got = g.du0 + g.dp
            for k in 0..<5 {
                var up = u0, um = u0, pp = p, pm = p
                if k < 2 { up[k] += h; um[k] -= h } else { pp[k - 2] += h; pm[k - 2] -= h }
                let fd = (try loss(up, pp) - loss(um, pm)) / (2 * h)
                XCTAssertEqual(got[k], fd, accuracy: 1e-7 * max(1, abs(fd)), "\(name), component \(k)")
            }
        }
    }

    /// The bouncing ball of the issue: d(height at 15)/d(restitution) by every algorithm.
    func testHeightAtFifteenByEveryAlgorithm() throws {
        let u0: [Double] = [50, 0], p: [Double] = [9.81, 0.9]
        let f = try trace(.vector(2), .vector(2)) { u, p, t in [u[1], -p[0]] }
        let inputs = [GraphInput("u", .vector(2)), GraphInput("p", .vector(2)), GraphInput("t", .scalar)]
        let condition = try trace(inputs) { x in x[0][0] }
        let affect = try trace(inputs) { x in vcat(x[0][0], -x[1][1] * x[0][1]) }
        var o = SolverOptions()
        o.reltol = .scalar(1e-11); o.abstol = .scalar(1e-11); o.saveat = .times([15])
        let h = 1e-6
        let reference = try bouncingBall(tolerance: 1e-11)
        let fd = (try reference.solve(u0: u0, p: [p[0], p[1] + h]).values[0]
                  - reference.solve(u0: u0, p: [p[0], p[1] - h]).values[0]) / (2 * h)
        for (name, alg, options) in Self.algorithms {
            let ds = try DifferentiableSolve(CompiledRHS(f), tspan: (0, 15), tableau: .dp5(), options: o, sensealg: alg,
                                             adjointOptions: options,
                                             events: [DifferentiableEvent(condition: condition, affect: affect, direction: .down)])
            let g = try ds.gradient(u0: u0, p: p) { sol in (sol.values[0], [1, 0]) }
            XCTAssertEqual(g.dp[1], fd, accuracy: 1e-5 * max(1, abs(fd)), name)
        }
    }

    /// A callback that is not a DifferentiableEvent is refused by every algorithm: it would
    /// change u without the sensitivities.
    func testPlainCallbacksAreRefused() throws {
        let f = try trace(.vector(2), .vector(2)) { u, p, t in [u[1], -p[0]] }
        var o = SolverOptions()
        o.saveat = .times([1])
        o.callback = CallbackSet(DiscreteCallback(condition: { _, _, _ in false }, affect: { _ in }))
        for alg in SensitivityAlgorithm.allCases {
            XCTAssertThrowsError(try DifferentiableSolve(CompiledRHS(f), tspan: (0, 1), tableau: .dp5(), options: o,
                                                         sensealg: alg)) { e in
                XCTAssertTrue("\(e)".contains("DifferentiableEvent"), "\(alg): \(e)")
            }
        }
    }
}
