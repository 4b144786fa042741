/// A sparse matrix in compressed sparse column form: the entries of column j are
/// `values[colPtr[j]..<colPtr[j + 1]]`, in rows `rowIndex[...]` (zero-based, strictly
/// increasing within a column). The pattern is fixed at construction; the values may change,
/// which is what a Jacobian update does.
///
/// References: T. A. Davis, Direct Methods for Sparse Linear Systems, SIAM, 2006, §2.2.
public struct SparseMatrixCSC: Equatable, Sendable {
    /// The number of rows.
    public let rowCount: Int
    /// The number of columns.
    public let columnCount: Int
    /// Column starts into `rowIndex` and `values`; `columnCount + 1` entries, from 0 to the entry count.
    public let colPtr: [Int]
    /// The row of each stored entry.
    public let rowIndex: [Int]
    /// The value of each stored entry.
    public var values: [Double]

    /// The number of stored entries.
    @inlinable public var storedCount: Int { rowIndex.count }

    /// A matrix from its three arrays; `nil` unless they form a valid CSC matrix (sizes
    /// agree, `colPtr` starts at 0 and never decreases, rows in range and strictly
    /// increasing in each column).
    public init?(rowCount: Int, columnCount: Int, colPtr: [Int], rowIndex: [Int], values: [Double]) {
        guard rowCount >= 0, columnCount >= 0, colPtr.count == columnCount + 1, colPtr.first == 0,
              colPtr.last == rowIndex.count, values.count == rowIndex.count else { return nil }
        for j in 0..<columnCount {
            let start = colPtr[j], end = colPtr[j + 1]
            guard start <= end else { return nil }
            var previous = -1
            for p in start..<end {
                let i = rowIndex[p]
                guard i > previous, i < rowCount else { return nil }
                previous = i
            }
        }
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.colPtr = colPtr
        self.rowIndex = rowIndex
        self.values = values
    }

    /// A matrix from coordinate triplets; duplicates are summed (as Jacobian assembly
    /// expects) and explicit zeros are kept in the pattern. `nil` if the arrays differ in
    /// length or an index is out of range.
    public init?(rowCount: Int, columnCount: Int, rows: [Int], columns: [Int], values: [Double]) {
        guard rowCount >= 0, columnCount >= 0, rows.count == columns.count, rows.count == values.count else { return nil }
        for k in rows.indices {
            guard rows[k] >= 0, rows[k] < rowCount, columns[k] >= 0, columns[k] < columnCount else { return nil }
        }
        let order = rows.indices.sorted { (columns[$0], rows[$0]) < (columns[$1], rows[$1]) }
        var colPtr = [Int](repeating: 0, count: columnCount + 1)
        var rowIndex: [Int] = [], merged: [Double] = []
        rowIndex.reserveCapacity(order.count)
        merged.reserveCapacity(order.count)
        var lastColumn = -1, lastRow = -1
        for k in order {
            if columns[k] == lastColumn, rows[k] == lastRow {
                merged[merged.count - 1] += values[k]
                continue
            }
            rowIndex.append(rows[k])
            merged.append(values[k])
            colPtr[columns[k] + 1] += 1
            lastColumn = columns[k]
            lastRow = rows[k]
        }
        for j in 0..<columnCount { colPtr[j + 1] += colPtr[j] }
        self.init(rowCount: rowCount, columnCount: columnCount, colPtr: colPtr, rowIndex: rowIndex, values: merged)
    }

    /// The nonzero entries of a dense matrix (entries with |a| ≤ `dropTolerance` are left out).
    public init(_ dense: DenseMatrix, dropTolerance: Double = 0) {
        var colPtr = [0], rowIndex: [Int] = [], values: [Double] = []
        for j in 0..<dense.columnCount {
            for i in 0..<dense.rowCount where Swift.abs(dense[i, j]) > dropTolerance || dense[i, j].isNaN {
                rowIndex.append(i)
                values.append(dense[i, j])
            }
            colPtr.append(rowIndex.count)
        }
        rowCount = dense.rowCount
        columnCount = dense.columnCount
        self.colPtr = colPtr
        self.rowIndex = rowIndex
        self.values = values
    }

    /// Whether `other` has the same size and sparsity pattern.
    public func hasSamePattern(as other: SparseMatrixCSC) -> Bool {
        rowCount == other.rowCount && columnCount == other.columnCount
            && colPtr == other.colPtr && rowIndex == other.rowIndex
    }

    /// The position in `values` of entry (i, j), or `nil` if it is not stored (binary search).
    public func storageIndex(row i: Int, column j: Int) -> Int? {
        guard j >= 0, j < columnCount else { return nil }
        var lo = colPtr[j], hi = colPtr[j + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if rowIndex[mid] < i { lo = mid + 1 } else { hi = mid }
        }
        return lo < colPtr[j + 1] && rowIndex[lo] == i ? lo : nil
    }

    /// Entry (i, j): 0 when not stored; writes to entries outside the pattern are ignored.
    public subscript(row: Int, column: Int) -> Double {
        get { storageIndex(row: row, column: column).map { values[$0] } ?? 0 }
        set { if let p = storageIndex(row: row, column: column) { values[p] = newValue } }
    }

    /// Calls `body(i, j, value)` for every stored entry, column by column.
    @inlinable
    public func forEachEntry(_ body: (Int, Int, Double) -> Void) {
        for j in 0..<columnCount {
            for p in colPtr[j]..<colPtr[j + 1] { body(rowIndex[p], j, values[p]) }
        }
    }

    /// y = A x, with `x.count >= columnCount` and `y.count >= rowCount` (shorter buffers
    /// leave `y` untouched).
    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        guard x.count >= columnCount, y.count >= rowCount else { return }
        for i in 0..<rowCount { y[i] = 0 }
        forEachEntry { i, j, v in y[i] += v * x[j] }
    }

    /// The same matrix as a dense one.
    public func dense() -> DenseMatrix {
        var m = DenseMatrix(rowCount: rowCount, columnCount: columnCount)
        forEachEntry { i, j, v in m[i, j] += v }
        return m
    }
}
