/// LU factorisation with partial pivoting of an n×n band matrix with kl sub- and ku
/// super-diagonals, with LAPACK dgbtrf/dgbtrs semantics. Cost O(n·kl·(kl + ku)) to factor
/// and O(n·(2kl + ku)) per solve: the method-of-lines workhorse.
///
/// Contract:
/// 1. The solver owns a (2kl + ku + 1) × n band workspace in LAPACK's factor layout: entry
///    (i, j) at row kl + ku + i − j of column j, above it kl rows for the fill-in that row
///    interchanges create in U (whose bandwidth grows to kl + ku).
/// 2. Fill it with `subscript` or `load`, then `factor()`; or call `factor(_:)` with a
///    `BandMatrix` of bandwidths at most (kl, ku). Writing the workspace discards the factors.
/// 3. Zero and non-finite pivots are reported as by `DenseLU`; elimination completes.
/// 4. Everything is allocated in `init`; factor, solve and `reciprocalCondition` allocate nothing.
///
/// References: E. Anderson et al., LAPACK Users' Guide, 3rd ed., 1999 (dgbtrf, dgbtf2,
/// dgbtrs, dgbcon); G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., 2013,
/// §4.3.5 (band Gaussian elimination with partial pivoting).
public final class BandedLU: LinearSolver {
    /// The number of rows and columns.
    public let dimension: Int
    /// kl, the number of sub-diagonals.
    public let lowerBandwidth: Int
    /// ku, the number of super-diagonals of the matrix (U has up to kl + ku).
    public let upperBandwidth: Int
    /// The leading dimension of the workspace, 2kl + ku + 1.
    public let leadingDimension: Int

    private let ab: UnsafeMutablePointer<Double>
    private let pivots: UnsafeMutablePointer<Int>
    private let work: UnsafeMutablePointer<Double>
    private var matrixOneNorm = 0.0
    /// The outcome of the last `factor`; `nil` before it and after the workspace is written.
    public private(set) var status: FactorizationStatus?

    /// A solver for n×n matrices with bandwidths (kl, ku); the workspace starts as zero.
    public init(dimension: Int, lowerBandwidth: Int, upperBandwidth: Int) {
        self.dimension = Swift.max(0, dimension)
        self.lowerBandwidth = Swift.max(0, lowerBandwidth)
        self.upperBandwidth = Swift.max(0, upperBandwidth)
        leadingDimension = 2 * self.lowerBandwidth + self.upperBandwidth + 1
        let count = Swift.max(1, leadingDimension * self.dimension)
        ab = .allocate(capacity: count)
        ab.initialize(repeating: 0, count: count)
        pivots = .allocate(capacity: Swift.max(1, self.dimension))
        pivots.initialize(repeating: 0, count: Swift.max(1, self.dimension))
        work = .allocate(capacity: Swift.max(1, 3 * self.dimension))
        work.initialize(repeating: 0, count: Swift.max(1, 3 * self.dimension))
    }

    deinit {
        ab.deallocate()
        pivots.deallocate()
        work.deallocate()
    }

    /// Whether the last factorisation succeeded.
    public var isFactored: Bool { status == .success }

    private var kv: Int { lowerBandwidth + upperBandwidth }

    /// The row interchanges of the last factorisation: row k was swapped with row
    /// `pivotIndices[k]` (zero-based). Allocates the returned array.
    public var pivotIndices: [Int] { Array(UnsafeBufferPointer(start: pivots, count: dimension)) }

    /// Entry (i, j) of the matrix before `factor()` (0 outside the band; writes there are
    /// ignored). Writing discards the factors.
    public subscript(row: Int, column: Int) -> Double {
        get {
            guard inBand(row, column) else { return 0 }
            return ab[kv + row - column + column * leadingDimension]
        }
        set {
            guard inBand(row, column) else { return }
            ab[kv + row - column + column * leadingDimension] = newValue
            status = nil
        }
    }

    private func inBand(_ i: Int, _ j: Int) -> Bool {
        i >= 0 && j >= 0 && i < dimension && j < dimension && i - j <= lowerBandwidth && j - i <= upperBandwidth
    }

