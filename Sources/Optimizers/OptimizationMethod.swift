/// An optimisation method the training loop can drive: first-order rules (`Adam`, ...),
/// quasi-Newton methods (`BFGS`, `LBFGS`), `NelderMead`, `PolyOpt`.
///
/// A method is an immutable value; `makeIterator` allocates its workspace once per run, and
/// each `next()` of the iterator is one iteration. The loop (`train`) owns everything else:
/// history, best point, stopping rules, events and pause/cancel.
public protocol OptimizationMethod: Sendable {
    /// The method's name as users write it ("Adam", "LBFGS").
    var name: String { get }
    /// How many iterations a run with `maxiters` may take (PolyOpt: both phases).
    func iterationLimit(maxiters: Int) -> Int
    /// A fresh iterator starting at `initialPoint` (non-empty).
    func makeIterator(objective: Objective, initialPoint: [Double], maxiters: Int) throws -> any OptimizationIterator
}

extension OptimizationMethod {
    /// `maxiters` itself: one phase.
    public func iterationLimit(maxiters: Int) -> Int { maxiters }
}

/// What one iteration found.
public struct IterationReport: Sendable {
    /// Whether the method wants to go on.
    public enum Status: Sendable, Equatable {
        case running
        /// The method's own tolerance was met (e.g. ‖∇f‖∞ ≤ gTol); the reason says which.
        case converged(String)
        /// The method cannot make progress (e.g. the line search found no decrease).
        case failed(String)
    }

    /// The loss at the iterator's current point (see `OptimizationIterator.withPoint`).
    public var loss: Double
    /// ‖∇f‖₂ there; nil for gradient-free methods.
    public var gradientNorm: Double?
    /// What the objective reported at that point.
    public var info: EvaluationInfo
    /// The step length α of a line search, if the method made one.
    public var stepSize: Double?
    /// Whether the method wants to go on.
    public var status: Status

    public init(loss: Double, gradientNorm: Double?, info: EvaluationInfo = EvaluationInfo(),
                stepSize: Double? = nil, status: Status = .running) {
        self.loss = loss
        self.gradientNorm = gradientNorm
        self.info = info
        self.stepSize = stepSize
        self.status = status
    }
}

/// One run of a method: its workspace and position.
public protocol OptimizationIterator: AnyObject {
    /// The method running now ("Adam", then "BFGS" inside PolyOpt).
    var methodName: String { get }
    /// Objective evaluations so far (finite-difference evaluations count as one each call).
    var evaluations: Int { get }
    /// Performs one iteration and reports the loss at the point it now stands on.
    func next() throws -> IterationReport
    /// Calls `body` with the point the last report's loss belongs to.
    func withPoint<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R
    /// The last report was not finite: do not take the step computed from it.
    func discardPendingStep()
}
