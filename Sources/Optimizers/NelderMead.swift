/// The Nelder–Mead simplex method: gradient-free, for small problems or non-smooth losses.
///
/// Each iteration reflects the worst vertex through the centroid of the others, then expands,
/// contracts or shrinks (Optim.jl's variant). Coefficients (α, β, γ, δ) for reflection,
/// expansion, contraction and shrinkage are either the classical (1, 2, ½, ½) or, by default
/// as in Optim.jl, Gao & Han's dimension-adaptive (1, 1 + 2/n, ¾ − 1/(2n), 1 − 1/n). The initial
/// simplex is Optim.jl's affine one: x₀ and, for each j, x₀ with xⱼ ← (1 + b) xⱼ + a.
/// Stops when the standard deviation of the vertex values is ≤ `fTol`. A non-finite vertex
/// value counts as +∞. Reports the best vertex; there is no gradient norm.
///
/// References: J. A. Nelder, R. Mead, "A simplex method for function minimization",
/// The Computer Journal 7(4), 308–313, 1965; F. Gao, L. Han, "Implementing the Nelder-Mead
/// simplex algorithm with adaptive parameters", Comput. Optim. Appl. 51, 259–277, 2012.
public struct NelderMead: OptimizationMethod, Equatable {
    /// The reflection, expansion, contraction and shrinkage coefficients.
    public enum Coefficients: Sendable, Equatable {
        /// (1, 2, ½, ½).
        case fixed
        /// Gao & Han (2012).
        case adaptive
    }

    /// Fixed or adaptive (the default).
    public var coefficients: Coefficients
    /// Stop when the vertex values' standard deviation is at most this (Optim.jl's g_tol).
    public var fTol: Double
    /// a and b of the affine initial simplex.
    public var simplexOffset: Double
    /// b of the affine initial simplex (see `simplexOffset`).
    public var simplexScale: Double

    public init(coefficients: Coefficients = .adaptive, fTol: Double = 1e-8,
                simplexOffset: Double = 0.025, simplexScale: Double = 0.5) {
        self.coefficients = coefficients
        self.fTol = fTol
        self.simplexOffset = simplexOffset
        self.simplexScale = simplexScale
    }

    public var name: String { "NelderMead" }

    /// (α, β, γ, δ) for dimension n.
    public func parameters(dimension n: Int) -> (reflection: Double, expansion: Double,
                                                 contraction: Double, shrinkage: Double) {
        switch coefficients {
        case .fixed:
            return (1, 2, 0.5, 0.5)
        case .adaptive:
            let d = Double(Swift.max(n, 2))
            return (1, 1 + 2 / d, 0.75 - 1 / (2 * d), 1 - 1 / d)
        }
    }

    public func makeIterator(objective: Objective, initialPoint: [Double],
                             maxiters: Int) throws -> any OptimizationIterator {
        NelderMeadIterator(method: self, objective: objective, initialPoint: initialPoint)
    }
}

final class NelderMeadIterator: OptimizationIterator {
    let method: NelderMead
    let objective: Objective
    let n: Int
    /// Vertex k is vertices[k*n ..< (k+1)*n]; `order` sorts them best first.
    let vertices: UnsafeMutableBufferPointer<Double>
    let values: UnsafeMutableBufferPointer<Double>
    var order: [Int]
    let centroid, reflected, trial, scratch: UnsafeMutableBufferPointer<Double>
    var infos: [EvaluationInfo]
    var started = false
    private(set) var evaluations = 0

    init(method: NelderMead, objective: Objective, initialPoint: [Double]) {
        self.method = method
        self.objective = objective
        n = initialPoint.count
        vertices = zeroedBuffer((n + 1) * n)
        values = zeroedBuffer(n + 1)
        order = Array(0...n)
        centroid = zeroedBuffer(n)
        reflected = zeroedBuffer(n)
        trial = zeroedBuffer(n)
        scratch = zeroedBuffer(n)
        infos = Array(repeating: EvaluationInfo(), count: n + 1)
        for k in 0...n {
            for j in 0..<n { vertices[k * n + j] = initialPoint[j] }
            if k > 0 {
                let j = k - 1
                vertices[k * n + j] = (1 + method.simplexScale) * initialPoint[j] + method.simplexOffset
            }
        }
    }

