import Autodiff
import DiffEq
import Foundation
import Lang
import Sensitivity
import XCTest

/// `gradient(f, args...)` in the language against the Swift API.
final class GradientTests: XCTestCase {
    func numbers(_ value: Value?) -> [Double] {
        guard case .array(let array)? = value else { return [] }
        return array.storage
    }

    func testLotkaVolterraGradientIsTheSwiftAPI() throws {
        let interpreter = Interpreter(output: { _ in })
        let evaluation = interpreter.evaluate(source: """
            function lotka!(du, u, p, t)
                du[1] = p[1]*u[1] - p[2]*u[1]*u[2]
                du[2] = -p[3]*u[2] + p[4]*u[1]*u[2]
            end
            p = [1.5, 1.0, 3.0, 1.0]; u0 = [1.0, 1.0]
            prob = ODEProblem(lotka!, u0, (0.0, 10.0), p)
            loss(u0, p) = sum(solve(prob, Tsit5(), u0=u0, p=p, saveat=0.1, reltol=1e-8, abstol=1e-8))
            du0, dp = gradient(loss, u0, p)
            """)
        XCTAssertFalse(evaluation.failed, evaluation.renderedDiagnostics())
        let du0 = numbers(interpreter.global("du0")), dp = numbers(interpreter.global("dp"))

        let b = GraphBuilder()
        let u = Sym(b, b.input("u", .vector(2))), p = Sym(b, b.input("p", .vector(4)))
        _ = b.input("t", .scalar)
        let d1 = p[0] * u[0] - p[1] * u[0] * u[1]
        let d2 = -p[2] * u[1] + p[3] * u[0] * u[1]
        let graph = try b.build(outputs: [b.concat([d1.id, d2.id], shape: .vector(2))])
        var options = SolverOptions()
        options.saveat = .every(0.1)
        options.reltol = .scalar(1e-8)
        options.abstol = .scalar(1e-8)
        let solve = try DifferentiableSolve(CompiledRHS(graph), tspan: (0.0, 10.0),
                                            tableau: try MethodRegistry.method(named: "Tsit5"), options: options)
        let reference = try solve.gradient(u0: [1.0, 1.0], p: [1.5, 1.0, 3.0, 1.0]) { sol in
            (sol.values.reduce(0, +), [Double](repeating: 1, count: sol.values.count))
        }
        XCTAssertEqual(du0.count, 2)
        XCTAssertEqual(dp.count, 4)
        for (a, r) in zip(du0 + dp, reference.du0 + reference.dp) {
            XCTAssertLessThanOrEqual(abs(a - r), 1e-8 * max(1, abs(r)), "\(du0 + dp) vs \(reference.du0 + reference.dp)")
        }
    }
}
