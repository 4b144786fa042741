/// Restarted GMRES(m) with optional right preconditioning, for a matrix given only as an
/// operator `(x, y) -> y = A x` (a Jacobian-vector product in Jacobian-free Newton-Krylov).
///
/// Contract:
/// 1. `solve` improves the initial guess in `x` until the true residual satisfies
///    ‖b − A x‖₂ ≤ `absoluteTolerance` + `relativeTolerance` · ‖b‖₂, or `maxIterations`
///    operator applications in the Arnoldi process have been made. From x₀ = 0 (a Newton
///    step) this is Krylov.jl's test, relative to ‖r₀‖; measuring against ‖b‖ keeps a warm
///    start close to the answer from asking for an unreachable residual.
/// 2. Right preconditioning (A M⁻¹ u = b, x = M⁻¹ u) leaves the residual that GMRES
///    minimises equal to the true one, so the tolerances mean the same with and without M.
/// 3. Each cycle builds at most `restart` Arnoldi vectors (modified Gram–Schmidt, with one
///    reorthogonalisation pass when cancellation is severe), reduces the Hessenberg matrix
///    with Givens rotations so that the residual norm is known at every step, and at the
///    end recomputes the true residual (one extra operator application per cycle).
/// 4. All workspaces are allocated in `init`; `solve` allocates nothing (the closures are
///    non-escaping).
///
/// References: Y. Saad, M. H. Schultz, GMRES: a generalized minimal residual algorithm for
/// solving nonsymmetric linear systems, SIAM J. Sci. Stat. Comput. 7, 1986; Y. Saad,
/// Iterative Methods for Sparse Linear Systems, 2nd ed., SIAM, 2003, Algorithms 6.9 and 9.5;
/// C. T. Kelley, Iterative Methods for Linear and Nonlinear Equations, SIAM, 1995, §3.5;
/// J. W. Daniel, W. B. Gragg, L. Kaufman, G. W. Stewart, Reorthogonalization and stable
/// algorithms for updating the Gram–Schmidt QR factorization, Math. Comp. 30, 1976.
public final class GMRES {
    /// Why `solve` stopped.
    public enum Status: Equatable, Sendable {
        /// The residual met the tolerance.
        case converged
        /// `maxIterations` was reached first.
        case maxIterations
        /// The operator, the preconditioner or the data produced NaN or infinity.
        case nonFinite
        /// The buffers passed to `solve` are shorter than `dimension`.
        case invalidInput
    }

    /// What `solve` did.
    public struct Result: Equatable, Sendable {
        /// Why it stopped.
        public var status: Status
        /// Operator applications inside the Arnoldi process (Krylov iterations).
        public var iterations: Int
        /// Restart cycles begun.
        public var cycles: Int
        /// ‖b − A x‖₂ at return, recomputed from the final x.
        public var residualNorm: Double
        /// ‖b − A x₀‖₂ for the initial guess.
        public var initialResidualNorm: Double
        /// Whether the tolerance was met.
        public var converged: Bool { status == .converged }
    }

