/// The symbolic part of smoothed aggregation: strength of connection, aggregates, and the
/// patterns of P, R = Pᵀ, A·P and R·A·P. It allocates; the numeric part (`MultigridTransfer`'s
/// `smoothProlongator` and `galerkin`) then fills the values on these patterns without doing so.
///
/// References: P. Vaněk, J. Mandel, M. Brezina, Algebraic multigrid by smoothed aggregation
/// for second and fourth order elliptic problems, Computing 56, 1996 (§3: strong
/// neighbourhoods N_i(ε) = {j : |a_ij| ≥ ε √(a_ii a_jj)}, the three-pass aggregation, the
/// filtered matrix and ω = 4/(3ρ)); W. N. Bell, L. N. Olson, J. B. Schroder, PyAMG, 2022
/// (the same algorithm as `standard_aggregation`).
extension MultigridLevel {
    /// The transfer to a coarser level and that level's matrix pattern, or nil when no unknown
    /// has a strong connection at threshold θ (nothing to coarsen) or aggregation would keep
    /// more than `maximumRatio` of the unknowns.
    func coarsen(threshold theta: Double, maximumRatio: Double) -> (MultigridTransfer, MultigridLevel)? {
        // Strong connections, symmetrised for the aggregation graph.
        var strong = [Bool](repeating: false, count: nnz)
        var degree = [Int](repeating: 0, count: n + 1)
        for i in 0..<n {
            let aii = Swift.abs(diagonal(i))
            for k in rowPtr[i]..<rowPtr[i + 1] {
                let j = col[k], aij = Swift.abs(val[k])
                guard j != i, aij > 0, aij >= theta * (aii * Swift.abs(diagonal(j))).squareRoot() else { continue }
                strong[k] = true
                degree[i + 1] += 1
                degree[j + 1] += 1
            }
        }
        for i in 0..<n { degree[i + 1] += degree[i] }
        var next = Array(degree.dropLast()), neighbours = [Int](repeating: 0, count: degree[n])
        for i in 0..<n {
            for k in rowPtr[i]..<rowPtr[i + 1] where strong[k] {
                let j = col[k]
                neighbours[next[i]] = j; next[i] += 1
                neighbours[next[j]] = i; next[j] += 1
            }
        }
        let (aggregate, coarseCount) = Self.aggregates(n: n, start: degree, neighbours: neighbours)
        guard coarseCount > 0, Double(coarseCount) <= maximumRatio * Double(n) else { return nil }

        var size = [Int](repeating: 0, count: coarseCount)
        for i in 0..<n where aggregate[i] >= 0 { size[aggregate[i]] += 1 }
        let tentative = (0..<n).map { aggregate[$0] >= 0 ? 1 / Double(size[aggregate[$0]]).squareRoot() : 0 }

        // P's pattern: row i holds aggregate(i) and the aggregates of i's strong neighbours.
        var stamp = [Int](repeating: -1, count: coarseCount), position = [Int](repeating: 0, count: coarseCount)
        var pRowPtr = [0], pCol: [Int] = [], fromA = [Int](repeating: -1, count: nnz)
        var tentativePosition = [Int](repeating: -1, count: n)
        for i in 0..<n {
            func add(_ c: Int) -> Int {
                if stamp[c] != i { stamp[c] = i; position[c] = pCol.count; pCol.append(c) }
                return position[c]
            }
            if aggregate[i] >= 0 { tentativePosition[i] = add(aggregate[i]) }
            for k in rowPtr[i]..<rowPtr[i + 1] where strong[k] { fromA[k] = add(aggregate[col[k]]) }
            pRowPtr.append(pCol.count)
        }
        let r = Self.transpose(rows: n, columns: coarseCount, rowPtr: pRowPtr, col: pCol)
        // A·P's pattern, then R·(A·P)'s.
        let ap = Self.product(rows: n, columns: coarseCount, leftRowPtr: Array(UnsafeBufferPointer(start: rowPtr, count: n + 1)),
                              leftCol: Array(UnsafeBufferPointer(start: col, count: nnz)), rightRowPtr: pRowPtr, rightCol: pCol)
        let rap = Self.product(rows: coarseCount, columns: coarseCount, leftRowPtr: r.rowPtr, leftCol: r.col,
                               rightRowPtr: ap.rowPtr, rightCol: ap.col)
        let transfer = MultigridTransfer(fineCount: n, coarseCount: coarseCount, aggregate: aggregate, tentative: tentative,
                                         strong: strong, fromA: fromA, tentativePosition: tentativePosition,
                                         p: (pRowPtr, pCol), r: (r.rowPtr, r.col), toR: r.map, ap: ap)
        return (transfer, MultigridLevel(n: coarseCount, rowPtr: rap.rowPtr, col: rap.col))
    }

