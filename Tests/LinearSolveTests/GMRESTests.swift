import LinearSolve
import XCTest

/// GMRES: convergence to the tolerance on a diagonally dominant nonsymmetric matrix,
/// restarts, right preconditioning, the iteration limit and non-finite operators as values.
final class GMRESTests: XCTestCase {
    /// A nonsymmetric matrix with random off-diagonal entries and diagonal = `dominance` ×
    /// the row's off-diagonal sum (dominance > 1: strictly diagonally dominant).
    func dominantMatrix(_ n: Int, dominance: Double, _ rng: inout SplitMix64) -> DenseMatrix {
        var a = randomDense(n, &rng)
        for i in 0..<n {
            var s = 0.0
            for j in 0..<n where j != i { s += abs(a[i, j]) }
            a[i, i] = dominance * s * (rng.uniform() < 0.5 ? -1 : 1)
        }
        return a
    }

    func testConvergesToTheToleranceOnADiagonallyDominantMatrix() {
        var rng = SplitMix64(seed: 0x63E5)
        let n = 120
        let a = dominantMatrix(n, dominance: 1.2, &rng)
        let b = randomVector(n, &rng)
        let gmres = GMRES(dimension: n, restart: 40, absoluteTolerance: 0, relativeTolerance: 1e-10)
        var x = [Double](repeating: 0, count: n)
        let result = gmres.solve(&x, b, operator: { a.apply($0, into: $1) })
        XCTAssertEqual(result.status, .converged)
        XCTAssertLessThanOrEqual(result.residualNorm, 1e-10 * result.initialResidualNorm)
        // The reported residual is the true one.
        let r = zip(multiply(a, x), b).map { $0 - $1 }
        XCTAssertEqual(r.reduce(0) { $0 + $1 * $1 }.squareRoot(), result.residualNorm,
                       accuracy: 1e-3 * result.residualNorm)
        // And the solution agrees with the direct one.
        let lu = DenseLU(dimension: n)
        XCTAssertEqual(lu.factor(a), .success)
        var y = b
        XCTAssertTrue(lu.solve(&y))
        XCTAssertLessThanOrEqual(maxRelativeDifference(x, y), 1e-8)
        XCTAssertLessThan(result.iterations, 40, "a dominant matrix needs few iterations")
        XCTAssertEqual(result.cycles, 1)
    }

    func testRestartsWork() {
        var rng = SplitMix64(seed: 17)
        let n = 100
        let a = dominantMatrix(n, dominance: 1.05, &rng)
        let b = randomVector(n, &rng)
        let full = GMRES(dimension: n, restart: 100, absoluteTolerance: 0, relativeTolerance: 1e-9)
        var x0 = [Double](repeating: 0, count: n)
        let reference = full.solve(&x0, b, operator: { a.apply($0, into: $1) })
        XCTAssertEqual(reference.status, .converged)
        XCTAssertGreaterThan(reference.iterations, 5, "the test needs more than one short cycle")

        let short = GMRES(dimension: n, restart: 4, absoluteTolerance: 0, relativeTolerance: 1e-9, maxIterations: 2000)
        var x = [Double](repeating: 0, count: n)
        let result = short.solve(&x, b, operator: { a.apply($0, into: $1) })
        XCTAssertEqual(result.status, .converged)
        XCTAssertGreaterThan(result.cycles, 1)
        XCTAssertGreaterThanOrEqual(result.iterations, reference.iterations, "restarting can only slow GMRES down")
        XCTAssertLessThanOrEqual(result.residualNorm, 1e-9 * result.initialResidualNorm)
        XCTAssertLessThanOrEqual(maxRelativeDifference(x, x0), 1e-7)

        // A warm start from the answer converges without iterating.
        let again = short.solve(&x, b, operator: { a.apply($0, into: $1) })
        XCTAssertEqual(again.status, .converged)
        XCTAssertEqual(again.iterations, 0)
    }

    func testRightPreconditioningKeepsTheTrueResidualAndHelps() {
        // A badly scaled diagonal times a well-behaved matrix: Jacobi preconditioning fixes the scaling.
        var rng = SplitMix64(seed: 23)
        let n = 80
        var a = dominantMatrix(n, dominance: 1.5, &rng)
        for j in 0..<n {
            let s = pow(10, Double(j % 7) - 3)
            for i in 0..<n { a[i, j] *= s }
        }
        let b = randomVector(n, &rng)
        let diagonal = (0..<n).map { a[$0, $0] }
        let gmres = GMRES(dimension: n, restart: 20, absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 400)
        var x = [Double](repeating: 0, count: n)
        let plain = gmres.solve(&x, b, operator: { a.apply($0, into: $1) })
        var xp = [Double](repeating: 0, count: n)
        let preconditioned = gmres.solve(&xp, b, operator: { a.apply($0, into: $1) },
                                         preconditioner: { r, z in for i in 0..<n { z[i] = r[i] / diagonal[i] } })
        XCTAssertEqual(preconditioned.status, .converged)
        XCTAssertLessThan(preconditioned.iterations, plain.iterations)
        let r = zip(multiply(a, xp), b).map { $0 - $1 }
        XCTAssertLessThanOrEqual(r.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1.001e-10 * preconditioned.initialResidualNorm)
    }

    func testIterationLimitAndFailuresAreValues() {
        var rng = SplitMix64(seed: 29)
        let n = 50
        let a = dominantMatrix(n, dominance: 1.01, &rng)
        let b = randomVector(n, &rng)
        let gmres = GMRES(dimension: n, restart: 10, absoluteTolerance: 0, relativeTolerance: 1e-14, maxIterations: 3)
        var x = [Double](repeating: 0, count: n)
        let limited = gmres.solve(&x, b, operator: { a.apply($0, into: $1) })
        XCTAssertEqual(limited.status, .maxIterations)
        XCTAssertEqual(limited.iterations, 3)
        XCTAssertLessThan(limited.residualNorm, limited.initialResidualNorm)

        var y = [Double](repeating: 0, count: n)
        let broken = gmres.solve(&y, b, operator: { _, out in for i in out.indices { out[i] = .nan } })
        XCTAssertEqual(broken.status, .nonFinite)

        var short = [Double](repeating: 0, count: n - 1)
        XCTAssertEqual(gmres.solve(&short, b, operator: { a.apply($0, into: $1) }).status, .invalidInput)

        // The identity is solved in one iteration (happy breakdown).
        var z = [Double](repeating: 0, count: n)
        let identity = GMRES(dimension: n).solve(&z, b, operator: { x, out in for i in 0..<n { out[i] = x[i] } })
        XCTAssertEqual(identity.status, .converged)
        XCTAssertEqual(identity.iterations, 1)
        XCTAssertLessThanOrEqual(maxRelativeDifference(z, b), 1e-15)
    }
}
