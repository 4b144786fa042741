import LinearSolve

/// The Newton matrix W = d·M − s·J of the implicit families (M the identity without a mass
/// matrix: d = 1/(hγ), s = 1 for the transformed Rosenbrock form, d = 1, s = γh otherwise),
/// in the storage `SolverOptions.linsolve` chose: dense with `DenseLU`, sparse with KLU, banded
/// with `BandedLU`, or matrix-free for GMRES (with the AMG preconditioner: W assembled on the
/// sparse pattern). Everything is allocated here, once per integrator; forming, factoring and
/// solving allocate nothing after the first KLU factorisation, except that a new Jacobian makes
/// the AMG preconditioner choose new aggregates (a new hierarchy: allocates).
final class NewtonMatrix {
    enum Kind: Equatable { case dense, sparse, krylov, banded(lower: Int, upper: Int) }
    let kind: Kind
    let n: Int
    /// ∂f/∂u column-major, n × n (dense kind; one element otherwise).
    let jacobian: UnsafeMutablePointer<Double>
    /// The LU of the dense W.
    let lu: DenseLU?
    /// ∂f/∂u on the function's pattern (sparse kind; banded, on the band without one; Krylov
    /// with a pattern, for its diagonal).
    let sparseJacobian: SparseJacobianStorage?
    /// W in CSC and its KLU (sparse kind) or band (banded kind) factorisation.
    let sparseSystem: SparseNewtonSystem?
    /// GMRES and the linearisation point (Krylov kind).
    let krylov: KrylovNewtonSystem?

    init(kind: Kind, choice: LinearSolverChoice, n: Int, function f: ODEFunction?, mass: [Double]?) {
        self.kind = kind
        self.n = n
        jacobian = zeroedBuffer(kind == .dense ? n * n : 1)
        lu = kind == .dense ? DenseLU(dimension: n) : nil
        if case .banded(let lower, let upper) = kind {
            // The function's pattern when it has one (it lies inside the band: `resolve`), the
            // whole band otherwise: coloured differences then cost lower + upper + 1 evaluations.
            let sparsity = f?.sparsity ?? JacobianSparsity(band: n, lower: lower, upper: upper)
            let storage = SparseJacobianStorage(sparsity, colors: f?.sparsity == nil ? nil : f?.colorvec)
            sparseJacobian = storage
            sparseSystem = SparseNewtonSystem(storage, mass: mass, band: (lower, upper))
        } else if kind != .dense, let sparsity = f?.sparsity,
           SparseJacobianStorage.problem(sparsity, colors: f?.colorvec, n: n) == nil {
            let storage = SparseJacobianStorage(sparsity, colors: f?.colorvec)
            sparseJacobian = storage
            sparseSystem = kind == .sparse ? SparseNewtonSystem(storage, mass: mass) : nil
        } else {
            sparseJacobian = nil
            sparseSystem = nil
        }
        if kind == .krylov {
            var settings = (restart: 30, reltol: 1e-6, preconditioner: KrylovPreconditioner.jacobi)
            if case .gmres(let restart, let reltol, let preconditioner) = choice { settings = (restart, reltol, preconditioner) }
            // Both preconditioners read J off the sparsity pattern; without one there is none.
            let preconditioner = sparseJacobian == nil ? .none : settings.preconditioner
            krylov = KrylovNewtonSystem(n: n, restart: settings.restart, reltol: settings.reltol, preconditioner: preconditioner,
                                        assembly: preconditioner == .amg ? SparseNewtonSystem(sparseJacobian!, mass: nil, analyze: false) : nil)
        } else {
            krylov = nil
        }
    }

    deinit { jacobian.deallocate() }

    /// ∂f/∂u[i, j] as last evaluated (dense, sparse or banded kinds).
    func jacobianEntry(_ i: Int, _ j: Int) -> Double {
        if let sparseJacobian { return sparseJacobian.entry(i, j) }
        return jacobian[i + j * n]
    }

