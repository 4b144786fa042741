/// Adam, then BFGS from the best point Adam found: Optimization.jl's `PolyOpt()` for a
/// deterministic loss without bounds, `Adam(0.01)` for the first phase and
/// `BFGS(initial_stepnorm = 0.01)` for the second. A run with `maxiters` gives each phase
/// `maxiters` iterations, unless `adamIterations` fixes the first.
///
/// References: the SciML OptimizationPolyalgorithms.jl package; D. P. Kingma, J. Ba, "Adam",
/// ICLR 2015; J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed., Springer, 2006.
public struct PolyOpt: OptimizationMethod {
    /// The first phase's rule.
    public var adam: Adam
    /// Iterations of the first phase (nil: `maxiters`).
    public var adamIterations: Int?
    /// The second phase's method.
    public var bfgs: BFGS

    public init(adam: Adam = Adam(0.01), adamIterations: Int? = nil, bfgs: BFGS = BFGS(initialStepNorm: 0.01)) {
        self.adam = adam
        self.adamIterations = adamIterations
        self.bfgs = bfgs
    }

    public var name: String { "PolyOpt" }

    /// Both phases: `adamIterations` (or `maxiters`) plus `maxiters`.
    public func iterationLimit(maxiters: Int) -> Int { (adamIterations ?? maxiters) + maxiters }

    public func makeIterator(objective: Objective, initialPoint: [Double],
                             maxiters: Int) throws -> any OptimizationIterator {
        PolyOptIterator(method: self, objective: objective, initialPoint: initialPoint,
                        adamIterations: Swift.max(adamIterations ?? maxiters, 0))
    }
}

final class PolyOptIterator: OptimizationIterator {
    let method: PolyOpt
    let objective: Objective
    let adamIterations: Int
    var first: FirstOrderIterator<Adam>?
    var second: QuasiNewtonIterator<DenseInverseHessian>?
    var done = 0
    var best: [Double]
    var bestLoss = Double.nan

    init(method: PolyOpt, objective: Objective, initialPoint: [Double], adamIterations: Int) {
        self.method = method
        self.objective = objective
        self.adamIterations = adamIterations
        best = initialPoint
        first = FirstOrderIterator(rule: method.adam, objective: objective, initialPoint: initialPoint)
    }

    var methodName: String { second == nil ? method.adam.name : method.bfgs.name }

    var evaluations: Int { (first?.evaluations ?? 0) + firstEvaluations + (second?.evaluations ?? 0) }
    /// The first phase's evaluations once it is gone.
    var firstEvaluations = 0

    func next() throws -> IterationReport {
        if let first, done < adamIterations {
            let r = try first.next()
            done += 1
            if r.loss.isFinite, r.gradientNorm?.isFinite ?? true, !(bestLoss <= r.loss) {
                bestLoss = r.loss
                first.withPoint { p in for i in p.indices { best[i] = p[i] } }
            }
            return r
        }
        if second == nil {
            firstEvaluations = first?.evaluations ?? 0
            first = nil
            second = method.bfgs.quasiNewtonIterator(objective: objective, initialPoint: best)
        }
        guard let second else { return IterationReport(loss: .nan, gradientNorm: nil, status: .failed("no phase")) }
        return try second.next()
    }

    func withPoint<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        if let second { return try second.withPoint(body) }
        if let first { return try first.withPoint(body) }
        return try best.withUnsafeBufferPointer(body)
    }

    func discardPendingStep() {
        first?.discardPendingStep()
        second?.discardPendingStep()
    }
}
