import LinearSolve
import XCTest

/// DenseLU: backward stability on random matrices of every size 1…100 (unrolled n = 2, 3,
/// the loops, the recursive variant), pivoting, singular and non-finite matrices as values, the
/// transposed solve and the condition estimate.
final class DenseLUTests: XCTestCase {
    func testRandomMatricesOfSizes1To100HaveTinyResiduals() {
        var rng = SplitMix64(seed: 0x5EED_0001)
        for n in 1...100 {
            let a = randomDense(n, &rng)
            let lu = DenseLU(dimension: n)
            XCTAssertEqual(lu.factor(a), .success, "n = \(n)")
            let b = randomVector(n, &rng)
            var x = b
            XCTAssertTrue(lu.solve(&x))
            let r = relativeResidual(a, x, b)
            XCTAssertLessThanOrEqual(r, 1e-13, "n = \(n)")
            XCTAssertGreaterThan(lu.reciprocalCondition(), 1e-8, "n = \(n)")
        }
    }

    func testSeveralRightHandSidesAtOnceMatchOneByOne() {
        var rng = SplitMix64(seed: 7)
        for n in [3, 17, 64] {
            let a = randomDense(n, &rng)
            let lu = DenseLU(dimension: n)
            XCTAssertEqual(lu.factor(a), .success)
            let k = 3
            let b = randomVector(n * k, &rng)
            var all = b
            XCTAssertTrue(lu.solve(&all, rhsCount: k))
            for r in 0..<k {
                var one = Array(b[(r * n)..<((r + 1) * n)])
                XCTAssertTrue(lu.solve(&one))
                XCTAssertEqual(Array(all[(r * n)..<((r + 1) * n)]), one, "n = \(n), column \(r)")
            }
            var short = [Double](repeating: 1, count: n * k - 1)
            XCTAssertFalse(lu.solve(&short, rhsCount: k), "a short buffer is refused")
            XCTAssertEqual(short, [Double](repeating: 1, count: n * k - 1))
        }
    }

    func testZeroLeadingEntryNeedsAndGetsPivoting() throws {
        // Without row interchanges the first pivot would be 0.
        let a = try XCTUnwrap(DenseMatrix(rows: [[0, 2, 1], [1, 1, 1], [3, 0, 2]]))
        let lu = DenseLU(dimension: 3)
        XCTAssertEqual(lu.factor(a), .success)
        XCTAssertEqual(lu.pivotIndices[0], 2, "the largest entry of column 0 is in row 2")
        let xTrue = [1.0, -2.0, 3.0]
        var x = multiply(a, xTrue)
        XCTAssertTrue(lu.solve(&x))
        XCTAssertLessThanOrEqual(maxRelativeDifference(x, xTrue), 1e-15)

        // The permutation matrix: L = I, U = I after interchanges.
        let p = try XCTUnwrap(DenseMatrix(rows: [[0, 1], [1, 0]]))
        let lu2 = DenseLU(dimension: 2)
        XCTAssertEqual(lu2.factor(p), .success)
        var y = [5.0, 7.0]
        XCTAssertTrue(lu2.solve(&y))
        XCTAssertEqual(y, [7, 5])

        // Growth-prone: a tiny leading entry that only pivoting handles accurately.
        let tiny = try XCTUnwrap(DenseMatrix(rows: [[1e-20, 1], [1, 1]]))
        let lu3 = DenseLU(dimension: 2)
        XCTAssertEqual(lu3.factor(tiny), .success)
        var z = [1.0, 2.0]
        XCTAssertTrue(lu3.solve(&z))
        XCTAssertEqual(z[0], 1, accuracy: 1e-15)
        XCTAssertEqual(z[1], 1, accuracy: 1e-15)
    }

