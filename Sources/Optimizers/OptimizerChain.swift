/// Two rules applied in turn to the gradient: `OptimizerChain(ClipNorm(1), Adam(0.01))` clips,
/// then takes Adam's step. Optimisers.jl's `OptimiserChain`; nest chains for more than two.
public struct OptimizerChain<First: FirstOrderOptimizer, Second: FirstOrderOptimizer>: FirstOrderOptimizer {
    /// Applied first (e.g. a clip).
    public var first: First
    /// Applied to what `first` left.
    public var second: Second

    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public var name: String { "OptimiserChain(\(first.name), \(second.name))" }

    /// Each rule's own state.
    public struct State {
        /// The state of `first`.
        public var first: First.State
        /// The state of `second`.
        public var second: Second.State
    }

    public func makeState(count: Int) -> State {
        State(first: first.makeState(count: count), second: second.makeState(count: count))
    }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout State) {
        first.apply(step, at: theta, state: &state.first)
        second.apply(step, at: theta, state: &state.second)
    }
}

extension OptimizerChain: Equatable where First: Equatable, Second: Equatable {}

extension FirstOrderOptimizer {
    /// This rule followed by `next` on the transformed gradient.
    public func then<Next: FirstOrderOptimizer>(_ next: Next) -> OptimizerChain<Self, Next> {
        OptimizerChain(self, next)
    }

    /// This rule applied to the gradient clipped to p-norm ω (`ClipNorm` first).
    public func clippingNorm(_ threshold: Double, p: Double = 2) -> OptimizerChain<ClipNorm, Self> {
        OptimizerChain(ClipNorm(threshold, p: p), self)
    }

    /// This rule applied to the gradient clipped entrywise to [−δ, δ] (`ClipGrad` first).
    public func clippingValue(_ threshold: Double) -> OptimizerChain<ClipGrad, Self> {
        OptimizerChain(ClipGrad(threshold), self)
    }
}