    /// The kind `choice` resolves to for `f` on n states, or why it cannot be used.
    static func resolve(_ choice: LinearSolverChoice, _ f: ODEFunction, n: Int, tableau: ButcherTableau) -> Result<Kind, LinearSolverProblem> {
        if let sparsity = f.sparsity, let why = SparseJacobianStorage.problem(sparsity, colors: f.colorvec, n: n) {
            if choice == .dense { return .success(.dense) }
            if case .automatic = choice { return .success(.dense) }
            return .failure(LinearSolverProblem(message: why))
        }
        switch choice {
        case .dense: return .success(.dense)
        case .banded(let lower, let upper):
            guard lower >= 0, upper >= 0 else {
                return .failure(LinearSolverProblem(message: "linsolve = .banded needs bandwidths ≥ 0 (got lower \(lower), upper \(upper))"))
            }
            func outside(_ i: Int, _ j: Int) -> Bool { i - j > lower || j - i > upper }
            if let s = f.sparsity {
                for j in 0..<n {
                    for k in s.colPtr[j]..<s.colPtr[j + 1] where outside(s.rowIndex[k], j) {
                        return .failure(LinearSolverProblem(message: "linsolve = .banded(lower: \(lower), upper: \(upper)): the sparsity pattern has entry (\(s.rowIndex[k]), \(j)) outside the band"))
                    }
                }
            }
            if let mass = f.massMatrix, mass.count == n * n {
                for j in 0..<n {
                    for i in 0..<n where mass[i + j * n] != 0 && outside(i, j) {
                        return .failure(LinearSolverProblem(message: "linsolve = .banded(lower: \(lower), upper: \(upper)): the mass matrix has entry (\(i), \(j)) outside the band"))
                    }
                }
            }
            return .success(.banded(lower: lower, upper: upper))
        case .klu:
            guard f.sparsity != nil else {
                return .failure(LinearSolverProblem(message: "linsolve = .klu needs the Jacobian's sparsity pattern (ODEFunction.sparsity; a traced right-hand side has it)"))
            }
            return .success(.sparse)
        case .gmres(let restart, let reltol, let preconditioner):
            switch tableau.family {
            case .rosenbrock, .rosenbrock23, .rosenbrock32:
                // Their order conditions assume W⁻¹ exactly: an iterative solve's error enters
                // every stage and the error estimate unchecked, where Newton's iterations absorb it.
                return .failure(LinearSolverProblem(message: "\(tableau.name) is a Rosenbrock method and needs exact linear solves; linsolve = .gmres works with the Newton iterations of SDIRK methods (ImplicitEuler, TRBDF2, KenCarp4, Kvaerno5, ...) and QNDF; use .klu or .dense here"))
            default: break
            }
            if f.massMatrix != nil {
                return .failure(LinearSolverProblem(message: "linsolve = .gmres does not take a mass matrix; use .klu or .dense"))
            }
            guard restart >= 1, reltol > 0, reltol < 1 else {
                return .failure(LinearSolverProblem(message: "linsolve = .gmres needs restart ≥ 1 and 0 < reltol < 1 (got restart \(restart), reltol \(reltol))"))
            }
            if preconditioner == .amg, f.sparsity == nil {
                return .failure(LinearSolverProblem(message: "linsolve = .gmres(preconditioner: .amg) needs the Jacobian's sparsity pattern (ODEFunction.sparsity; a traced right-hand side has it)"))
            }
            return .success(.krylov)
        case .automatic:
            guard let s = f.sparsity, n >= LinearSolverChoice.sparseMinimumStates else { return .success(.dense) }
            let density = Double(s.rowIndex.count) / Double(n * n)
            let perColumn = Double(s.rowIndex.count) / Double(n)
            return .success(density <= LinearSolverChoice.sparseMaximumDensity
                            && perColumn <= Double(LinearSolverChoice.sparseMaximumEntriesPerColumn) ? .sparse : .dense)
        }
    }
}

/// Why a linear-solver choice cannot be used.
struct LinearSolverProblem: Error { let message: String }

extension JacobianSparsity {
    /// Every entry of an n × n band: rows j − upper ... j + lower of column j.
    init(band n: Int, lower: Int, upper: Int) {
        var colPtr = [0], rowIndex: [Int] = []
        for j in 0..<n {
            if n > 0 { rowIndex += Array(Swift.max(0, j - upper)...Swift.min(n - 1, j + lower)) }
            colPtr.append(rowIndex.count)
        }
        self.init(rows: n, cols: n, colPtr: colPtr, rowIndex: rowIndex)
    }
}

/// ∂f/∂u on a fixed CSC pattern, with the column colouring that finite differences use: one f
/// evaluation per colour, all the colour's columns perturbed together (Curtis, Powell and Reid).
final class SparseJacobianStorage {
    let n: Int
    let nnz: Int
    let colPtr: UnsafeMutablePointer<Int>
    let rowIndex: UnsafeMutablePointer<Int>
    /// The entries' values, in the pattern's order.
    let values: UnsafeMutablePointer<Double>
    /// Colour c owns `groupColumns[groupStart[c] ..< groupStart[c + 1]]`.
    let colorCount: Int
    let groupStart: UnsafeMutablePointer<Int>
    let groupColumns: UnsafeMutablePointer<Int>
    /// Finite differences' scratch: the saved components, their increments and f at the
    /// perturbed point.
    let saved: UnsafeMutablePointer<Double>
    let increments: UnsafeMutablePointer<Double>
    let perturbed: UnsafeMutablePointer<Double>
    /// The position of (i, i) in `values`, −1 when the pattern lacks it.
    let diagonalIndex: UnsafeMutablePointer<Int>

