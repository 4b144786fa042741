import DiffEq
import Foundation
import XCTest

/// What is saved, with SciML's meanings of `saveat`, `save_start`, `save_end`,
/// `save_everystep`, `save_idxs` and `dense` (OrdinaryDiffEq's `__init` defaults).
final class SavingTests: XCTestCase {
    let cf = ClosedFormProblem.phase(tspan: (0, 1))

    func solveDP5(_ configure: (inout SolverOptions) -> Void) throws -> ODESolution {
        var o = SolverOptions()
        o.abstol = 1e-10
        o.reltol = 1e-10
        configure(&o)
        return solve(cf.problem, try ButcherTableau.dp5(), options: o)
    }

    func assertExact(_ sol: ODESolution, accuracy: Double = 1e-8, file: StaticString = #filePath, line: UInt = #line) {
        for (i, t) in sol.t.enumerated() {
            XCTAssertLessThan(maxAbsDifference(sol[i], cf.exact(t)), accuracy, "t = \(t)", file: file, line: line)
        }
    }

    /// Default: every step, with the start and the end.
    func testDefaultSavesEveryStep() throws {
        let sol = try solveDP5 { _ in }
        XCTAssertEqual(sol.t.first, 0)
        XCTAssertEqual(sol.t.last, 1)
        XCTAssertEqual(sol.t.count, sol.stats.naccept + 1)
        XCTAssertTrue(sol.hasDenseOutput)
        assertExact(sol)
    }

    /// `saveat` times: exactly those inside the span, sorted, from the dense output; t₀ and the
    /// end only when listed; no dense output by default.
    func testSaveatTimes() throws {
        let sol = try solveDP5 { $0.saveat = .times([0.75, 0.1, 0.5, 2, -1]) }
        XCTAssertEqual(sol.t, [0.1, 0.5, 0.75])
        XCTAssertFalse(sol.hasDenseOutput)
        assertExact(sol)
        let ends = try solveDP5 { $0.saveat = .times([1, 0.5, 0]) }
        XCTAssertEqual(ends.t, [0, 0.5, 1])
        assertExact(ends)
    }

    /// `saveat = .every(Δ)` (SciML's `saveat = 0.3`): t₀, t₀ + Δ, ... and the end, even when
    /// the end is off the grid (SciML saves it: `save_end` defaults to true for a number).
    func testSaveatEveryIncludesTheEnd() throws {
        let sol = try solveDP5 { $0.saveat = .every(0.3) }
        XCTAssertEqual(sol.t.count, 5)
        for (a, b) in zip(sol.t, [0, 0.3, 0.6, 0.9, 1]) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        assertExact(sol)
        let onGrid = try solveDP5 { $0.saveat = .every(0.25) }
        XCTAssertEqual(onGrid.t, [0, 0.25, 0.5, 0.75, 1])
        // Backwards, the step counts from t₀ downwards.
        var o = SolverOptions()
        o.saveat = .every(0.3)
        let back = solve(ClosedFormProblem.phase(tspan: (1, 0)).problem, try ButcherTableau.dp5(), options: o)
        for (a, b) in zip(back.t, [1, 0.7, 0.4, 0.1, 0]) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        XCTAssertEqual(back.t.count, 5)
    }

