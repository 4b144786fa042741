import DiffEq
import TestSupport
import XCTest

final class EnsembleTests: XCTestCase {
    /// u' = -p u from u0 = i + 1: u(1) = (i + 1) e^{-p}.
    func decay() -> ODEProblem {
        ODEProblem({ du, u, p, t in du[0] = -p[0] * u[0] }, u0: [1], tspan: (0, 1), p: [0.5])
    }

    func testSerialAndThreadsAgreeMemberByMember() throws {
        let ensemble = EnsembleProblem(decay(), probFunc: { m, i, _ in m.u0 = [Double(i + 1)]; m.p = [0.1 * Double(i % 7)] },
                                       outputFunc: { sol, _ in (sol[sol.t.count - 1].first ?? .nan, false) })
        var o = SolverOptions()
        o.reltol = 1e-10; o.abstol = 1e-12
        let dp5 = try ButcherTableau.dp5()
        let serial = solve(ensemble, dp5, .serial, trajectories: 64, options: o)
        let threads = solve(ensemble, dp5, .threads, trajectories: 64, options: o)
        XCTAssertEqual(serial.u.count, 64)
        XCTAssertEqual(serial.u, threads.u, "each member must not depend on which thread solved it")
        for i in 0..<64 {
            XCTAssertEqual(serial.u[i], Double(i + 1) * exp(-0.1 * Double(i % 7)), accuracy: 1e-8)
        }
    }

    func testRerunsAreRequestedByTheOutputFunction() throws {
        var attempts = [Int](repeating: 0, count: 5)
        let ensemble = EnsembleProblem(decay(), probFunc: { m, i, rep in m.p = [Double(rep)] },
                                       outputFunc: { sol, i -> (Double, rerun: Bool) in
                                           attempts[i] += 1
                                           let end = sol[sol.t.count - 1].first ?? .nan
                                           return (end, end > 0.2)   // rerun with a larger decay rate until u(1) ≤ 0.2
                                       })
        let out = solve(ensemble, try ButcherTableau.dp5(), .serial, trajectories: 5)
        XCTAssertEqual(attempts, [3, 3, 3, 3, 3])   // p = 0, 1, 2: e^-2 ≈ 0.135 is the first ≤ 0.2
        for v in out.u { XCTAssertEqual(v, exp(-2), accuracy: 1e-4) }
    }

    func testReductionStopsWhenConverged() throws {
        let ensemble = EnsembleProblem(decay(), probFunc: { m, i, _ in m.u0 = [1] },
                                       outputFunc: { sol, _ in (sol[sol.t.count - 1].first ?? .nan, false) })
        var batches = 0
        let (sum, count) = solve(ensemble, try ButcherTableau.dp5(), .threads, trajectories: 100, batchSize: 10,
                                 initial: (0.0, 0), reduction: { acc, outs, range in
            batches += 1
            return ((acc.0 + outs.reduce(0, +), acc.1 + outs.count), acc.1 + outs.count >= 30)
        })
        XCTAssertEqual(batches, 3)
        XCTAssertEqual(count, 30)
        XCTAssertEqual(sum / Double(count), exp(-0.5), accuracy: 1e-5)
    }
}
