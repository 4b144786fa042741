/// One level of an `AlgebraicMultigrid` hierarchy: its matrix A in compressed sparse rows (the
/// smoother and the residual read rows), the smoother's inverse diagonal and the V-cycle's work
/// vectors. Everything is allocated in `init`; the kernels allocate nothing.
final class MultigridLevel {
    let n: Int
    let nnz: Int
    let rowPtr: UnsafeMutablePointer<Int>
    let col: UnsafeMutablePointer<Int>
    let val: UnsafeMutablePointer<Double>
    /// The position of (i, i) in `val`, −1 when the pattern lacks it.
    let diagonalPosition: UnsafeMutablePointer<Int>
    /// 1 / a_ii, or 0 where a_ii is zero or not finite (the smoother then leaves x_i alone).
    let inverseDiagonal: UnsafeMutablePointer<Double>
    /// The cycle's iterate, right-hand side and residual at this level.
    let x: UnsafeMutablePointer<Double>
    let b: UnsafeMutablePointer<Double>
    let r: UnsafeMutablePointer<Double>
    /// The way to the next coarser level (nil on the coarsest).
    var transfer: MultigridTransfer?

    init(n: Int, rowPtr: [Int], col: [Int]) {
        self.n = n
        nnz = col.count
        self.rowPtr = copiedBuffer(rowPtr)
        self.col = copiedBuffer(col)
        val = copiedBuffer([Double](repeating: 0, count: nnz))
        var diagonal = [Int](repeating: -1, count: n)
        for i in 0..<n { for k in rowPtr[i]..<rowPtr[i + 1] where col[k] == i { diagonal[i] = k } }
        diagonalPosition = copiedBuffer(diagonal)
        inverseDiagonal = copiedBuffer([Double](repeating: 0, count: n))
        x = copiedBuffer([Double](repeating: 0, count: n))
        b = copiedBuffer([Double](repeating: 0, count: n))
        r = copiedBuffer([Double](repeating: 0, count: n))
    }

    deinit {
        rowPtr.deallocate(); col.deallocate(); val.deallocate(); diagonalPosition.deallocate()
        inverseDiagonal.deallocate(); x.deallocate(); b.deallocate(); r.deallocate()
    }

    /// a_ii (0 when not stored).
    @inline(__always)
    func diagonal(_ i: Int) -> Double {
        let k = diagonalPosition[i]
        return k >= 0 ? val[k] : 0
    }

    /// The damped Jacobi smoother's weight ω = 4 / (3 ρ(D⁻¹A)), with ρ bounded by Gershgorin's
    /// theorem (Saad, Iterative Methods for Sparse Linear Systems, §13.2).
    private(set) var jacobiWeight = 2.0 / 3.0

    /// Recomputes the inverse diagonal and the Jacobi weight from `val`; false when an entry
    /// is not finite.
    func refreshDiagonal() -> Bool {
        for k in 0..<nnz where !val[k].isFinite { return false }
        var rho = 0.0
        for i in 0..<n {
            let d = diagonal(i)
            inverseDiagonal[i] = d != 0 ? 1 / d : 0
            var sum = 0.0
            for k in rowPtr[i]..<rowPtr[i + 1] { sum += Swift.abs(val[k]) }
            rho = Swift.max(rho, sum * Swift.abs(inverseDiagonal[i]))
        }
        jacobiWeight = rho > 0 ? 4 / (3 * rho) : 0
        return true
    }

    /// One damped Jacobi sweep x += ω D⁻¹ (b − A x), from x = 0 when `fromZero` (then it is
    /// x = ω D⁻¹ b). Uses `r` as scratch. Every row is independent, so it runs at the memory's
    /// pace where Gauss–Seidel waits on the previous row.
    func jacobi(fromZero: Bool) {
        let omega = jacobiWeight
        if fromZero {
            for i in 0..<n { x[i] = omega * inverseDiagonal[i] * b[i] }
            return
        }
        residual()
        for i in 0..<n { x[i] += omega * inverseDiagonal[i] * r[i] }
    }

    /// One Gauss–Seidel sweep on A x = b, rows in increasing (`forward`) or decreasing order.
    /// Run forward before and backward after the coarse correction, the cycle is the same
    /// linear operator at every application (what GMRES needs of a preconditioner).
    func gaussSeidel(forward: Bool) {
        if forward {
            for i in 0..<n { relax(i) }
        } else {
            var i = n - 1
            while i >= 0 { relax(i); i -= 1 }
        }
    }

