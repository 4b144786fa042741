import LinearSolve
import XCTest

/// SparseLU (KLU) against DenseLU: a random unsymmetric sparse matrix, the 2-D Laplacian,
/// refactorisation with new values on the same pattern, the fallback to fresh pivoting,
/// singular and non-finite matrices, and the CSC constructors.
final class SparseLUTests: XCTestCase {
    func compareWithDense(_ s: SparseMatrixCSC, _ lu: SparseLU, _ rng: inout SplitMix64, _ label: String) {
        let n = s.rowCount
        let dense = s.dense()
        let dlu = DenseLU(dimension: n)
        XCTAssertEqual(dlu.factor(dense), .success, label)
        let k = 2
        let b = randomVector(n * k, &rng)
        var x = b, y = b
        XCTAssertTrue(lu.solve(&x, rhsCount: k), label)
        XCTAssertTrue(dlu.solve(&y, rhsCount: k), label)
        let cond = 1 / max(dlu.reciprocalCondition(), 1e-300)
        for r in 0..<k {
            let xs = Array(x[(r * n)..<((r + 1) * n)]), bs = Array(b[(r * n)..<((r + 1) * n)])
            XCTAssertLessThanOrEqual(relativeResidual(dense, xs, bs), 1e-13, label)
            XCTAssertLessThanOrEqual(maxRelativeDifference(xs, Array(y[(r * n)..<((r + 1) * n)])),
                                     1e-14 * cond, label)
        }
        var xt = Array(b[0..<n])
        XCTAssertTrue(lu.solveTransposed(&xt), label)
        XCTAssertLessThanOrEqual(relativeResidual(transpose(dense), xt, Array(b[0..<n])), 1e-13, "\(label) transposed")
        // KLU's condition estimate and DenseLU's agree within the estimators' slack.
        let rs = lu.reciprocalCondition(), rd = dlu.reciprocalCondition()
        XCTAssertGreaterThan(rs, rd / 5, label)
        XCTAssertLessThan(rs, rd * 5, label)
    }

    func testRandomSparseMatrixAgainstDense() throws {
        var rng = SplitMix64(seed: 0x5BA5)
        for n in [1, 5, 60, 150] {
            let s = try XCTUnwrap(randomSparse(n, perColumn: 3, &rng))
            let lu = SparseLU(dimension: n)
            XCTAssertEqual(lu.factor(s), .success, "n = \(n)")
            compareWithDense(s, lu, &rng, "random n = \(n)")
        }
    }

    func testLaplacianRefactorisationReusesTheAnalysis() throws {
        var rng = SplitMix64(seed: 42)
        let k = 12
        let w1 = try XCTUnwrap(laplacian2D(k, shift: 1, scale: 1))
        let lu = SparseLU(pattern: w1)
        XCTAssertEqual(lu.statistics.analyses, 1)
        XCTAssertEqual(lu.factor(w1), .success)
        compareWithDense(w1, lu, &rng, "laplacian, first factor")
        // New step size: W = σI − c·Δ with new σ and c, same pattern.
        for (shift, scale) in [(0.1, 3.0), (10.0, 0.5), (1e-3, 1.0)] {
            let w2 = try XCTUnwrap(laplacian2D(k, shift: shift, scale: scale))
            XCTAssertTrue(w2.hasSamePattern(as: w1))
            XCTAssertEqual(lu.factor(w2), .success)
            compareWithDense(w2, lu, &rng, "laplacian shift \(shift) scale \(scale)")
        }
        XCTAssertEqual(lu.statistics, SparseLU.Statistics(analyses: 1, factorizations: 1, refactorizations: 3))

        // Values written straight into the analysed pattern.
        var w3 = w1
        for p in w3.values.indices { w3.values[p] *= 2 }
        XCTAssertEqual(w3.values.withUnsafeBufferPointer { lu.factor(values: $0) }, .success)
        compareWithDense(w3, lu, &rng, "laplacian, values only")
        XCTAssertEqual(lu.statistics.refactorizations, 4)

        // A new pattern is analysed again.
        let other = try XCTUnwrap(randomSparse(k * k, perColumn: 2, &rng))
        XCTAssertEqual(lu.factor(other), .success)
        XCTAssertEqual(lu.statistics.analyses, 2)
        compareWithDense(other, lu, &rng, "new pattern")
    }

