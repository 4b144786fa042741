import DiffEq
import Foundation
import TestSupport
import XCTest

/// Discrete, preset-time and periodic callbacks, callback sets, the integrator interface
/// affects use, and conditions that must not hang or crash the solver.
final class CallbackTests: XCTestCase {
    func decay(k: Double = 0.5, u0: Double = 1, tspan: (Double, Double) = (0, 8)) -> ODEProblem {
        ODEProblem({ du, u, p, _ in du[0] = -p[0] * u[0] }, u0: [u0], tspan: tspan, p: [k])
    }

    /// Dosing: u′ = −k u with a dose D at t = 2 and 5. Closed form piecewise.
    func dosed(_ t: Double, k: Double, dose: Double, at times: [Double], u0: Double = 1) -> Double {
        var u = u0, from = 0.0
        for td in times where td <= t {
            u = u * Foundation.exp(-k * (td - from)) + dose
            from = td
        }
        return u * Foundation.exp(-k * (t - from))
    }

    func times(_ sol: ODESolution, at t: Double) -> [Int] { sol.t.indices.filter { sol.t[$0] == t } }

    func testPresetTimeDosingMatchesClosedForm() throws {
        let k = 0.5, dose = 2.0
        let log = EventLog()
        let cb = PresetTimeCallback([2, 5]) { i in
            log.note(i)
            i.u[0] += dose
        }
        var o = EventProblems.options(tol: 1e-10, CallbackSet(cb))
        let sol = solve(decay(k: k), try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(log.times, [2, 5])   // exactly: the times are tstops
        for td in [2.0, 5.0] {
            let at = times(sol, at: td)
            XCTAssertEqual(at.count, 2)
            guard at.count == 2 else { continue }
            XCTAssertEqual(sol[at[1]].first ?? 0, (sol[at[0]].first ?? 0) + dose, accuracy: 1e-14)
            XCTAssertEqual(sol[at[0]].first ?? 0, dosed(td - 1e-15, k: k, dose: dose, at: [2, 5]), accuracy: 1e-9)
        }
        for (i, t) in sol.t.enumerated() where t != 2 && t != 5 {
            XCTAssertEqual(sol[i].first ?? 0, dosed(t, k: k, dose: dose, at: [2, 5]), accuracy: 1e-9)
        }
        for t in stride(from: 0.1, through: 7.9, by: 0.37) {
            XCTAssertEqual(sol(t)?.first ?? 0, dosed(t, k: k, dose: dose, at: [2, 5]), accuracy: 1e-9)
        }

        // With saveat, the left value at a dose is the saveat point, not saved twice.
        o.saveat = .every(0.5)
        let grid = solve(decay(k: k), try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(grid.t.count, 17 + 2)
        XCTAssertEqual(times(grid, at: 2).count, 2)
        XCTAssertEqual(times(grid, at: 5).count, 2)
        for (i, t) in grid.t.enumerated() {
            let exact = times(grid, at: t).first == i && (t == 2 || t == 5) ? dosed(t - 1e-15, k: k, dose: dose, at: [2, 5])
                                                                             : dosed(t, k: k, dose: dose, at: [2, 5])
            XCTAssertEqual(grid[i].first ?? 0, exact, accuracy: 1e-9)
        }

        // A dose at t₀ acts before the first step: t₀ is saved before and after it.
        let initial = solve(decay(k: k), try ButcherTableau.dp5(),
                            options: EventProblems.options(tol: 1e-10, CallbackSet(PresetTimeCallback([0, 3]) { $0.u[0] += dose })))
        XCTAssertEqual(Array(initial.t.prefix(2)), [0, 0])
        XCTAssertEqual(initial.component(0).prefix(2).map { $0 }, [1, 1 + dose])
        XCTAssertEqual(initial(8)?.first ?? 0, dosed(8, k: k, dose: dose, at: [0, 3]), accuracy: 1e-9)
    }

    func testDiscreteCallbackOnAStatePredicateAndItsSavePositions() throws {
        // Refill: whenever a step ends with u < 0.5, u becomes 1 again.
        func run(_ positions: (Bool, Bool), everyStep: Bool) throws -> (ODESolution, EventLog) {
            let log = EventLog()
            let refill = DiscreteCallback(condition: { u, _, _ in u[0] < 0.5 }, affect: { i in
                log.note(i)
                i.u[0] = 1
            }, savePositions: positions)
            var o = EventProblems.options(tol: 1e-8, CallbackSet(refill))
            o.saveEverystep = everyStep
            return (solve(decay(k: 1, tspan: (0, 5)), try ButcherTableau.dp5(), options: o), log)
        }
        for everyStep in [true, false] {
            for positions in [(true, true), (false, true), (true, false), (false, false)] {
                let (sol, log) = try run(positions, everyStep: everyStep)
                let label = "saveEverystep \(everyStep), savePositions \(positions)"
                XCTAssertEqual(sol.retcode, .success, label)
                // At the first step end after each crossing of 0.5, so a little more than ln 2 apart.
                XCTAssertGreaterThanOrEqual(log.times.count, 5, label)
                // SciML: the step's own save is the "before" when saving every step.
                let expected = (everyStep || positions.0 ? 1 : 0) + (positions.1 ? 1 : 0)
                for t in log.times {
                    let at = times(sol, at: t)
                    XCTAssertEqual(at.count, expected, label)
                    if let before = at.first, everyStep || positions.0 { XCTAssertLessThan(sol[before].first ?? 1, 0.5, label) }
                    if let after = at.last, positions.1 { XCTAssertEqual(sol[after].first, 1, label) }
                }
                // Between refills the solution is the decay from 1 (dense output when every step is saved).
                for (a, b) in zip(log.times, log.times.dropFirst()) {
                    if everyStep {
                        XCTAssertEqual(sol((a + b) / 2)?.first ?? 0, Foundation.exp(-(b - a) / 2), accuracy: 1e-7, label)
                    }
                    XCTAssertGreaterThan(b - a, Foundation.log(2), label)
                    XCTAssertLessThan(b - a, 1, label)
                }
            }
        }
    }

    func testPresetTimesBackwardInTime() throws {
        let log = EventLog()
        let dose = PresetTimeCallback([2, 5, 9]) { i in
            log.note(i)
            i.u[0] += 1
        }
        // u′ = 0.5 u from 8 back to 0 is the decay of the forward test, read backwards.
        let sol = solve(decay(k: -0.5, u0: 1, tspan: (8, 0)), try ButcherTableau.dp5(),
                        options: EventProblems.options(tol: 1e-10, CallbackSet(dose)))
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(log.times, [5, 2])
        let at2 = (Foundation.exp(-0.5 * 3) + 1) * Foundation.exp(-0.5 * 3) + 1
        XCTAssertEqual(sol.component(0).last ?? 0, at2 * Foundation.exp(-0.5 * 2), accuracy: 1e-9)
    }

    func testPeriodicCallbackForwardAndBackward() throws {
        for tspan in [(0.0, 3.0), (3.0, 0.0), (1.0, 3.75)] {
            let log = EventLog()
            let tick = PeriodicCallback(0.5) { i in
                log.note(i)
                i.u[0] += 1
            }
            let constant = ODEProblem({ du, _, _, _ in du[0] = 0 }, u0: [0], tspan: tspan)
            let sol = solve(constant, try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-8, CallbackSet(tick)))
            let direction = tspan.1 > tspan.0 ? 1.0 : -1.0
            // t₀ + k·0.5 strictly inside the span: not at t₀, not at the end.
            let count = Int((abs(tspan.1 - tspan.0) / 0.5).rounded(.up)) - 1
            let expected = (1...count).map { tspan.0 + direction * Double($0) * 0.5 }
            XCTAssertEqual(log.times, expected, "\(tspan)")
            XCTAssertEqual(sol.component(0).last, Double(count), "\(tspan)")
            XCTAssertEqual(sol.retcode, .success)
        }
    }

    /// Continuous, vector and discrete callbacks together; a discrete callback terminates.
    func testCallbackSetAndTerminateFromADiscreteCallback() throws {
        let bounces = EventLog(), ticks = EventLog()
        let e = 0.8
        let bounce = ContinuousCallback(condition: { u, _, _ in u[0] }, affect: { i in
            bounces.note(i)
            i.u[1] = -e * i.u[1]
        })
        // A ceiling the ball never reaches: no events, but it shares the event phase.
        let ceiling = VectorContinuousCallback(condition: { out, u, _, _ in out[0] = 20 - u[0]; out[1] = u[0] + 5 },
                                               affect: { _, _ in XCTFail("never reached") }, length: 2)
        let tick = PeriodicCallback(1) { ticks.note($0) }
        let stop = PresetTimeCallback([6.5]) { $0.terminate() }
        let set = CallbackSet(bounce, CallbackSet(ceiling, tick), stop)
        XCTAssertEqual(set.continuous.count, 1)
        XCTAssertEqual(set.vector.count, 1)
        XCTAssertEqual(set.discrete.count, 2)
        let sol = solve(EventProblems.ball(tEnd: 10), try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-10, set))
        XCTAssertEqual(sol.retcode, .terminated)
        XCTAssertEqual(sol.t.last, 6.5)
        XCTAssertEqual(ticks.times, [1, 2, 3, 4, 5, 6])
        let expected = EventProblems.bounceTimes(e: e, count: 3)   // 1.43, 3.71, 5.54
        XCTAssertEqual(bounces.times.count, 3)
        for (t, te) in zip(bounces.times, expected) { XCTAssertEqual(t, te, accuracy: 1e-8) }

        // terminate from a state predicate: the solve ends at the first step end past it.
        let stopLow = DiscreteCallback(condition: { u, _, _ in u[0] < 0.25 }, affect: { $0.terminate() })
        let low = solve(decay(k: 1), try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-8, CallbackSet(stopLow)))
        XCTAssertEqual(low.retcode, .terminated)
        XCTAssertLessThan(low.component(0).last ?? 1, 0.25)
        XCTAssertGreaterThan(low.t.last ?? 0, Foundation.log(4))
        XCTAssertLessThan(low.t.last ?? 10, 3)
    }

    /// An affect that changes p: the steps after it use the new value (and the derivative at
    /// the event is re-evaluated, which an FSAL method would otherwise reuse).
    func testAffectChangingParameters() throws {
        let problem = ODEProblem({ du, _, p, _ in du[0] = p[0] }, u0: [0], tspan: (0, 4), p: [1])
        let turn = ContinuousCallback(condition: { u, _, _ in u[0] - 2 }, affect: { $0.p[0] = -3 }, affectNeg: nil)
        let sol = solve(problem, try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-10, CallbackSet(turn)))
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(sol.component(0).last ?? 0, 2 - 3 * 2, accuracy: 1e-10)
        XCTAssertEqual(sol(3)?.first ?? 0, -1, accuracy: 1e-10)
        XCTAssertEqual(sol(1)?.first ?? 0, 1, accuracy: 1e-10)

        // The same through a discrete callback at a preset time.
        let preset = PresetTimeCallback([2]) { $0.p[0] = -3 }
        let sol2 = solve(problem, try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-10, CallbackSet(preset)))
        XCTAssertEqual(sol2.component(0).last ?? 0, -4, accuracy: 1e-10)
    }

    /// uModified(false): a discrete affect that changed nothing keeps the step's end derivative
    /// (one evaluation of f fewer per firing); a continuous one saves no state after it.
    func testUModifiedSemantics() throws {
        func run(_ quiet: Bool) throws -> (ODESolution, Int) {
            var fired = 0
            let look = DiscreteCallback(condition: { _, _, _ in true }, affect: { i in
                fired += 1
                if quiet { i.uModified(false) }
            }, savePositions: (false, false))
            return (solve(decay(), try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-8, CallbackSet(look))), fired)
        }
        let (loud, firedLoud) = try run(false)
        let (quiet, firedQuiet) = try run(true)
        XCTAssertEqual(firedLoud, firedQuiet)
        XCTAssertEqual(loud.t, quiet.t)
        XCTAssertEqual(loud.stats.nf - quiet.stats.nf, firedLoud)

        // A counting continuous callback that says it changed nothing: one save per event.
        var count = 0
        let counter = ContinuousCallback(condition: { u, _, _ in u[0] - 0.5 }, affect: { i in
            count += 1
            i.uModified(false)
        })
        let sol = solve(decay(), try ButcherTableau.dp5(), options: EventProblems.options(tol: 1e-10, CallbackSet(counter)))
        XCTAssertEqual(count, 1)
        let te = 2 * Foundation.log(2.0)
        let at = sol.t.indices.filter { abs(sol.t[$0] - te) < 1e-9 }
        XCTAssertEqual(at.count, 1)
    }

    /// The event phase allocates nothing while stepping: its memory is made with the integrator
    /// (or by `reinit`).
    func testCallbacksAllocateNothingWhileStepping() throws {
        guard allocationCounterIsActive else { throw XCTSkip("no allocation counter on this platform") }
        var count = 0
        let crossing = ContinuousCallback(condition: { u, _, _ in u[0] }, affect: { _ in count += 1 },
                                          savePositions: (false, false))
        let walls = VectorContinuousCallback(condition: { out, u, _, _ in out[0] = u[0] - 0.5; out[1] = u[1] },
                                             affect: { _, _ in count += 1 }, length: 2, savePositions: (false, false))
        let tick = PeriodicCallback(0.25, savePositions: (false, false)) { _ in count += 1 }
        let preset = PresetTimeCallback([0, 1.5], savePositions: (false, false)) { _ in count += 1 }
        let high = DiscreteCallback(condition: { u, _, _ in u[0] > 0.9 }, affect: { _ in count += 1 },
                                    savePositions: (false, false))
        var o = EventProblems.options(tol: 1e-8, CallbackSet(crossing, walls, tick, preset, high))
        o.saveEverystep = false
        let integrator = ODEIntegrator(EventProblems.oscillator(omega: 5, tEnd: 4), try ButcherTableau.dp5(), options: o)
        integrator.run()
        let first = count
        integrator.reinit()
        count = 0
        let allocated = allocations { integrator.run() }
        XCTAssertEqual(count, first)
        XCTAssertGreaterThan(count, 30)
        XCTAssertEqual(allocated, 0)
    }
}
