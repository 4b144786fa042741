import Autodiff
import Foundation
import TestSupport
import XCTest

/// Sparsity detection, column colouring and the dense and sparse Jacobian evaluators.
final class JacobianTests: XCTestCase {
    var rng = Xoshiro256StarStar(seed: 2024)

    // MARK: - Example right-hand sides

    /// 1-D diffusion–reaction with zero Dirichlet boundaries, one component per grid point:
    /// du_i = D (u_{i-1} − 2u_i + u_{i+1}) + r u_i (1 − u_i) + sin(t) u_i / 10. Tridiagonal in u.
    static func diffusionReaction(_ n: Int) throws -> Graph {
        try trace(.vector(n), .vector(2)) { u, p, t in
            (0..<n).map { i in
                var lap = -2.0 * u[i]
                if i > 0 { lap = lap + u[i - 1] }
                if i < n - 1 { lap = lap + u[i + 1] }
                return p[0] * lap + p[1] * u[i] * (1.0 - u[i]) + sin(t) * u[i] / 10.0
            }
        }
    }

    /// The same operator written with whole-vector ops: shifted slices and concatenations.
    static func diffusionReactionVectorised(_ n: Int) throws -> Graph {
        try trace(.vector(n), .vector(2)) { u, p, t in
            let b = u.builder
            let zero = Sym(b, b.scalar(0))
            let left = vcat(zero, u[0..<(n - 1)]), right = vcat(u[1..<n], zero)
            return [p[0] * (left - 2.0 * u + right) + p[1] * u .* (1.0 - u)]
        }
    }

