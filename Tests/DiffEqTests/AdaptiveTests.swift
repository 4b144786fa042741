import DiffEq
import Foundation
import XCTest

/// Step-size control: the error follows the tolerance, failures are return codes,
/// `maxiters` is honoured, and time may run backwards (SciML's meanings).
final class AdaptiveTests: XCTestCase {
    /// The error at the end of an adaptive solve with reltol = abstol = tol.
    static func finalError(_ tableau: ButcherTableau, _ cf: ClosedFormProblem, tol: Double) -> (error: Double, sol: ODESolution) {
        var o = SolverOptions()
        o.abstol = .scalar(tol)
        o.reltol = .scalar(tol)
        o.saveEverystep = false
        let sol = solve(cf.problem, tableau, options: o)
        return (maxAbsDifference(sol[sol.t.count - 1], cf.exact(cf.t1)), sol)
    }

    /// The slope of log(error) against log(tol) over tol = 10^-k, k in `exponents`.
    static func toleranceSlope(_ tableau: ButcherTableau, _ cf: ClosedFormProblem, exponents: ClosedRange<Int>) -> (Double, String) {
        var x: [Double] = [], y: [Double] = [], line = ""
        for k in exponents {
            let tol = Foundation.pow(10, -Double(k))
            let (e, sol) = finalError(tableau, cf, tol: tol)
            XCTAssertEqual(sol.retcode, .success, "\(tableau.name) at tol \(tol)")
            x.append(Foundation.log(tol))
            y.append(Foundation.log(e))
            line += String(format: " %.0e:%.2e(%d steps)", tol, e, sol.stats.nsteps)
        }
        return (leastSquaresSlope(x, y), line)
    }

    /// DP5 with Hairer's PI control: the global error is proportional to the tolerance
    /// (measured slopes 1.06 and 1.14); a controller that ignored the error or used a wrong
    /// exponent would leave this band.
    func testDP5ErrorIsProportionalToTolerance() throws {
        for cf in [ClosedFormProblem.acceleratingRotation(), ClosedFormProblem.nonlinearRotation()] {
            let (slope, line) = Self.toleranceSlope(try ButcherTableau.dp5(), cf, exponents: 4...10)
            print("tolerance DP5 on \(cf.name): slope \(slope):\(line)")
            XCTAssertGreaterThanOrEqual(slope, 0.9, "\(cf.name):\(line)")
            XCTAssertLessThanOrEqual(slope, 1.25, "\(cf.name):\(line)")
            for k in 4...10 {
                let tol = Foundation.pow(10, -Double(k))
                let e = Self.finalError(try ButcherTableau.dp5(), cf, tol: tol).error
                XCTAssertLessThan(e, 30 * tol, "\(cf.name) at tol \(tol)")
            }
        }
    }

    /// Every adaptive method: with error-per-step control the local error estimate
    /// (order min(p, p̂) + 1 in h) is held at the tolerance, so the global error, O(h^p), goes
    /// as tol^(p / (min(p, p̂) + 1)): 1 for the usual pairs, 1/2 for Euler with its Heun
    /// estimate, 4/3 for DP8 with its 5th-order estimate.
    func testEveryAdaptiveMethodErrorFollowsTolerance() throws {
        let cf = ClosedFormProblem.acceleratingRotation()
        for (name, make) in MethodRegistry.builders {
            let tableau = try make()
            guard let embedded = tableau.embeddedOrder else { continue }
            let p = tableau.order
            let expected = Double(p) / Double(Swift.min(p, embedded) + 1)
            // Low-order methods need 10⁴ steps at 1e-7 already.
            let (slope, line) = Self.toleranceSlope(tableau, cf, exponents: p <= 2 ? 3...6 : 4...10)
            print("tolerance \(name): slope \(slope) (expected \(expected)):\(line)")
            XCTAssertEqual(slope, expected, accuracy: 0.25, "\(name):\(line)")
        }
    }

    /// SciML: u′ = 1.01u on (0, ∞) ends with `Unstable` once the solution overflows (near
    /// t = 700), after a few hundred steps, never hanging.
    func testGrowthOnAnInfiniteSpanReturnsUnstable() throws {
        let problem = ODEProblem({ du, u, _, _ in du[0] = 1.01 * u[0] }, u0: [1], tspan: (0, .infinity))
        for (name, make) in MethodRegistry.builders {
            let sol = solve(problem, try make())
            XCTAssertEqual(sol.retcode, .unstable, "\(name): \(sol)")
            XCTAssertLessThan(sol.stats.nsteps, 50_000, name)
            XCTAssertGreaterThan(sol.t.last ?? 0, 600, name)
            XCTAssertLessThan(sol.t.last ?? .infinity, 750, name)
        }
        var o = SolverOptions()
        o.adaptive = false
        o.dt = 1
        let fixed = solve(problem, try ButcherTableau.rk4(), options: o)
        XCTAssertEqual(fixed.retcode, .unstable)
        XCTAssertLessThan(fixed.stats.nsteps, 1000)
    }