    init(_ sparsity: JacobianSparsity, colors given: [Int]?) {
        n = sparsity.cols
        nnz = sparsity.rowIndex.count
        colPtr = .allocate(capacity: n + 1)
        colPtr.initialize(from: sparsity.colPtr, count: n + 1)
        rowIndex = .allocate(capacity: Swift.max(nnz, 1))
        rowIndex.initialize(from: sparsity.rowIndex, count: nnz)
        values = zeroedBuffer(nnz)
        let colors = given ?? Self.greedyColors(sparsity)
        colorCount = (colors.max() ?? -1) + 1
        var start = [Int](repeating: 0, count: colorCount + 1)
        for c in colors { start[c + 1] += 1 }
        for c in 0..<colorCount { start[c + 1] += start[c] }
        var next = Array(start.dropLast()), columns = [Int](repeating: 0, count: n)
        for (j, c) in colors.enumerated() { columns[next[c]] = j; next[c] += 1 }
        groupStart = .allocate(capacity: colorCount + 1)
        groupStart.initialize(from: start, count: colorCount + 1)
        groupColumns = .allocate(capacity: Swift.max(n, 1))
        groupColumns.initialize(from: columns, count: n)
        saved = zeroedBuffer(n)
        increments = zeroedBuffer(n)
        perturbed = zeroedBuffer(n)
        diagonalIndex = .allocate(capacity: Swift.max(n, 1))
        for j in 0..<n {
            diagonalIndex[j] = -1
            for k in sparsity.colPtr[j]..<sparsity.colPtr[j + 1] where sparsity.rowIndex[k] == j { diagonalIndex[j] = k }
        }
    }

    deinit {
        colPtr.deallocate(); rowIndex.deallocate(); values.deallocate()
        groupStart.deallocate(); groupColumns.deallocate()
        saved.deallocate(); increments.deallocate(); perturbed.deallocate(); diagonalIndex.deallocate()
    }

    /// Entry (i, j): 0 off the pattern (binary search in column j).
    func entry(_ i: Int, _ j: Int) -> Double {
        var lo = colPtr[j], hi = colPtr[j + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if rowIndex[mid] < i { lo = mid + 1 } else { hi = mid }
        }
        return lo < colPtr[j + 1] && rowIndex[lo] == i ? values[lo] : 0
    }

    /// Why `sparsity` (and `colors`, when given) cannot describe ∂f/∂u for n states.
    static func problem(_ s: JacobianSparsity, colors: [Int]?, n: Int) -> String? {
        guard s.rows == n, s.cols == n, s.colPtr.count == n + 1, s.colPtr.first == 0, s.colPtr.last == s.rowIndex.count else {
            return "the sparsity pattern is \(s.rows)×\(s.cols) with \(s.colPtr.count) column offsets for \(s.rowIndex.count) entries; ∂f/∂u needs \(n)×\(n) in CSC form"
        }
        for j in 0..<n {
            guard s.colPtr[j] <= s.colPtr[j + 1] else { return "the sparsity pattern's column offsets decrease at column \(j)" }
            var previous = -1
            for k in s.colPtr[j]..<s.colPtr[j + 1] {
                guard s.rowIndex[k] > previous, s.rowIndex[k] < n else {
                    return "the sparsity pattern's rows in column \(j) are out of 0..<\(n) or not increasing"
                }
                previous = s.rowIndex[k]
            }
        }
        guard let colors else { return nil }
        guard colors.count == n, !colors.contains(where: { $0 < 0 }) else {
            return "colorvec has \(colors.count) colours for \(n) columns (each a colour ≥ 0)"
        }
        // Columns of one colour must not share a row: mark each row with the colours met in it.
        var lastColumnOfColorInRow = [Int: Int]()
        for j in 0..<n {
            for k in s.colPtr[j]..<s.colPtr[j + 1] {
                let key = s.rowIndex[k] * n + colors[j]
                if lastColumnOfColorInRow[key] != nil {
                    return "colorvec gives columns \(lastColumnOfColorInRow[key]!) and \(j), which share row \(s.rowIndex[k]), the same colour \(colors[j])"
                }
                lastColumnOfColorInRow[key] = j
            }
        }
        return nil
    }