    /// The same operator as a constant tridiagonal matrix (stored dense) times u.
    static func diffusionReactionMatrix(_ n: Int) throws -> Graph {
        var L = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            L[i * n + i] = -2
            if i > 0 { L[i * n + i - 1] = 1 }
            if i < n - 1 { L[i * n + i + 1] = 1 }
        }
        return try trace(.vector(n), .vector(2)) { u, p, t in
            let b = u.builder
            let Lu = Sym(b, b.constant(L, .matrix(n, n))) * u
            return [p[0] * Lu + p[1] * u .* (1.0 - u)]
        }
    }

    /// Robertson's chemical kinetics repeated over `blocks` independent cells: block diagonal,
    /// each 3×3 block with the pattern [* * *; * * *; . * .].
    static func robertsonBatch(_ blocks: Int) throws -> Graph {
        try trace(.vector(3 * blocks), .vector(3)) { u, p, t in
            (0..<blocks).flatMap { b -> [Sym] in
                let (y1, y2, y3) = (u[3 * b], u[3 * b + 1], u[3 * b + 2])
                return [-p[0] * y1 + p[2] * y2 * y3,
                        p[0] * y1 - p[2] * y2 * y3 - p[1] * y2 * y2,
                        p[1] * y2 * y2]
            }
        }
    }

    /// An arrowhead: du_0 = Σ u_j², du_i = u_i u_0 (i ≥ 1). Row 0 and column 0 are full.
    static func arrowhead(_ n: Int) throws -> Graph {
        try trace(.vector(n), .vector(1)) { u, p, t in
            [sum(u .* u) * p[0], u[1..<n] .* u[0]]
        }
    }

    /// A 2-D reaction–diffusion operator on an m × m grid (flat row-major), the 5-point stencil
    /// built from shifted vectors; the shifts that would wrap across a grid row are cut by
    /// constant 0/1 masks.
    static func laplacian2D(_ m: Int) throws -> Graph {
        let n = m * m
        var notFirstColumn = [Double](repeating: 1, count: n), notLastColumn = notFirstColumn
        for i in 0..<m { notFirstColumn[i * m] = 0; notLastColumn[i * m + m - 1] = 0 }
        return try trace(.vector(n), .vector(1)) { u, p, t in
            let b = u.builder
            func constant(_ v: [Double]) -> Sym { Sym(b, b.constant(v, .vector(v.count))) }
            let zero = constant([0]), zeros = constant([Double](repeating: 0, count: m))
            let west = constant(notFirstColumn) .* vcat(zero, u[0..<(n - 1)])
            let east = constant(notLastColumn) .* vcat(u[1..<n], zero)
            let north = vcat(zeros, u[0..<(n - m)]), south = vcat(u[m..<n], zeros)
            return [p[0] * (west + east + north + south - 4.0 * u) + u .* u .* u]
        }
    }

    static func isFivePointNeighbour(_ m: Int, _ k: Int, _ l: Int) -> Bool {
        k == l || (Swift.abs(k - l) == 1 && k / m == l / m) || Swift.abs(k - l) == m
    }

    // MARK: - Helpers

    /// Asserts that `pattern` is `rows × cols` and holds exactly the entries where `expected`
    /// is true, checking every element; also checks the CSC invariants.
    func assertPattern(_ pattern: SparsityPattern, rows: Int, cols: Int, _ name: String,
                       file: StaticString = #filePath, line: UInt = #line, _ expected: (Int, Int) -> Bool) {
        XCTAssertEqual(pattern.rows, rows, "\(name): rows", file: file, line: line)
        XCTAssertEqual(pattern.cols, cols, "\(name): cols", file: file, line: line)
        XCTAssertEqual(pattern.colPtr.count, cols + 1, "\(name): colPtr", file: file, line: line)
        guard pattern.rows == rows, pattern.cols == cols, pattern.colPtr.count == cols + 1 else { return }
        var wrong: [String] = [], count = 0
        for i in 0..<rows {
            for j in 0..<cols {
                let e = expected(i, j)
                if e { count += 1 }
                if pattern.contains(row: i, col: j) != e { wrong.append("(\(i), \(j)) expected \(e)") }
            }
        }
        XCTAssertTrue(wrong.isEmpty, "\(name): \(wrong.count) wrong entries, first \(wrong.prefix(5))", file: file, line: line)
        XCTAssertEqual(pattern.nnz, count, "\(name): nnz", file: file, line: line)
        for j in 0..<cols {
            let r = Array(pattern.rows(inColumn: j))
            XCTAssertEqual(r, r.sorted(), "\(name): column \(j) rows not sorted", file: file, line: line)
            XCTAssertEqual(Set(r).count, r.count, "\(name): column \(j) has duplicates", file: file, line: line)
        }
    }

    /// The Jacobian of output `output` w.r.t. input `wrt` by central differences, column-major.
    func centralDifferences(_ g: Graph, output: Int = 0, wrt: Int, at x: [[Double]]) throws -> [Double] {
        let f = try g.compile()
        let rows = g.outputShapes[output].count, cols = g.inputShapes[wrt].count
        var J = [Double](repeating: 0, count: rows * cols)
        for j in 0..<cols {
            let h = 1e-6 * Swift.max(1, Swift.abs(x[wrt][j]))
            var xp = x, xm = x
            xp[wrt][j] += h
            xm[wrt][j] -= h
            let yp = try f(xp)[output], ym = try f(xm)[output]
            for i in 0..<rows { J[i + j * rows] = (yp[i] - ym[i]) / (2 * h) }
        }
        return J
    }

    /// max |a − b| / (1 + |b|).
    func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0.0) { Swift.max($0, Swift.abs($1.0 - $1.1) / (1 + Swift.abs($1.1))) }
    }

    /// Random inputs for every input of the graph.
    func randomInputs(_ g: Graph, in range: ClosedRange<Double> = -1.5...1.5) -> [[Double]] {
        g.inputShapes.map { randomValues($0.count, &rng, in: range) }
    }

    /// Checks a colouring against a pattern from first principles: for every row, the
    /// colours of its columns (found by scanning all columns) are distinct.
    func coloringIsValid(_ colors: [Int], _ p: SparsityPattern) -> Bool {
        guard colors.count == p.cols else { return false }
        var dense = [[Bool]](repeating: [Bool](repeating: false, count: p.cols), count: p.rows)
        for j in 0..<p.cols { for r in p.rows(inColumn: j) { dense[r][j] = true } }
        for r in 0..<p.rows {
            var used = Set<Int>()
            for j in 0..<p.cols where dense[r][j] {
                if !used.insert(colors[j]).inserted { return false }
            }
        }
        return true
    }

    /// A random pattern: each entry with probability `density`, plus sometimes a full row.
    func randomPattern(rows: Int, cols: Int, density: Double, fullRow: Bool) throws -> SparsityPattern {
        var entries: [(row: Int, col: Int)] = []
        for i in 0..<rows { for j in 0..<cols where rng.uniform() < density { entries.append((i, j)) } }
        if fullRow, rows > 0 {
            let r = Int(rng.next() % UInt64(rows))
            for j in 0..<cols { entries.append((r, j)) }
        }
        return try SparsityPattern(rows: rows, cols: cols, entries: entries)
    }

    // MARK: - Sparsity patterns

    func testTridiagonalPatternOfDiffusionReaction() throws {
        let n = 50
        for (name, g) in [("components", try Self.diffusionReaction(n)),
                          ("vectorised", try Self.diffusionReactionVectorised(n)),
                          ("constant matrix", try Self.diffusionReactionMatrix(n))] {
            assertPattern(try g.sparsity(wrt: 0), rows: n, cols: n, "\(name) ∂f/∂u") { i, j in Swift.abs(i - j) <= 1 }
            assertPattern(try g.sparsity(wrt: 1), rows: n, cols: 2, "\(name) ∂f/∂p") { _, _ in true }
        }
        // Only the component form uses t.
        assertPattern(try Self.diffusionReaction(n).sparsity(wrt: 2), rows: n, cols: 1, "∂f/∂t") { _, _ in true }
        assertPattern(try Self.diffusionReactionVectorised(n).sparsity(wrt: 2), rows: n, cols: 1, "∂f/∂t") { _, _ in false }
    }

    func testBlockDiagonalPatternOfRobertsonBatch() throws {
        let blocks = 10
        let g = try Self.robertsonBatch(blocks)
        assertPattern(try g.sparsity(wrt: 0), rows: 3 * blocks, cols: 3 * blocks, "∂f/∂u") { i, j in
            guard i / 3 == j / 3 else { return false }
            return i % 3 == 2 ? j % 3 == 1 : true
        }
        // du1 uses k1, k3; du2 all three; du3 k2.
        assertPattern(try g.sparsity(wrt: 1), rows: 3 * blocks, cols: 3, "∂f/∂p") { i, j in
            switch i % 3 {
            case 0: return j != 1
            case 1: return true
            default: return j == 1
            }
        }
    }

    func testArrowheadPattern() throws {
        let n = 30
        let p = try Self.arrowhead(n).sparsity(output: 0, wrt: 0)
        assertPattern(p, rows: n, cols: n, "arrowhead") { i, j in i == 0 || j == 0 || i == j }
    }

    /// Every op's rule, against the nonzeros of the dense Jacobian at a random point: equal for
    /// functions without branches (no cancellations happen at a random point), a superset for
    /// `select`, `relu` and `max`, whose derivatives vanish on part of the domain.
    func testPatternsMatchDenseNonzerosForEveryOp() throws {
        var band = [Double](repeating: 0, count: 144), mask = [Double](repeating: 0, count: 12)
        for i in 0..<12 {
            for j in Swift.max(0, i - 1)...Swift.min(11, i + 1) { band[i * 12 + j] = Double(1 + i + j) }
            if i % 3 != 0 { mask[i] = Double(i) }
        }
        let cases: [(String, Bool, ([Sym]) -> Sym)] = [
            ("matmul", true, { x in x[0][0..<6].reshaped(.matrix(2, 3)) * x[0][6..<12].reshaped(.matrix(3, 2)) }),
            ("matmul transposed", true, { x in
                let b = x[0].builder
                return Sym(b, b.matmul(x[0][0..<6].reshaped(.matrix(3, 2)).id, x[0][6..<12].reshaped(.matrix(2, 3)).id,
                                       transposeA: true, transposeB: true))
            }),
            ("matvec by parameters", true, { x in x[1].reshaped(.matrix(3, 12)) * x[0] }),
            ("transposed matvec", true, { x in x[0].reshaped(.matrix(3, 4)).transposed * x[1][0..<3] }),
            ("constant band matrix", true, { x in Sym(x[0].builder, x[0].builder.constant(band, .matrix(12, 12))) * exp(x[0]) }),
            ("constant mask", true, { x in Sym(x[0].builder, x[0].builder.constant(mask, .vector(12))) .* exp(x[0]) }),
            ("reduceTo rows", true, { x in
                Sym(x[0].builder, x[0].builder.reduceTo(exp(x[0].reshaped(.matrix(3, 4))).id, .vector(3)))
            }),
            ("reduceTo columns", true, { x in
                Sym(x[0].builder, x[0].builder.reduceTo(sin(x[0].reshaped(.matrix(3, 4))).id, .matrix(1, 4)))
            }),
            ("broadcast", true, { x in
                let b = x[0].builder
                return Sym(b, b.broadcastTo(x[0][0..<3].id, .matrix(3, 4))) .* x[0].reshaped(.matrix(3, 4))
            }),
            ("row broadcast", true, { x in x[0].reshaped(.matrix(3, 4)) .* x[0][8..<12].reshaped(.matrix(1, 4)) }),
            ("gather", true, { x in exp(Sym(x[0].builder, x[0].builder.gather(x[0].id, [11, 0, 0, 5, 7]))) }),
            ("scatterAdd", true, { x in
                let b = x[0].builder
                let s = Sym(b, b.scatterAdd([x[0][0..<3].id, x[0][3..<5].id], [[0, 2, 4], [4, 1]], shape: .vector(6)))
                return s .* s
            }),
            ("transpose", true, { x in x[0].reshaped(.matrix(3, 4)).transposed .* x[0].reshaped(.matrix(4, 3)) }),
            ("dot, sum and concat", true, { x in
                vcat(dot(x[0][0..<6], x[0][6..<12]), sum(x[0][0..<4] .* x[0][0..<4]), x[0][2] * x[1][0], x[1][1])
            }),
            ("sign and comparisons", true, { x in
                let c = Sym(x[0].builder, x[0].builder.binary(.gt, x[0][0..<6].id, x[0][6..<12].id))
                return sign(x[0][0..<6]) .* x[0][6..<12] + c .* 2.0
            }),
            ("select", false, { x in ifelse(x[0][0..<6] > 0.0, x[0][6..<12] .* x[0][6..<12], exp(x[0][0..<6])) }),
            ("relu and max", false, { x in relu(x[0][0..<6]) + max(x[0][0..<6], x[0][6..<12]) }),
        ]
        for (name, exact, body) in cases {
            let g = try trace([GraphInput("x", .vector(12)), GraphInput("w", .vector(36))], body)
            let x = randomInputs(g)
            for wrt in 0..<2 {
                let pattern = try g.sparsity(wrt: wrt)
                let dense = try DenseJacobian(g, wrt: wrt)(x)
                var missing: [String] = [], extra: [String] = []
                for i in 0..<pattern.rows {
                    for j in 0..<pattern.cols {
                        let nonzero = dense[i + j * pattern.rows] != 0
                        if nonzero && !pattern.contains(row: i, col: j) { missing.append("(\(i), \(j))") }
                        if !nonzero && pattern.contains(row: i, col: j) { extra.append("(\(i), \(j))") }
                    }
                }
                XCTAssertTrue(missing.isEmpty, "\(name) wrt \(wrt): nonzeros outside the pattern \(missing.prefix(5))")
                if exact { XCTAssertTrue(extra.isEmpty, "\(name) wrt \(wrt): pattern entries that are zero \(extra.prefix(5))") }
            }
        }
        // The select case: both branches count, the condition does not.
        let g = try trace([GraphInput("x", .vector(12))]) { x in
            ifelse(x[0][0..<6] > 0.0, x[0][6..<12] .* x[0][6..<12], exp(x[0][0..<6]))
        }
        assertPattern(try g.sparsity(), rows: 6, cols: 12, "select") { i, j in j == i || j == i + 6 }
    }

    func testFivePointStencilOnThousandsOfUnknowns() throws {
        let m = 60, n = m * m
        let g = try Self.laplacian2D(m)
        let start = DispatchTime.now().uptimeNanoseconds
        let p = try g.sparsity()
        let coloring = ColumnColoring(greedy: p)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        print("5-point stencil, \(n) unknowns: pattern and colouring in \(Int(ms)) ms, \(coloring.count) colours")
        assertPattern(p, rows: n, cols: n, "5-point stencil") { Self.isFivePointNeighbour(m, $0, $1) }
        XCTAssertTrue(coloring.isValid(for: p))
        XCTAssertGreaterThanOrEqual(coloring.count, 5)
        XCTAssertLessThanOrEqual(coloring.count, 8)
        XCTAssertLessThan(ms, 5000, "sparsity detection should take well under a second in a release build")
        // A smaller grid: the compressed Jacobian against the dense one.
        let small = try Self.laplacian2D(9)
        let x = randomInputs(small, in: 0.1...1.0)
        let sparse = try SparseJacobian(small)
        let nz = try sparse(x), J = try DenseJacobian(small)(x)
        for j in 0..<81 {
            for i in 0..<81 {
                let v = J[i + j * 81]
                if let k = sparse.pattern.index(row: i, col: j) { XCTAssertEqual(nz[k], v, "(\(i), \(j))") } else { XCTAssertEqual(v, 0) }
            }
        }
    }

    func testPatternConstructionAndDescription() throws {
        let p = try SparsityPattern(rows: 4, cols: 4, entries: [(0, 0), (1, 0), (0, 1), (1, 1), (2, 1), (1, 2), (2, 2), (3, 2),
                                                                 (2, 3), (3, 3), (3, 3)])
        XCTAssertEqual(p.nnz, 10)
        XCTAssertEqual(p.colPtr, [0, 2, 5, 8, 10])
        XCTAssertEqual(p.rowIndex, [0, 1, 0, 1, 2, 1, 2, 3, 2, 3])
        XCTAssertEqual(p.index(row: 3, col: 2), 7)
        XCTAssertNil(p.index(row: 0, col: 3))
        XCTAssertEqual(p, try SparsityPattern(rows: 4, cols: 4, colPtr: p.colPtr, rowIndex: p.rowIndex))
        XCTAssertEqual(p.transposed().transposed(), p)
        XCTAssertEqual(p.description.split(separator: "\n").dropFirst().map(String.init), ["**..", "***.", ".***", "..**"])
        XCTAssertThrowsError(try SparsityPattern(rows: 2, cols: 1, colPtr: [0, 2], rowIndex: [1, 0]))
        XCTAssertThrowsError(try SparsityPattern(rows: 2, cols: 1, colPtr: [0, 1], rowIndex: [2]))
        XCTAssertThrowsError(try SparsityPattern(rows: 2, cols: 2, colPtr: [0, 1], rowIndex: [0]))
        XCTAssertThrowsError(try SparsityPattern(rows: 2, cols: 2, entries: [(2, 0)]))
        XCTAssertEqual(SparsityPattern.dense(rows: 3, cols: 2).nnz, 6)
        XCTAssertTrue(SparsityPattern.dense(rows: 3, cols: 2).contains(row: 2, col: 1))
    }

    // MARK: - Colouring

    func testTridiagonalNeedsThreeColours() throws {
        let p = try Self.diffusionReaction(50).sparsity()
        let coloring = ColumnColoring(greedy: p)
        XCTAssertEqual(coloring.colors.count, 50)
        XCTAssertLessThanOrEqual(coloring.count, 3)
        XCTAssertEqual(coloring.count, 3, "a row holds 3 columns, so 3 colours are needed")
        XCTAssertTrue(coloringIsValid(coloring.colors, p))
        XCTAssertTrue(coloring.isValid(for: p))
        // Block diagonal with 3×3 blocks: 3 colours; arrowhead: every column meets row 0.
        XCTAssertEqual(ColumnColoring(greedy: try Self.robertsonBatch(10).sparsity()).count, 3)
        XCTAssertEqual(ColumnColoring(greedy: try Self.arrowhead(20).sparsity()).count, 20)
    }

    func testGreedyColoringsAreValidOnRandomPatterns() throws {
        for trial in 0..<60 {
            let rows = 1 + Int(rng.next() % 60), cols = 1 + Int(rng.next() % 60)
            let density = 0.01 + 0.3 * rng.uniform()
            let p = try randomPattern(rows: rows, cols: cols, density: density, fullRow: trial % 5 == 0)
            let rowPtr = p.transposed().colPtr
            let maxRow = zip(rowPtr.dropFirst(), rowPtr).map { $0 - $1 }.max() ?? 0
            for ordering in [ColumnColoring.Ordering.largestFirst, .natural] {
                let c = ColumnColoring(greedy: p, ordering: ordering)
                let context = "trial \(trial), \(ordering), \(p.rows)×\(p.cols) nnz \(p.nnz)"
                XCTAssertTrue(coloringIsValid(c.colors, p), context)
                XCTAssertTrue(c.isValid(for: p), context)
                XCTAssertGreaterThanOrEqual(c.count, maxRow, context)
                XCTAssertLessThanOrEqual(c.count, p.cols, context)
                XCTAssertTrue(c.colors.allSatisfy { $0 >= 0 && $0 < c.count }, context)
            }
        }
    }

    func testInvalidColoringsAreRejected() throws {
        let p = try Self.diffusionReaction(10).sparsity()
        var colors = ColumnColoring(greedy: p).colors
        colors[4] = colors[5]  // columns 4 and 5 share rows 4 and 5
        XCTAssertFalse(coloringIsValid(colors, p))
        XCTAssertFalse(try ColumnColoring(colors: colors).isValid(for: p))
        XCTAssertFalse(try ColumnColoring(colors: [0, 1]).isValid(for: p), "wrong number of columns")
        XCTAssertThrowsError(try ColumnColoring(colors: [0, -1]))
        // One colour per column is always valid.
        XCTAssertTrue(try ColumnColoring(colors: Array(0..<10)).isValid(for: p))
    }

    // MARK: - Dense Jacobians

    func testDenseJacobiansMatchFiniteDifferencesInBothModes() throws {
        let graphs = [("diffusion–reaction", try Self.diffusionReaction(12)), ("Robertson", try Self.robertsonBatch(3)),
                      ("arrowhead", try Self.arrowhead(8))]
        for (name, g) in graphs {
            let x = randomInputs(g, in: 0.1...1.0)
            for wrt in 0..<g.inputs.count {
                let forward = try DenseJacobian(g, wrt: wrt, mode: .forward)
                let reverse = try DenseJacobian(g, wrt: wrt, mode: .reverse)
                XCTAssertEqual(forward.mode, .forward)
                XCTAssertEqual(reverse.mode, .reverse)
                let jf = try forward(x), jr = try reverse(x)
                let fd = try centralDifferences(g, wrt: wrt, at: x)
                XCTAssertEqual(jf.count, forward.rows * forward.cols)
                XCTAssertLessThan(maxDifference(jf, fd), 1e-6, "\(name) wrt \(wrt): forward vs finite differences")
                XCTAssertLessThan(maxDifference(jr, fd), 1e-6, "\(name) wrt \(wrt): reverse vs finite differences")
                XCTAssertLessThan(maxDifference(jf, jr), 1e-12, "\(name) wrt \(wrt): forward vs reverse")
                if try g.sparsity(wrt: wrt).nnz > 0 {
                    XCTAssertTrue(jf.contains { $0 != 0 }, "\(name) wrt \(wrt): the Jacobian should not vanish")
                }
            }
        }
    }

    func testDenseLayoutIsColumnMajorAndModeFollowsShape() throws {
        // f(x) = [x0, 2 x1, 3 x0 + 5 x1, x0 x1]: ∂f/∂x is 4×2 with known entries.
        let g = try trace([GraphInput("x", .vector(2))]) { x in vcat(x[0][0], 2.0 * x[0][1], 3.0 * x[0][0] + 5.0 * x[0][1], x[0][0] * x[0][1]) }
        let x = [[7.0, 11.0]]
        let expected: [Double] = [1, 0, 3, 11,   0, 2, 5, 7]
        for mode in [DenseJacobian.Mode.forward, .reverse, .automatic] {
            XCTAssertEqual(try DenseJacobian(g, mode: mode)(x), expected, "\(mode)")
        }
        XCTAssertEqual(try DenseJacobian(g).mode, .forward, "2 columns ≤ 4 rows")
        let loss = try trace([GraphInput("x", .vector(5))]) { x in sum(x[0] .* x[0]) }
        let grad = try DenseJacobian(loss)
        XCTAssertEqual(grad.mode, .reverse, "1 row < 5 columns")
        XCTAssertEqual(try grad([[1, 2, 3, 4, 5]]), [2, 4, 6, 8, 10])
    }

    // MARK: - Sparse Jacobians

    func testSparseJacobianEqualsDenseOnThePattern() throws {
        let graphs = [("diffusion–reaction", try Self.diffusionReaction(50)),
                      ("vectorised", try Self.diffusionReactionVectorised(40)),
                      ("constant matrix", try Self.diffusionReactionMatrix(40)),
                      ("Robertson", try Self.robertsonBatch(10)), ("arrowhead", try Self.arrowhead(15))]
        for (name, g) in graphs {
            let x = randomInputs(g, in: 0.1...1.0)
            for wrt in 0..<g.inputs.count {
                let sparse = try SparseJacobian(g, wrt: wrt)
                let dense = try DenseJacobian(g, wrt: wrt, mode: .forward)
                let nz = try sparse(x), J = try dense(x)
                let p = sparse.pattern
                XCTAssertEqual(nz.count, p.nnz)
                XCTAssertTrue(sparse.coloring.isValid(for: p))
                for j in 0..<p.cols {
                    for i in 0..<p.rows {
                        if let k = p.index(row: i, col: j) {
                            XCTAssertEqual(nz[k], J[i + j * p.rows], "\(name) wrt \(wrt): entry (\(i), \(j))")
                        } else {
                            XCTAssertEqual(J[i + j * p.rows], 0, "\(name) wrt \(wrt): (\(i), \(j)) is outside the pattern")
                        }
                    }
                }
            }
        }
        let tridiagonal = try SparseJacobian(Self.diffusionReaction(50))
        XCTAssertEqual(tridiagonal.runsPerEvaluation, 3)
        XCTAssertEqual(tridiagonal.resultCount, 148)
    }

    func testCopiesShareProgramsAndAgree() throws {
        let g = try Self.robertsonBatch(4)
        let x = randomInputs(g, in: 0.1...1.0)
        let sparse = try SparseJacobian(g)
        XCTAssertEqual(try sparse.makeCopy()(x), try sparse(x))
        let dense = try DenseJacobian(g, mode: .reverse)
        XCTAssertEqual(try dense.makeCopy()(x), try dense(x))
        XCTAssertThrowsError(try sparse.makeCopy().evaluate(into: UnsafeMutableBufferPointer(start: nil, count: 0)),
                             "a copy starts with no inputs bound")
    }

    // MARK: - Allocation and errors

    /// Preallocated buffers for a graph's inputs, filled with values in [0.1, 1].
    func inputBuffers(_ g: Graph) -> [UnsafeMutableBufferPointer<Double>] {
        g.inputShapes.map { s in
            let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: s.count)
            for j in 0..<s.count { b[j] = 0.1 + 0.9 * rng.uniform() }
            return b
        }
    }

    func testEvaluationAllocatesNothing() throws {
        XCTAssertTrue(allocationCounterIsActive)
        let g = try Self.diffusionReaction(50)
        let ins = inputBuffers(g)
        defer { ins.forEach { $0.deallocate() } }
        let (u, p, t) = (UnsafeBufferPointer(ins[0]), UnsafeBufferPointer(ins[1]), UnsafeBufferPointer(ins[2]))
        let list = UnsafeMutableBufferPointer<UnsafeBufferPointer<Double>>.allocate(capacity: 3)
        defer { list.deallocate() }
        _ = list.initialize(from: [u, p, t])
        let evaluators: [(String, any JacobianEvaluator)] = [
            ("sparse ∂f/∂u", try SparseJacobian(g)), ("sparse ∂f/∂p", try SparseJacobian(g, wrt: 1)),
            ("dense forward", try DenseJacobian(g, mode: .forward)), ("dense reverse", try DenseJacobian(g, mode: .reverse)),
            ("dense ∂f/∂p", try DenseJacobian(g, wrt: 1)),
        ]
        for (name, jac) in evaluators {
            let out = UnsafeMutableBufferPointer<Double>.allocate(capacity: jac.resultCount)
            defer { out.deallocate() }
            // Warm-up: the first call of a generic path may instantiate type metadata once.
            try jac.evaluate(u, p, t, into: out)
            try jac.evaluate(inputs: UnsafeBufferPointer(list), into: out)
            var failures = 0
            let n = allocations {
                for _ in 0..<20 {
                    do {
                        try jac.evaluate(u, p, t, into: out)
                        try jac.evaluate(inputs: UnsafeBufferPointer(list), into: out)
                        try jac.bind(input: 0, u)
                        try jac.evaluate(into: out)
                    } catch { failures += 1 }
                }
            }
            XCTAssertEqual(failures, 0, name)
            XCTAssertEqual(n, 0, "\(name): allocations in 60 evaluations")
            XCTAssertTrue(out.contains { $0 != 0 }, name)
        }
    }

    func testErrorsNameTheProblem() throws {
        let g = try Self.diffusionReaction(5)
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return (error as? AutodiffError)?.message ?? "\(error)" }
        }
        XCTAssertTrue(message { _ = try g.sparsity(output: 1) }.contains("no output 1"))
        XCTAssertTrue(message { _ = try g.sparsity(wrt: 3) }.contains("no input 3"))
        XCTAssertTrue(message { _ = try SparseJacobian(g, wrt: -1) }.contains("no input -1"))
        XCTAssertTrue(message { _ = try DenseJacobian(g, output: 2) }.contains("no output 2"))

        let jac = try SparseJacobian(g)
        XCTAssertTrue(message { try jac.evaluate(into: UnsafeMutableBufferPointer(start: nil, count: 0)) }.contains("never bound"))
        let x = [[Double](repeating: 0.5, count: 5), [1, 1], [0]]
        XCTAssertTrue(message { _ = try jac([x[0], x[1]]) }.contains("3 inputs"))
        XCTAssertTrue(message { _ = try jac([x[0], [1, 1, 1], x[2]]) }.contains("input 1"))
        XCTAssertEqual(try jac(x).count, 13)
        // The array call's buffers are gone: it leaves nothing bound.
        XCTAssertTrue(message { try jac.evaluate(into: UnsafeMutableBufferPointer(start: nil, count: 0)) }.contains("never bound"))
        let ins = inputBuffers(g)
        defer { ins.forEach { $0.deallocate() } }
        let out = UnsafeMutableBufferPointer<Double>.allocate(capacity: 20)
        defer { out.deallocate() }
        XCTAssertTrue(message { try jac.evaluate(UnsafeBufferPointer(ins[0]), UnsafeBufferPointer(ins[1]), UnsafeBufferPointer(ins[2]), into: out) }
            .contains("holds 20 values; 13 are needed"))
        XCTAssertTrue(message { try jac.evaluate(UnsafeBufferPointer(ins[1]), UnsafeBufferPointer(ins[0]), UnsafeBufferPointer(ins[2]),
                                                 into: UnsafeMutableBufferPointer(rebasing: out[0..<13])) }
            .contains("input 0 has shape vector(5) but the buffer holds 2 values"))
        XCTAssertTrue(message { try jac.bind(input: 3, UnsafeBufferPointer(out)) }.contains("no input 3"))
        XCTAssertTrue(message { try DenseJacobian(g).evaluate(UnsafeBufferPointer(ins[0]), into: out) }.contains("3 inputs"))
        XCTAssertEqual(message { try jac.evaluate(UnsafeBufferPointer(ins[0]), UnsafeBufferPointer(ins[1]), UnsafeBufferPointer(ins[2]),
                                                  into: UnsafeMutableBufferPointer(rebasing: out[0..<13])) }, "no error")
    }

    // MARK: - Cost

    /// Reports the cost of one Jacobian of the n = 50 tridiagonal right-hand side (meaningful in
    /// release builds: `swift test -c release`).
    func testCostOfTridiagonalJacobian() throws {
        for (name, g) in [("components", try Self.diffusionReaction(50)), ("vectorised", try Self.diffusionReactionVectorised(50))] {
            let ins = inputBuffers(g)
            defer { ins.forEach { $0.deallocate() } }
            let (u, p, t) = (UnsafeBufferPointer(ins[0]), UnsafeBufferPointer(ins[1]), UnsafeBufferPointer(ins[2]))
            let f = try g.compile()
            let ws = f.makeWorkspace()
            let du = UnsafeMutablePointer<Double>.allocate(capacity: 50)
            defer { du.deallocate() }
            func nanoseconds(_ reps: Int, _ body: () throws -> Void) rethrows -> Double {
                try body()
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<reps { try body() }
                return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(reps)
            }
            let sparse = try SparseJacobian(g), dense = try DenseJacobian(g)
            let nz = UnsafeMutableBufferPointer<Double>.allocate(capacity: sparse.resultCount)
            let J = UnsafeMutableBufferPointer<Double>.allocate(capacity: dense.resultCount)
            defer { nz.deallocate(); J.deallocate() }
            let rhs = nanoseconds(20000) { f.run(ws, u.baseAddress!, p.baseAddress!, t.baseAddress!, into: du) }
            let s = try nanoseconds(5000) { try sparse.evaluate(u, p, t, into: nz) }
            let d = try nanoseconds(500) { try dense.evaluate(u, p, t, into: J) }
            print("tridiagonal n=50, \(name): f \(Int(rhs)) ns (\(f.instructionCount) instructions); sparse Jacobian \(Int(s)) ns "
                  + "(\(sparse.runsPerEvaluation) JVP runs, nnz \(sparse.resultCount)); dense forward \(Int(d)) ns (50 runs)")
            XCTAssertTrue(nz.allSatisfy { $0.isFinite })
        }
    }
}
