import LinearSolve
import TestSupport
import XCTest

/// Factor and solve allocate nothing once a solver exists (shared/DESIGN.md: a solver step
/// allocates nothing; workspaces are allocated when a solve starts).
final class LinearSolveAllocationTests: XCTestCase {
    func testDenseFactorSolveAndConditionAllocateNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        var rng = SplitMix64(seed: 1)
        for n in [1, 3, 4, 10, 100] {
            let a = randomDense(n, &rng)
            let lu = DenseLU(dimension: n)
            var b = randomVector(2 * n, &rng)
            lu.factor(a); lu.solve(&b, rhsCount: 2); lu.solveTransposed(&b); _ = lu.reciprocalCondition()
            let count = allocations {
                lu.factor(a)
                lu.solve(&b, rhsCount: 2)
                lu.solveTransposed(&b)
                _ = lu.reciprocalCondition()
                lu.withUnsafeMutableMatrix { $0[0] += 1 }
                lu.factor()
                let solver: any LinearSolver = lu
                solver.factor(.dense(a))
                solver.solve(&b)
            }
            XCTAssertEqual(count, 0, "n = \(n)")
        }
    }

    func testBandedFactorAndSolveAllocateNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        var rng = SplitMix64(seed: 2)
        let band = randomBand(500, kl: 2, ku: 3, &rng)
        let lu = BandedLU(dimension: 500, lowerBandwidth: 2, upperBandwidth: 3)
        var b = randomVector(500, &rng)
        lu.factor(band); lu.solve(&b)
        let count = allocations {
            lu.factor(band)
            lu.solve(&b)
            lu.solveTransposed(&b)
            _ = lu.reciprocalCondition()
        }
        XCTAssertEqual(count, 0)
    }

    func testSparseRefactorAndSolveAllocateNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        let w1 = try XCTUnwrap(laplacian2D(15, shift: 1))
        let w2 = try XCTUnwrap(laplacian2D(15, shift: 0.01, scale: 2))
        let lu = SparseLU(pattern: w1)
        var rng = SplitMix64(seed: 3)
        var b = randomVector(2 * 225, &rng)
        lu.factor(w1); lu.solve(&b, rhsCount: 2)
        let count = allocations {
            lu.factor(w2)
            lu.solve(&b, rhsCount: 2)
            lu.solveTransposed(&b)
            lu.factor(w1)
            lu.solve(&b)
            _ = lu.reciprocalCondition()
        }
        XCTAssertEqual(count, 0)
        XCTAssertEqual(lu.statistics.factorizations, 1)
    }

    func testGMRESSolveAllocatesNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        var rng = SplitMix64(seed: 4)
        let n = 60
        var a = randomDense(n, &rng)
        for i in 0..<n { a[i, i] = Double(n) }
        let b = randomVector(n, &rng)
        var x = [Double](repeating: 0, count: n)
        let gmres = GMRES(dimension: n, restart: 5, absoluteTolerance: 0, relativeTolerance: 1e-12)
        gmres.solve(&x, b, operator: { a.apply($0, into: $1) })
        var result: GMRES.Result?
        let count = allocations {
            for i in 0..<n { x[i] = 0 }
            result = gmres.solve(&x, b, operator: { a.apply($0, into: $1) })
            for i in 0..<n { x[i] = 0 }
            result = gmres.solve(&x, b, operator: { a.apply($0, into: $1) },
                                 preconditioner: { r, z in for i in 0..<n { z[i] = r[i] / Double(n) } })
        }
        XCTAssertEqual(count, 0)
        XCTAssertEqual(result?.status, .converged)
        XCTAssertGreaterThan(result?.cycles ?? 0, 1)
    }

    func testAlgebraicMultigridUpdateAndApplyAllocateNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        // The 5-point Laplacian plus a shift on a 30 × 30 periodic grid.
        let N = 30, n = N * N
        var rows: [Int] = [], columns: [Int] = [], values: [Double] = []
        for p in 0..<n {
            let i = p % N, j = p / N
            for (q, v) in [(p, 4.1), ((i + 1) % N + N * j, -1.0), ((i + N - 1) % N + N * j, -1.0),
                           (i + N * ((j + 1) % N), -1.0), (i + N * ((j + N - 1) % N), -1.0)] {
                rows.append(p); columns.append(q); values.append(v)
            }
        }
        let a = SparseMatrixCSC(rowCount: n, columnCount: n, rows: rows, columns: columns, values: values)!
        let amg = try XCTUnwrap(AlgebraicMultigrid(a))
        XCTAssertGreaterThan(amg.levelSizes.count, 1)
        let shifted = a.values.map { $0 > 0 ? $0 + 1 : $0 }
        var rng = SplitMix64(seed: 5)
        let r = randomVector(n, &rng)
        var z = [Double](repeating: 0, count: n)
        a.values.withUnsafeBufferPointer { _ = amg.update(values: $0) }
        let count = allocations {
            shifted.withUnsafeBufferPointer { _ = amg.update(values: $0) }
        }
        let count2 = allocations {
            r.withUnsafeBufferPointer { rb in z.withUnsafeMutableBufferPointer { amg.apply(rb, $0) } }
        }
        XCTAssertEqual(count, 0, "update")
        XCTAssertEqual(count2, 0, "apply")
        XCTAssertTrue(amg.isUsable)
        XCTAssertEqual(amg.numericUpdates, 2)
    }
}