    /// Greedy distance-1 colouring of the column-intersection graph in natural order, for a
    /// pattern given without `colorvec` (DiffEq does not depend on Autodiff, whose
    /// `ColumnColoring` colours traced functions, largest first, and hands over `colorvec`).
    static func greedyColors(_ s: JacobianSparsity) -> [Int] {
        let n = s.cols
        var rowStart = [Int](repeating: 0, count: s.rows + 1)
        for r in s.rowIndex { rowStart[r + 1] += 1 }
        for r in 0..<s.rows { rowStart[r + 1] += rowStart[r] }
        var next = Array(rowStart.dropLast()), columnsOfRow = [Int](repeating: 0, count: s.rowIndex.count)
        for j in 0..<n { for k in s.colPtr[j]..<s.colPtr[j + 1] { columnsOfRow[next[s.rowIndex[k]]] = j; next[s.rowIndex[k]] += 1 } }
        var colors = [Int](repeating: -1, count: n), forbidden = [Int](repeating: -1, count: n + 1)
        for j in 0..<n {
            for k in s.colPtr[j]..<s.colPtr[j + 1] {
                let r = s.rowIndex[k]
                for q in rowStart[r]..<rowStart[r + 1] where colors[columnsOfRow[q]] >= 0 { forbidden[colors[columnsOfRow[q]]] = j }
            }
            var c = 0
            while forbidden[c] == j { c += 1 }
            colors[j] = c
        }
        return colors
    }
}

/// W = d·M − s·J in CSC on the union of J's pattern, the diagonal and M's nonzeros, factored by
/// KLU: analysed once here, refactored (same pivots, no allocation) while only values change.
final class SparseNewtonSystem {
    let nnz: Int
    let values: UnsafeMutablePointer<Double>
    /// Where each entry of J goes in W.
    let fromJacobian: UnsafeMutablePointer<Int>
    /// M's nonzeros (the identity's diagonal without a mass matrix): positions in W and values.
    let massCount: Int
    let massPositions: UnsafeMutablePointer<Int>
    let massValues: UnsafeMutablePointer<Double>
    let lu: SparseLU
    /// For `.banded`: W's pattern is the whole band, copied into LAPACK band storage and
    /// factored there instead of by KLU.
    let band: BandedLU?
    let colPtr: UnsafeMutablePointer<Int>
    let rowIndex: UnsafeMutablePointer<Int>

