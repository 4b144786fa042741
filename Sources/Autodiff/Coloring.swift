// Column colouring for compressed Jacobians: columns that share no row can be seeded together,
// so one forward-mode run per colour recovers them all.

/// A partition of a matrix's columns into structurally orthogonal groups: no two columns of
/// the same colour have an entry in the same row. A Jacobian with that pattern is then
/// recovered from `count` Jacobian–vector products, one per colour, each seeded with the sum
/// of its columns' unit vectors (Curtis, Powell and Reid's compressed Jacobian).
///
/// References: A. R. Curtis, M. J. D. Powell, J. K. Reid, "On the estimation of sparse
/// Jacobian matrices", J. Inst. Maths Applics 13, 1974; A. H. Gebremedhin, F. Manne,
/// A. Pothen, "What color is your Jacobian? Graph coloring for computing derivatives",
/// SIAM Review 47(4), 2005.
public struct ColumnColoring: Hashable, Sendable {
    /// The colour of every column, in `0 ..< count`.
    public let colors: [Int]
    /// The number of colours: one more than the largest colour (0 when there are no columns).
    public let count: Int

    /// The order in which the greedy algorithm visits columns.
    public enum Ordering: Sendable {
        /// Column 0 first, then 1, 2, ...
        case natural
        /// Columns with more neighbours in the column-intersection graph first (ties by
        /// index): the "largest first" ordering of Welsh and Powell, which usually needs
        /// fewer colours.
        case largestFirst
    }

    /// A colouring given by its colours. Throws when a colour is negative.
    public init(colors: [Int]) throws {
        if let bad = colors.first(where: { $0 < 0 }) {
            throw AutodiffError(.invalidArgument, "ColumnColoring: colour \(bad) is negative")
        }
        self.colors = colors
        count = (colors.max() ?? -1) + 1
    }

    /// Greedy distance-1 colouring of the column-intersection graph of `pattern` (columns
    /// adjacent when some row holds both): each column in turn takes the smallest colour
    /// that none of its already coloured neighbours has.
    ///
    /// Contract: the result is valid for `pattern` (`isValid(for:)`), uses at most one more
    /// colour than the largest degree in the column-intersection graph, and at least the
    /// largest number of entries in a row. Empty columns take colour 0. Cost: O(Σᵣ nᵣ²),
    /// nᵣ the entries of row r, in time and O(rows + cols + nnz) in memory: the
    /// intersection graph is never stored.
    ///
    /// References: A. H. Gebremedhin, F. Manne, A. Pothen, "What color is your Jacobian?",
    /// SIAM Review 47(4), 2005, section 3 (the greedy algorithm and its orderings);
    /// D. J. A. Welsh, M. B. Powell, "An upper bound for the chromatic number of a graph and
    /// its application to timetabling problems", The Computer Journal 10, 1967.
    public init(greedy pattern: SparsityPattern, ordering: Ordering = .largestFirst) {
        let byRow = pattern.transposed()
        let cols = pattern.cols
        // `seen[c] == stamp` marks column c as already met while scanning one column's rows.
        var seen = [Int](repeating: -1, count: cols)
        func forEachNeighbour(of j: Int, _ body: (Int) -> Void) {
            for k in pattern.colPtr[j]..<pattern.colPtr[j + 1] {
                let r = pattern.rowIndex[k]
                for q in byRow.colPtr[r]..<byRow.colPtr[r + 1] {
                    let c = byRow.rowIndex[q]
                    if c != j, seen[c] != j { seen[c] = j; body(c) }
                }
            }
        }
        var order = Array(0..<cols)
        if ordering == .largestFirst {
            var degree = [Int](repeating: 0, count: cols)
            for j in 0..<cols { forEachNeighbour(of: j) { _ in degree[j] += 1 } }
            order.sort { degree[$0] != degree[$1] ? degree[$0] > degree[$1] : $0 < $1 }
            for c in 0..<cols { seen[c] = -1 }
        }
        var colors = [Int](repeating: -1, count: cols)
        // `forbidden[color] == j` while colouring column j marks a neighbour's colour.
        var forbidden = [Int](repeating: -1, count: cols + 1)
        for j in order {
            forEachNeighbour(of: j) { c in
                if colors[c] >= 0 { forbidden[colors[c]] = j }
            }
            var color = 0
            while forbidden[color] == j { color += 1 }
            colors[j] = color
        }
        self.colors = colors
        count = (colors.max() ?? -1) + 1
    }

