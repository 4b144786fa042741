// Jacobians of compiled graphs: dense (column by column through the JVP, or row by row through
// the VJP, whichever needs fewer runs) and sparse (one JVP per colour of a column colouring,
// decompressed into CSC). Everything a call touches is allocated at construction.

/// Evaluates the Jacobian ∂y/∂x of one output `y` of a graph with respect to one input `x`,
/// with no heap allocation per call, into a buffer the caller owns.
///
/// Contract: every input of the graph (not only `x`: a right-hand side `f(u, p, t)` needs all
/// three) is bound, either through one of the `evaluate(_:..., into:)` overloads or with
/// `bind(input:_:)` followed by `evaluate(into:)`. Bound memory must stay valid until the
/// evaluation that reads it returns. An evaluator owns one workspace: it is not re-entrant,
/// so each thread uses its own (`makeCopy()` shares the compiled programs).
public protocol JacobianEvaluator: AnyObject {
    /// The shapes of the graph's inputs, in order.
    var inputShapes: [Shape] { get }
    /// The number of elements of the output: the Jacobian's rows.
    var rows: Int { get }
    /// The number of elements of the input differentiated against: the Jacobian's columns.
    var cols: Int { get }
    /// The number of doubles one evaluation writes.
    var resultCount: Int { get }
    /// Binds input `k` to caller memory holding exactly `inputShapes[k].count` doubles.
    /// Throws when `k` is out of range or the count differs.
    func bind(input k: Int, _ x: UnsafeBufferPointer<Double>) throws
    /// Forgets every bound input, so that a later `evaluate(into:)` throws instead of reading
    /// memory that may have been freed.
    func unbindInputs()
    /// Evaluates at the bound inputs into `result`, which must hold exactly `resultCount`
    /// doubles. Throws when an input was never bound or the size differs.
    func evaluate(into result: UnsafeMutableBufferPointer<Double>) throws
}

extension JacobianEvaluator {
    /// Binds the graph's one input and evaluates.
    public func evaluate(_ x0: UnsafeBufferPointer<Double>, into result: UnsafeMutableBufferPointer<Double>) throws {
        try expectInputs(1)
        try bind(input: 0, x0)
        try evaluate(into: result)
    }

    /// Binds the graph's two inputs and evaluates.
    public func evaluate(_ x0: UnsafeBufferPointer<Double>, _ x1: UnsafeBufferPointer<Double>,
                         into result: UnsafeMutableBufferPointer<Double>) throws {
        try expectInputs(2)
        try bind(input: 0, x0)
        try bind(input: 1, x1)
        try evaluate(into: result)
    }

    /// Binds the graph's three inputs (for a right-hand side: `u`, `p`, `t`) and evaluates.
    public func evaluate(_ x0: UnsafeBufferPointer<Double>, _ x1: UnsafeBufferPointer<Double>,
                         _ x2: UnsafeBufferPointer<Double>, into result: UnsafeMutableBufferPointer<Double>) throws {
        try expectInputs(3)
        try bind(input: 0, x0)
        try bind(input: 1, x1)
        try bind(input: 2, x2)
        try evaluate(into: result)
    }

    /// Binds any number of inputs, one buffer per input in order, and evaluates.
    public func evaluate(inputs: UnsafeBufferPointer<UnsafeBufferPointer<Double>>,
                         into result: UnsafeMutableBufferPointer<Double>) throws {
        try expectInputs(inputs.count)
        for k in 0..<inputs.count { try bind(input: k, inputs[k]) }
        try evaluate(into: result)
    }

    /// Evaluates on arrays, allocating the result: for tests and one-off calls.
    public func callAsFunction(_ inputs: [[Double]]) throws -> [Double] {
        try expectInputs(inputs.count)
        let storage = inputs.map { x -> UnsafeMutableBufferPointer<Double> in
            let p = UnsafeMutableBufferPointer<Double>.allocate(capacity: Swift.max(x.count, 1))
            _ = p.initialize(from: x)
            return p
        }
        defer {
            unbindInputs()
            storage.forEach { $0.deallocate() }
        }
        for (k, x) in inputs.enumerated() {
            try bind(input: k, UnsafeBufferPointer(rebasing: storage[k][0..<x.count]))
        }
        var result = [Double](repeating: 0, count: resultCount)
        try result.withUnsafeMutableBufferPointer { try evaluate(into: $0) }
        return result
    }

