import Foundation
import Optimizers
import TestSupport
import XCTest

struct Boom: Error, Equatable {}

final class TrainTests: XCTestCase {
    func testHistoryAndResultNames() {
        var events: [TrainingEvent] = []
        let result = train(TestProblems.quadratic, [0, 0, 0, 0], Adam(0.05), maxiters: 50) { event in
            events.append(event)
            return false
        }
        XCTAssertEqual(result.stopReason, .maxIterations)
        XCTAssertEqual(result.iterations, 50)
        XCTAssertEqual(result.losses.count, 50)
        XCTAssertEqual(result.evaluations, 50)
        XCTAssertEqual(result.method, "Adam")
        XCTAssertEqual(events.map(\.iteration), Array(1...50))
        XCTAssertEqual(events.map(\.loss), result.losses)
        // The first loss is f(θ₀); each event's θ is the point its loss belongs to.
        XCTAssertEqual(result.losses[0], try TestProblems.quadratic([0, 0, 0, 0]).loss)
        for e in events { XCTAssertEqual(e.loss, try TestProblems.quadratic(e.parameters).loss) }
        for e in events { XCTAssertEqual(e.gradientNorm ?? -1, try TestProblems.gradientNorm(TestProblems.quadratic, at: e.parameters), accuracy: 1e-12) }
        // The minimizer is the best point seen, under both sets of names.
        let best = result.losses.indices.min { result.losses[$0] < result.losses[$1] } ?? -1
        XCTAssertEqual(result.bestIteration, best + 1)
        XCTAssertEqual(result.minimum, result.losses[best])
        XCTAssertEqual(result.u, events[best].parameters)
        XCTAssertEqual(result.minimizer, result.u)
        XCTAssertEqual(result.objective, result.minimum)
        XCTAssertEqual(events.last?.bestLoss, result.minimum)
        XCTAssertTrue(zip(events, events.dropFirst()).allSatisfy { $1.elapsed >= $0.elapsed })
    }

    func testFirstOrderConvergenceOnQuadraticAndRosenbrock() {
        let descent = train(TestProblems.quadratic, [0, 0, 0, 0], Descent(0.1), maxiters: 400)
        XCTAssertLessThan(descent.minimum, 1e-12)
        let momentum = train(TestProblems.quadratic, [0, 0, 0, 0], Momentum(0.05), maxiters: 400)
        XCTAssertLessThan(momentum.minimum, 1e-10)
        let nesterov = train(TestProblems.quadratic, [0, 0, 0, 0], Nesterov(0.05), maxiters: 400)
        XCTAssertLessThan(nesterov.minimum, 1e-10)
        let rms = train(TestProblems.quadratic, [0, 0, 0, 0], RMSProp(0.01), maxiters: 2000)
        XCTAssertLessThan(rms.minimum, 1e-3)
        let adam = train(TestProblems.quadratic, [0, 0, 0, 0], Adam(0.1), maxiters: 2000)
        XCTAssertLessThan(adam.minimum, 1e-8)
        let adamW = train(TestProblems.quadratic, [0, 0, 0, 0], AdamW(0.1, lambda: 0), maxiters: 2000)
        XCTAssertEqual(adamW.minimum, adam.minimum)
        let rosenbrock = train(TestProblems.rosenbrock, [-1.2, 1], Adam(0.02), maxiters: 5000)
        print("Adam on Rosenbrock: \(rosenbrock)")
        XCTAssertLessThan(rosenbrock.minimum, 1e-4)
        let scheduled = train(TestProblems.rosenbrock, [-1.2, 1],
                              Adam().scheduled(.cosineAnnealing(max: 0.05, min: 0.001, period: 5000, restart: false)),
                              maxiters: 5000)
        print("Adam with cosine annealing on Rosenbrock: \(scheduled)")
        XCTAssertLessThan(scheduled.minimum, 1e-4)
    }

