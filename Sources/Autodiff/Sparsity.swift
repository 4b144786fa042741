// Jacobian sparsity patterns, read off the graph: which elements of one input each element of
// one output can depend on. Structural, in the manner of SparseConnectivityTracer.jl and
// Symbolics.jl: a product with a traced value that happens to be zero still counts; only
// derivatives that vanish identically are dropped.

/// The nonzero structure of a `rows × cols` matrix in compressed sparse column (CSC) form.
///
/// Column `j` holds the rows `rowIndex[colPtr[j] ..< colPtr[j + 1]]`, strictly increasing.
/// A matrix with this pattern stores its values in an `nzval` array of `nnz` doubles in the
/// same order. Indices are 0-based, as SuiteSparse (KLU) takes them; Julia's
/// `SparseMatrixCSC` is the same layout, 1-based.
public struct SparsityPattern: Hashable, Sendable, CustomStringConvertible {
    /// The number of rows (outputs' elements, for a Jacobian).
    public let rows: Int
    /// The number of columns (the input's elements, for a Jacobian).
    public let cols: Int
    /// `cols + 1` offsets into `rowIndex`; `colPtr[0] == 0` and `colPtr[cols] == nnz`.
    public let colPtr: [Int]
    /// The row of every stored entry, column by column, increasing within a column.
    public let rowIndex: [Int]

    /// The number of stored entries.
    public var nnz: Int { rowIndex.count }

    /// The fraction of entries stored (0 for an empty matrix).
    public var density: Double { rows * cols == 0 ? 0 : Double(nnz) / Double(rows * cols) }

    /// A pattern from CSC arrays, checked: offsets nondecreasing from 0 to `rowIndex.count`,
    /// rows in range and strictly increasing within each column.
    public init(rows: Int, cols: Int, colPtr: [Int], rowIndex: [Int]) throws {
        guard rows >= 0, cols >= 0, colPtr.count == cols + 1, colPtr.first == 0, colPtr.last == rowIndex.count else {
            throw AutodiffError(.invalidArgument,
                                "SparsityPattern: a \(rows)×\(cols) pattern needs \(cols + 1) column offsets from 0 to nnz "
                                + "(got \(colPtr.count) offsets for \(rowIndex.count) entries)")
        }
        for j in 0..<cols {
            guard colPtr[j] <= colPtr[j + 1] else {
                throw AutodiffError(.invalidArgument, "SparsityPattern: column offsets decrease at column \(j)")
            }
            var previous = -1
            for k in colPtr[j]..<colPtr[j + 1] {
                let r = rowIndex[k]
                guard r > previous, r < rows else {
                    throw AutodiffError(.invalidArgument,
                                        "SparsityPattern: row \(r) in column \(j) is out of range 0..<\(rows) or not increasing")
                }
                previous = r
            }
        }
        self.init(unchecked: rows, cols, colPtr, rowIndex)
    }

    /// A pattern holding the given entries (in any order; duplicates are merged).
    public init(rows: Int, cols: Int, entries: [(row: Int, col: Int)]) throws {
        guard rows >= 0, cols >= 0 else {
            throw AutodiffError(.invalidArgument, "SparsityPattern: negative size \(rows)×\(cols)")
        }
        if let bad = entries.first(where: { $0.row < 0 || $0.row >= rows || $0.col < 0 || $0.col >= cols }) {
            throw AutodiffError(.invalidArgument, "SparsityPattern: entry (\(bad.row), \(bad.col)) is outside \(rows)×\(cols)")
        }
        var perColumn = [[Int]](repeating: [], count: cols)
        for e in entries { perColumn[e.col].append(e.row) }
        var colPtr = [0], rowIndex: [Int] = []
        for var column in perColumn {
            column.sort()
            var previous = -1
            for r in column where r != previous { rowIndex.append(r); previous = r }
            colPtr.append(rowIndex.count)
        }
        self.init(unchecked: rows, cols, colPtr, rowIndex)
    }

