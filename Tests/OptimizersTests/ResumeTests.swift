import Foundation
import Optimizers
import TestSupport
import XCTest

/// A first-order rule's state goes out with the result and back in with `resuming:`: two
/// runs then take the same steps as one long run.
final class ResumeTests: XCTestCase {
    func testAdamContinuesWhereItStopped() throws {
        let whole = train(TestProblems.quadratic, [0, 0, 0, 0], Adam(0.01), maxiters: 200)
        // The losses fall at every iteration here, so the first run's best point is its last.
        XCTAssertEqual(whole.losses, whole.losses.sorted(by: >))
        let first = train(TestProblems.quadratic, [0, 0, 0, 0], Adam(0.01), maxiters: 100)
        let state = try XCTUnwrap(first.optimizerState)
        XCTAssertEqual(state.count, 2 * 4 + 2, "m, v and the two bias-correction powers")
        // The second run evaluates its starting point once more, then steps on as the whole run did.
        let second = train(TestProblems.quadratic, first.u, Adam(0.01), maxiters: 101, resuming: state)
        XCTAssertEqual(Array(second.losses.dropFirst()), Array(whole.losses[100..<200]))
        XCTAssertEqual(second.u, whole.u)
        // Without the state, Adam starts its moments afresh: a different path.
        let fresh = train(TestProblems.quadratic, first.u, Adam(0.01), maxiters: 101)
        XCTAssertNotEqual(Array(fresh.losses.dropFirst()), Array(whole.losses[100..<200]))
    }

    func testStatesThatDoNotFitAreIgnoredAndQuasiNewtonHasNone() {
        let momentum = train(TestProblems.quadratic, [0, 0, 0, 0], Momentum(0.01, rho: 0.9), maxiters: 20)
        XCTAssertEqual(momentum.optimizerState?.count, 4, "a velocity per parameter")
        // A state for another number of parameters is not used: the run starts afresh.
        let mismatched = train(TestProblems.quadratic, [0, 0, 0, 0], Adam(0.01), maxiters: 20, resuming: [1, 2, 3])
        let fresh = train(TestProblems.quadratic, [0, 0, 0, 0], Adam(0.01), maxiters: 20)
        XCTAssertEqual(mismatched.losses, fresh.losses)
        XCTAssertNil(train(TestProblems.quadratic, [0, 0, 0, 0], LBFGS(), maxiters: 20).optimizerState)
    }
}
