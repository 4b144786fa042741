import LinearSolve
import TestSupport
import XCTest

/// DenseLU's OpenBLAS path (dgetrf from `lapackThreshold` on) against its own kernels: the
/// same factors up to rounding, the same pivots, the same singular pivot, no allocations.
final class DenseLUOpenBLASTests: XCTestCase {
    override func tearDown() { DenseLU.lapackThreshold = DenseLU.defaultLAPACKThreshold }

    func matrix(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return randomDense(n, &rng).values
    }

    func factorAndSolve(_ values: [Double], _ n: Int, threshold: Int) -> (status: FactorizationStatus, x: [Double], pivots: [Int]) {
        DenseLU.lapackThreshold = threshold
        let lu = DenseLU(dimension: n)
        lu.withUnsafeMutableMatrix { w in for k in 0..<(n * n) { w[k] = values[k] } }
        let status = lu.factor()
        var x = (0..<n).map { Double($0 % 7) - 3 }
        _ = x.withUnsafeMutableBufferPointer { lu.solve($0) }
        return (status, x, lu.pivotIndices)
    }

    func testOpenBLASAndSwiftKernelsAgree() {
        for n in [5, 40, 130] {
            let a = matrix(n, seed: UInt64(n))
            let swift = factorAndSolve(a, n, threshold: .max), blas = factorAndSolve(a, n, threshold: 0)
            XCTAssertEqual(swift.status, .success)
            XCTAssertEqual(blas.status, .success)
            XCTAssertEqual(blas.pivots, swift.pivots, "n = \(n): the same partial pivoting")
            let scale = swift.x.map(abs).max() ?? 1
            for (p, q) in zip(blas.x, swift.x) { XCTAssertEqual(p, q, accuracy: 1e-10 * scale, "n = \(n)") }
            // The solution solves the system.
            for i in 0..<n {
                var r = -(Double(i % 7) - 3)
                for j in 0..<n { r += a[i + j * n] * blas.x[j] }
                XCTAssertEqual(r, 0, accuracy: 1e-9 * scale)
            }
        }
    }

    func testSingularMatrixReportsTheZeroPivot() {
        let n = 100
        var a = matrix(n, seed: 3)
        for i in 0..<n { a[i + 57 * n] = 0 }   // column 58 is zero: U(57, 57) = 0
        DenseLU.lapackThreshold = 0
        let lu = DenseLU(dimension: n)
        lu.withUnsafeMutableMatrix { w in for k in 0..<(n * n) { w[k] = a[k] } }
        XCTAssertEqual(lu.factor(), .singular(pivot: 57))
    }

    func testFactorAllocatesNothing() throws {
        guard allocationCounterIsActive else { throw XCTSkip("needs the interposed allocator") }
        DenseLU.lapackThreshold = 0
        let n = 120
        let a = matrix(n, seed: 9)
        let lu = DenseLU(dimension: n)
        lu.withUnsafeMutableMatrix { w in for k in 0..<(n * n) { w[k] = a[k] } }
        lu.factor()
        lu.withUnsafeMutableMatrix { w in for k in 0..<(n * n) { w[k] = a[k] } }
        XCTAssertEqual(allocations { lu.factor() }, 0)
    }
}
