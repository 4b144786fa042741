import LinearSolve
import XCTest

/// Smoothed-aggregation AMG as a GMRES preconditioner: mesh-independent iteration counts on
/// isotropic and anisotropic 2-D diffusion (where Jacobi's grow with the grid), a fixed linear
/// operator, value updates that keep the aggregates, and non-finite values as a status.
final class AlgebraicMultigridTests: XCTestCase {
    /// −ε ∂²/∂x² − ∂²/∂y² + σ on an N × N interior grid with Dirichlet boundaries (5-point
    /// stencil, unscaled), cell (i, j) at i + N j.
    func diffusion(_ N: Int, epsilon: Double = 1, shift: Double = 0) -> SparseMatrixCSC {
        var rows: [Int] = [], columns: [Int] = [], values: [Double] = []
        func add(_ i: Int, _ j: Int, _ v: Double) { rows.append(i); columns.append(j); values.append(v) }
        for j in 0..<N {
            for i in 0..<N {
                let p = i + N * j
                add(p, p, 2 * epsilon + 2 + shift)
                if i > 0 { add(p, p - 1, -epsilon) }
                if i < N - 1 { add(p, p + 1, -epsilon) }
                if j > 0 { add(p, p - N, -1) }
                if j < N - 1 { add(p, p + N, -1) }
            }
        }
        return SparseMatrixCSC(rowCount: N * N, columnCount: N * N, rows: rows, columns: columns, values: values)!
    }

    /// GMRES(30) iterations to a relative residual of 1e-8 for a random right-hand side.
    func iterations(_ a: SparseMatrixCSC, amg: Bool) throws -> Int {
        let n = a.rowCount
        var rng = SplitMix64(seed: 0xA316)
        let b = randomVector(n, &rng)
        var x = [Double](repeating: 0, count: n)
        let gmres = GMRES(dimension: n, restart: 30, absoluteTolerance: 0, relativeTolerance: 1e-8, maxIterations: 3000)
        let result: GMRES.Result
        if amg {
            let m = try XCTUnwrap(AlgebraicMultigrid(a))
            XCTAssertTrue(m.isUsable)
            XCTAssertLessThanOrEqual(m.levelSizes.last!, m.options.maximumDirect)
            XCTAssertLessThan(m.operatorComplexity, 2.5)
            result = gmres.solve(&x, b, operator: { a.apply($0, into: $1) }, preconditioner: { m.apply($0, $1) })
        } else {
            var inverse = [Double](repeating: 0, count: n)
            for i in 0..<n { inverse[i] = 1 / a[i, i] }
            result = gmres.solve(&x, b, operator: { a.apply($0, into: $1) },
                                 preconditioner: { r, z in for i in 0..<n { z[i] = inverse[i] * r[i] } })
        }
        XCTAssertEqual(result.status, .converged)
        return result.iterations
    }

    func testIterationsStayBoundedOnPoissonWhileJacobisGrow() throws {
        let amg32 = try iterations(diffusion(32), amg: true), amg128 = try iterations(diffusion(128), amg: true)
        let jacobi32 = try iterations(diffusion(32), amg: false), jacobi64 = try iterations(diffusion(64), amg: false)
        print("Poisson GMRES iterations: AMG 32² \(amg32), 128² \(amg128); Jacobi 32² \(jacobi32), 64² \(jacobi64)")
        XCTAssertLessThanOrEqual(amg128, 2 * amg32)
        XCTAssertLessThanOrEqual(amg128, 25)
        // Jacobi's count grows like N (the condition number like N²), at least 1.6× per doubling.
        XCTAssertGreaterThan(Double(jacobi64), 1.6 * Double(jacobi32))
        XCTAssertGreaterThan(jacobi32, 3 * amg32)
    }

    /// Strong coupling in y only: the strength threshold sees it and aggregates along y.
    func testIterationsStayBoundedOnAnisotropicDiffusion() throws {
        let amg32 = try iterations(diffusion(32, epsilon: 1e-3), amg: true)
        let amg128 = try iterations(diffusion(128, epsilon: 1e-3), amg: true)
        print("Anisotropic (ε = 1e-3) GMRES iterations: AMG 32² \(amg32), 128² \(amg128)")
        XCTAssertLessThanOrEqual(amg128, 2 * amg32)
        XCTAssertLessThanOrEqual(amg128, 30)
    }

