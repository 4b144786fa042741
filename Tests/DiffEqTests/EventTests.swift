import DiffEq
import Foundation
import XCTest

/// Records what callbacks saw: the times, the condition index and the direction of each event.
final class EventLog {
    var times: [Double] = []
    var indices: [Int] = []
    var upward: [Bool] = []
    func note(_ integrator: ODEIntegrator, index: Int = 0, up: Bool = true) {
        times.append(integrator.t)
        indices.append(index)
        upward.append(up)
    }
}

/// Problems with closed-form events.
enum EventProblems {
    /// A ball falling from rest at height h0: u = (height, velocity).
    static func ball(h0: Double = 10, g: Double = 9.81, tEnd: Double) -> ODEProblem {
        ODEProblem({ du, u, p, _ in
            du[0] = u[1]
            du[1] = -p[0]
        }, u0: [h0, 0], tspan: (0, tEnd), p: [g])
    }

    /// Bounce times: t₁ = √(2h₀/g), then flights of 2 eᵏ v₁ / g.
    static func bounceTimes(h0: Double = 10, g: Double = 9.81, e: Double, count: Int) -> [Double] {
        let t1 = (2 * h0 / g).squareRoot(), v1 = g * t1
        var times = [t1]
        for k in 1..<count { times.append(times[k - 1] + 2 * Foundation.pow(e, Double(k)) * v1 / g) }
        return times
    }

    /// x″ = −ω² x as (x, v), x = sin(ωt).
    static func oscillator(omega: Double, tEnd: Double) -> ODEProblem {
        ODEProblem({ du, u, p, _ in
            du[0] = u[1]
            du[1] = -p[0] * p[0] * u[0]
        }, u0: [0, omega], tspan: (0, tEnd), p: [omega])
    }

    static func options(tol: Double, _ callback: CallbackSet) -> SolverOptions {
        var o = SolverOptions()
        o.reltol = .scalar(tol)
        o.abstol = .scalar(tol)
        o.callback = callback
        return o
    }

    /// The registered methods with an error estimate, each with a tolerance that suits its order.
    static func adaptiveMethods() throws -> [(name: String, tableau: ButcherTableau, tol: Double)] {
        try MethodRegistry.builders.compactMap { entry in
            let tableau = try entry.make()
            guard tableau.isAdaptive else { return nil }
            let tol = tableau.order >= 4 ? 1e-10 : (tableau.order >= 3 ? 1e-8 : 1e-6)
            return (entry.name, tableau, tol)
        }
    }
}

final class EventTests: XCTestCase {
    /// The bouncing ball with restitution e: a downward crossing of the height reverses and
    /// damps the velocity. Both the SciML example (one affect for both directions) and an
    /// affect on downward crossings only.
    func bounce(_ tableau: ButcherTableau, tol: Double, bothDirections: Bool) -> (ODESolution, EventLog) {
        let e = 0.8
        let log = EventLog()
        let affect: EventAffect = { i in
            log.note(i)
            i.u[1] = -e * i.u[1]
        }
        let cb = bothDirections
            ? ContinuousCallback(condition: { u, _, _ in u[0] }, affect: affect)
            : ContinuousCallback(condition: { u, _, _ in u[0] }, affect: nil, affectNeg: affect)
        // Five bounces; the end lies between the fifth and the sixth.
        let sol = solve(EventProblems.ball(tEnd: 8.6), tableau, options: EventProblems.options(tol: tol, CallbackSet(cb)))
        return (sol, log)
    }

    func testBouncingBallMatchesClosedFormWithDP5() throws {
        let expected = EventProblems.bounceTimes(e: 0.8, count: 5)
        for both in [true, false] {
            let (sol, log) = bounce(try ButcherTableau.dp5(), tol: 1e-10, bothDirections: both)
            XCTAssertEqual(sol.retcode, .success)
            XCTAssertEqual(log.times.count, 5, "bounces (both directions: \(both))")
            for (t, te) in zip(log.times, expected) { XCTAssertEqual(t, te, accuracy: 1e-8) }
            // Both sides of every bounce are saved: the same time twice, the velocity reversed
            // and damped, the height not yet below the floor (left root).
            for te in log.times {
                let at = sol.t.indices.filter { sol.t[$0] == te }
                XCTAssertEqual(at.count, 2, "saves at \(te)")
                guard at.count == 2 else { continue }
                let before = sol[at[0]], after = sol[at[1]]
                XCTAssertGreaterThanOrEqual(before[before.startIndex], 0)
                XCTAssertEqual(before[before.startIndex], after[after.startIndex])
                XCTAssertEqual(after[after.startIndex + 1], -0.8 * before[before.startIndex + 1], accuracy: 1e-12)
                XCTAssertLessThan(before[before.startIndex + 1], 0)
            }
            XCTAssertTrue(sol.component(0).allSatisfy { $0 >= -1e-9 })
        }
    }

