/// A square band matrix with `lowerBandwidth` (kl) sub- and `upperBandwidth` (ku)
/// super-diagonals in LAPACK's general band storage (BLAS dgbmv): entry (i, j), for
/// j − ku ≤ i ≤ j + kl, sits at `values[ku + i − j + j * (kl + ku + 1)]`. Storage slots
/// outside the matrix (the top-left and bottom-right corners) are kept but never read.
///
/// `BandedLU` copies this into its own storage with kl extra rows for the fill-in of pivoting.
///
/// References: E. Anderson et al., LAPACK Users' Guide, 3rd ed., 1999, §5.3.3 (band storage).
public struct BandMatrix: Equatable, Sendable {
    /// The number of rows and columns.
    public let dimension: Int
    /// kl, the number of sub-diagonals.
    public let lowerBandwidth: Int
    /// ku, the number of super-diagonals.
    public let upperBandwidth: Int
    /// The band, column after column, `kl + ku + 1` slots per column.
    public private(set) var values: [Double]

    /// The leading dimension of `values`, kl + ku + 1.
    @inlinable public var leadingDimension: Int { lowerBandwidth + upperBandwidth + 1 }

    /// A zero band matrix (negative sizes count as zero).
    public init(dimension: Int, lowerBandwidth: Int, upperBandwidth: Int) {
        self.dimension = Swift.max(0, dimension)
        self.lowerBandwidth = Swift.max(0, lowerBandwidth)
        self.upperBandwidth = Swift.max(0, upperBandwidth)
        values = [Double](repeating: 0, count: (self.lowerBandwidth + self.upperBandwidth + 1) * self.dimension)
    }

    /// The band of a dense square matrix; entries outside the band are dropped.
    public init(_ dense: DenseMatrix, lowerBandwidth: Int, upperBandwidth: Int) {
        self.init(dimension: dense.rowCount, lowerBandwidth: lowerBandwidth, upperBandwidth: upperBandwidth)
        for j in 0..<dimension {
            for i in Swift.max(0, j - self.upperBandwidth)...Swift.min(dimension - 1, j + self.lowerBandwidth) {
                self[i, j] = dense[i, j]
            }
        }
    }

    /// Whether (i, j) lies inside the matrix and the band.
    @inlinable
    public func contains(row i: Int, column j: Int) -> Bool {
        i >= 0 && j >= 0 && i < dimension && j < dimension && i - j <= lowerBandwidth && j - i <= upperBandwidth
    }

    /// Entry (i, j): 0 outside the band; writes outside the band are ignored.
    public subscript(row: Int, column: Int) -> Double {
        get { contains(row: row, column: column) ? values[upperBandwidth + row - column + column * leadingDimension] : 0 }
        set {
            guard contains(row: row, column: column) else { return }
            values[upperBandwidth + row - column + column * leadingDimension] = newValue
        }
    }

    /// Calls `body` with the band storage for in-place filling (no copy when unshared).
    public mutating func withUnsafeMutableValues<R>(_ body: (UnsafeMutableBufferPointer<Double>) throws -> R) rethrows -> R {
        try values.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Calls `body(i, j, value)` for every stored entry inside the matrix, column by column.
    @inlinable
    public func forEachEntry(_ body: (Int, Int, Double) -> Void) {
        let ld = leadingDimension
        values.withUnsafeBufferPointer { v in
            for j in 0..<dimension {
                let lo = Swift.max(0, j - upperBandwidth), hi = Swift.min(dimension - 1, j + lowerBandwidth)
                for i in lo...hi { body(i, j, v[upperBandwidth + i - j + j * ld]) }
            }
        }
    }

    /// y = A x, with at least `dimension` values in each buffer (shorter ones leave `y` untouched).
    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        guard x.count >= dimension, y.count >= dimension else { return }
        for i in 0..<dimension { y[i] = 0 }
        forEachEntry { i, j, v in y[i] += v * x[j] }
    }

    /// The same matrix as a dense one.
    public func dense() -> DenseMatrix {
        var m = DenseMatrix(dimension: dimension)
        forEachEntry { i, j, v in m[i, j] = v }
        return m
    }
}
