import Autodiff
import DiffEq
import NeuralDE
import NeuralNets
import Optimizers
import Sensitivity
import XCTest

/// The end-to-end training workflows of issue 5 (also runnable in release: `make examples`).
final class TrainingTests: XCTestCase {
    func testLotkaVolterraParametersAreRecoveredWithLBFGS() throws {
        let f = try trace(.vector(2), .vector(4)) { u, p, t in
            [p[0] * u[0] - p[1] * u[0] * u[1], -p[2] * u[1] + p[3] * u[0] * u[1]]
        }
        var o = SolverOptions()
        o.reltol = 1e-10; o.abstol = 1e-10; o.saveat = .every(0.1)
        let problem = try DifferentiableSolve(CompiledRHS(f), tspan: (0, 10), tableau: .tsit5(), options: o)
        let data = try problem.solve(u0: [1, 1], p: [1.5, 1, 3, 1]).values
        let result = train({ p in
            let g = try problem.gradient(u0: [1, 1], p: p) { sol in
                (zip(sol.values, data).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }, zip(sol.values, data).map { 2 * ($0 - $1) })
            }
            return (g.value, g.dp)
        }, [1.2, 0.8, 2.8, 0.8], LBFGS(), maxiters: 200)
        for (a, b) in zip(result.minimizer, [1.5, 1, 3, 1]) { XCTAssertEqual(a, b, accuracy: 1e-3) }
    }

    /// DiffEqFlux's first tutorial: Adam(0.05) × 300, then LBFGS, ends below 0.1, the same for
    /// the same seed.
    func testSpiralNeuralODETrainsBelowPointOneDeterministically() throws {
        let times = (0..<30).map { 1.5 * Double($0) / 29 }
        let data = try NeuralODETests.spiralData()
        let net = Chain(FunctionLayer("x -> x.^3") { pow($0, 3.0) }, Dense(2, 50, .tanh), Dense(50, 2))
        func run(adamIterations: Int, lbfgsIterations: Int) throws -> Double {
            var fit = SolverOptions()
            fit.reltol = 1e-6; fit.abstol = 1e-6
            let node = try NeuralODE(net, tspan: (0, 1.5), try .tsit5(), saveat: .times(times), options: fit, states: 2)
            let objective = Objective(arrays: { theta in
                let g = try node.gradient([2, 0], theta) { sol in
                    (zip(sol.values, data).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }, zip(sol.values, data).map { 2 * ($0 - $1) })
                }
                return (g.value, g.dtheta)
            })
            let adam = train(objective, node.initialParameters(seed: 0), Adam(0.05), maxiters: adamIterations)
            XCTAssertEqual(adam.iterations, adamIterations)
            return train(objective, adam.minimizer, LBFGS(), maxiters: lbfgsIterations).minimum
        }
        XCTAssertLessThan(try run(adamIterations: 300, lbfgsIterations: 100), 0.1)
        // Determinism: the same seed gives the same numbers, bit for bit (a short run suffices).
        XCTAssertEqual(try run(adamIterations: 20, lbfgsIterations: 5), try run(adamIterations: 20, lbfgsIterations: 5))
    }
}

final class TrainingEventTests: XCTestCase {
    func testEventsCarrySolverStatsAndThePrediction() throws {
        let net = Chain(Dense(2, 4, .tanh), Dense(4, 2))
        let node = try NeuralODE(net, tspan: (0, 1), try .tsit5(), saveat: .every(0.25), states: 2)
        let target = [Double](repeating: 0.5, count: 10)
        var events: [TrainingEvent] = []
        let result = train(node.objective([1, 0]) { sol in
            (zip(sol.values, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }, zip(sol.values, target).map { 2 * ($0 - $1) })
        }, node.initialParameters(seed: 1), Adam(0.01), maxiters: 5, callback: { events.append($0); return false })
        XCTAssertEqual(result.iterations, 5)
        XCTAssertEqual(events.count, 5)
        for e in events {
            XCTAssertGreaterThan(e.info.stats["nf"] ?? 0, 0)
            XCTAssertEqual(e.info.prediction?.count, 10)
        }
        XCTAssertLessThan(result.minimum, result.losses[0])
    }
}
