import DiffEq
import Foundation
import XCTest

/// Conditions and affects that must neither hang nor crash the solver, and the edge cases of
/// where an event falls: at t₀, at a step end, at the final time, several in one step.
final class EventRobustnessTests: XCTestCase {
    /// u′ = p₀ (a clock when p₀ = 1).
    func line(p: Double = 1, u0: Double = 0, tspan: (Double, Double) = (0, 3)) -> ODEProblem {
        ODEProblem({ du, _, p, _ in du[0] = p[0] }, u0: [u0], tspan: tspan, p: [p])
    }

    func run(_ problem: ODEProblem, _ callbacks: CallbackSet, tol: Double = 1e-8,
             configure: (inout SolverOptions) -> Void = { _ in }) throws -> ODESolution {
        var o = EventProblems.options(tol: tol, callbacks)
        o.maxiters = 20_000
        configure(&o)
        return solve(problem, try ButcherTableau.dp5(), options: o)
    }

    func counter(_ log: EventLog, _ condition: @escaping EventCondition) -> ContinuousCallback {
        ContinuousCallback(condition: condition, affect: { log.note($0, up: true) }, affectNeg: { log.note($0, up: false) })
    }

    func testDegenerateConditionsFireNothing() throws {
        let log = EventLog()
        let zero = counter(log) { _, _, _ in 0 }
        let nan = counter(log) { _, _, _ in .nan }
        let sol = try run(EventProblems.oscillator(omega: 5, tEnd: 3), CallbackSet([zero, nan]))
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(log.times, [])

        // NaN for a while, then a crossing: found once, where it is.
        let partly = counter(log) { _, t, _ in t < 1 ? .nan : t - 2 }
        let sol2 = try run(line(), CallbackSet(partly))
        XCTAssertEqual(sol2.retcode, .success)
        XCTAssertEqual(log.times.count, 1)
        XCTAssertEqual(log.times.first ?? 0, 2, accuracy: 1e-12)

        // A condition that jumps from −1 to 1 without passing through zero: located at the jump.
        let jump = EventLog()
        let sign = counter(jump) { u, _, _ in u[0] < 1.5 ? -1 : 1 }
        _ = try run(line(), CallbackSet(sign))
        XCTAssertEqual(jump.times.count, 1)
        XCTAssertEqual(jump.times.first ?? 0, 1.5, accuracy: 1e-12)
    }

    func testAffectLeavingTheStateOnTheSurface() throws {
        // The affect puts u exactly on the surface and the flow carries it on: one event.
        let log = EventLog()
        let pin = ContinuousCallback(condition: { u, _, _ in u[0] - 1 }, affect: { i in
            log.note(i)
            i.u[0] = 1
        })
        let sol = try run(line(), CallbackSet(pin))
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(log.times.count, 1)
        XCTAssertEqual(sol.component(0).last ?? 0, 3, accuracy: 1e-10)

        // The affect stops the flow on the surface: the condition stays exactly 0 afterwards.
        let stopLog = EventLog()
        let stop = ContinuousCallback(condition: { u, _, _ in u[0] - 1 }, affect: { i in
            stopLog.note(i)
            i.u[0] = 1
            i.p[0] = 0
        })
        let stopped = try run(line(), CallbackSet(stop))
        XCTAssertEqual(stopped.retcode, .success)
        XCTAssertEqual(stopLog.times.count, 1)
        XCTAssertEqual(stopped.component(0).last, 1)

        // A sawtooth: each event resets u to 0, so the next is a whole unit later.
        let saw = EventLog()
        let reset = ContinuousCallback(condition: { u, _, _ in u[0] - 1 }, affect: { i in
            saw.note(i)
            i.u[0] = 0
        })
        let sawSol = try run(line(tspan: (0, 5.5)), CallbackSet(reset), tol: 1e-10)
        XCTAssertEqual(sawSol.retcode, .success)
        XCTAssertEqual(saw.times.count, 5)
        for (k, t) in saw.times.enumerated() { XCTAssertEqual(t, Double(k + 1), accuracy: 1e-9) }
    }