    /// Copies `matrix` into the workspace; `false` (untouched) unless its size matches and its
    /// bandwidths are at most this solver's.
    @discardableResult
    public func load(_ matrix: BandMatrix) -> Bool {
        guard matrix.dimension == dimension, matrix.lowerBandwidth <= lowerBandwidth,
              matrix.upperBandwidth <= upperBandwidth else { return false }
        status = nil
        ab.update(repeating: 0, count: leadingDimension * dimension)
        let ld = leadingDimension, k = kv
        matrix.forEachEntry { i, j, v in ab[k + i - j + j * ld] = v }
        return true
    }

    /// Copies `matrix` in and factors it; `.unsupportedMatrix` if it does not fit.
    @discardableResult
    public func factor(_ matrix: BandMatrix) -> FactorizationStatus {
        guard load(matrix) else {
            status = .unsupportedMatrix
            return .unsupportedMatrix
        }
        return factor()
    }

    /// Factors a `.banded` matrix that fits; other formats are `.unsupportedMatrix`.
    @discardableResult
    public func factor(_ matrix: LinearSystemMatrix) -> FactorizationStatus {
        if case .banded(let m) = matrix { return factor(m) }
        status = .unsupportedMatrix
        return .unsupportedMatrix
    }

    /// Factors the band workspace in place (LAPACK dgbtf2). Allocates nothing.
    @discardableResult
    public func factor() -> FactorizationStatus {
        let n = dimension, kl = lowerBandwidth, ku = upperBandwidth, kv = kl + ku, ld = leadingDimension
        matrixOneNorm = bandOneNorm()
        var zeroPivot = -1
        // The fill-in rows start at zero (the caller may have left anything there).
        for j in 0..<n {
            let col = ab + j * ld
            for i in 0..<kl { col[i] = 0 }
        }
        var ju = 0   // the last column touched by the interchanges so far
        for j in 0..<n {
            let col = ab + j * ld
            let km = Swift.min(kl, n - 1 - j)
            // Pivot among the diagonal and the km entries below it (rows kv...kv+km of the column).
            var jp = 0
            var best = Swift.abs(col[kv])
            var t = 1
            while t <= km {
                let v = Swift.abs(col[kv + t])
                if v > best { best = v; jp = t }
                t += 1
            }
            pivots[j] = j + jp
            if col[kv + jp] != 0 {
                ju = Swift.max(ju, Swift.min(j + ku + jp, n - 1))
                if jp != 0 {
                    // Swap rows j and j+jp over columns j...ju: along the band, stride ld − 1.
                    var p = ab + kv + jp + j * ld, q = ab + kv + j * ld
                    for _ in j...ju {
                        let s = p.pointee; p.pointee = q.pointee; q.pointee = s
                        p += ld - 1; q += ld - 1
                    }
                }
                if km > 0 {
                    let pivot = col[kv]
                    if Swift.abs(pivot) >= safeMinimum {
                        let r = 1 / pivot
                        for i in 1...km { col[kv + i] *= r }
                    } else {
                        for i in 1...km { col[kv + i] /= pivot }
                    }
                    // Rank-one update of the band block rows j+1...j+km, columns j+1...ju.
                    if ju > j {
                        for c in (j + 1)...ju {
                            let cc = ab + c * ld
                            let rowJ = kv + j - c          // slot of row j in column c
                            let u = cc[rowJ]
                            if u == 0 { continue }
                            for i in 1...km { cc[rowJ + i] -= col[kv + i] * u }
                        }
                    }
                }
            } else if zeroPivot < 0 {
                zeroPivot = j
            }
        }
        var result = FactorizationStatus.success
        for j in 0..<n where !ab[kv + j * ld].isFinite {
            result = .nonFinite(pivot: j)
            break
        }
        if result == .success, zeroPivot >= 0 { result = .singular(pivot: zeroPivot) }
        status = result
        return result
    }

    private func bandOneNorm() -> Double {
        var best = 0.0
        for j in 0..<dimension {
            let lo = Swift.max(0, j - upperBandwidth), hi = Swift.min(dimension - 1, j + lowerBandwidth)
            var s = 0.0
            for i in lo...hi { s += Swift.abs(ab[kv + i - j + j * leadingDimension]) }
            if s > best || s.isNaN { best = s }
        }
        return best
    }