    func expectInputs(_ n: Int) throws {
        guard n == inputShapes.count else {
            throw AutodiffError(.invalidArgument,
                                "jacobian: the graph has \(inputShapes.count) inputs (\(inputShapes)) but \(n) were given")
        }
    }
}

/// The dense Jacobian, written column-major: entry `(i, j)` = ∂yᵢ/∂xⱼ at `result[i + j * rows]`,
/// the layout of LAPACK, Julia and `LinearSolve`.
///
/// Forward mode runs the compiled JVP once per column with the seed `eⱼ`, writing the column
/// straight into the result; reverse mode runs the compiled VJP once per row with the seed
/// `eᵢ` and scatters the row. `.automatic` picks forward when `cols <= rows` (no more runs,
/// and a JVP run is usually the cheaper), reverse otherwise. Every run also recomputes the
/// primal values it needs.
///
/// References: A. Griewank, A. Walther, "Evaluating Derivatives", 2nd ed., SIAM 2008,
/// chapters 3 and 7 (forward and reverse Jacobians and their cost).
public final class DenseJacobian: JacobianEvaluator {
    /// How the Jacobian is built.
    public enum Mode: Hashable, Sendable {
        /// Forward when `cols <= rows`, reverse otherwise.
        case automatic
        /// One JVP per column.
        case forward
        /// One VJP per row.
        case reverse
    }

    /// The number of output elements.
    public let rows: Int
    /// The number of elements of the input differentiated against.
    public let cols: Int
    /// The mode used: `.forward` or `.reverse`, never `.automatic`.
    public let mode: Mode
    /// The shapes of the graph's inputs, in order.
    public var inputShapes: [Shape] { seeded.inputShapes }
    /// `rows * cols`.
    public var resultCount: Int { rows * cols }

    let seeded: SeededProgram
    /// One row of the Jacobian, in reverse mode.
    let row: UnsafeMutableBufferPointer<Double>

    /// Compiles the derivative program of output `output` with respect to input `input`.
    /// Throws when either index is out of range, or when the graph does not transform or compile.
    public init(_ graph: Graph, output: Int = 0, wrt input: Int = 0, mode: Mode = .automatic) throws {
        let g = try graph.restricted(toOutput: output, wrt: input, "DenseJacobian")
        rows = g.outputShapes[0].count
        cols = g.inputs[input].shape.count
        let forward = mode == .forward || (mode == .automatic && cols <= rows)
        self.mode = forward ? .forward : .reverse
        seeded = forward ? try SeededProgram(g.jvp(wrt: [input]), seedCount: cols)
                      : try SeededProgram(g.vjp(wrt: [input]), seedCount: rows)
        row = .allocate(capacity: Swift.max(forward ? 1 : cols, 1))
        row.initialize(repeating: 0)
    }

    init(copying other: DenseJacobian) {
        rows = other.rows
        cols = other.cols
        mode = other.mode
        seeded = other.seeded.makeCopy()
        row = .allocate(capacity: other.row.count)
        row.initialize(repeating: 0)
    }

    deinit { row.deallocate() }

    /// An evaluator sharing this one's compiled program, with its own workspace.
    public func makeCopy() -> DenseJacobian { DenseJacobian(copying: self) }

    /// Binds input `k` to caller memory (see `JacobianEvaluator.bind(input:_:)`).
    public func bind(input k: Int, _ x: UnsafeBufferPointer<Double>) throws { try seeded.bind(input: k, x) }

    /// Forgets every bound input.
    public func unbindInputs() { seeded.unbind() }

    /// Writes the Jacobian at the bound inputs into `result` (`rows * cols` doubles,
    /// column-major). Allocates nothing.
    public func evaluate(into result: UnsafeMutableBufferPointer<Double>) throws {
        try seeded.checkReady(result, count: rows * cols, "DenseJacobian")
        guard let out = result.baseAddress else { return }
        let seed = seeded.seed
        if mode == .forward {
            for j in 0..<cols {
                seed[j] = 1
                seeded.run(into: out + j * rows)
                seed[j] = 0
            }
        } else {
            let r = row.baseAddress.unsafelyUnwrapped
            for i in 0..<rows {
                seed[i] = 1
                seeded.run(into: r)
                seed[i] = 0
                for j in 0..<cols { out[i + j * rows] = r[j] }
            }
        }
    }
}