    @inline(__always)
    private func relax(_ i: Int) {
        x[i] += (b[i] - rowProduct(i, x)) * inverseDiagonal[i]
    }

    /// Σ_k a_ik v_k over row i, in two interleaved partial sums: a sweep's x_i waits for this
    /// sum, and two chains of additions halve its latency.
    @inline(__always)
    func rowProduct(_ i: Int, _ v: UnsafeMutablePointer<Double>) -> Double {
        var s0 = 0.0, s1 = 0.0, k = rowPtr[i]
        let end = rowPtr[i + 1]
        while k + 1 < end {
            s0 += val[k] * v[col[k]]
            s1 += val[k + 1] * v[col[k + 1]]
            k += 2
        }
        if k < end { s0 += val[k] * v[col[k]] }
        return s0 + s1
    }

    /// r = b − A x.
    func residual() {
        for i in 0..<n { r[i] = b[i] - rowProduct(i, x) }
    }
}

/// The prolongator P from a level to the next coarser one, its transpose R = Pᵀ (the
/// restriction) and the product A·P, each on a pattern fixed when the aggregates were chosen,
/// so that new values of A recompute P's values and the Galerkin product R·A·P without
/// allocating.
final class MultigridTransfer {
    let coarseCount: Int
    /// The aggregate of each fine unknown, −1 for one with no strong connection (left to the
    /// smoother, as in Vaněk, Mandel & Brezina).
    let aggregate: UnsafeMutablePointer<Int>
    /// The tentative prolongator's entry in row i: 1/√|aggregate|, so that its columns are
    /// orthonormal and reproduce the constant vector on each aggregate.
    let tentative: UnsafeMutablePointer<Double>
    /// For each entry of the fine A: whether it is a strong off-diagonal connection.
    let strong: UnsafeMutablePointer<Bool>
    /// For each entry (i, j) of the fine A that is strong: the position of (i, aggregate(j)) in P.
    let fromA: UnsafeMutablePointer<Int>
    /// The position of (i, aggregate(i)) in P, −1 for an unaggregated i.
    let tentativePosition: UnsafeMutablePointer<Int>
    let pRowPtr: UnsafeMutablePointer<Int>, pCol: UnsafeMutablePointer<Int>, pVal: UnsafeMutablePointer<Double>
    let rRowPtr: UnsafeMutablePointer<Int>, rCol: UnsafeMutablePointer<Int>, rVal: UnsafeMutablePointer<Double>
    /// Where each entry of P goes in R.
    let toR: UnsafeMutablePointer<Int>
    let apRowPtr: UnsafeMutablePointer<Int>, apCol: UnsafeMutablePointer<Int>, apVal: UnsafeMutablePointer<Double>
    /// For the numeric products: the position of each coarse column in the row being formed.
    let marker: UnsafeMutablePointer<Int>
    /// 1 / (a_ii + Σ of the weak a_ij), the filtered matrix's inverse diagonal, per fine row.
    let filteredInverseDiagonal: UnsafeMutablePointer<Double>
    let fineCount: Int

    init(fineCount n: Int, coarseCount: Int, aggregate: [Int], tentative: [Double], strong: [Bool], fromA: [Int],
         tentativePosition: [Int], p: (rowPtr: [Int], col: [Int]), r: (rowPtr: [Int], col: [Int]), toR: [Int],
         ap: (rowPtr: [Int], col: [Int])) {
        fineCount = n
        self.coarseCount = coarseCount
        self.aggregate = copiedBuffer(aggregate)
        self.tentative = copiedBuffer(tentative)
        self.strong = copiedBuffer(strong)
        self.fromA = copiedBuffer(fromA)
        self.tentativePosition = copiedBuffer(tentativePosition)
        pRowPtr = copiedBuffer(p.rowPtr); pCol = copiedBuffer(p.col)
        pVal = copiedBuffer([Double](repeating: 0, count: p.col.count))
        rRowPtr = copiedBuffer(r.rowPtr); rCol = copiedBuffer(r.col)
        rVal = copiedBuffer([Double](repeating: 0, count: r.col.count))
        self.toR = copiedBuffer(toR)
        apRowPtr = copiedBuffer(ap.rowPtr); apCol = copiedBuffer(ap.col)
        apVal = copiedBuffer([Double](repeating: 0, count: ap.col.count))
        marker = copiedBuffer([Int](repeating: 0, count: coarseCount))
        filteredInverseDiagonal = copiedBuffer([Double](repeating: 0, count: n))
    }