    func testEventsAtTheStart() throws {
        // A condition that is zero at t₀ and then grows: starting on the surface is no event.
        let log = EventLog()
        let sol = try run(line(), CallbackSet(counter(log) { _, t, _ in t }))
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(log.times, [])
        // One that crosses right after t₀ is found.
        let soon = EventLog()
        _ = try run(line(), CallbackSet(counter(soon) { _, t, _ in t - 1e-9 }))
        XCTAssertEqual(soon.times.count, 1)
        XCTAssertEqual(soon.times.first ?? 0, 1e-9, accuracy: 1e-15)
    }

    func testEventsExactlyAtStepEnds() throws {
        // The step ends exactly on the root (a tstop): one event, at the root.
        let log = EventLog()
        let sol = try run(line(), CallbackSet(counter(log) { _, t, _ in t - 1 })) { $0.tstops = [1] }
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(log.times, [1])

        // Fixed steps of 0.25 land on the roots at 1 and 2.
        let fixed = EventLog()
        var o = EventProblems.options(tol: 1e-8, CallbackSet(counter(fixed) { _, t, _ in (t - 1) * (t - 2) }))
        o.adaptive = false
        o.dt = 0.25
        let rk4 = solve(line(), try ButcherTableau.rk4(), options: o)
        XCTAssertEqual(rk4.retcode, .success)
        XCTAssertEqual(fixed.times, [1, 2])
        XCTAssertEqual(fixed.upward, [false, true])

        // The root is the final time.
        let atEnd = EventLog()
        let end = try run(line(), CallbackSet(counter(atEnd) { _, t, _ in t - 3 }))
        XCTAssertEqual(end.retcode, .success)
        XCTAssertEqual(atEnd.times, [3])
        XCTAssertEqual(end.t.suffix(2), [3, 3])
    }

    func testSeveralEventsInOneStepFireEarliestFirst() throws {
        // One fixed step over (0, 1) holds all of them.
        func oneStep(_ callbacks: CallbackSet) throws -> ODESolution {
            var o = EventProblems.options(tol: 1e-8, callbacks)
            o.adaptive = false
            o.dt = 1
            return solve(line(tspan: (0, 1)), try ButcherTableau.rk4(), options: o)
        }
        let log = EventLog()
        let late = ContinuousCallback(condition: { _, t, _ in t - 0.7 }, affect: { log.note($0, index: 7) })
        let early = ContinuousCallback(condition: { _, t, _ in t - 0.3 }, affect: { log.note($0, index: 3) })
        let both = ContinuousCallback(condition: { _, t, _ in (t - 0.4) * (t - 0.6) }, affect: { log.note($0, index: 46) })
        let vector = VectorContinuousCallback(condition: { out, _, t, _ in out[0] = t - 0.5; out[1] = t - 0.2 },
                                              affect: { log.note($0, index: 50 + $1) }, length: 2)
        let sol = try oneStep(CallbackSet([late, early, both], vector: [vector]))
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(log.indices, [51, 3, 46, 50, 46, 7])
        for (t, te) in zip(log.times, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]) { XCTAssertEqual(t, te, accuracy: 1e-14) }
    }

    /// The bounces of a ball with e = 1/2 accumulate at t∞ = t₁ (1 + 2e/(1 − e)) = 3t₁: it
    /// bounces until the flights are too short for a step, then stops there (it neither falls
    /// through the floor nor hangs).
    func testZenoBallStopsAtTheAccumulationPoint() throws {
        let log = EventLog()
        let bounce = ContinuousCallback(condition: { u, _, _ in u[0] }, affect: { i in
            log.note(i)
            i.u[1] = -0.5 * i.u[1]
        })
        let start = Date()
        let sol = try run(EventProblems.ball(h0: 1, tEnd: 5), CallbackSet(bounce))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        let zeno = 3 * (2 / 9.81).squareRoot()
        XCTAssertEqual(sol.retcode, .dtLessThanMin)
        XCTAssertGreaterThan(log.times.count, 30)
        XCTAssertEqual(sol.t.last ?? 0, zeno, accuracy: 1e-6)
        XCTAssertTrue(sol.component(0).allSatisfy { $0 >= -1e-12 })
    }
}
