import DiffEq
import Foundation
import XCTest

/// The options that bound or watch the stepping, with SciML's meanings: `tstops`, `dtmax`,
/// `dtmin`, vector tolerances, `internalnorm`, `unstableCheck` and `progress`.
final class StepOptionTests: XCTestCase {
    /// `tstops`: the solver steps to each stop exactly (also backwards); stops outside the
    /// span are ignored. With a stop on the kink of u′ = |t − 1| each smooth piece is a
    /// quadratic, which DP5 integrates exactly; stepping over the kink costs accuracy.
    func testTstops() throws {
        func exact(_ t: Double) -> Double { t <= 1 ? t - t * t / 2 : 0.5 + (t - 1) * (t - 1) / 2 }
        let kink = ODEProblem({ du, _, _, t in du[0] = Swift.abs(t - 1) }, u0: [0], tspan: (0, 3))
        var o = SolverOptions()
        o.tstops = [1, 5, -2]
        let withStop = solve(kink, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(withStop.retcode, .success)
        XCTAssertTrue(withStop.t.contains(1))
        for (i, t) in withStop.t.enumerated() { XCTAssertEqual(withStop[i].first ?? 0, exact(t), accuracy: 1e-14) }
        let without = solve(kink, try ButcherTableau.dp5())
        XCTAssertFalse(without.t.contains(1))
        XCTAssertGreaterThan(Swift.abs((without[without.t.count - 1].first ?? 0) - exact(3)), 1e-8)

        let backwards = ODEProblem({ du, _, _, t in du[0] = Swift.abs(t - 1) }, u0: [exact(3)], tspan: (3, 0))
        o.tstops = [2.5, 1]
        let b = solve(backwards, try ButcherTableau.dp5(), options: o)
        XCTAssertTrue(b.t.contains(2.5) && b.t.contains(1))
        for (i, t) in b.t.enumerated() { XCTAssertEqual(b[i].first ?? 0, exact(t), accuracy: 1e-14) }
    }

    /// `dtmax` bounds every step.
    func testDtmax() throws {
        let cf = ClosedFormProblem.phase()
        var o = SolverOptions()
        o.dtmax = 0.05
        let sol = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertGreaterThanOrEqual(sol.stats.naccept, 80)
        for (a, b) in zip(sol.t, sol.t.dropFirst()) { XCTAssertLessThanOrEqual(b - a, 0.05 * (1 + 1e-12)) }
        let free = solve(cf.problem, try ButcherTableau.dp5())
        XCTAssertLessThan(free.stats.naccept, 40)
    }

    /// `dtmin`: when the controller wants a smaller step, the solve stops with
    /// `dtLessThanMin` where it is; a bound below what the solve needs changes nothing.
    func testDtmin() throws {
        let cf = ClosedFormProblem.nonlinearRotation()
        var o = SolverOptions()
        o.abstol = 1e-12
        o.reltol = 1e-12
        let free = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        let smallest = zip(free.t, free.t.dropFirst()).map { $1 - $0 }.min() ?? 0
        o.dtmin = 2 * smallest
        let bounded = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(bounded.retcode, .dtLessThanMin)
        XCTAssertLessThan(bounded.t.last ?? 4, 4)
        XCTAssertNotNil(bounded.message)
        o.dtmin = smallest / 100
        let loose = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(loose.retcode, .success)
        XCTAssertEqual(loose.stats, free.stats)
    }

    /// Vector tolerances act per component: equal entries are the scalar; two copies of one
    /// equation with tolerances 1e-3 and 1e-10 take the steps the tight one needs; a vector of
    /// the wrong length is an `initialFailure` (it used to trap on an index out of range).
    func testVectorTolerances() throws {
        let a = 0.9
        let twice = ODEProblem({ du, u, _, t in
            du[0] = 2 + a * Foundation.cos(u[0] - t)
            du[1] = 2 + a * Foundation.cos(u[1] - t)
        }, u0: [0, 0], tspan: (0, 4))
        let exact = ClosedFormProblem.phase().exact(4)[0]
        var o = SolverOptions()
        o.saveEverystep = false
        o.abstol = 1e-10
        o.reltol = 1e-10
        let scalarTight = solve(twice, try ButcherTableau.dp5(), options: o)
        o.abstol = .vector([1e-10, 1e-10])
        o.reltol = .vector([1e-10, 1e-10])
        let vectorTight = solve(twice, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(scalarTight.stats, vectorTight.stats)
        XCTAssertEqual(scalarTight.values, vectorTight.values)

        o.abstol = .vector([1e-3, 1e-10])
        o.reltol = .vector([1e-3, 1e-10])
        let mixed = solve(twice, try ButcherTableau.dp5(), options: o)
        o.abstol = 1e-3
        o.reltol = 1e-3
        let scalarLoose = solve(twice, try ButcherTableau.dp5(), options: o)
        XCTAssertGreaterThan(mixed.stats.naccept, 3 * scalarLoose.stats.naccept)
        XCTAssertLessThanOrEqual(mixed.stats.naccept, scalarTight.stats.naccept)
        let end = mixed[mixed.t.count - 1]
        XCTAssertLessThan(Swift.abs(end[end.startIndex + 1] - exact), 1e-8)
        XCTAssertEqual(end[end.startIndex], end[end.startIndex + 1], "the components follow the same steps")

        o.abstol = .vector([1e-6])
        let short = solve(twice, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(short.retcode, .initialFailure)
        XCTAssertNotNil(short.message)
        o.abstol = 1e-6
        o.reltol = .vector([1e-6, 1e-6, 1e-6])
        XCTAssertEqual(solve(twice, try ButcherTableau.dp5(), options: o).retcode, .initialFailure)
    }

    /// `internalnorm(errors, t)` receives the scaled error estimate (one value per component,
    /// eᵢ / (abstol + reltol·max(|u₀ᵢ|, |u₁ᵢ|))) of every attempted step; the default is the
    /// root mean square.
    func testInternalnorm() throws {
        final class Calls: @unchecked Sendable { var count = 0; var widths = Set<Int>(); var times: [Double] = [] }
        let cf = ClosedFormProblem.nonlinearRotation()
        let calls = Calls()
        var o = SolverOptions()
        o.internalnorm = { e, t in
            calls.count += 1
            calls.widths.insert(e.count)
            calls.times.append(t)
            return (e.reduce(0) { $0 + $1 * $1 } / Double(e.count)).squareRoot()
        }
        let rms = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        let plain = solve(cf.problem, try ButcherTableau.dp5())
        XCTAssertEqual(rms.stats, plain.stats)
        XCTAssertEqual(rms.values, plain.values)
        XCTAssertEqual(calls.count, rms.stats.nsteps)
        XCTAssertEqual(calls.widths, [2])
        XCTAssertTrue(calls.times.allSatisfy { $0 >= 0 && $0 < 4 })

        o.internalnorm = { e, _ in e.reduce(0) { Swift.max($0, Swift.abs($1)) } }
        let maxNorm = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertGreaterThan(maxNorm.stats.naccept, plain.stats.naccept)
        o.internalnorm = { _, _ in 0 }
        o.dtmax = 0.5
        let blind = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(blind.stats.nreject, 0)
        XCTAssertLessThanOrEqual(blind.stats.naccept, 12)
    }

    /// `unstableCheck(dt, u, p, t)` runs after every accepted step; true ends the solve with
    /// `unstable` there.
    func testUnstableCheck() throws {
        let cf = ClosedFormProblem.phase()
        var o = SolverOptions()
        o.unstableCheck = { dt, u, p, t in
            precondition(dt > 0 && u.count == 1 && p.count == 0 && t > 0)
            return u[0] > 3
        }
        let sol = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(sol.retcode, .unstable)
        XCTAssertGreaterThan(sol[sol.t.count - 1].first ?? 0, 3)
        XCTAssertLessThanOrEqual(sol[sol.t.count - 2].first ?? 4, 3)
    }

    /// `progress(t)` is called after every accepted step; false interrupts the solve.
    func testProgressInterrupts() throws {
        final class Seen: @unchecked Sendable { var times: [Double] = [] }
        let seen = Seen()
        var o = SolverOptions()
        o.progress = { t in seen.times.append(t); return seen.times.count < 5 }
        let sol = solve(ClosedFormProblem.phase().problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(sol.retcode, .interrupted)
        XCTAssertEqual(sol.stats.naccept, 5)
        XCTAssertEqual(seen.times.count, 5)
        XCTAssertEqual(sol.t.last, seen.times.last)
        XCTAssertEqual(Array(sol.t.dropFirst()), seen.times)
    }
}