    func testRefactorWithBadOldPivotsFallsBackToFreshPivoting() throws {
        // The first values pivot on the diagonal; the second have a zero diagonal, so that
        // pivot sequence (whatever the ordering) hits a zero, klu_refactor fails and a full
        // factorisation repivots.
        let a1 = try XCTUnwrap(SparseMatrixCSC(rowCount: 2, columnCount: 2, colPtr: [0, 2, 4],
                                               rowIndex: [0, 1, 0, 1], values: [4, 1, 1, 4]))
        var a2 = a1
        a2.values = [0, 1, 1, 0]
        let lu = SparseLU(dimension: 2)
        XCTAssertEqual(lu.factor(a1), .success)
        XCTAssertEqual(lu.factor(a2), .success)
        XCTAssertEqual(lu.statistics.factorizations, 2, "the refactorisation was redone with pivoting")
        var x = [1.0, 2.0]   // [0 1; 1 0] x = (1, 2) → x = (2, 1)
        XCTAssertTrue(lu.solve(&x))
        XCTAssertEqual(x[0], 2, accuracy: 1e-15)
        XCTAssertEqual(x[1], 1, accuracy: 1e-15)
    }

    func testSingularAndNonFiniteSparseMatrices() throws {
        // Row 1 is zero: structurally singular.
        let zeroRow = try XCTUnwrap(SparseMatrixCSC(rowCount: 3, columnCount: 3, colPtr: [0, 1, 2, 3],
                                                    rowIndex: [0, 0, 2], values: [1, 2, 3]))
        let lu = SparseLU(dimension: 3)
        if case .singular = lu.factor(zeroRow) {} else { XCTFail("expected a singular status, got \(String(describing: lu.status))") }
        var b = [1.0, 1, 1]
        XCTAssertFalse(lu.solve(&b))
        XCTAssertEqual(b, [1, 1, 1])
        XCTAssertEqual(lu.reciprocalCondition(), 0)

        // Numerically singular: two equal columns.
        let equalColumns = try XCTUnwrap(SparseMatrixCSC(rowCount: 2, columnCount: 2, colPtr: [0, 2, 4],
                                                         rowIndex: [0, 1, 0, 1], values: [1, 2, 1, 2]))
        if case .singular = SparseLU(dimension: 2).factor(equalColumns) {} else { XCTFail("expected singular") }

        // The next good matrix recovers.
        let good = try XCTUnwrap(SparseMatrixCSC(rowCount: 2, columnCount: 2, colPtr: [0, 2, 4],
                                                 rowIndex: [0, 1, 0, 1], values: [1, 2, 3, 4]))
        let lu2 = SparseLU(dimension: 2)
        if case .singular = lu2.factor(equalColumns) {} else { XCTFail("expected singular") }
        XCTAssertEqual(lu2.factor(good), .success)

        var nan = good
        nan.values[2] = .nan
        XCTAssertEqual(lu2.factor(nan), .nonFinite(pivot: 1))
        XCTAssertFalse(lu2.isFactored)

        XCTAssertEqual(SparseLU(dimension: 3).factor(good), .unsupportedMatrix)
    }

    func testCSCConstructorsValidate() throws {
        XCTAssertNil(SparseMatrixCSC(rowCount: 2, columnCount: 2, colPtr: [0, 1], rowIndex: [0], values: [1]))
        XCTAssertNil(SparseMatrixCSC(rowCount: 2, columnCount: 2, colPtr: [0, 2, 2], rowIndex: [1, 0], values: [1, 2]),
                     "rows must increase within a column")
        XCTAssertNil(SparseMatrixCSC(rowCount: 2, columnCount: 2, colPtr: [0, 1, 2], rowIndex: [0, 2], values: [1, 2]))
        XCTAssertNil(SparseMatrixCSC(rowCount: 2, columnCount: 2, rows: [0, 3], columns: [0, 0], values: [1, 1]))
        // Triplets: duplicates are summed, order does not matter.
        let t = try XCTUnwrap(SparseMatrixCSC(rowCount: 2, columnCount: 3, rows: [1, 0, 1, 1], columns: [2, 0, 2, 0],
                                              values: [1, 2, 3, 4]))
        XCTAssertEqual(t.colPtr, [0, 2, 2, 3])
        XCTAssertEqual(t.rowIndex, [0, 1, 1])
        XCTAssertEqual(t.values, [2, 4, 4])
        XCTAssertEqual(t[1, 2], 4)
        XCTAssertEqual(t[0, 1], 0)
        XCTAssertEqual(t.storageIndex(row: 1, column: 0), 1)
        XCTAssertNil(t.storageIndex(row: 0, column: 1))
        let d = t.dense()
        XCTAssertEqual(SparseMatrixCSC(d), t)
    }
}