/// The sparse Jacobian in compressed sparse column form: `evaluate` writes the values of the
/// `pattern`'s entries, in its order (an `nzval` array), and nothing else.
///
/// Built from the graph's structural sparsity (`Graph.sparsity`) and a greedy column colouring
/// (`ColumnColoring`, largest first, refined by iterated greedy passes); each evaluation runs
/// the compiled JVP once per colour with the sum of that colour's unit vectors as the seed, and
/// reads each column's entries
/// off the compressed product: columns of one colour share no row. For a banded Jacobian
/// of bandwidth w that is w runs whatever the size.
///
/// References: A. R. Curtis, M. J. D. Powell, J. K. Reid, "On the estimation of sparse
/// Jacobian matrices", J. Inst. Maths Applics 13, 1974; A. H. Gebremedhin, F. Manne,
/// A. Pothen, "What color is your Jacobian? Graph coloring for computing derivatives",
/// SIAM Review 47(4), 2005.
public final class SparseJacobian: JacobianEvaluator {
    /// The structural sparsity pattern of the Jacobian; `evaluate` writes its entries in order.
    public let pattern: SparsityPattern
    /// The column colouring that groups the JVP runs.
    public let coloring: ColumnColoring
    /// The number of output elements.
    public var rows: Int { pattern.rows }
    /// The number of elements of the input differentiated against.
    public var cols: Int { pattern.cols }
    /// The shapes of the graph's inputs, in order.
    public var inputShapes: [Shape] { seeded.inputShapes }
    /// `pattern.nnz`: the length of the `nzval` buffer.
    public var resultCount: Int { pattern.nnz }

    let seeded: SeededProgram
    /// The compressed product of one colour: a column of `rows` values.
    let compressed: UnsafeMutableBufferPointer<Double>
    /// The columns of each colour that have entries: colour slot s owns `columns[start[s] ..< start[s + 1]]`.
    let groupStart: [Int]
    let groupColumns: [Int]

    /// Finds the sparsity pattern of output `output` with respect to input `input`, colours
    /// its columns and compiles the JVP. Throws when either index is out of range, or when the
    /// graph does not transform or compile.
    public init(_ graph: Graph, output: Int = 0, wrt input: Int = 0) throws {
        let g = try graph.restricted(toOutput: output, wrt: input, "SparseJacobian")
        let pattern = try g.sparsity(output: 0, wrt: input)
        self.pattern = pattern
        // Each colour is one JVP run per evaluation, for the life of the evaluator: worth
        // Culberson's recolouring passes (linear in the pattern's row products each).
        coloring = ColumnColoring(greedy: pattern).refined(for: pattern, passes: 30)
        seeded = try SeededProgram(g.jvp(wrt: [input]), seedCount: pattern.cols)
        compressed = .allocate(capacity: Swift.max(pattern.rows, 1))
        compressed.initialize(repeating: 0)
        // Empty columns need no run: keep only colours with entries.
        let (start, columns) = coloring.groups()
        var groupStart = [0], groupColumns: [Int] = []
        for c in 0..<coloring.count {
            let cs = columns[start[c]..<start[c + 1]].filter { pattern.colPtr[$0] < pattern.colPtr[$0 + 1] }
            if cs.isEmpty { continue }
            groupColumns += cs
            groupStart.append(groupColumns.count)
        }
        self.groupStart = groupStart
        self.groupColumns = groupColumns
    }

    init(copying other: SparseJacobian) {
        pattern = other.pattern
        coloring = other.coloring
        seeded = other.seeded.makeCopy()
        compressed = .allocate(capacity: other.compressed.count)
        compressed.initialize(repeating: 0)
        groupStart = other.groupStart
        groupColumns = other.groupColumns
    }

    deinit { compressed.deallocate() }

    /// An evaluator sharing this one's compiled program and pattern, with its own workspace.
    public func makeCopy() -> SparseJacobian { SparseJacobian(copying: self) }

    /// The number of JVP runs one evaluation makes: the colours that hold entries.
    public var runsPerEvaluation: Int { groupStart.count - 1 }

    /// Binds input `k` to caller memory (see `JacobianEvaluator.bind(input:_:)`).
    public func bind(input k: Int, _ x: UnsafeBufferPointer<Double>) throws { try seeded.bind(input: k, x) }

    /// Forgets every bound input.
    public func unbindInputs() { seeded.unbind() }