    func testBouncingBallWithEveryAdaptiveMethod() throws {
        let expected = EventProblems.bounceTimes(e: 0.8, count: 5)
        for (name, tableau, tol) in try EventProblems.adaptiveMethods() {
            let (sol, log) = bounce(tableau, tol: tol, bothDirections: true)
            XCTAssertEqual(sol.retcode, .success, name)
            XCTAssertEqual(log.times.count, 5, name)
            // Every method of order ≥ 2 integrates the parabola exactly; Euler does not.
            let accuracy = tableau.order >= 2 ? 1e-8 : 5e-2
            for (t, te) in zip(log.times, expected) { XCTAssertEqual(t, te, accuracy: accuracy, name) }
        }
    }

    /// u′ = r u reaches the level L at t* = ln(L)/r; the affect terminates. The solve ends at
    /// t* with retcode terminated; as in SciML, the state is saved before and after the
    /// affect (the same state here, since terminate! leaves u alone).
    func testThresholdTerminatesAtTheCrossing() throws {
        let r = 1.3, level = 50.0
        let exact = Foundation.log(level) / r
        for quiet in [false, true] {
            let cb = ContinuousCallback(condition: { u, _, _ in u[0] - level }, affect: { i in
                i.terminate()
                if quiet { i.uModified(false) }
            })
            let problem = ODEProblem({ du, u, p, _ in du[0] = p[0] * u[0] }, u0: [1], tspan: (0, 10), p: [r])
            let sol = solve(problem, try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-12, CallbackSet(cb)))
            XCTAssertEqual(sol.retcode, .terminated)
            let last = sol.t.count - 1
            XCTAssertEqual(sol.t[last], exact, accuracy: 1e-10)
            XCTAssertEqual(sol[last][sol[last].startIndex], level, accuracy: 1e-9)
            XCTAssertLessThanOrEqual(sol[last][sol[last].startIndex], level * (1 + 1e-12))
            // Before and after the affect, unless the affect said it changed nothing.
            XCTAssertEqual(sol.t.filter { $0 == sol.t[last] }.count, quiet ? 1 : 2)
            XCTAssertLessThan(sol.t[last - (quiet ? 1 : 2)], sol.t[last])
        }
    }

    /// Counts the zeros of x = sin(ωt) in (0, T] through callbacks on x in both directions.
    func countZeros(_ problem: ODEProblem, _ tableau: ButcherTableau, tol: Double, points: Int = 10,
                    dtmax: Double? = nil, condition: @escaping EventCondition = { u, _, _ in u[0] }) -> (ODESolution, EventLog) {
        let log = EventLog()
        let cb = ContinuousCallback(condition: condition, affect: { i in log.note(i, up: true) },
                                    affectNeg: { i in log.note(i, up: false) }, savePositions: (false, false),
                                    interpolationPoints: points)
        var o = EventProblems.options(tol: tol, CallbackSet(cb))
        o.dtmax = dtmax
        return (solve(problem, tableau, options: o), log)
    }

    func testFastOscillatorCrossingsAreNeitherMissedNorDuplicated() throws {
        let omega = 50.0, zeros = 200
        // The end lies halfway between two zeros, so a small phase error cannot change the count.
        let tEnd = (Double(zeros) + 0.5) * Double.pi / omega
        let problem = EventProblems.oscillator(omega: omega, tEnd: tEnd)
        let exact = (1...zeros).map { Double($0) * Double.pi / omega }

        // Tight: every crossing where sin vanishes, alternating down (at π/ω) and up.
        let (sol, log) = countZeros(problem, try ButcherTableau.dp5(), tol: 1e-10)
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(log.times.count, zeros)
        for (k, (t, te)) in zip(log.times, exact).enumerated() {
            XCTAssertEqual(t, te, accuracy: 1e-7)
            XCTAssertEqual(log.upward[k], k % 2 == 1)
        }
        // t = 0 is a zero too, but starting on the surface is no event.
        XCTAssertGreaterThan(log.times.first ?? 0, 0)

        // Loose: every sign change of the computed solution is found once, in order, and
        // alternating in direction. At 1e-3 that is still the exact count; at 1e-2 the
        // computed phase may drift by a quarter period, and only the first holds.
        for (tol, count) in [(1e-3, zeros), (1e-2, nil)] {
            let (loose, looseLog) = countZeros(problem, try ButcherTableau.dp5(), tol: tol)
            var changes = 0, previous = 0.0
            for i in 1...40_000 {
                let x = loose(tEnd * Double(i) / 40_000)?.first ?? 0
                if x * previous < 0 { changes += 1 }
                if x != 0 { previous = x }
            }
            XCTAssertEqual(looseLog.times.count, changes, "tol \(tol)")
            if let count { XCTAssertEqual(looseLog.times.count, count, "tol \(tol)") }
            XCTAssertFalse(zip(looseLog.upward, looseLog.upward.dropFirst()).contains { $0 == $1 })
            XCTAssertEqual(looseLog.times, looseLog.times.sorted())
        }
    }

    /// A phase φ′ = ω integrates exactly with any step, so fixed steps of 3.2 half-periods of
    /// sin φ are exact, and each holds three crossings: only the interior interpolation
    /// points find the first of them (then the step is cut there, and the next step starts).
    func testCrossingsInsideLongStepsAreFoundInOrder() throws {
        let omega = 50.0, zeros = 120
        let halfPeriod = Double.pi / omega
        let tEnd = (Double(zeros) + 0.5) * halfPeriod
        let phase = ODEProblem({ du, _, p, _ in du[0] = p[0] }, u0: [0], tspan: (0, tEnd), p: [omega])
        let condition: EventCondition = { u, _, _ in Foundation.sin(u[0]) }
        func run(points: Int, adaptive: Bool) throws -> (ODESolution, EventLog) {
            let log = EventLog()
            let cb = ContinuousCallback(condition: condition, affect: { log.note($0, up: true) },
                                        affectNeg: { log.note($0, up: false) }, savePositions: (false, false),
                                        interpolationPoints: points)
            var o = EventProblems.options(tol: 1e-6, CallbackSet(cb))
            o.adaptive = adaptive
            o.dt = adaptive ? nil : 3.2 * halfPeriod
            o.dtmax = 3.2 * halfPeriod
            return (solve(phase, adaptive ? try ButcherTableau.dp5() : try ButcherTableau.rk4(), options: o), log)
        }
        for adaptive in [false, true] {
            let (sol, log) = try run(points: 10, adaptive: adaptive)
            XCTAssertEqual(sol.retcode, .success)
            XCTAssertEqual(log.times.count, zeros)
            for (k, t) in log.times.enumerated() {
                XCTAssertEqual(t, Double(k + 1) * halfPeriod, accuracy: 1e-10)
                XCTAssertEqual(log.upward[k], k % 2 == 1)
            }
        }
        // With one point per step, the sign at the end of a step says nothing about the
        // crossings inside it: they are missed, or one of them is found out of turn.
        let (_, coarse) = try run(points: 1, adaptive: false)
        let inTurn = coarse.times.count == zeros
            && zip(coarse.times, 1...zeros).allSatisfy { abs($0 - Double($1) * halfPeriod) < 1e-10 }
        XCTAssertFalse(inTurn)
    }

    /// A ball in the unit box with constant velocity: four walls, one vector callback, and the
    /// wall's index passed to the affect. Unfolded, x = x₀ + vₓt crosses integers.
    func testVectorCallbackBallInABox() throws {
        let x0 = 0.3, y0 = 0.6, vx = 0.7, vy = -1.3, tEnd = 6.0
        var expected: [(t: Double, index: Int)] = []
        for k in 1...10 {
            let tx = (Double(k) - x0) / vx                     // X crosses k: the right wall when k is odd
            if tx < tEnd { expected.append((tx, k % 2 == 1 ? 1 : 0)) }
            let ty = (y0 + Double(k - 1)) / -vy                // Y crosses −(k−1): the floor when k is odd
            if ty < tEnd { expected.append((ty, k % 2 == 1 ? 2 : 3)) }
        }
        expected.sort { $0.t < $1.t }
        let log = EventLog()
        let walls = VectorContinuousCallback(condition: { out, u, _, _ in
            out[0] = u[0]; out[1] = 1 - u[0]; out[2] = u[1]; out[3] = 1 - u[1]
        }, affect: { i, index in
            log.note(i, index: index)
            if index < 2 { i.u[2] = -i.u[2] } else { i.u[3] = -i.u[3] }
        }, length: 4)
        let problem = ODEProblem({ du, u, _, _ in
            du[0] = u[2]; du[1] = u[3]; du[2] = 0; du[3] = 0
        }, u0: [x0, y0, vx, vy], tspan: (0, tEnd))
        for (name, tableau, tol) in try EventProblems.adaptiveMethods() {
            let sol = solve(problem, tableau, options: EventProblems.options(tol: tol, CallbackSet(walls)))
            XCTAssertEqual(sol.retcode, .success, name)
            XCTAssertEqual(log.indices, expected.map(\.index), name)
            // Linear motion is integrated exactly; what is left is how exactly each method's
            // dense output reproduces it (Vern8's to about 1e-9).
            for (t, e) in zip(log.times, expected) { XCTAssertEqual(t, e.t, accuracy: 1e-8, name) }
            XCTAssertTrue(sol.component(0).allSatisfy { $0 >= -1e-12 && $0 <= 1 + 1e-12 }, name)
            XCTAssertTrue(sol.component(1).allSatisfy { $0 >= -1e-12 && $0 <= 1 + 1e-12 }, name)
            log.times = []; log.indices = []; log.upward = []
        }
    }

    /// Events backwards in time: u′ = −u from 0 to −5 grows as e^{−t} and reaches 10 at
    /// t = −ln 10. Directions are those of integration: there the condition goes up.
    func testReverseTimeThreshold() throws {
        let problem = ODEProblem({ du, u, _, _ in du[0] = -u[0] }, u0: [1], tspan: (0, -5))
        let up = ContinuousCallback(condition: { u, _, _ in u[0] - 10 }, affect: { $0.terminate() }, affectNeg: nil)
        let sol = solve(problem, try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-10, CallbackSet(up)))
        XCTAssertEqual(sol.retcode, .terminated)
        XCTAssertEqual(sol.t.last ?? 0, -Foundation.log(10), accuracy: 1e-9)
        XCTAssertEqual(sol[sol.t.count - 1].first ?? 0, 10, accuracy: 1e-8)

        let down = ContinuousCallback(condition: { u, _, _ in u[0] - 10 }, affect: nil, affectNeg: { $0.terminate() })
        let through = solve(problem, try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-10, CallbackSet(down)))
        XCTAssertEqual(through.retcode, .success)
        XCTAssertEqual(through.t.last, -5)

        // The bouncing ball backwards in time, from its apex after the first bounce (t = 2t₁):
        // it falls (backwards) to the floor at t₁, bounces, and is back at 10 at t = 0.
        let t1 = (2 * 10 / 9.81).squareRoot()
        let apex = ODEProblem({ du, u, p, _ in du[0] = u[1]; du[1] = -p[0] }, u0: [10, 0], tspan: (2 * t1, 0), p: [9.81])
        let log = EventLog()
        let reverseBounce = ContinuousCallback(condition: { u, _, _ in u[0] }, affect: { i in
            log.note(i)
            i.u[1] = -i.u[1]
        })
        let sol2 = solve(apex, try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-10, CallbackSet(reverseBounce)))
        XCTAssertEqual(sol2.retcode, .success)
        XCTAssertEqual(log.times.count, 1)
        XCTAssertEqual(log.times.first ?? 0, t1, accuracy: 1e-9)
        XCTAssertEqual(sol2[sol2.t.count - 1].first ?? 0, 10, accuracy: 1e-8)
    }
}