    deinit {
        for b in [vertices, values, centroid, reflected, trial, scratch] { freeBuffer(b) }
    }

    var methodName: String { method.name }

    func vertex(_ k: Int) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(rebasing: vertices[k * n ..< (k + 1) * n])
    }

    func withPoint<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(vertex(order[0])))
    }

    func discardPendingStep() {}

    /// f at `x`, with NaN read as +∞ so that a failed evaluation is always the worst.
    func value(_ x: UnsafeMutableBufferPointer<Double>) throws -> (Double, EvaluationInfo) {
        let e = try objective.value(UnsafeBufferPointer(x), scratch: scratch)
        evaluations += 1
        return (e.loss.isNaN ? .infinity : e.loss, e.info)
    }

    func next() throws -> IterationReport {
        if !started {
            for k in 0...n { (values[k], infos[k]) = try value(vertex(k)) }
            started = true
            sortVertices()
            return report()
        }
        let (alpha, beta, gamma, delta) = method.parameters(dimension: n)
        let best = order[0], worst = order[n], secondWorst = order[n - 1]
        for j in 0..<n { centroid[j] = 0 }
        for r in 0..<n {
            let k = order[r]
            for j in 0..<n { centroid[j] += vertices[k * n + j] }
        }
        for j in 0..<n { centroid[j] /= Double(n) }
        let w = vertex(worst)
        for j in 0..<n { reflected[j] = centroid[j] + alpha * (centroid[j] - w[j]) }
        let (fr, ir) = try value(reflected)

        if fr < values[best] {
            for j in 0..<n { trial[j] = centroid[j] + beta * (reflected[j] - centroid[j]) }
            let (fe, ie) = try value(trial)
            if fe < fr { replace(worst, with: trial, fe, ie) } else { replace(worst, with: reflected, fr, ir) }
        } else if fr < values[secondWorst] {
            replace(worst, with: reflected, fr, ir)
        } else if fr < values[worst] {
            for j in 0..<n { trial[j] = centroid[j] + gamma * (reflected[j] - centroid[j]) }
            let (fc, ic) = try value(trial)
            if fc <= fr { replace(worst, with: trial, fc, ic) } else { try shrink(toward: best, delta) }
        } else {
            for j in 0..<n { trial[j] = centroid[j] - gamma * (reflected[j] - centroid[j]) }
            let (fc, ic) = try value(trial)
            if fc < values[worst] { replace(worst, with: trial, fc, ic) } else { try shrink(toward: best, delta) }
        }
        sortVertices()
        return report()
    }

    func replace(_ k: Int, with x: UnsafeMutableBufferPointer<Double>, _ f: Double, _ info: EvaluationInfo) {
        for j in 0..<n { vertices[k * n + j] = x[j] }
        values[k] = f
        infos[k] = info
    }

    func shrink(toward best: Int, _ delta: Double) throws {
        for k in 0...n where k != best {
            for j in 0..<n { vertices[k * n + j] = vertices[best * n + j] + delta * (vertices[k * n + j] - vertices[best * n + j]) }
            (values[k], infos[k]) = try value(vertex(k))
        }
    }

    /// Insertion sort by value (ties by index): the order changes by one vertex per iteration
    /// except after a shrink, so this is about linear, and it allocates nothing.
    func sortVertices() {
        for i in 1..<order.count {
            let k = order[i]
            var j = i
            while j > 0, values[k] < values[order[j - 1]] || (values[k] == values[order[j - 1]] && k < order[j - 1]) {
                order[j] = order[j - 1]
                j -= 1
            }
            order[j] = k
        }
    }

    func report() -> IterationReport {
        var mean = 0.0
        for k in 0...n { mean += values[k] }
        mean /= Double(n + 1)
        var variance = 0.0
        for k in 0...n { variance += (values[k] - mean) * (values[k] - mean) }
        let spread = (variance / Double(n + 1)).squareRoot()
        let best = order[0]
        let loss = values[best] == .infinity ? Double.nan : values[best]
        let status: IterationReport.Status = spread <= method.fTol ? .converged("simplex values' spread ≤ fTol") : .running
        return IterationReport(loss: loss, gradientNorm: nil, info: infos[best], status: status)
    }
}