    /// `saveat` on an infinite span saves without end, until the solve stops (it used to trap
    /// converting an infinite count of points to Int).
    func testSaveatEveryOnAnInfiniteSpan() throws {
        let problem = ODEProblem({ du, u, _, _ in du[0] = 1.01 * u[0] }, u0: [1], tspan: (0, .infinity))
        var o = SolverOptions()
        o.saveat = .every(10)
        let sol = solve(problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(sol.retcode, .unstable)
        XCTAssertGreaterThan(sol.t.count, 60)
        XCTAssertEqual(sol.t[1], 10)
        XCTAssertEqual(sol.t[50], 500)
    }

    /// `save_start` and `save_end` override the defaults either way.
    func testSaveStartAndSaveEnd() throws {
        let noStart = try solveDP5 { $0.saveat = .times([0, 0.5, 1]); $0.saveStart = false }
        XCTAssertEqual(noStart.t, [0.5, 1])
        let noEnd = try solveDP5 { $0.saveat = .times([0, 0.5, 1]); $0.saveEnd = false }
        XCTAssertEqual(noEnd.t, [0, 0.5])
        let both = try solveDP5 { $0.saveat = .times([0.5]); $0.saveStart = true; $0.saveEnd = true }
        XCTAssertEqual(both.t, [0, 0.5, 1])
        let everyNoStart = try solveDP5 { $0.saveStart = false }
        XCTAssertNotEqual(everyNoStart.t.first, 0)
        XCTAssertEqual(everyNoStart.t.last, 1)
    }

    /// SciML: `save_end = false` leaves the end out even when saving every step (the last
    /// step used to be saved anyway).
    func testSaveEndFalseWithEveryStep() throws {
        let sol = try solveDP5 { $0.saveEnd = false }
        XCTAssertEqual(sol.t.first, 0)
        XCTAssertLessThan(sol.t.last ?? 1, 1)
        XCTAssertEqual(sol.t.count, sol.stats.naccept)
    }

    /// `save_everystep = true` with `saveat`: both, and (SciML) the start and end by default
    /// (they used to be left out when `saveat` did not list them).
    func testSaveEverystepWithSaveat() throws {
        let sol = try solveDP5 { $0.saveat = .times([0.5]); $0.saveEverystep = true }
        XCTAssertEqual(sol.t.first, 0)
        XCTAssertEqual(sol.t.last, 1)
        XCTAssertTrue(sol.t.contains(0.5))
        XCTAssertEqual(sol.t.count, sol.stats.naccept + 2)
        XCTAssertFalse(sol.hasDenseOutput, "SciML: dense defaults to false when saveat is given")
        assertExact(sol)
        let steps = try solveDP5 { $0.saveEverystep = false }
        XCTAssertEqual(steps.t, [0, 1])
    }

    /// `save_idxs`: only those components, in that order, in the saved values and in `sol(t)`;
    /// an index outside the state is an `initialFailure` (it used to save NaN, and to trap in
    /// `sol(t)` with a dense output).
    func testSaveIdxs() throws {
        let two = ClosedFormProblem.nonlinearRotation(tspan: (0, 1))
        var o = SolverOptions()
        o.saveat = .times([0.25, 0.5])
        let full = solve(two.problem, try ButcherTableau.dp5(), options: o)
        o.saveIdxs = [1]
        let one = solve(two.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(one.width, 1)
        XCTAssertEqual(one.t, full.t)
        XCTAssertEqual(one.values, full.component(1))
        o.saveIdxs = [1, 0]
        o.dense = true
        let swapped = solve(two.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(swapped.values, [full.values[1], full.values[0], full.values[3], full.values[2]])
        guard let at = swapped(0.3), let both = solve(two.problem, try ButcherTableau.dp5(), options: {
            var d = SolverOptions(); d.saveat = .times([0.25, 0.5]); d.dense = true; return d }())(0.3) else {
            return XCTFail("sol(0.3)")
        }
        XCTAssertEqual(at, [both[1], both[0]])
        o.saveIdxs = [2]
        let bad = solve(two.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(bad.retcode, .initialFailure)
        XCTAssertNil(bad(0.3))
    }

    /// `dense`: on by default when saving every step of every component; off with saveat or
    /// save_idxs unless asked for.
    func testDenseDefaults() throws {
        XCTAssertTrue(try solveDP5 { _ in }.hasDenseOutput)
        XCTAssertFalse(try solveDP5 { $0.saveat = .every(0.1) }.hasDenseOutput)
        XCTAssertTrue(try solveDP5 { $0.saveat = .every(0.1); $0.dense = true }.hasDenseOutput)
        XCTAssertFalse(try solveDP5 { $0.saveIdxs = [0] }.hasDenseOutput)
        XCTAssertFalse(try solveDP5 { $0.dense = false }.hasDenseOutput)
    }
}

/// `sol(t)`: the dense output or linear interpolation, exact at saved points, nil outside.
final class SolutionTests: XCTestCase {
    let cf = ClosedFormProblem.phase(tspan: (0, 2))

    func testSavedPointsAreReproducedExactly() throws {
        for dense in [true, false] {
            var o = SolverOptions()
            o.dense = dense
            let sol = solve(cf.problem, try ButcherTableau.tsit5(), options: o)
            XCTAssertEqual(sol.hasDenseOutput, dense)
            for (i, t) in sol.t.enumerated() { XCTAssertEqual(sol(t), Array(sol[i]), "t = \(t), dense \(dense)") }
        }
        var o = SolverOptions()
        o.saveat = .times([0.3, 1.1, 1.7])
        o.dense = true
        let sol = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        for (i, t) in sol.t.enumerated() { XCTAssertEqual(sol(t), Array(sol[i]), "saveat t = \(t)") }
    }

    func testOutsideTheIntervalIsNil() throws {
        for dense in [true, false] {
            var o = SolverOptions()
            o.dense = dense
            let sol = solve(cf.problem, try ButcherTableau.dp5(), options: o)
            XCTAssertNil(sol(-1e-9))
            XCTAssertNil(sol(2 + 1e-9))
            XCTAssertNil(sol(.nan))
            XCTAssertNil(sol(1, derivative: -1))
            XCTAssertNotNil(sol(0))
            XCTAssertNotNil(sol(2))
        }
        let back = solve(ClosedFormProblem.phase(tspan: (2, 0)).problem, try ButcherTableau.dp5())
        XCTAssertNil(back(2.5))
        XCTAssertNil(back(-0.5))
        XCTAssertNotNil(back(1))
    }

    /// Without a dense output, `sol(t)` interpolates linearly between saved points, and its
    /// derivative is the chord's slope; higher derivatives are not defined.
    func testLinearFallback() throws {
        var o = SolverOptions()
        o.saveat = .every(0.25)
        let sol = solve(cf.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertFalse(sol.hasDenseOutput)
        for i in 0..<(sol.t.count - 1) {
            let a = sol[i].first ?? 0, b = sol[i + 1].first ?? 0
            let t = sol.t[i] + 0.3 * (sol.t[i + 1] - sol.t[i])
            XCTAssertEqual(sol(t)?[0] ?? .nan, a + 0.3 * (b - a), accuracy: 1e-14)
            XCTAssertEqual(sol(t, derivative: 1)?[0] ?? .nan, (b - a) / 0.25, accuracy: 1e-12)
        }
        XCTAssertNil(sol(0.3, derivative: 2))
    }

    /// Higher derivatives of the dense output: u″ = −a sin(u − t)(u′ − 1) for the phase equation.
    func testSecondDerivativeOfTheDenseOutput() throws {
        var o = SolverOptions()
        o.abstol = 1e-10
        o.reltol = 1e-10
        let sol = solve(cf.problem, try ButcherTableau.vern7(), options: o)
        for t in stride(from: 0.05, to: 2, by: 0.1) {
            let u = cf.exact(t)[0], du = cf.exactDerivative(t)[0]
            XCTAssertEqual(sol(t, derivative: 2)?[0] ?? .nan, -0.9 * Foundation.sin(u - t) * (du - 1), accuracy: 1e-5)
        }
        XCTAssertEqual(sol(0.5, derivative: 20), [0])
    }
}