    /// The full `rows × cols` pattern.
    public static func dense(rows: Int, cols: Int) -> SparsityPattern {
        let r = Swift.max(rows, 0), c = Swift.max(cols, 0)
        return SparsityPattern(unchecked: r, c, (0...c).map { $0 * r },
                               Array((0..<(r * c)).lazy.map { $0 % r }))
    }

    init(unchecked rows: Int, _ cols: Int, _ colPtr: [Int], _ rowIndex: [Int]) {
        self.rows = rows
        self.cols = cols
        self.colPtr = colPtr
        self.rowIndex = rowIndex
    }

    /// The rows stored in column `col` (empty when `col` is out of range).
    public func rows(inColumn col: Int) -> ArraySlice<Int> {
        guard col >= 0, col < cols else { return [] }
        return rowIndex[colPtr[col]..<colPtr[col + 1]]
    }

    /// The position of entry `(row, col)` in `rowIndex` (and so in `nzval`), or nil when it is
    /// not stored. Binary search within the column.
    public func index(row: Int, col: Int) -> Int? {
        guard col >= 0, col < cols else { return nil }
        var lo = colPtr[col], hi = colPtr[col + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            let r = rowIndex[mid]
            if r == row { return mid }
            if r < row { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Whether entry `(row, col)` is stored.
    public func contains(row: Int, col: Int) -> Bool { index(row: row, col: col) != nil }

    /// The pattern of the transpose; its CSC arrays are this pattern's compressed rows (CSR).
    public func transposed() -> SparsityPattern {
        var rowPtr = [Int](repeating: 0, count: rows + 1)
        for r in rowIndex { rowPtr[r + 1] += 1 }
        for r in 0..<rows { rowPtr[r + 1] += rowPtr[r] }
        var next = Array(rowPtr.dropLast())
        var colIndex = [Int](repeating: 0, count: nnz)
        for j in 0..<cols {
            for k in colPtr[j]..<colPtr[j + 1] {
                let r = rowIndex[k]
                colIndex[next[r]] = j
                next[r] += 1
            }
        }
        return SparsityPattern(unchecked: cols, rows, rowPtr, colIndex)
    }

    /// A one-line summary, followed for patterns up to 64 columns and 64 rows by a picture:
    /// `*` for a stored entry, `.` for a structural zero.
    public var description: String {
        let percent = (density * 1000).rounded() / 10
        var s = "SparsityPattern(\(rows)×\(cols), nnz \(nnz), \(percent)% dense)"
        guard rows <= 64, cols <= 64 else { return s }
        var picture = [[Character]](repeating: [Character](repeating: ".", count: cols), count: rows)
        for j in 0..<cols { for k in colPtr[j]..<colPtr[j + 1] { picture[rowIndex[k]][j] = "*" } }
        for line in picture { s += "\n" + String(line) }
        return s
    }
}

// MARK: - Dependence propagation

extension Graph {
    /// The sparsity pattern of the Jacobian ∂y/∂x of output `output` with respect to input
    /// `input`: a `y.count × x.count` pattern holding entry `(i, j)` whenever element `i` of the
    /// output can depend on element `j` of the input (flat row-major indices).
    ///
    /// Contract: the pattern is a superset of the nonzeros of the Jacobian at every point
    /// where the graph's derivative rules give finite values. Dependence is structural: a
    /// product with a traced value that happens to be zero counts, and `select` depends on
    /// both branches. Derivatives that vanish identically are left out: comparisons, `sign`,
    /// the condition of `select`, and products with a constant's exact zeros (so a constant
    /// tridiagonal matrix times `u` gives a tridiagonal pattern). Other inputs and constants
    /// contribute nothing. Matrix products are taken whole: element `(i, j)` of `op(A)·op(B)`
    /// depends on row `i` of `op(A)` and column `j` of `op(B)`. Cost: about linear in the total
    /// size of the live nodes' dependence sets (a product with a constant matrix scans it whole).
    ///
    /// Throws when `output` or `input` is not an index of the graph.
    ///
    /// References: A. Hill, G. Dalle, "Sparser, Better, Faster, Stronger: Sparsity Detection
    /// for Efficient Automatic Differentiation", 2025 (SparseConnectivityTracer.jl);
    /// S. Gowda et al., "Sparsity Programming: Automated Sparsity-Aware Optimizations in
    /// Differentiable Programming", 2019 (Symbolics.jl's `jacobian_sparsity`).
    public func sparsity(output: Int = 0, wrt input: Int = 0) throws -> SparsityPattern {
        try checkOutputIndex(output, "sparsity")
        try checkInputIndices([input], "sparsity")
        let n = inputs[input].shape.count
        var tracer = DependenceTracer(self, wrt: input)
        let sets = tracer.dependence(of: outputs[output])
        let m = nodes[outputs[output]].shape.count
        var colPtr = [Int](repeating: 0, count: n + 1)
        guard let sets else { return SparsityPattern(unchecked: m, n, colPtr, []) }
        for x in sets.items { colPtr[x + 1] += 1 }
        for j in 0..<n { colPtr[j + 1] += colPtr[j] }
        var next = Array(colPtr.dropLast())
        var rowIndex = [Int](repeating: 0, count: sets.items.count)
        for i in 0..<m {
            for k in sets.start[i]..<sets.start[i + 1] {
                let j = sets.items[k]
                rowIndex[next[j]] = i
                next[j] += 1
            }
        }
        return SparsityPattern(unchecked: m, n, colPtr, rowIndex)
    }

    func checkOutputIndex(_ k: Int, _ what: String) throws {
        guard k >= 0, k < outputs.count else {
            throw AutodiffError(.invalidArgument, "\(what): no output \(k); the graph has \(outputs.count)")
        }
    }
}

/// For each element of one node, the sorted indices of the input elements it depends on
/// (compressed like CSR: element `e` owns `items[start[e] ..< start[e + 1]]`).
struct DependenceSets {
    var start: [Int] = [0]
    var items: [Int] = []

    static func identity(_ n: Int) -> DependenceSets {
        DependenceSets(start: Array(0...n), items: Array(0..<n))
    }
}

/// Propagates dependence sets through a graph in topological order. Unions use a stamped
/// marker array over the input's elements, so each is linear in the sizes of its operands.
struct DependenceTracer {
    let g: Graph
    let wrt: Int
    private var mark: [Int]
    private var stamp = 0
    private var scratch: [Int] = []
    private var out = DependenceSets()

    init(_ g: Graph, wrt: Int) {
        self.g = g
        self.wrt = wrt
        mark = [Int](repeating: -1, count: g.inputs[wrt].shape.count)
    }

    /// The dependence sets of node `target`, or nil when it depends on nothing.
    mutating func dependence(of target: Int) -> DependenceSets? {
        var live = [Bool](repeating: false, count: g.nodes.count)
        live[target] = true
        var lastUse = [Int](repeating: -1, count: g.nodes.count)
        for i in stride(from: target, through: 0, by: -1) where live[i] {
            for a in g.nodes[i].args {
                live[a] = true
                lastUse[a] = Swift.max(lastUse[a], i)
            }
        }
        var sets = [DependenceSets?](repeating: nil, count: target + 1)
        for i in 0...target where live[i] {
            sets[i] = transfer(g.nodes[i], g.nodes[i].args.map { sets[$0] })
            // Free what no later node reads, so peak memory stays near the widest cut.
            for a in g.nodes[i].args where lastUse[a] == i { sets[a] = nil }
        }
        return sets[target]
    }

    // MARK: Building sets

    /// Adds element `e` of `s` to the set being built.
    private mutating func add(_ s: DependenceSets, _ e: Int) {
        for k in s.start[e]..<s.start[e + 1] {
            let x = s.items[k]
            if mark[x] != stamp { mark[x] = stamp; scratch.append(x) }
        }
    }

    /// Ends the current element's set.
    private mutating func close() {
        if scratch.count > 1 { scratch.sort() }
        out.items.append(contentsOf: scratch)
        out.start.append(out.items.count)
        scratch.removeAll(keepingCapacity: true)
        stamp += 1
    }

    /// Returns the sets built since the last call, or nil when all are empty.
    private mutating func finish() -> DependenceSets? {
        defer { out = DependenceSets() }
        return out.items.isEmpty ? nil : out
    }

    // MARK: Rules

    private mutating func transfer(_ n: Node, _ x: [DependenceSets?]) -> DependenceSets? {
        switch n.op {
        case .input(let k): return k == wrt ? .identity(n.shape.count) : nil
        case .constant, .unary(.sign): return nil
        case .unary, .reshape: return x[0]
        case .binary(let b) where b.isComparison: return nil
        case .binary(let b):
            return elementwise(n, [(x[0], n.args[0]), (x[1], n.args[1])], constantZerosMask: b == .mul)
        case .select:
            return elementwise(n, [(x[1], n.args[1]), (x[2], n.args[2])], constantZerosMask: false)
        case .sum, .dot:
            for s in x { if let s { for e in 0..<(s.start.count - 1) { add(s, e) } } }
            close()
            return finish()
        case .reduceTo: return reduceTo(n, x[0])
        case .broadcastTo:
            guard let s = x[0] else { return nil }
            let from = g.nodes[n.args[0]].shape
            for i in 0..<n.shape.rows {
                for j in 0..<n.shape.cols { add(s, Graph.broadcastIndex(from, i, j)); close() }
            }
            return finish()
        case .matmul(let ta, let tb): return matmul(n, ta, tb, x[0], x[1])
        case .slice(let start): return picks(x[0], Array(start..<(start + n.shape.count)))
        case .gather(let idx): return picks(x[0], idx.values)
        case .scatterAdd(let lists): return scatterAdd(n, x, lists.lists)
        case .concat:
            guard x.contains(where: { $0 != nil }) else { return nil }
            for (a, s) in zip(n.args, x) {
                for e in 0..<g.nodes[a].shape.count {
                    if let s { add(s, e) }
                    close()
                }
            }
            return finish()
        case .transpose:
            guard let s = x[0] else { return nil }
            let from = g.nodes[n.args[0]].shape
            // Element (j, i) of the result is element (i, j) of the argument.
            for j in 0..<from.cols { for i in 0..<from.rows { add(s, i * from.cols + j); close() } }
            return finish()
        }
    }

    /// Elementwise maps with broadcasting. For products, an element multiplied by an exact
    /// zero of a constant argument contributes nothing: that partial derivative is 0 everywhere.
    private mutating func elementwise(_ n: Node, _ args: [(DependenceSets?, Int)], constantZerosMask: Bool) -> DependenceSets? {
        guard args.contains(where: { $0.0 != nil }) else { return nil }
        let shapes = args.map { g.nodes[$0.1].shape }
        let constants = args.map { constantZerosMask ? constantValues($0.1) : nil }
        // One traced argument of the result's shape, the other neither traced nor masking: no change.
        for k in 0..<2 where shapes[k] == n.shape && args[1 - k].0 == nil && constants[1 - k] == nil {
            return args[k].0
        }
        for i in 0..<n.shape.rows {
            for j in 0..<n.shape.cols {
                for (k, (s, _)) in args.enumerated() {
                    guard let s else { continue }
                    // The other factor of a product (there are two arguments).
                    if let c = constants[1 - k], c[Graph.broadcastIndex(shapes[1 - k], i, j)] == 0 { continue }
                    add(s, Graph.broadcastIndex(shapes[k], i, j))
                }
                close()
            }
        }
        return finish()
    }

    private mutating func reduceTo(_ n: Node, _ x: DependenceSets?) -> DependenceSets? {
        guard let s = x else { return nil }
        let from = g.nodes[n.args[0]].shape, to = n.shape
        for ti in 0..<to.rows {
            for tj in 0..<to.cols {
                let rows = to.rows == 1 ? 0..<from.rows : ti..<(ti + 1)
                let cols = to.cols == 1 ? 0..<from.cols : tj..<(tj + 1)
                for i in rows { for j in cols { add(s, i * from.cols + j) } }
                close()
            }
        }
        return finish()
    }

    /// `C = op(A)·op(B)`: C[i, j] depends on row i of op(A) and column j of op(B), less the
    /// terms multiplied by a constant's exact zeros.
    private mutating func matmul(_ n: Node, _ ta: Bool, _ tb: Bool, _ xa: DependenceSets?, _ xb: DependenceSets?) -> DependenceSets? {
        guard xa != nil || xb != nil else { return nil }
        let sa = g.nodes[n.args[0]].shape, sb = g.nodes[n.args[1]].shape
        let (m, k) = ta ? (sa.cols, sa.rows) : (sa.rows, sa.cols)
        let cols = tb ? sb.rows : sb.cols
        func ia(_ i: Int, _ l: Int) -> Int { ta ? l * sa.cols + i : i * sa.cols + l }
        func ib(_ l: Int, _ j: Int) -> Int { tb ? j * sb.cols + l : l * sb.cols + j }
        let ca = constantValues(n.args[0]), cb = constantValues(n.args[1])
        if let xa, let xb {
            // Both traced: precompute the unions of op(A)'s rows and op(B)'s columns.
            for i in 0..<m { for l in 0..<k { add(xa, ia(i, l)) }; close() }
            let rowsA = finish() ?? DependenceSets(start: [Int](repeating: 0, count: m + 1), items: [])
            for j in 0..<cols { for l in 0..<k { add(xb, ib(l, j)) }; close() }
            let colsB = finish() ?? DependenceSets(start: [Int](repeating: 0, count: cols + 1), items: [])
            for i in 0..<m { for j in 0..<cols { add(rowsA, i); add(colsB, j); close() } }
            return finish()
        }
        for i in 0..<m {
            for j in 0..<cols {
                for l in 0..<k {
                    if let xa {
                        if let cb, cb[ib(l, j)] == 0 { continue }
                        add(xa, ia(i, l))
                    } else if let xb {
                        if let ca, ca[ia(i, l)] == 0 { continue }
                        add(xb, ib(l, j))
                    }
                }
                close()
            }
        }
        return finish()
    }

    /// Element e of the result is element `indices[e]` of the argument.
    private mutating func picks(_ x: DependenceSets?, _ indices: [Int]) -> DependenceSets? {
        guard let s = x else { return nil }
        for e in indices { add(s, e); close() }
        return finish()
    }

    private mutating func scatterAdd(_ n: Node, _ x: [DependenceSets?], _ lists: [[Int]]) -> DependenceSets? {
        guard x.contains(where: { $0 != nil }) else { return nil }
        // Invert the index lists: for each result element, the (argument, element) pairs added there.
        let count = n.shape.count
        var start = [Int](repeating: 0, count: count + 1)
        for (k, list) in lists.enumerated() where x[k] != nil { for t in list { start[t + 1] += 1 } }
        for t in 0..<count { start[t + 1] += start[t] }
        var next = Array(start.dropLast())
        var sources = [(Int, Int)](repeating: (0, 0), count: start[count])
        for (k, list) in lists.enumerated() where x[k] != nil {
            for (e, t) in list.enumerated() { sources[next[t]] = (k, e); next[t] += 1 }
        }
        for t in 0..<count {
            for q in start[t]..<start[t + 1] {
                let (k, e) = sources[q]
                if let s = x[k] { add(s, e) }
            }
            close()
        }
        return finish()
    }

    /// The values of a constant node, looking through reshapes.
    private func constantValues(_ id: Int) -> [Double]? {
        var id = id
        while case .reshape = g.nodes[id].op { id = g.nodes[id].args[0] }
        if case .constant(let c) = g.nodes[id].op { return c.values }
        return nil
    }
}