    /// Solves A X = B in place for `rhsCount` right-hand sides stored column after column
    /// (leading dimension n); `false`, `b` untouched, without valid factors or when `b` is short.
    @discardableResult
    public func solve(_ b: UnsafeMutableBufferPointer<Double>, rhsCount: Int) -> Bool {
        let n = dimension
        guard status == .success, rhsCount >= 0, b.count >= n * rhsCount else { return false }
        guard n > 0, let base = b.baseAddress else { return true }
        for r in 0..<rhsCount { solveOne(base + r * n) }
        return true
    }

    /// Solves A x = b in place for one right-hand side.
    @discardableResult
    public func solve(_ b: UnsafeMutableBufferPointer<Double>) -> Bool { solve(b, rhsCount: 1) }

    /// Solves Aᵀ X = B in place, with the conventions of `solve`.
    @discardableResult
    public func solveTransposed(_ b: UnsafeMutableBufferPointer<Double>, rhsCount: Int) -> Bool {
        let n = dimension
        guard status == .success, rhsCount >= 0, b.count >= n * rhsCount else { return false }
        guard n > 0, let base = b.baseAddress else { return true }
        for r in 0..<rhsCount { solveOneTransposed(base + r * n) }
        return true
    }

    /// L then U (LAPACK dgbtrs, 'N'): L as the product of interchanges and unit column eliminations.
    private func solveOne(_ x: UnsafeMutablePointer<Double>) {
        let n = dimension, kl = lowerBandwidth, kv = self.kv, ld = leadingDimension
        if kl > 0 {
            for j in 0..<(n - 1) {
                let lm = Swift.min(kl, n - 1 - j)
                let p = pivots[j]
                if p != j { let t = x[p]; x[p] = x[j]; x[j] = t }
                let xj = x[j]
                if xj == 0 { continue }
                let col = ab + kv + j * ld
                for i in 1...lm { x[j + i] -= xj * col[i] }
            }
        }
        // U is upper triangular with kl + ku super-diagonals (dtbsv).
        var j = n - 1
        while j >= 0 {
            if x[j] != 0 {
                let col = ab + j * ld
                x[j] /= col[kv]
                let xj = x[j]
                var i = Swift.max(0, j - kv)
                while i < j { x[i] -= xj * col[kv + i - j]; i += 1 }
            }
            j -= 1
        }
    }

    /// Uᵀ then Lᵀ with the interchanges in reverse (LAPACK dgbtrs, 'T').
    private func solveOneTransposed(_ x: UnsafeMutablePointer<Double>) {
        let n = dimension, kl = lowerBandwidth, kv = self.kv, ld = leadingDimension
        for j in 0..<n {
            let col = ab + j * ld
            var t = x[j]
            var i = Swift.max(0, j - kv)
            while i < j { t -= col[kv + i - j] * x[i]; i += 1 }
            x[j] = t / col[kv]
        }
        if kl > 0 {
            var j = n - 2
            while j >= 0 {
                let lm = Swift.min(kl, n - 1 - j)
                let col = ab + kv + j * ld
                var t = x[j]
                for i in 1...lm { t -= col[i] * x[j + i] }
                x[j] = t
                let p = pivots[j]
                if p != j { let s = x[p]; x[p] = x[j]; x[j] = s }
                j -= 1
            }
        }
    }

    /// An estimate of 1 / (‖A‖₁ ‖A⁻¹‖₁) for the last factored matrix (LAPACK dgbcon, 1-norm):
    /// 0 when singular or not factored. About five solves; allocates nothing.
    ///
    /// References: Higham, ACM TOMS 14, 1988 (Algorithm 674); LAPACK dgbcon.
    public func reciprocalCondition() -> Double {
        let n = dimension
        guard status == .success else { return 0 }
        guard n > 0 else { return 1 }
        guard matrixOneNorm > 0, matrixOneNorm.isFinite else { return 0 }
        let inverseNorm = estimateInverseOneNorm(
            n: n, x: work, v: work + n, signs: work + 2 * n,
            solve: { solveOne($0) }, solveTransposed: { solveOneTransposed($0) })
        guard inverseNorm > 0, inverseNorm.isFinite else { return 0 }
        return (1 / inverseNorm) / matrixOneNorm
    }
}
