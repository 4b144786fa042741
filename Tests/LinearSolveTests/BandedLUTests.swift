import LinearSolve
import XCTest

/// BandedLU against DenseLU on the same matrices: tridiagonal, pentadiagonal, kl ≠ ku and
/// one-sided bands; pivoting, singular bands, several and transposed right-hand sides.
final class BandedLUTests: XCTestCase {
    static let bandwidths = [(1, 1), (2, 2), (3, 1), (1, 3), (0, 2), (2, 0), (0, 0), (4, 2)]

    func testBandAgreesWithDenseOnTheSameMatrix() {
        var rng = SplitMix64(seed: 0xBA4D)
        for (kl, ku) in Self.bandwidths {
            for n in [1, 2, 3, 7, 40, 200] {
                let band = randomBand(n, kl: kl, ku: ku, &rng)
                let dense = band.dense()
                let blu = BandedLU(dimension: n, lowerBandwidth: kl, upperBandwidth: ku)
                let dlu = DenseLU(dimension: n)
                XCTAssertEqual(blu.factor(band), .success, "kl \(kl) ku \(ku) n \(n)")
                XCTAssertEqual(dlu.factor(dense), .success)
                let b = randomVector(n, &rng)
                var x = b, y = b
                XCTAssertTrue(blu.solve(&x))
                XCTAssertTrue(dlu.solve(&y))
                XCTAssertLessThanOrEqual(relativeResidual(dense, x, b), 1e-13, "kl \(kl) ku \(ku) n \(n)")
                let cond = 1 / max(dlu.reciprocalCondition(), 1e-300)
                XCTAssertLessThanOrEqual(maxRelativeDifference(x, y), 1e-15 * max(cond, 1) * 10, "kl \(kl) ku \(ku) n \(n)")
                if n <= 40 {
                    // dgbtf2 and dgetf2 take the same pivots on the same matrix.
                    XCTAssertEqual(blu.pivotIndices, dlu.pivotIndices, "kl \(kl) ku \(ku) n \(n)")
                }
                // The condition estimates run the same estimator on the same operator.
                XCTAssertEqual(blu.reciprocalCondition(), dlu.reciprocalCondition(),
                               accuracy: 1e-6 * dlu.reciprocalCondition(), "kl \(kl) ku \(ku) n \(n)")
                var xt = b, yt = b
                XCTAssertTrue(blu.solveTransposed(&xt))
                XCTAssertTrue(dlu.solveTransposed(&yt))
                XCTAssertLessThanOrEqual(relativeResidual(transpose(dense), xt, b), 1e-13, "transposed kl \(kl) ku \(ku) n \(n)")
            }
        }
    }

    func testPivotingHappensAndFillInIsHandled() {
        // Tridiagonal with a zero leading diagonal: row 1 must become the first pivot row,
        // which puts a fill-in entry at (0, 2), outside the original band.
        var t = BandMatrix(dimension: 5, lowerBandwidth: 1, upperBandwidth: 1)
        for i in 0..<5 { t[i, i] = 2 }
        for i in 0..<4 { t[i + 1, i] = -1; t[i, i + 1] = -1 }
        t[0, 0] = 0
        t[1, 0] = 3
        let lu = BandedLU(dimension: 5, lowerBandwidth: 1, upperBandwidth: 1)
        XCTAssertEqual(lu.factor(t), .success)
        XCTAssertEqual(lu.pivotIndices[0], 1)
        let xTrue = [1.0, 2, 3, 4, 5]
        let b = multiply(t.dense(), xTrue)
        var x = b
        XCTAssertTrue(lu.solve(&x))
        XCTAssertLessThanOrEqual(maxRelativeDifference(x, xTrue), 1e-14)
    }

    func testSeveralRightHandSides() {
        var rng = SplitMix64(seed: 4)
        let n = 30, k = 4
        let band = randomBand(n, kl: 2, ku: 3, &rng)
        let lu = BandedLU(dimension: n, lowerBandwidth: 2, upperBandwidth: 3)
        XCTAssertEqual(lu.factor(band), .success)
        let b = randomVector(n * k, &rng)
        var all = b
        XCTAssertTrue(lu.solve(&all, rhsCount: k))
        for r in 0..<k {
            var one = Array(b[(r * n)..<((r + 1) * n)])
            XCTAssertTrue(lu.solve(&one))
            XCTAssertEqual(Array(all[(r * n)..<((r + 1) * n)]), one)
        }
    }

    func testSingularBandsAreReported() {
        var band = BandMatrix(dimension: 6, lowerBandwidth: 1, upperBandwidth: 2)
        for i in 0..<6 { band[i, i] = 1 }
        band[3, 3] = 0   // column 3 is zero apart from its super-diagonal neighbours, which are 0 too
        let lu = BandedLU(dimension: 6, lowerBandwidth: 1, upperBandwidth: 2)
        XCTAssertEqual(lu.factor(band), .singular(pivot: 3))
        var b = [Double](repeating: 1, count: 6)
        XCTAssertFalse(lu.solve(&b))
        XCTAssertEqual(lu.reciprocalCondition(), 0)

        band[3, 3] = .nan
        XCTAssertEqual(lu.factor(band), .nonFinite(pivot: 3))

        // A band wider than the solver's, or of another size, is refused.
        XCTAssertEqual(lu.factor(BandMatrix(dimension: 6, lowerBandwidth: 2, upperBandwidth: 2)), .unsupportedMatrix)
        XCTAssertEqual(lu.factor(BandMatrix(dimension: 5, lowerBandwidth: 1, upperBandwidth: 2)), .unsupportedMatrix)
        // A narrower band fits.
        var narrow = BandMatrix(dimension: 6, lowerBandwidth: 0, upperBandwidth: 1)
        for i in 0..<6 { narrow[i, i] = 2 }
        XCTAssertEqual(lu.factor(narrow), .success)
    }

    func testWorkspaceFilledInPlace() {
        let n = 8
        let lu = BandedLU(dimension: n, lowerBandwidth: 1, upperBandwidth: 1)
        for i in 0..<n {
            lu[i, i] = 2
            if i > 0 { lu[i, i - 1] = -1 }
            if i + 1 < n { lu[i, i + 1] = -1 }
        }
        lu[0, 5] = 99   // outside the band: ignored
        XCTAssertEqual(lu[0, 5], 0)
        XCTAssertEqual(lu.factor(), .success)
        // The 1-D Laplacian times (1, ..., 1) is (1, 0, ..., 0, 1).
        var b = [Double](repeating: 0, count: n)
        b[0] = 1; b[n - 1] = 1
        XCTAssertTrue(lu.solve(&b))
        for v in b { XCTAssertEqual(v, 1, accuracy: 1e-14) }
    }
}
