/// A first-order rule in the manner of Optimisers.jl: per-parameter state allocated once,
/// and an in-place transformation of the gradient into the step to subtract.
///
/// Contract:
/// 1. `makeState(count:)` allocates everything the rule needs for `count` parameters.
/// 2. `apply(_:at:state:)` overwrites `step` (holding ∇f on entry) with Δ, and advances the
///    state; θ is read only by rules that need it (weight decay). It allocates nothing.
/// 3. The caller then sets θ ← θ − Δ (`update` does both).
/// θ, the step and the state all have the same count.
public protocol FirstOrderOptimizer: OptimizationMethod {
    associatedtype State
    /// The rule's state for `count` parameters, at the start of training.
    func makeState(count: Int) -> State
    /// Turns the gradient in `step` into the step Δ (Optimisers.jl's `apply!`).
    func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
               state: inout State)
}

/// A rule whose learning rate η can be changed between steps (by a schedule).
public protocol LearningRateAdjustable: FirstOrderOptimizer {
    var learningRate: Double { get set }
}

extension FirstOrderOptimizer {
    /// θ ← θ − Δ with Δ the rule applied to `gradient`; `gradient` is overwritten by Δ.
    /// Allocates nothing.
    @inlinable
    public func update(_ theta: UnsafeMutableBufferPointer<Double>,
                       gradient: UnsafeMutableBufferPointer<Double>, state: inout State) {
        assert(theta.count == gradient.count, "θ and its gradient differ in length")
        apply(gradient, at: UnsafeBufferPointer(theta), state: &state)
        for i in 0..<Swift.min(theta.count, gradient.count) { theta[i] -= gradient[i] }
    }

    /// θ ← θ − Δ on arrays; `gradient` is overwritten by Δ. Allocates nothing when the arrays
    /// are uniquely referenced.
    @inlinable
    public func update(_ theta: inout [Double], gradient: inout [Double], state: inout State) {
        theta.withUnsafeMutableBufferPointer { t in
            gradient.withUnsafeMutableBufferPointer { g in update(t, gradient: g, state: &state) }
        }
    }

    public func makeIterator(objective: Objective, initialPoint: [Double],
                             maxiters: Int) throws -> any OptimizationIterator {
        FirstOrderIterator(rule: self, objective: objective, initialPoint: initialPoint)
    }
}

/// Runs a first-order rule: each iteration evaluates f and ∇f at θ and reports them; the
/// step computed from that gradient is taken at the start of the next iteration, so a
/// report's loss always belongs to the point reported, and a non-finite report's step can be
/// dropped (`discardPendingStep`).
final class FirstOrderIterator<Rule: FirstOrderOptimizer>: OptimizationIterator {
    let rule: Rule
    let objective: Objective
    var state: Rule.State
    let theta: UnsafeMutableBufferPointer<Double>
    let gradient: UnsafeMutableBufferPointer<Double>
    var hasPendingStep = false
    private(set) var evaluations = 0

    init(rule: Rule, objective: Objective, initialPoint: [Double]) {
        self.rule = rule
        self.objective = objective
        state = rule.makeState(count: initialPoint.count)
        theta = zeroedBuffer(initialPoint.count)
        gradient = zeroedBuffer(initialPoint.count)
        for i in initialPoint.indices { theta[i] = initialPoint[i] }
    }

    deinit {
        freeBuffer(theta)
        freeBuffer(gradient)
    }

    var methodName: String { rule.name }

    var optimizerState: [Double]? { (state as? OptimizerStateVector)?.stateVector }

    func restoreState(_ vector: [Double]) -> Bool {
        guard let type = Rule.State.self as? OptimizerStateVector.Type,
              let restored = type.init(stateVector: vector, count: theta.count) as? Rule.State else { return false }
        state = restored
        return true
    }

    func next() throws -> IterationReport {
        if hasPendingStep {
            rule.update(theta, gradient: gradient, state: &state)
            hasPendingStep = false
        }
        let e = try objective.evaluate(UnsafeBufferPointer(theta), gradient: gradient)
        evaluations += 1
        hasPendingStep = true
        return IterationReport(loss: e.loss, gradientNorm: norm2(gradient), info: e.info)
    }

    func withPoint<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(theta))
    }

    func discardPendingStep() { hasPendingStep = false }
}
