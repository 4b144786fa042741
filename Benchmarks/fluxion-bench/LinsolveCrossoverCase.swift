import DiffEq
import LinearSolve

// `linsolve_crossover`: where KLU starts to beat dense LU on a stiff solver's W, to set the
// automatic choice (`LinearSolverChoice.sparseMinimumStates`, `sparseMaximumDensity`). For n in
// 25...400 and densities 1–40 %, a pattern of the diagonal plus random entries (a fixed seed)
// with diagonally dominant values: the time of forming and refactoring W then one solve, as a
// step does, dense (DenseLU) against sparse (KLU refactorisation, the analysis done once).

func runLinsolveCrossover() throws -> [JSONValue] {
    var results: [JSONValue] = []
    var seed: UInt64 = 42
    func random() -> Double {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(seed >> 11) / Double(1 << 53)
    }
    // Random patterns (the worst case for fill-in), then the periodic 2-D 5-point stencil
    // (k × k grids: a method-of-lines PDE's structure).
    var patterns: [(kind: String, n: Int, entries: [(Int, Int)])] = []
    for n in [25, 50, 100, 200, 400] {
        for density in [0.01, 0.03, 0.1, 0.2, 0.4] {
            var entries: [(Int, Int)] = []
            for j in 0..<n { for i in 0..<n where i == j || random() < density { entries.append((i, j)) } }
            patterns.append(("random", n, entries))
        }
    }
    for k in [5, 7, 10, 14, 20] {
        var entries: [(Int, Int)] = []
        for j in 0..<(k * k) {
            let x = j % k, y = j / k
            entries.append((j, j))
            for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] { entries.append(((x + dx + k) % k + k * ((y + dy + k) % k), j)) }
        }
        patterns.append(("stencil2d", k * k, entries))
    }
    for (kind, n, entries) in patterns {
        do {
            let rows = entries.map(\.0), cols = entries.map(\.1)
            let values = entries.map { $0.0 == $0.1 ? Double(n) : random() - 0.5 }
            guard let a = SparseMatrixCSC(rowCount: n, columnCount: n, rows: rows, columns: cols, values: values) else { continue }
            let sparse = SparseLU(pattern: a)
            let dense = DenseLU(dimension: n)
            let nnz = a.storedCount
            var rhs = [Double](repeating: 1, count: n)
            var w = a.values
            var policy = TimingPolicy()
            policy.maxTime = 1
            let sparseTiming = measure(policy: policy) {
                for k in 0..<nnz { w[k] = 1.0001 * a.values[k] }
                _ = w.withUnsafeBufferPointer { sparse.factor(values: $0) }
                for i in 0..<n { rhs[i] = 1 }
                _ = rhs.withUnsafeMutableBufferPointer { sparse.solve($0) }
            }
            let denseTiming = measure(policy: policy) {
                dense.withUnsafeMutableMatrix { m in
                    for k in 0..<(n * n) { m[k] = 0 }
                    a.forEachEntry { i, j, v in m[i + j * n] = 1.0001 * v }
                }
                _ = dense.factor()
                for i in 0..<n { rhs[i] = 1 }
                _ = rhs.withUnsafeMutableBufferPointer { dense.solve($0) }
            }
            results.append(.object([
                ("pattern", .string(kind)), ("n", .int(n)), ("density", .double(Double(nnz) / Double(n * n))),
                ("klu_s", .double(sparseTiming.medianSeconds)), ("dense_s", .double(denseTiming.medianSeconds)),
                ("dense_over_klu", .double(denseTiming.medianSeconds / sparseTiming.medianSeconds)),
            ]))
        }
    }
    return results
}
