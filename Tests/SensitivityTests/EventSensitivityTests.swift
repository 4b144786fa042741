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

    func testEventsNeedForwardSensitivities() throws {
        let f = try trace(.vector(2), .vector(2)) { u, p, t in [u[1], -p[0]] }
        let condition = try trace([GraphInput("u", .vector(2)), GraphInput("p", .vector(2)), GraphInput("t", .scalar)]) { x in x[0][0] }
        let affect = try trace([GraphInput("u", .vector(2)), GraphInput("p", .vector(2)), GraphInput("t", .scalar)]) { x in x[0] }
        var o = SolverOptions()
        o.saveat = .times([1])
        XCTAssertThrowsError(try DifferentiableSolve(CompiledRHS(f), tspan: (0, 1), tableau: .dp5(), options: o,
                                                     sensealg: .discreteAdjoint,
                                                     events: [DifferentiableEvent(condition: condition, affect: affect)])) { e in
            XCTAssertTrue("\(e)".contains("ForwardSensitivity"), "\(e)")
        }
    }
}
