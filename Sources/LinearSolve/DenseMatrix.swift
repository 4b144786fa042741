/// A dense matrix of Float64 in column-major order (entry (i, j) at `values[i + j * rowCount]`),
/// the layout of LAPACK and of `DenseLU`'s workspace.
public struct DenseMatrix: Equatable, Sendable {
    /// The number of rows.
    public let rowCount: Int
    /// The number of columns.
    public let columnCount: Int
    /// The entries, column after column; always `rowCount * columnCount` of them.
    public private(set) var values: [Double]

    /// A zero matrix (negative sizes count as zero).
    public init(rowCount: Int, columnCount: Int) {
        self.rowCount = Swift.max(0, rowCount)
        self.columnCount = Swift.max(0, columnCount)
        values = [Double](repeating: 0, count: self.rowCount * self.columnCount)
    }

    /// A square zero matrix.
    public init(dimension: Int) { self.init(rowCount: dimension, columnCount: dimension) }

    /// A matrix over column-major `values`; `nil` unless `values.count == rowCount * columnCount`.
    public init?(rowCount: Int, columnCount: Int, columnMajor values: [Double]) {
        guard rowCount >= 0, columnCount >= 0, values.count == rowCount * columnCount else { return nil }
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values
    }

    /// A matrix from rows written as they read (`rows[i][j]` is entry (i, j)); `nil` when
    /// the rows have different lengths.
    public init?(rows: [[Double]]) {
        let m = rows.count, n = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == n }) else { return nil }
        self.init(rowCount: m, columnCount: n)
        for i in 0..<m { for j in 0..<n { values[i + j * m] = rows[i][j] } }
    }

    /// The n×n identity.
    public static func identity(_ n: Int) -> DenseMatrix {
        var m = DenseMatrix(dimension: n)
        for i in 0..<m.rowCount { m.values[i + i * m.rowCount] = 1 }
        return m
    }

    /// Entry (i, j). Indices outside the matrix read as 0 and writes to them are ignored.
    public subscript(row: Int, column: Int) -> Double {
        get {
            guard row >= 0, row < rowCount, column >= 0, column < columnCount else { return 0 }
            return values[row + column * rowCount]
        }
        set {
            guard row >= 0, row < rowCount, column >= 0, column < columnCount else { return }
            values[row + column * rowCount] = newValue
        }
    }

    /// Calls `body` with the column-major entries for in-place filling (no copy when unshared).
    public mutating func withUnsafeMutableValues<R>(_ body: (UnsafeMutableBufferPointer<Double>) throws -> R) rethrows -> R {
        try values.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// y = A x, with `x.count >= columnCount` and `y.count >= rowCount` (shorter buffers
    /// leave `y` untouched).
    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        guard x.count >= columnCount, y.count >= rowCount,
              let xp = x.baseAddress, let yp = y.baseAddress else { return }
        let m = rowCount
        values.withUnsafeBufferPointer { a in
            guard let ap = a.baseAddress else {
                for i in 0..<m { yp[i] = 0 }
                return
            }
            for i in 0..<m { yp[i] = 0 }
            for j in 0..<columnCount {
                let xj = xp[j]
                let col = ap + j * m
                for i in 0..<m { yp[i] += col[i] * xj }
            }
        }
    }

    /// The 1-norm, the largest column sum of absolute values.
    public var oneNorm: Double {
        var best = 0.0
        for j in 0..<columnCount {
            var s = 0.0
            for i in 0..<rowCount { s += Swift.abs(values[i + j * rowCount]) }
            if s > best || s.isNaN { best = s }
        }
        return best
    }
}