    /// A right-hand side that returns NaN: at t₀ the solve fails at once (`initialFailure`);
    /// later an adaptive solve rejects and shrinks the step, and when even the smallest step
    /// gives NaN it stops with `unstable` where it is (it used to say `dtLessThanMin`, as if
    /// the error were merely too large); a fixed-step solve stops with `unstable` at the first
    /// NaN. Never a crash or a hang.
    func testNaNRightHandSideIsAFailureCode() throws {
        let nanAtStart = ODEProblem({ du, _, _, _ in du[0] = .nan }, u0: [1], tspan: (0, 1))
        let nanAfterOne = ODEProblem({ du, u, _, t in du[0] = t > 1 ? .nan : -u[0] }, u0: [1], tspan: (0, 2))
        for (name, make) in MethodRegistry.builders {
            let tableau = try make()
            let first = solve(nanAtStart, tableau)
            XCTAssertEqual(first.retcode, .initialFailure, name)
            let later = solve(nanAfterOne, tableau)
            XCTAssertEqual(later.retcode, .unstable, "\(name): \(later)")
            XCTAssertLessThan(later.stats.nsteps, 1000, name)
            // A step may end past 1 when no stage lands there (the midpoint rule's c = 1/2).
            XCTAssertLessThanOrEqual(later.t.last ?? 2, 1.01, name)
            XCTAssertTrue(later.u.allSatisfy { $0.allSatisfy(\.isFinite) }, "\(name) saved a non-finite state")
            var o = SolverOptions()
            o.adaptive = false
            o.dt = 0.1
            let fixed = solve(nanAfterOne, tableau, options: o)
            XCTAssertEqual(fixed.retcode, .unstable, name)
            XCTAssertLessThanOrEqual(fixed.t.last ?? 2, 1.2 + 1e-9, name)
        }
    }

    /// `maxiters` counts attempted steps, accepted and rejected.
    func testMaxitersIsHonoured() throws {
        let cf = ClosedFormProblem.nonlinearRotation()
        for maxiters in [1, 7, 50] {
            var o = SolverOptions()
            o.maxiters = maxiters
            o.abstol = 1e-10
            o.reltol = 1e-10
            let sol = solve(cf.problem, try ButcherTableau.dp5(), options: o)
            XCTAssertEqual(sol.retcode, .maxIters)
            XCTAssertEqual(sol.stats.nsteps, maxiters)
            XCTAssertLessThan(sol.t.last ?? 4, 4)
        }
        // Exactly enough attempts is a success.
        let full = solve(cf.problem, try ButcherTableau.dp5())
        var o = SolverOptions()
        o.maxiters = full.stats.nsteps
        XCTAssertEqual(solve(cf.problem, try ButcherTableau.dp5(), options: o).retcode, .success)
    }

    /// A solve backwards in time (t₁ < t₀) agrees with the exact solution, with the forward
    /// solve of the time-reversed problem step for step, and saves `saveat` in reverse order.
    func testReverseTime() throws {
        let back = ClosedFormProblem.phase(tspan: (4, 0))
        var o = SolverOptions()
        o.abstol = 1e-10
        o.reltol = 1e-10
        o.saveat = .times([0.5, 3.5, 2, 1, 7, -1])
        let sol = solve(back.problem, try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(sol.t, [3.5, 2, 1, 0.5])
        for (i, t) in sol.t.enumerated() { XCTAssertLessThan(maxAbsDifference(sol[i], back.exact(t)), 1e-8, "t = \(t)") }

        // v(s) = u(4 − s) solves v′ = −f(v, 4 − s) forwards.
        let a = 0.9
        let mirrored = ODEProblem({ dv, v, _, s in dv[0] = -(2 + a * Foundation.cos(v[0] - (4 - s))) },
                                  u0: back.problem.u0, tspan: (0, 4))
        var everystep = SolverOptions()
        everystep.abstol = 1e-8
        everystep.reltol = 1e-8
        let b = solve(back.problem, try ButcherTableau.dp5(), options: everystep)
        let f = solve(mirrored, try ButcherTableau.dp5(), options: everystep)
        XCTAssertEqual(b.stats, f.stats)
        XCTAssertEqual(b.t.count, f.t.count)
        // Not bit for bit: t + cᵢh and 4 − (s + cᵢh′) round differently, and the error
        // estimate (a difference of nearly equal sums) amplifies that into the step sizes.
        for i in 0..<Swift.min(b.t.count, f.t.count) {
            XCTAssertEqual(b.t[i], 4 - f.t[i], accuracy: 1e-9)
            XCTAssertEqual(b[i].first ?? 0, f[i].first ?? 1, accuracy: 1e-9)
        }
        XCTAssertTrue(zip(b.t, b.t.dropFirst()).allSatisfy { $0 > $1 }, "times decrease")
        // The dense output runs backwards too.
        guard let mid = b(2.2) else { return XCTFail("sol(2.2) of a backward solve") }
        XCTAssertEqual(mid[0], back.exact(2.2)[0], accuracy: 1e-6)
    }
}