    /// Culberson's iterated greedy: `passes` times, recolour greedily visiting the columns
    /// colour class by colour class (classes in reverse order, largest first, or a seeded
    /// shuffle, in turn). Visiting a class's columns together lets each class keep a colour, so
    /// a pass never uses more colours than the last; the fewest seen is kept. On the periodic
    /// 2-D 5-point stencil with two coupled fields (the Brusselator) it takes largest-first's
    /// 11–12 colours to 10 within 30 passes.
    ///
    /// References: J. C. Culberson, "Iterated greedy graph coloring and the difficulty
    /// landscape", Tech. Rep. TR 92-07, University of Alberta, 1992.
    public func refined(for pattern: SparsityPattern, passes: Int) -> ColumnColoring {
        guard colors.count == pattern.cols, passes > 0 else { return self }
        let byRow = pattern.transposed()
        let cols = pattern.cols
        var best = self, current = colors, seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var forbidden = [Int](repeating: -1, count: cols + 1)
        for pass in 0..<passes {
            let count = (current.max() ?? -1) + 1
            var classes = [[Int]](repeating: [], count: count)
            for (j, c) in current.enumerated() { classes[c].append(j) }
            var keys = Array(0..<count)
            switch pass % 3 {
            case 0: keys.reverse()
            case 1: keys.sort { classes[$0].count != classes[$1].count ? classes[$0].count > classes[$1].count : $0 < $1 }
            default:
                for a in stride(from: count - 1, to: 0, by: -1) {
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    keys.swapAt(a, Int((seed >> 33) % UInt64(a + 1)))
                }
            }
            var next = [Int](repeating: -1, count: cols)
            for k in keys {
                for j in classes[k] {
                    for q in pattern.colPtr[j]..<pattern.colPtr[j + 1] {
                        let r = pattern.rowIndex[q]
                        for e in byRow.colPtr[r]..<byRow.colPtr[r + 1] {
                            let c = byRow.rowIndex[e]
                            if c != j, next[c] >= 0 { forbidden[next[c]] = j }
                        }
                    }
                    var color = 0
                    while forbidden[color] == j { color += 1 }
                    next[j] = color
                }
            }
            for c in 0..<forbidden.count { forbidden[c] = -1 }
            current = next
            let candidate = ColumnColoring(unchecked: current)
            if candidate.count < best.count { best = candidate }
        }
        return best
    }

    init(unchecked colors: [Int]) {
        self.colors = colors
        count = (colors.max() ?? -1) + 1
    }

    /// Whether this colouring has one colour per column of `pattern` and no two columns of
    /// the same colour share a row.
    public func isValid(for pattern: SparsityPattern) -> Bool {
        guard colors.count == pattern.cols else { return false }
        let byRow = pattern.transposed()
        var seenInRow = [Int](repeating: -1, count: count)
        for r in 0..<pattern.rows {
            for q in byRow.colPtr[r]..<byRow.colPtr[r + 1] {
                let c = colors[byRow.rowIndex[q]]
                if seenInRow[c] == r { return false }
                seenInRow[c] = r
            }
        }
        return true
    }

    /// The columns of each colour, in increasing order, compressed: colour c owns
    /// `columns[start[c] ..< start[c + 1]]`.
    public func groups() -> (start: [Int], columns: [Int]) {
        var start = [Int](repeating: 0, count: count + 1)
        for c in colors { start[c + 1] += 1 }
        for c in 0..<count { start[c + 1] += start[c] }
        var next = Array(start.dropLast())
        var columns = [Int](repeating: 0, count: colors.count)
        for (j, c) in colors.enumerated() { columns[next[c]] = j; next[c] += 1 }
        return (start, columns)
    }
}
