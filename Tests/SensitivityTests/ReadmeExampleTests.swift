import Autodiff
import DiffEq
import Sensitivity
import XCTest

/// The Swift example in README.md, verbatim, so the README cannot drift from the API.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeExampleRuns() throws {
        let f = try trace(.vector(2), .vector(4)) { u, p, t in
            [p[0] * u[0] - p[1] * u[0] * u[1], -p[2] * u[1] + p[3] * u[0] * u[1]]
        }
        var options = SolverOptions()
        options.saveat = .every(0.1)
        let problem = try DifferentiableSolve(CompiledRHS(f), tspan: (0, 10), tableau: .tsit5(), options: options)
        let (loss, du0, dp) = try problem.gradient(u0: [1, 1], p: [1.5, 1, 3, 1]) { sol in
            (sol.values.reduce(0, +), [Double](repeating: 1, count: sol.values.count))
        }
        XCTAssertEqual(du0.count, 2)
        XCTAssertEqual(dp.count, 4)
        XCTAssertGreaterThan(loss, 100)
    }
}