    /// A loss that goes NaN after ten evaluations: training stops and keeps the best θ.
    func testBestParametersAreKeptWhenTheLossTurnsNaN() {
        let counter = Counter()
        let objective = Objective { x, g in
            let n = counter.increment()
            let f = try TestProblems.quadratic(Array(x))
            for i in g.indices { g[i] = f.gradient[i] }
            return n > 10 ? .nan : f.loss
        }
        var events: [TrainingEvent] = []
        let result = train(objective, [0, 0, 0, 0], Descent(0.05), maxiters: 100) { events.append($0); return false }
        XCTAssertEqual(result.stopReason, .nonFiniteLoss)
        XCTAssertEqual(result.iterations, 11)
        XCTAssertTrue(result.losses[10].isNaN)
        XCTAssertEqual(result.bestIteration, 10)
        XCTAssertEqual(result.minimum, result.losses[9])
        XCTAssertEqual(result.minimizer, events[9].parameters)
        XCTAssertTrue(result.message.contains("kept the best parameters"), result.message)
        XCTAssertEqual(events[10].bestLoss, result.minimum)

        // A NaN gradient with a finite loss counts as non-finite too.
        let badGradient = Objective { _, g in
            for i in g.indices { g[i] = .nan }
            return 1
        }
        let r2 = train(badGradient, [1, 2], Adam(), maxiters: 10)
        XCTAssertEqual(r2.stopReason, .nonFiniteLoss)
        XCTAssertTrue(r2.message.contains("gradient"), r2.message)
        XCTAssertEqual(r2.minimizer, [1, 2], "the step from a NaN gradient is never taken")
    }

    func testSkipPolicyDropsBadStepsAndGivesUpAfterALimit() {
        // Evaluations 5 and 6 fail: their steps are dropped, so iterations 5–7 stand on one point.
        let counter = Counter()
        let flaky = Objective { x, g in
            let n = counter.increment()
            let f = try TestProblems.quadratic(Array(x))
            for i in g.indices { g[i] = f.gradient[i] }
            return n == 5 || n == 6 ? .nan : f.loss
        }
        var events: [TrainingEvent] = []
        let result = train(flaky, [0, 0, 0, 0], Descent(0.05), maxiters: 20, onNonFinite: .skip()) {
            events.append($0)
            return false
        }
        XCTAssertEqual(result.stopReason, .maxIterations)
        XCTAssertEqual(result.losses.count, 20)
        XCTAssertTrue(result.losses[4].isNaN && result.losses[5].isNaN)
        XCTAssertEqual(events[4].parameters, events[5].parameters)
        XCTAssertEqual(events[5].parameters, events[6].parameters)
        XCTAssertNotEqual(events[3].parameters, events[4].parameters)
        XCTAssertLessThan(result.minimum, result.losses[0])

        // Always NaN from the fourth evaluation: three finite, then three skipped, then stop.
        let counter2 = Counter()
        let broken = Objective { x, g in
            for i in g.indices { g[i] = 1 }
            return counter2.increment() > 3 ? .nan : 1
        }
        let r2 = train(broken, [0], Descent(), maxiters: 100, onNonFinite: .skip(maxConsecutive: 3))
        XCTAssertEqual(r2.stopReason, .nonFiniteLoss)
        XCTAssertEqual(r2.iterations, 6)
        XCTAssertEqual(r2.bestIteration, 1)
    }

    func testTargetLoss() {
        let result = train(TestProblems.quadratic, [0, 0, 0, 0], Descent(0.1), maxiters: 1000,
                           stopping: StoppingRules(targetLoss: 1e-3))
        XCTAssertEqual(result.stopReason, .targetReached)
        XCTAssertLessThanOrEqual(result.losses.last ?? .nan, 1e-3)
        XCTAssertGreaterThan(result.losses.dropLast().last ?? .nan, 1e-3)
    }

    func testTimeLimit() {
        let slow = Objective { x, g in
            Thread.sleep(forTimeInterval: 0.005)
            for i in g.indices { g[i] = 2 * x[i] }
            return x.reduce(0) { $0 + $1 * $1 }
        }
        let result = train(slow, [1, 1], Adam(), maxiters: 100_000, stopping: StoppingRules(timeLimit: 0.05))
        XCTAssertEqual(result.stopReason, .timeLimit)
        XCTAssertGreaterThanOrEqual(result.elapsed, 0.05)
        XCTAssertGreaterThanOrEqual(result.iterations, 1)
        XCTAssertLessThanOrEqual(result.iterations, 11)
    }

    func testStall() {
        // A flat loss never improves after the first iteration.
        let flat = Objective { _, g in
            for i in g.indices { g[i] = 0 }
            return 3
        }
        let result = train(flat, [1, 2], Adam(), maxiters: 1000, stopping: StoppingRules(stallIterations: 5))
        XCTAssertEqual(result.stopReason, .stalled)
        XCTAssertEqual(result.iterations, 6)
        // Improvements smaller than the tolerance do not count.
        let creeping = Objective { x, g in
            g[0] = 1e-6
            return x[0] * 1e-6
        }
        let r2 = train(creeping, [0], Descent(1), maxiters: 1000,
                       stopping: StoppingRules(stallIterations: 10, stallTolerance: 1e-9))
        XCTAssertEqual(r2.stopReason, .stalled)
        XCTAssertEqual(r2.iterations, 11)
    }

