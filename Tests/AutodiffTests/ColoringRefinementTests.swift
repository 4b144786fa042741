import Autodiff
import TestSupport
import XCTest

/// `ColumnColoring.refined`: Culberson's iterated greedy keeps the colouring valid and never
/// uses more colours than it started with; on the 2-D Brusselator it reaches 10.
final class ColoringRefinementTests: XCTestCase {
    func testRefinementIsValidAndNeverWorse() throws {
        for m in [7, 12, 20] {
            let p = try JacobianTests.laplacian2D(m).sparsity()
            let greedy = ColumnColoring(greedy: p, ordering: .natural)
            let refined = greedy.refined(for: p, passes: 30)
            XCTAssertTrue(refined.isValid(for: p), "m = \(m)")
            XCTAssertLessThanOrEqual(refined.count, greedy.count, "m = \(m)")
            // A row of the stencil holds 5 columns, so 5 colours is the least possible.
            XCTAssertGreaterThanOrEqual(refined.count, 5, "m = \(m)")
        }
    }

    func testBrusselatorNeedsTenColoursAfterRefinement() throws {
        for N in [8, 16, 32] {
            let p = try Brusselator2D.graph(N).sparsity(output: 0, wrt: 0)
            let greedy = ColumnColoring(greedy: p)
            let refined = greedy.refined(for: p, passes: 30)
            XCTAssertTrue(refined.isValid(for: p), "N = \(N)")
            XCTAssertGreaterThan(greedy.count, 10, "largest first alone needs 11–12 here (N = \(N))")
            XCTAssertLessThanOrEqual(refined.count, 10, "N = \(N)")
            XCTAssertEqual(refined.refined(for: p, passes: 0), refined)
        }
    }
}