    /// Vaněk, Mandel & Brezina's aggregation on the strength graph: (1) each unknown whose
    /// whole strong neighbourhood is free founds an aggregate of it; (2) a free unknown joins
    /// the first-pass aggregate of a strong neighbour; (3) the rest found aggregates of their
    /// still-free neighbourhoods. Unknowns without strong neighbours stay out (−1).
    static func aggregates(n: Int, start: [Int], neighbours: [Int]) -> (aggregate: [Int], count: Int) {
        var aggregate = [Int](repeating: -1, count: n), count = 0
        for i in 0..<n where start[i] < start[i + 1] && aggregate[i] < 0 {
            guard !neighbours[start[i]..<start[i + 1]].contains(where: { aggregate[$0] >= 0 }) else { continue }
            aggregate[i] = count
            for j in neighbours[start[i]..<start[i + 1]] { aggregate[j] = count }
            count += 1
        }
        let firstPass = aggregate
        for i in 0..<n where start[i] < start[i + 1] && aggregate[i] < 0 {
            if let j = neighbours[start[i]..<start[i + 1]].first(where: { firstPass[$0] >= 0 }) { aggregate[i] = firstPass[j] }
        }
        for i in 0..<n where start[i] < start[i + 1] && aggregate[i] < 0 {
            aggregate[i] = count
            for j in neighbours[start[i]..<start[i + 1]] where aggregate[j] < 0 { aggregate[j] = count }
            count += 1
        }
        return (aggregate, count)
    }

    /// The transpose's pattern and where each entry goes in it.
    static func transpose(rows: Int, columns: Int, rowPtr: [Int], col: [Int]) -> (rowPtr: [Int], col: [Int], map: [Int]) {
        var tRowPtr = [Int](repeating: 0, count: columns + 1)
        for c in col { tRowPtr[c + 1] += 1 }
        for c in 0..<columns { tRowPtr[c + 1] += tRowPtr[c] }
        var next = Array(tRowPtr.dropLast()), tCol = [Int](repeating: 0, count: col.count), map = [Int](repeating: 0, count: col.count)
        for i in 0..<rows {
            for q in rowPtr[i]..<rowPtr[i + 1] {
                let c = col[q]
                tCol[next[c]] = i; map[q] = next[c]; next[c] += 1
            }
        }
        return (tRowPtr, tCol, map)
    }

    /// The pattern of a product of two CSR patterns (every structurally reachable entry).
    static func product(rows: Int, columns: Int, leftRowPtr: [Int], leftCol: [Int],
                        rightRowPtr: [Int], rightCol: [Int]) -> (rowPtr: [Int], col: [Int]) {
        var stamp = [Int](repeating: -1, count: columns), rowPtr = [0], col: [Int] = []
        for i in 0..<rows {
            for k in leftRowPtr[i]..<leftRowPtr[i + 1] {
                let m = leftCol[k]
                for q in rightRowPtr[m]..<rightRowPtr[m + 1] where stamp[rightCol[q]] != i {
                    stamp[rightCol[q]] = i
                    col.append(rightCol[q])
                }
            }
            rowPtr.append(col.count)
        }
        return (rowPtr, col)
    }
}