    /// Writes the values of the pattern's entries at the bound inputs into `nzval`
    /// (`pattern.nnz` doubles, in CSC order). Allocates nothing.
    public func evaluate(into nzval: UnsafeMutableBufferPointer<Double>) throws {
        try seeded.checkReady(nzval, count: pattern.nnz, "SparseJacobian")
        guard let nz = nzval.baseAddress else { return }
        let seed = seeded.seed
        let buffer = compressed.baseAddress.unsafelyUnwrapped
        groupColumns.withUnsafeBufferPointer { columns in
            pattern.colPtr.withUnsafeBufferPointer { colPtr in
                pattern.rowIndex.withUnsafeBufferPointer { rowIndex in
                    for s in 0..<(groupStart.count - 1) {
                        let group = groupStart[s]..<groupStart[s + 1]
                        for q in group { seed[columns[q]] = 1 }
                        seeded.run(into: buffer)
                        for q in group {
                            let j = columns[q]
                            seed[j] = 0
                            for k in colPtr[j]..<colPtr[j + 1] { nz[k] = buffer[rowIndex[k]] }
                        }
                    }
                }
            }
        }
    }
}

// MARK: - Shared machinery

extension Graph {
    /// This graph with only output `output`, after checking both indices.
    func restricted(toOutput output: Int, wrt input: Int, _ what: String) throws -> Graph {
        try checkOutputIndex(output, what)
        try checkInputIndices([input], what)
        return Graph(nodes: nodes, inputs: inputs, inputNodes: inputNodes, outputs: [outputs[output]])
    }
}

/// A compiled derivative program (a JVP or VJP graph: the original inputs, then one seed
/// input) with its own workspace: the caller binds the original inputs, the seed is the
/// evaluator's buffer, and the one output goes wherever `run(into:)` says.
final class SeededProgram {
    let program: Program
    let ws: Workspace
    let inputShapes: [Shape]
    /// The seed (tangent or cotangent), zero except while a run is set up.
    let seed: UnsafeMutablePointer<Double>
    let seedCount: Int
    /// Which original inputs have been bound at least once.
    var bound: [Bool]

    convenience init(_ graph: Graph, seedCount: Int) throws {
        let program = try graph.compile()
        guard program.inputShapes.last?.count == seedCount, program.outputShapes.count == 1 else {
            throw AutodiffError(.invalidArgument, "jacobian: the derivative program has an unexpected signature")
        }
        self.init(program: program, seedCount: seedCount)
    }

    private init(program: Program, seedCount: Int) {
        self.program = program
        ws = program.makeWorkspace()
        inputShapes = Array(program.inputShapes.dropLast())
        self.seedCount = seedCount
        seed = .allocate(capacity: Swift.max(seedCount, 1))
        seed.initialize(repeating: 0, count: Swift.max(seedCount, 1))
        ws.bind(input: inputShapes.count, seed)
        bound = [Bool](repeating: false, count: inputShapes.count)
    }

    deinit { seed.deallocate() }

    /// A copy sharing the program, with a new workspace and seed. The new one has no inputs bound.
    func makeCopy() -> SeededProgram {
        SeededProgram(program: program, seedCount: seedCount)
    }

    func bind(input k: Int, _ x: UnsafeBufferPointer<Double>) throws {
        guard k >= 0, k < inputShapes.count else {
            throw AutodiffError(.invalidArgument, "jacobian: no input \(k); the graph has \(inputShapes.count)")
        }
        guard x.count == inputShapes[k].count else {
            throw AutodiffError(.shapeMismatch,
                                "jacobian: input \(k) has shape \(inputShapes[k]) but the buffer holds \(x.count) values")
        }
        // An empty input is never read; any valid pointer will do.
        ws.bind(input: k, x.baseAddress ?? UnsafePointer(seed))
        bound[k] = true
    }

    func unbind() {
        for k in bound.indices { bound[k] = false }
    }

    /// Checks that every input is bound and the result buffer has `count` doubles.
    func checkReady(_ result: UnsafeMutableBufferPointer<Double>, count: Int, _ what: String) throws {
        // A plain loop: the generic `firstIndex(of:)` allocates in unoptimised builds.
        for k in 0..<bound.count where !bound[k] {
            throw AutodiffError(.invalidArgument, "\(what): input \(k) (\(inputShapes[k])) was never bound")
        }
        guard result.count == count else {
            throw AutodiffError(.shapeMismatch, "\(what): the result buffer holds \(result.count) values; \(count) are needed")
        }
    }

    @inline(__always)
    func run(into out: UnsafeMutablePointer<Double>) {
        ws.bind(output: 0, out)
        program.run(ws)
    }
}