    func testCallbackStop() {
        let result = train(TestProblems.quadratic, [0, 0, 0, 0], Adam(), maxiters: 100) { $0.iteration == 7 }
        XCTAssertEqual(result.stopReason, .callbackStop)
        XCTAssertEqual(result.iterations, 7)
        XCTAssertEqual(result.losses.count, 7)
    }

    func testObjectiveErrorEndsTrainingWithTheError() {
        let counter = Counter()
        let failing = Objective { x, g in
            if counter.increment() % 10 == 4 { throw Boom() }
            let f = try TestProblems.rosenbrock(Array(x))
            for i in g.indices { g[i] = f.gradient[i] }
            return f.loss
        }
        for method in [Adam(), BFGS(), NelderMead()] as [any OptimizationMethod] {
            let result = train(failing, [-1.2, 1], method, maxiters: 100)
            XCTAssertEqual(result.stopReason, .objectiveError, method.name)
            XCTAssertEqual(result.error as? Boom, Boom(), method.name)
            XCTAssertGreaterThan(result.bestIteration, 0)
            XCTAssertTrue(result.minimum.isFinite)
        }
        let mismatched = train({ _ in (1, [1, 2, 3]) }, [0, 0], Adam(), maxiters: 10)
        XCTAssertEqual(mismatched.stopReason, .objectiveError)
        XCTAssertNotNil(mismatched.error as? OptimizationError)
        XCTAssertEqual(mismatched.minimizer, [0, 0])
        XCTAssertTrue(mismatched.minimum.isNaN)
        let empty = train(TestProblems.quadratic, [], Adam(), maxiters: 10)
        XCTAssertEqual(empty.stopReason, .methodFailure)
        XCTAssertEqual(empty.iterations, 0)
    }

    func testInfoAndFiniteDifferencesFlowIntoEvents() throws {
        let withInfo = Objective(info: { x, g, info in
            g[0] = 2 * x[0]
            info.stats["nf"] = 42
            info.prediction = [x[0], x[0] * x[0]]
            return x[0] * x[0]
        })
        var last: TrainingEvent?
        _ = train(withInfo, [3], Descent(0.1), maxiters: 3) { last = $0; return false }
        XCTAssertEqual(last?.info.stats["nf"], 42)
        XCTAssertEqual(last?.info.prediction?.count, 2)
        XCTAssertEqual(last?.info.prediction?[0], last?.parameters[0])

        // A value-only objective is differenced for gradient-based methods.
        let valueOnly = Objective(value: { x in (x[0] - 1) * (x[0] - 1) + 2 * (x[1] + 1) * (x[1] + 1) })
        let (f, g) = try valueOnly([0, 0])
        XCTAssertEqual(f, 3)
        XCTAssertEqual(g[0], -2, accuracy: 1e-8)
        XCTAssertEqual(g[1], 4, accuracy: 1e-8)
        var sawStats = false
        let result = train(valueOnly, [0, 0], LBFGS(gTol: 1e-6), maxiters: 100) { event in
            sawStats = sawStats || event.info.stats["finiteDifferenceEvaluations"] == 4
            return false
        }
        XCTAssertEqual(result.stopReason, .converged, result.message)
        XCTAssertEqual(result.minimizer[0], 1, accuracy: 1e-6)
        XCTAssertTrue(sawStats)
    }

    /// Without observers, an iteration of the loop allocates nothing: a longer run (up to 1010
    /// iterations) makes no more allocations than a run of 10 (workspaces are made at the start).
    func testTrainingIterationsDoNotAllocateWithoutObservers() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        let never = StoppingRules(targetLoss: -1)
        for method in [Adam(), Nesterov().clippingNorm(1), NelderMead()] as [any OptimizationMethod] {
            _ = train(TestProblems.quadratic, [0, 0, 0, 0], method, maxiters: 10)
            let short = allocations { _ = train(TestProblems.quadratic, [0, 0, 0, 0], method, maxiters: 10, stopping: never) }
            let long = allocations { _ = train(TestProblems.quadratic, [0, 0, 0, 0], method, maxiters: 1010, stopping: never) }
            XCTAssertLessThanOrEqual(long, short, "\(method.name): \(short) allocations for 10 iterations, \(long) for 1010")
        }
    }

    func testArrayClosureForm() {
        let result = train({ x in (x[0] * x[0], [2 * x[0]]) }, [1], Descent(0.25), maxiters: 3)
        XCTAssertEqual(result.losses, [1, 0.25, 0.0625])
    }
}
