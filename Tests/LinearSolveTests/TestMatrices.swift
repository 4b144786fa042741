import LinearSolve

/// A tiny seeded generator (SplitMix64) so LinearSolve's tests do not depend on Autodiff's.
///
/// References: G. L. Steele, D. Lea, C. H. Flood, Fast splittable pseudorandom number
/// generators, OOPSLA 2014.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }

    /// Uniform integer in 0..<n.
    mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// An n×n matrix of uniform [-1, 1) entries (cond₁ grows only like n for such matrices).
func randomDense(_ n: Int, _ rng: inout SplitMix64) -> DenseMatrix {
    var m = DenseMatrix(dimension: n)
    for j in 0..<n { for i in 0..<n { m[i, j] = rng.uniform(-1, 1) } }
    return m
}

func randomVector(_ n: Int, _ rng: inout SplitMix64) -> [Double] {
    (0..<n).map { _ in rng.uniform(-1, 1) }
}

func infinityNorm(_ x: [Double]) -> Double { x.reduce(0) { max($0, abs($1)) } }

/// ‖A‖∞ for a dense matrix.
func infinityNorm(_ a: DenseMatrix) -> Double {
    var best = 0.0
    for i in 0..<a.rowCount {
        var s = 0.0
        for j in 0..<a.columnCount { s += abs(a[i, j]) }
        best = max(best, s)
    }
    return best
}

func multiply(_ a: DenseMatrix, _ x: [Double]) -> [Double] {
    var y = [Double](repeating: 0, count: a.rowCount)
    x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { a.apply(xb, into: $0) } }
    return y
}

func transpose(_ a: DenseMatrix) -> DenseMatrix {
    var t = DenseMatrix(rowCount: a.columnCount, columnCount: a.rowCount)
    for i in 0..<a.rowCount { for j in 0..<a.columnCount { t[j, i] = a[i, j] } }
    return t
}

/// The normwise backward error ‖A x − b‖∞ / (‖A‖∞ ‖x‖∞ + ‖b‖∞), the quantity a backward
/// stable solver keeps at a small multiple of n ε.
func backwardError(_ a: DenseMatrix, _ x: [Double], _ b: [Double]) -> Double {
    let ax = multiply(a, x)
    let r = zip(ax, b).map { $0 - $1 }
    return infinityNorm(r) / (infinityNorm(a) * infinityNorm(x) + infinityNorm(b))
}

/// The relative residual ‖A x − b‖ / (‖A‖ ‖x‖) of the brief (∞-norms).
func relativeResidual(_ a: DenseMatrix, _ x: [Double], _ b: [Double]) -> Double {
    let ax = multiply(a, x)
    let r = zip(ax, b).map { $0 - $1 }
    return infinityNorm(r) / (infinityNorm(a) * infinityNorm(x))
}

func maxRelativeDifference(_ x: [Double], _ y: [Double]) -> Double {
    infinityNorm(zip(x, y).map { $0 - $1 }) / max(infinityNorm(y), .leastNormalMagnitude)
}

/// A random band matrix: off-diagonals uniform [-1, 1), diagonal ±[1, 2) — not diagonally
/// dominant for kl + ku ≥ 2, so partial pivoting has work to do.
func randomBand(_ n: Int, kl: Int, ku: Int, _ rng: inout SplitMix64) -> BandMatrix {
    var m = BandMatrix(dimension: n, lowerBandwidth: kl, upperBandwidth: ku)
    for j in 0..<n {
        for i in max(0, j - ku)...min(n - 1, j + kl) {
            m[i, j] = i == j ? (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(1, 2) : rng.uniform(-1, 1)
        }
    }
    return m
}

/// The 5-point Laplacian on a k×k grid (Dirichlet), as a sparse matrix scaled by `scale`,
/// plus `shift` on the diagonal: the W = σI − J of a stiff heat-equation step.
func laplacian2D(_ k: Int, shift: Double, scale: Double = 1) -> SparseMatrixCSC? {
    var rows: [Int] = [], cols: [Int] = [], vals: [Double] = []
    func id(_ i: Int, _ j: Int) -> Int { i + j * k }
    for j in 0..<k {
        for i in 0..<k {
            let p = id(i, j)
            rows.append(p); cols.append(p); vals.append(shift + 4 * scale)
            for (di, dj) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                let ii = i + di, jj = j + dj
                if ii >= 0, ii < k, jj >= 0, jj < k {
                    rows.append(id(ii, jj)); cols.append(p); vals.append(-scale)
                }
            }
        }
    }
    return SparseMatrixCSC(rowCount: k * k, columnCount: k * k, rows: rows, columns: cols, values: vals)
}

/// A random sparse n×n matrix: each column has about `perColumn` off-diagonal entries in
/// random rows, uniform [-1, 1), and a diagonal entry ±[0.5, 1.5) (not dominant).
func randomSparse(_ n: Int, perColumn: Int, _ rng: inout SplitMix64) -> SparseMatrixCSC? {
    var rows: [Int] = [], cols: [Int] = [], vals: [Double] = []
    for j in 0..<n {
        rows.append(j); cols.append(j)
        vals.append((rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.5, 1.5))
        for _ in 0..<perColumn {
            rows.append(rng.index(n)); cols.append(j); vals.append(rng.uniform(-1, 1))
        }
    }
    return SparseMatrixCSC(rowCount: n, columnCount: n, rows: rows, columns: cols, values: vals)
}