    /// `analyze` false: W is only assembled (for `AlgebraicMultigrid`), never given to KLU.
    init(_ jacobian: SparseJacobianStorage, mass: [Double]?, band bandwidths: (lower: Int, upper: Int)? = nil,
         analyze: Bool = true) {
        let n = jacobian.n
        var colPtr = [0], rowIndex: [Int] = []
        var massEntries: [(row: Int, col: Int, value: Double)] = []
        if let mass, mass.count == n * n {
            for j in 0..<n { for i in 0..<n where mass[i + j * n] != 0 { massEntries.append((i, j, mass[i + j * n])) } }
        } else {
            massEntries = (0..<n).map { ($0, $0, 1) }
        }
        var m = 0
        for j in 0..<n {
            var rows = Set((jacobian.colPtr[j]..<jacobian.colPtr[j + 1]).map { jacobian.rowIndex[$0] })
            rows.insert(j)
            if let bandwidths {
                for i in Swift.max(0, j - bandwidths.upper)...Swift.min(n - 1, j + bandwidths.lower) { rows.insert(i) }
            }
            while m < massEntries.count, massEntries[m].col == j { rows.insert(massEntries[m].row); m += 1 }
            rowIndex += rows.sorted()
            colPtr.append(rowIndex.count)
        }
        nnz = rowIndex.count
        values = zeroedBuffer(nnz)
        func position(_ i: Int, _ j: Int) -> Int {
            var lo = colPtr[j], hi = colPtr[j + 1]
            while lo < hi { let mid = (lo + hi) / 2; if rowIndex[mid] < i { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        fromJacobian = .allocate(capacity: Swift.max(jacobian.nnz, 1))
        for j in 0..<n {
            for k in jacobian.colPtr[j]..<jacobian.colPtr[j + 1] { fromJacobian[k] = position(jacobian.rowIndex[k], j) }
        }
        massCount = massEntries.count
        massPositions = .allocate(capacity: Swift.max(massCount, 1))
        massValues = .allocate(capacity: Swift.max(massCount, 1))
        for (q, e) in massEntries.enumerated() { massPositions[q] = position(e.row, e.col); massValues[q] = e.value }
        self.colPtr = .allocate(capacity: n + 1)
        self.colPtr.initialize(from: colPtr, count: n + 1)
        self.rowIndex = .allocate(capacity: Swift.max(nnz, 1))
        self.rowIndex.initialize(from: rowIndex, count: nnz)
        lu = SparseLU(dimension: n)
        if let bandwidths {
            band = BandedLU(dimension: n, lowerBandwidth: bandwidths.lower, upperBandwidth: bandwidths.upper)
            return
        }
        band = nil
        if analyze, let pattern = SparseMatrixCSC(rowCount: n, columnCount: n, colPtr: colPtr, rowIndex: rowIndex,
                                         values: [Double](repeating: 0, count: nnz)) {
            lu.analyze(pattern)
        }
    }

    deinit {
        values.deallocate(); fromJacobian.deallocate(); massPositions.deallocate(); massValues.deallocate()
        colPtr.deallocate(); rowIndex.deallocate()
    }

    /// Forms W = d·M − s·J in `values` from J's values.
    func assemble(diagonal d: Double, jacobianScale s: Double, _ jacobian: SparseJacobianStorage) {
        for k in 0..<nnz { values[k] = 0 }
        for q in 0..<massCount { values[massPositions[q]] += d * massValues[q] }
        let jv = jacobian.values
        for k in 0..<jacobian.nnz { values[fromJacobian[k]] -= s * jv[k] }
    }

    /// W as last assembled, as a `SparseMatrixCSC` (copies; allocates).
    func matrix(_ n: Int) -> SparseMatrixCSC? {
        SparseMatrixCSC(rowCount: n, columnCount: n, colPtr: Array(UnsafeBufferPointer(start: colPtr, count: n + 1)),
                        rowIndex: Array(UnsafeBufferPointer(start: rowIndex, count: nnz)),
                        values: Array(UnsafeBufferPointer(start: values, count: nnz)))
    }

    /// Forms W = d·M − s·J from J's values and factors it; false when singular or not finite.
    func factor(diagonal d: Double, jacobianScale s: Double, _ jacobian: SparseJacobianStorage) -> Bool {
        assemble(diagonal: d, jacobianScale: s, jacobian)
        if let band {
            // Every entry of the band is in W's pattern, so this overwrites the whole band.
            for j in 0..<jacobian.n { for k in colPtr[j]..<colPtr[j + 1] { band[rowIndex[k], j] = values[k] } }
            return band.factor() == .success
        }
        return lu.factor(values: UnsafeBufferPointer(start: values, count: nnz)) == .success
    }

    func solve(_ x: UnsafeMutablePointer<Double>, _ n: Int) -> Bool {
        if let band { return band.solve(UnsafeMutableBufferPointer(start: x, count: n)) }
        return lu.solve(UnsafeMutableBufferPointer(start: x, count: n))
    }
}

extension ODEIntegrator {
    /// The linear solver the implicit method resolved `SolverOptions.linsolve` to (`.dense`,
    /// `.klu` or the `.gmres` given); nil for an explicit method.
    public var resolvedLinsolve: LinearSolverChoice? {
        guard let matrix = implicitWork?.matrix else { return nil }
        switch matrix.kind {
        case .dense: return .dense
        case .sparse: return .klu
        case .banded(let lower, let upper): return .banded(lower: lower, upper: upper)
        case .krylov:
            if case .gmres = options.linsolve { return options.linsolve }
            return .gmres()
        }
    }

    /// The entries of KLU's last factors of W (`SparseLU.factorEntries`); 0 without KLU.
    public var sparseFactorEntries: Int { implicitWork?.matrix.sparseSystem?.lu.factorEntries ?? 0 }

    /// GMRES iterations (operator applications) since the integrator was made; 0 without GMRES.
    public var krylovIterations: Int { implicitWork?.matrix.krylov?.iterations ?? 0 }

    /// GMRES solves that stopped at the iteration limit short of the tolerance; 0 without GMRES.
    public var unconvergedKrylovSolves: Int { implicitWork?.matrix.krylov?.unconverged ?? 0 }

    /// The algebraic multigrid preconditioner's level sizes, finest first (empty without one),
    /// and how often it chose aggregates (`aggregations`) or only recomputed values (`updates`).
    public var multigridSummary: (levels: [Int], aggregations: Int, updates: Int) {
        guard let amg = implicitWork?.matrix.krylov?.amg else { return ([], 0, 0) }
        return (amg.levelSizes, amg.aggregations, amg.numericUpdates)
    }
}