    func testSingularMatricesAreReportedNotCrashed() throws {
        let zero = DenseLU(dimension: 3)
        XCTAssertEqual(zero.factor(), .singular(pivot: 0))
        var b = [1.0, 2, 3]
        XCTAssertFalse(zero.solve(&b))
        XCTAssertEqual(b, [1, 2, 3], "a failed solve leaves the right-hand side alone")
        XCTAssertEqual(zero.reciprocalCondition(), 0)

        let rankOne = try XCTUnwrap(DenseMatrix(rows: [[1, 2], [2, 4]]))
        XCTAssertEqual(DenseLU(dimension: 2).factor(rankOne), .singular(pivot: 1))

        // Rank deficiency in the middle of a larger (recursive) matrix: column 70 repeats column 3.
        var rng = SplitMix64(seed: 3)
        var big = randomDense(80, &rng)
        for i in 0..<80 { big[i, 70] = big[i, 3] }
        let status = DenseLU(dimension: 80).factor(big)
        if case .singular = status {} else if status != .success {
            XCTFail("unexpected \(status)")
        }
        // Exact cancellation may leave a rounding-size pivot instead of 0; either way the
        // condition estimate shows it.
        let bigLU = DenseLU(dimension: 80)
        if bigLU.factor(big) == .success { XCTAssertLessThan(bigLU.reciprocalCondition(), 1e-13) }

        let nan = try XCTUnwrap(DenseMatrix(rows: [[1, .nan], [0, 1]]))
        XCTAssertEqual(DenseLU(dimension: 2).factor(nan), .nonFinite(pivot: 1))
        let inf = try XCTUnwrap(DenseMatrix(rows: [[.infinity, 0], [0, 1]]))
        XCTAssertEqual(DenseLU(dimension: 2).factor(inf), .nonFinite(pivot: 0))

        XCTAssertEqual(DenseLU(dimension: 2).factor(DenseMatrix(dimension: 3)), .unsupportedMatrix)
        let unfactored = DenseLU(dimension: 2)
        var c = [1.0, 1]
        XCTAssertFalse(unfactored.solve(&c), "no factors yet")
    }

    func testWritingTheWorkspaceDiscardsTheFactors() {
        let lu = DenseLU(dimension: 2)
        lu[0, 0] = 2; lu[1, 1] = 4; lu[0, 1] = 1
        XCTAssertEqual(lu.factor(), .success)
        var x = [3.0, 4]
        XCTAssertTrue(lu.solve(&x))
        XCTAssertEqual(x, [1, 1])
        lu[1, 0] = 1
        var y = [1.0, 1]
        XCTAssertFalse(lu.solve(&y))
        lu.withUnsafeMutableMatrix { m in
            m.update(repeating: 0)
            m[0] = 1; m[3] = 1
        }
        XCTAssertEqual(lu.factor(), .success)
        XCTAssertTrue(lu.solve(&y))
        XCTAssertEqual(y, [1, 1])
    }

    func testTransposedSolve() {
        var rng = SplitMix64(seed: 11)
        for n in [1, 2, 3, 4, 5, 33, 90] {
            let a = randomDense(n, &rng)
            let lu = DenseLU(dimension: n)
            XCTAssertEqual(lu.factor(a), .success)
            let b = randomVector(n, &rng)
            var x = b
            XCTAssertTrue(lu.solveTransposed(&x))
            XCTAssertLessThanOrEqual(relativeResidual(transpose(a), x, b), 1e-13, "n = \(n)")
        }
    }

    /// The recursive path (n ≥ 24) and the unblocked elimination of `BandedLU` at full
    /// bandwidth (dgbtf2 on a full band is dgetf2) choose the same pivots.
    func testRecursivePathAgreesWithUnblockedElimination() {
        var rng = SplitMix64(seed: 21)
        for n in [DenseLU.recursiveThreshold, 31, 75, 100] {
            let a = randomDense(n, &rng)
            let dense = DenseLU(dimension: n)
            XCTAssertEqual(dense.factor(a), .success)
            let band = BandedLU(dimension: n, lowerBandwidth: n - 1, upperBandwidth: n - 1)
            XCTAssertEqual(band.factor(BandMatrix(a, lowerBandwidth: n - 1, upperBandwidth: n - 1)), .success)
            XCTAssertEqual(dense.pivotIndices, band.pivotIndices, "n = \(n)")
            let b = randomVector(n, &rng)
            var x = b, y = b
            XCTAssertTrue(dense.solve(&x))
            XCTAssertTrue(band.solve(&y))
            XCTAssertLessThanOrEqual(maxRelativeDifference(x, y), 1e-11, "n = \(n)")
        }
    }