    deinit {
        aggregate.deallocate(); tentative.deallocate(); strong.deallocate(); fromA.deallocate()
        tentativePosition.deallocate(); pRowPtr.deallocate(); pCol.deallocate(); pVal.deallocate()
        rRowPtr.deallocate(); rCol.deallocate(); rVal.deallocate(); toR.deallocate()
        apRowPtr.deallocate(); apCol.deallocate(); apVal.deallocate(); marker.deallocate()
        filteredInverseDiagonal.deallocate()
    }

    /// P = (I − ω D_F⁻¹ A_F) T: the tentative prolongator smoothed by one damped Jacobi step on
    /// the filtered matrix A_F (A's strong entries, the weak ones added to the diagonal so that
    /// the row sums stay A's), with ω = `damping` / ρ(D_F⁻¹ A_F) and ρ bounded by Gershgorin's
    /// theorem (exact, 2, for the 5-point Laplacian).
    func smoothProlongator(_ a: MultigridLevel, damping: Double) {
        var rho = 0.0
        for i in 0..<fineCount {
            let aii = a.diagonal(i)
            var filtered = aii, offDiagonal = 0.0
            for k in a.rowPtr[i]..<a.rowPtr[i + 1] where a.col[k] != i {
                if strong[k] { offDiagonal += Swift.abs(a.val[k]) } else { filtered += a.val[k] }
            }
            // Lumping must not empty the diagonal: keep a_ii when it would nearly cancel.
            if Swift.abs(filtered) < 1e-3 * Swift.abs(aii) { filtered = aii }
            let inverse = filtered != 0 ? 1 / filtered : 0
            filteredInverseDiagonal[i] = inverse
            rho = Swift.max(rho, Swift.abs(inverse) * (Swift.abs(filtered) + offDiagonal))
        }
        let omega = rho > 0 ? damping / rho : 0
        for q in 0..<pRowPtr[fineCount] { pVal[q] = 0 }
        for i in 0..<fineCount {
            let scale = -omega * filteredInverseDiagonal[i]
            if tentativePosition[i] >= 0 { pVal[tentativePosition[i]] += (1 - omega) * tentative[i] }
            for k in a.rowPtr[i]..<a.rowPtr[i + 1] where strong[k] {
                pVal[fromA[k]] += scale * a.val[k] * tentative[a.col[k]]
            }
        }
        for q in 0..<pRowPtr[fineCount] { rVal[toR[q]] = pVal[q] }
    }

    /// The Galerkin operator R A P into `coarse.val`: first A·P row by row, then R·(A·P).
    func galerkin(_ a: MultigridLevel, into coarse: MultigridLevel) {
        for i in 0..<fineCount {
            let start = apRowPtr[i], end = apRowPtr[i + 1]
            for q in start..<end { marker[apCol[q]] = q; apVal[q] = 0 }
            for k in a.rowPtr[i]..<a.rowPtr[i + 1] {
                let aik = a.val[k], row = a.col[k]
                for q in pRowPtr[row]..<pRowPtr[row + 1] { apVal[marker[pCol[q]]] += aik * pVal[q] }
            }
        }
        for c in 0..<coarseCount {
            let start = coarse.rowPtr[c], end = coarse.rowPtr[c + 1]
            for q in start..<end { marker[coarse.col[q]] = q; coarse.val[q] = 0 }
            for e in rRowPtr[c]..<rRowPtr[c + 1] {
                let rci = rVal[e], i = rCol[e]
                for q in apRowPtr[i]..<apRowPtr[i + 1] { coarse.val[marker[apCol[q]]] += rci * apVal[q] }
            }
        }
    }

    /// coarse.b = R · fine.r.
    func restrict(_ fine: MultigridLevel, to coarse: MultigridLevel) {
        for c in 0..<coarseCount {
            var s = 0.0
            for e in rRowPtr[c]..<rRowPtr[c + 1] { s += rVal[e] * fine.r[rCol[e]] }
            coarse.b[c] = s
        }
    }

    /// fine.x += P · coarse.x.
    func prolongate(_ coarse: MultigridLevel, to fine: MultigridLevel) {
        for i in 0..<fineCount {
            var s = 0.0
            for q in pRowPtr[i]..<pRowPtr[i + 1] { s += pVal[q] * coarse.x[pCol[q]] }
            fine.x[i] += s
        }
    }
}

/// A heap copy of `values` (at least one element, so that empty levels need no special case).
func copiedBuffer<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
    let p = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(values.count, 1))
    values.withUnsafeBufferPointer { if let base = $0.baseAddress { p.initialize(from: base, count: values.count) } }
    return p
}
