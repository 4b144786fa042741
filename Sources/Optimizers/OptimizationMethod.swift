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
    /// The method's state as numbers (a first-order rule's moments), when it has one.
    var optimizerState: [Double]? { get }
    /// Continues from a state `optimizerState` gave (for the same number of parameters);
    /// returns whether it could.
    func restoreState(_ state: [Double]) -> Bool
    /// Calls `body` with the point the last report's loss belongs to.
    func withPoint<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R
    /// The last report was not finite: do not take the step computed from it.
    func discardPendingStep()
}

extension OptimizationIterator {
    /// No state to export: quasi-Newton methods and Nelder–Mead start afresh each run.
    public var optimizerState: [Double]? { nil }
    public func restoreState(_ state: [Double]) -> Bool { false }
}

/// A first-order rule's state as a flat vector, so a run can continue where another ended
/// (and a session can keep it).
public protocol OptimizerStateVector {
    /// The state's numbers.
    var stateVector: [Double] { get }
    /// The state from `stateVector` for `count` parameters; nil when it does not fit.
    init?(stateVector: [Double], count: Int)
}

extension EmptyState: OptimizerStateVector {
    public var stateVector: [Double] { [] }
    public init?(stateVector: [Double], count: Int) {
        guard stateVector.isEmpty else { return nil }
        self.init()
    }
}

extension Array: OptimizerStateVector where Element == Double {
    public var stateVector: [Double] { self }
    public init?(stateVector: [Double], count: Int) {
        guard stateVector.count == count else { return nil }
        self = stateVector
    }
}

extension AdamState: OptimizerStateVector {
    /// m, then v, then β₁ᵗ and β₂ᵗ.
    public var stateVector: [Double] { mean + variance + [beta1Power, beta2Power] }
    public init?(stateVector v: [Double], count: Int) {
        guard v.count == 2 * count + 2 else { return nil }
        self.init(mean: Array(v[0..<count]), variance: Array(v[count..<(2 * count)]),
                  beta1Power: v[2 * count], beta2Power: v[2 * count + 1])
    }
}