    /// M⁻¹(αr + βs) = αM⁻¹r + βM⁻¹s, and two applications to the same r agree bitwise.
    func testTheCycleIsAFixedLinearOperator() throws {
        let a = diffusion(40, epsilon: 0.3, shift: 0.01)
        let m = try XCTUnwrap(AlgebraicMultigrid(a))
        XCTAssertGreaterThan(m.levelSizes.count, 2)
        let n = a.rowCount
        var rng = SplitMix64(seed: 0x11)
        let r = randomVector(n, &rng), s = randomVector(n, &rng)
        let alpha = 0.7, beta = -2.3
        var mr = [Double](repeating: 0, count: n), ms = mr, mc = mr, again = mr
        m.apply(r, into: &mr)
        m.apply(s, into: &ms)
        m.apply(zip(r, s).map { alpha * $0 + beta * $1 }, into: &mc)
        m.apply(r, into: &again)
        XCTAssertEqual(mr, again)
        let scale = mc.reduce(0) { max($0, abs($1)) }
        for i in 0..<n { XCTAssertEqual(mc[i], alpha * mr[i] + beta * ms[i], accuracy: 1e-12 * scale) }
        // Not the identity: one cycle removes most of the error of A x = A r.
        var ar = [Double](repeating: 0, count: n)
        r.withUnsafeBufferPointer { rb in ar.withUnsafeMutableBufferPointer { a.apply(rb, into: $0) } }
        var back = [Double](repeating: 0, count: n)
        m.apply(ar, into: &back)
        let error = zip(back, r).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let size = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertLessThan(error, 0.5 * size)
    }

    /// New values on the same pattern keep the aggregates; going back to the first values
    /// reproduces the first preconditioner; re-aggregating counts as a new hierarchy.
    func testValueUpdatesKeepTheAggregates() throws {
        let a = diffusion(48, shift: 0.05), shifted = diffusion(48, shift: 0.5)
        let m = try XCTUnwrap(AlgebraicMultigrid(a))
        let n = a.rowCount, sizes = m.levelSizes
        var rng = SplitMix64(seed: 0x42)
        let r = randomVector(n, &rng)
        var first = [Double](repeating: 0, count: n), other = first, back = first
        m.apply(r, into: &first)
        XCTAssertTrue(shifted.values.withUnsafeBufferPointer { m.update(values: $0) })
        m.apply(r, into: &other)
        XCTAssertNotEqual(first, other)
        XCTAssertEqual(m.levelSizes, sizes)
        XCTAssertTrue(a.values.withUnsafeBufferPointer { m.update(values: $0) })
        m.apply(r, into: &back)
        for i in 0..<n { XCTAssertEqual(back[i], first[i], accuracy: 1e-13 * abs(first[i]) + 1e-15) }
        XCTAssertEqual(m.aggregations, 1)
        XCTAssertEqual(m.numericUpdates, 2)
        XCTAssertTrue(shifted.values.withUnsafeBufferPointer { m.update(values: $0, reaggregate: true) })
        XCTAssertEqual(m.aggregations, 2)
    }

    func testNonFiniteValuesLeaveTheIdentity() throws {
        var a = diffusion(12)
        let m = try XCTUnwrap(AlgebraicMultigrid(a))
        XCTAssertTrue(m.isUsable)
        a.values[5] = .nan
        XCTAssertFalse(a.values.withUnsafeBufferPointer { m.update(values: $0) })
        XCTAssertFalse(m.isUsable)
        let r = (0..<a.rowCount).map(Double.init)
        var z = [Double](repeating: 0, count: a.rowCount)
        m.apply(r, into: &z)
        XCTAssertEqual(z, r)
        XCTAssertNil(AlgebraicMultigrid(SparseMatrixCSC(rowCount: 2, columnCount: 3, colPtr: [0, 0, 0, 0], rowIndex: [], values: [])!))
    }
}
