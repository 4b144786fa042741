import DiffEq
import Foundation
import TestSupport
import XCTest

/// Problems shared by the DiffEq tests.
enum Problems {
    static func lotkaVolterra(p: [Double] = [1.5, 1, 3, 1], u0: [Double] = [1, 1], tspan: (Double, Double) = (0, 10)) -> ODEProblem {
        ODEProblem({ du, u, p, t in
            du[0] = p[0] * u[0] - p[1] * u[0] * u[1]
            du[1] = -p[2] * u[1] + p[3] * u[0] * u[1]
        }, u0: u0, tspan: tspan, p: p)
    }

    /// The tight reference of shared/anchors (DOP853 at 1e-13), rows (t, x, y) every 0.1.
    static func lotkaVolterraReference() throws -> [[Double]] {
        let here = URL(fileURLWithPath: #filePath)
        let path = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/anchors/data/lv_reference.txt")
        let text = try String(contentsOf: path, encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").compactMap { Double($0) } }
    }
}

final class LotkaVolterraTests: XCTestCase {
    func testDP5MatchesHairersDOPRI5StepForStep() throws {
        // The C reference (shared/anchors/c/dp5.c) takes 87 accepted and 20 rejected steps with
        // 644 evaluations at rtol = atol = 1e-6: the same controller and initial step must too.
        var o = SolverOptions()
        o.abstol = 1e-6; o.reltol = 1e-6
        o.saveat = .every(0.1)
        let sol = solve(Problems.lotkaVolterra(), try ButcherTableau.dp5(), options: o)
        XCTAssertEqual(sol.retcode, .success)
        XCTAssertEqual(sol.stats.naccept, 87)
        XCTAssertEqual(sol.stats.nreject, 20)
        XCTAssertEqual(sol.stats.nf, 644)
        XCTAssertEqual(sol.t.count, 101)
        let ref = try Problems.lotkaVolterraReference()
        XCTAssertEqual(ref.count, 101)
        var worst = 0.0
        for (i, row) in ref.enumerated() {
            XCTAssertEqual(sol.t[i], row[0], accuracy: 1e-12)
            worst = max(worst, abs(sol[i][sol[i].startIndex] - row[1]), abs(sol[i][sol[i].startIndex + 1] - row[2]))
        }
        XCTAssertLessThan(worst, 1e-4)
        let end = sol[100]
        XCTAssertLessThan(max(abs(end[end.startIndex] - ref[100][1]), abs(end[end.startIndex + 1] - ref[100][2])), 3e-5)
    }
}