    /// The hand-unrolled n = 2, 3, 4 kernels perform the loops' arithmetic in the loops' order:
    /// against dgbtf2 at full bandwidth (the same elimination) the pivots and U agree
    /// bitwise, and so do L's columns up to the row order (dgbtrf leaves earlier multipliers
    /// unswapped), zero entries (skipped multipliers) and singular matrices included.
    func testUnrolledSmallKernelsMatchTheLoopsBitwise() {
        var rng = SplitMix64(seed: 0x3B3)
        for n in 2...4 {
            for trial in 0..<300 {
                var a = randomDense(n, &rng)
                for j in 0..<n { for i in 0..<n where rng.uniform() < 0.25 { a[i, j] = 0 } }
                if trial % 50 == 0 { for i in 0..<n { a[i, trial % n] = 0 } }
                let dense = DenseLU(dimension: n)
                let band = BandedLU(dimension: n, lowerBandwidth: n - 1, upperBandwidth: n - 1)
                let s1 = dense.factor(a)
                let s2 = band.factor(BandMatrix(a, lowerBandwidth: n - 1, upperBandwidth: n - 1))
                let label = "n = \(n), trial \(trial)"
                XCTAssertEqual(s1, s2, label)
                XCTAssertEqual(dense.pivotIndices, band.pivotIndices, label)
                for j in 0..<n {
                    for i in 0...j { XCTAssertEqual(dense[i, j], band[i, j], "U \(label)") }
                    let l1 = ((j + 1)..<n).map { dense[$0, j] }.sorted(), l2 = ((j + 1)..<n).map { band[$0, j] }.sorted()
                    XCTAssertEqual(l1, l2, "L \(label)")
                }
                guard s1 == .success else { continue }
                let b = randomVector(n, &rng)
                var x = b, y = b
                XCTAssertTrue(dense.solve(&x))
                XCTAssertTrue(band.solve(&y))
                let cond = 1 / dense.reciprocalCondition()
                XCTAssertLessThanOrEqual(maxRelativeDifference(x, y), 1e-15 * cond, label)
            }
        }
    }

    func testReciprocalConditionEstimate() throws {
        let identity = DenseLU(dimension: 5)
        XCTAssertEqual(identity.factor(DenseMatrix.identity(5)), .success)
        XCTAssertEqual(identity.reciprocalCondition(), 1, accuracy: 1e-15)

        let diag = try XCTUnwrap(DenseMatrix(rows: [[1, 0], [0, 1e-10]]))
        let d = DenseLU(dimension: 2)
        XCTAssertEqual(d.factor(diag), .success)
        XCTAssertEqual(d.reciprocalCondition(), 1e-10, accuracy: 1e-22)

        // Against the exact 1-norm condition from the explicit inverse: the estimate of
        // ‖A⁻¹‖₁ is a lower bound, so rcond is an upper bound, rarely more than 3x off.
        var rng = SplitMix64(seed: 5)
        for n in [3, 10, 40, 60] {
            let a = randomDense(n, &rng)
            let lu = DenseLU(dimension: n)
            XCTAssertEqual(lu.factor(a), .success)
            var inverse = DenseMatrix.identity(n)
            inverse.withUnsafeMutableValues { _ = lu.solve($0, rhsCount: n) }
            let exact = 1 / (a.oneNorm * inverse.oneNorm)
            let estimate = lu.reciprocalCondition()
            XCTAssertGreaterThanOrEqual(estimate, exact * (1 - 1e-12), "n = \(n)")
            XCTAssertLessThanOrEqual(estimate, 10 * exact, "n = \(n)")
        }

        // Hilbert matrix of order 8: cond₁ ≈ 3.4e10.
        var hilbert = DenseMatrix(dimension: 8)
        for i in 0..<8 { for j in 0..<8 { hilbert[i, j] = 1 / Double(i + j + 1) } }
        let h = DenseLU(dimension: 8)
        XCTAssertEqual(h.factor(hilbert), .success)
        let rcond = h.reciprocalCondition()
        XCTAssertGreaterThan(rcond, 1 / 3.4e10 / 1.01)
        XCTAssertLessThan(rcond, 3 / 3.4e10)
    }

    func testLinearSystemMatrixFormatsThroughTheProtocol() throws {
        var rng = SplitMix64(seed: 9)
        let band = randomBand(12, kl: 2, ku: 1, &rng)
        let sparse = try XCTUnwrap(randomSparse(12, perColumn: 2, &rng))
        for matrix in [LinearSystemMatrix.dense(band.dense()), .banded(band), .sparse(sparse)] {
            let solver: any LinearSolver = matrix.makeSolver()
            XCTAssertEqual(solver.factor(matrix), .success)
            let dense = DenseLU(dimension: 12)
            XCTAssertEqual(dense.factor(matrix), .success, "DenseLU takes every format")
            let b = randomVector(12, &rng)
            var x = b, y = b
            XCTAssertTrue(solver.solve(&x))
            XCTAssertTrue(dense.solve(&y))
            XCTAssertLessThanOrEqual(maxRelativeDifference(x, y), 1e-12)
            var ax = [Double](repeating: 0, count: 12)
            x.withUnsafeBufferPointer { xb in ax.withUnsafeMutableBufferPointer { matrix.apply(xb, into: $0) } }
            XCTAssertLessThanOrEqual(maxRelativeDifference(ax, b), 1e-12)
        }
        XCTAssertEqual(BandedLU(dimension: 12, lowerBandwidth: 2, upperBandwidth: 1).factor(.sparse(sparse)),
                       .unsupportedMatrix)
        XCTAssertEqual(SparseLU(dimension: 12).factor(.banded(band)), .unsupportedMatrix)
    }
}