    /// The operator type: write A x into y.
    public typealias Operator = (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void

    /// The number of unknowns.
    public let dimension: Int
    /// m, the Krylov subspace dimension before a restart.
    public let restart: Int
    /// The absolute residual tolerance.
    public var absoluteTolerance: Double
    /// The residual tolerance relative to ‖b‖₂.
    public var relativeTolerance: Double
    /// The largest number of Krylov iterations (operator applications in the Arnoldi process).
    public var maxIterations: Int

    private let basis: UnsafeMutablePointer<Double>       // n × (m + 1), the Arnoldi vectors
    private let hessenberg: UnsafeMutablePointer<Double>  // (m + 1) × m, column-major
    private let cosines: UnsafeMutablePointer<Double>
    private let sines: UnsafeMutablePointer<Double>
    private let g: UnsafeMutablePointer<Double>           // the rotated right-hand side β e₁, m + 1
    private let w: UnsafeMutablePointer<Double>           // n
    private let z: UnsafeMutablePointer<Double>           // n

    /// A solver for `dimension` unknowns with restart length `restart` (at least 1); the
    /// defaults suit a Newton-Krylov inner solve.
    public init(dimension: Int, restart: Int = 30, absoluteTolerance: Double = 1e-10,
                relativeTolerance: Double = 1e-8, maxIterations: Int? = nil) {
        self.dimension = Swift.max(0, dimension)
        self.restart = Swift.max(1, Swift.min(restart, Swift.max(1, self.dimension)))
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.maxIterations = maxIterations ?? Swift.max(10 * self.dimension, 100)
        let n = Swift.max(1, self.dimension), m = self.restart
        basis = .allocate(capacity: n * (m + 1)); basis.initialize(repeating: 0, count: n * (m + 1))
        hessenberg = .allocate(capacity: (m + 1) * m); hessenberg.initialize(repeating: 0, count: (m + 1) * m)
        cosines = .allocate(capacity: m); cosines.initialize(repeating: 0, count: m)
        sines = .allocate(capacity: m); sines.initialize(repeating: 0, count: m)
        g = .allocate(capacity: m + 1); g.initialize(repeating: 0, count: m + 1)
        w = .allocate(capacity: n); w.initialize(repeating: 0, count: n)
        z = .allocate(capacity: n); z.initialize(repeating: 0, count: n)
    }

    deinit {
        basis.deallocate(); hessenberg.deallocate(); cosines.deallocate(); sines.deallocate()
        g.deallocate(); w.deallocate(); z.deallocate()
    }

    /// Solves A x = b without preconditioning; `x` holds the initial guess and receives the answer.
    @discardableResult
    public func solve(_ x: UnsafeMutableBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>,
                      operator apply: Operator) -> Result {
        run(x, b, apply, { _, _ in }, preconditioned: false)
    }

    /// Solves A x = b with right preconditioning: `preconditioner(r, z)` writes z = M⁻¹ r,
    /// where M approximates A (for W = I − γhJ, often the identity or a block diagonal).
    @discardableResult
    public func solve(_ x: UnsafeMutableBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>,
                      operator apply: Operator, preconditioner: Operator) -> Result {
        run(x, b, apply, preconditioner, preconditioned: true)
    }

    /// `solve` on arrays (no copies while they are uniquely referenced).
    @discardableResult
    public func solve(_ x: inout [Double], _ b: [Double], operator apply: Operator) -> Result {
        b.withUnsafeBufferPointer { bb in x.withUnsafeMutableBufferPointer { solve($0, bb, operator: apply) } }
    }

    /// Preconditioned `solve` on arrays.
    @discardableResult
    public func solve(_ x: inout [Double], _ b: [Double], operator apply: Operator,
                      preconditioner: Operator) -> Result {
        b.withUnsafeBufferPointer { bb in
            x.withUnsafeMutableBufferPointer { solve($0, bb, operator: apply, preconditioner: preconditioner) }
        }
    }

    @inline(__always)
    private func vector(_ p: UnsafeMutablePointer<Double>) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(start: p, count: dimension)
    }

    private func norm(_ p: UnsafePointer<Double>) -> Double {
        var s = 0.0
        for i in 0..<dimension { s += p[i] * p[i] }
        return s.squareRoot()
    }

    /// w = b − A x; returns ‖w‖.
    private func residual(_ x: UnsafeMutablePointer<Double>, _ b: UnsafePointer<Double>, _ apply: Operator) -> Double {
        apply(UnsafeBufferPointer(start: x, count: dimension), vector(w))
        for i in 0..<dimension { w[i] = b[i] - w[i] }
        return norm(w)
    }

    private func run(_ xb: UnsafeMutableBufferPointer<Double>, _ bb: UnsafeBufferPointer<Double>,
                     _ apply: Operator, _ precondition: Operator, preconditioned: Bool) -> Result {
        let n = dimension, m = restart
        var result = Result(status: .invalidInput, iterations: 0, cycles: 0, residualNorm: .nan, initialResidualNorm: .nan)
        guard xb.count >= n, bb.count >= n else { return result }
        guard n > 0, let x = xb.baseAddress, let b = bb.baseAddress else {
            result.status = .converged
            result.residualNorm = 0
            result.initialResidualNorm = 0
            return result
        }
        var beta = residual(x, b, apply)
        result.initialResidualNorm = beta
        result.residualNorm = beta
        let tolerance = absoluteTolerance + relativeTolerance * norm(b)
        let h = hessenberg, ldh = m + 1
        while true {
            guard beta.isFinite else { result.status = .nonFinite; return result }
            if beta <= tolerance { result.status = .converged; return result }
            if result.iterations >= maxIterations { result.status = .maxIterations; return result }
            result.cycles += 1
            for i in 0..<n { basis[i] = w[i] / beta }
            g[0] = beta
            for i in 1...m { g[i] = 0 }
            var k = 0   // columns of H completed in this cycle
            var estimate = beta
            while k < m && result.iterations < maxIterations {
                let vk = basis + k * n, next = basis + (k + 1) * n
                // w = A M⁻¹ v_k
                if preconditioned {
                    precondition(UnsafeBufferPointer(start: vk, count: n), vector(z))
                    apply(UnsafeBufferPointer(start: z, count: n), vector(next))
                } else {
                    apply(UnsafeBufferPointer(start: vk, count: n), vector(next))
                }
                result.iterations += 1
                let hk = h + k * ldh
                let before = norm(next)
                orthogonalize(next, against: k + 1, into: hk, accumulate: false)
                var after = norm(next)
                // Reorthogonalise once when more than ~30 % of the norm cancelled (the DGKS test, η = 0.7).
                if after < 0.7 * before {
                    orthogonalize(next, against: k + 1, into: hk, accumulate: true)
                    after = norm(next)
                }
                hk[k + 1] = after
                if after > 0, after.isFinite { for i in 0..<n { next[i] /= after } }
                // Apply the earlier rotations to the new column, then zero its subdiagonal.
                for i in 0..<k {
                    let t = cosines[i] * hk[i] + sines[i] * hk[i + 1]
                    hk[i + 1] = -sines[i] * hk[i] + cosines[i] * hk[i + 1]
                    hk[i] = t
                }
                let (c, s, r) = givens(hk[k], hk[k + 1])
                cosines[k] = c; sines[k] = s
                hk[k] = r; hk[k + 1] = 0
                g[k + 1] = -s * g[k]
                g[k] = c * g[k]
                estimate = Swift.abs(g[k + 1])
                k += 1
                if !estimate.isFinite || estimate <= tolerance || after == 0 { break }
            }
            // x += M⁻¹ V y with H y = g (upper triangular, k × k).
            if k > 0 {
                var i = k - 1
                while i >= 0 {
                    var t = g[i]
                    for j in (i + 1)..<k { t -= h[i + j * ldh] * g[j] }
                    g[i] = t / h[i + i * ldh]
                    i -= 1
                }
                for i in 0..<n { w[i] = 0 }
                for j in 0..<k {
                    let yj = g[j], vj = basis + j * n
                    for i in 0..<n { w[i] += yj * vj[i] }
                }
                if preconditioned {
                    precondition(UnsafeBufferPointer(start: w, count: n), vector(z))
                    for i in 0..<n { x[i] += z[i] }
                } else {
                    for i in 0..<n { x[i] += w[i] }
                }
            }
            beta = residual(x, b, apply)
            result.residualNorm = beta
            if k == 0 { result.status = .maxIterations; return result }
        }
    }

    /// Modified Gram–Schmidt of `v` against the first `count` basis vectors; the
    /// coefficients go to (or are added to) `coefficients`.
    @inline(__always)
    private func orthogonalize(_ v: UnsafeMutablePointer<Double>, against count: Int,
                               into coefficients: UnsafeMutablePointer<Double>, accumulate: Bool) {
        let n = dimension
        for j in 0..<count {
            let q = basis + j * n
            var d = 0.0
            for i in 0..<n { d += v[i] * q[i] }
            for i in 0..<n { v[i] -= d * q[i] }
            coefficients[j] = accumulate ? coefficients[j] + d : d
        }
    }

    /// A plane rotation [c s; −s c] mapping (a, b) to (r, 0), computed without overflow.
    ///
    /// References: Golub & Van Loan, Matrix Computations, 4th ed., 2013, Algorithm 5.1.3.
    @inline(__always)
    private func givens(_ a: Double, _ b: Double) -> (c: Double, s: Double, r: Double) {
        if b == 0 { return (1, 0, a) }
        if a == 0 { return (0, 1, b) }
        let r = (a * a + b * b).squareRoot()
        let scale = Swift.max(Swift.abs(a), Swift.abs(b))
        let rr = r.isFinite && r > 0 ? r : scale * ((a / scale) * (a / scale) + (b / scale) * (b / scale)).squareRoot()
        return (a / rr, b / rr, rr)
    }
}
