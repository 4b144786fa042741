import Foundation

/// Rescales the gradient so that its p-norm is at most ω: Δ = g · min(1, ω / ‖g‖ₚ).
/// Optimisers.jl's `ClipNorm(ω = 10, p = 2)`; put it before a rule in an `OptimizerChain`
/// (or write `rule.clippingNorm(ω)`). A non-finite norm leaves the gradient as it is: the
/// training loop treats a non-finite gradient by its `NonFinitePolicy` before any step.
///
/// References: R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent
/// neural networks", ICML 2013.
public struct ClipNorm: FirstOrderOptimizer, Equatable {
    /// ω, the largest norm let through.
    public var threshold: Double
    /// p of the norm (1, 2, or `.infinity` are the usual choices).
    public var p: Double

    public init(_ threshold: Double = 10, p: Double = 2) {
        self.threshold = threshold
        self.p = p
    }

    public var name: String { "ClipNorm" }

    public func makeState(count: Int) -> EmptyState { EmptyState() }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout EmptyState) {
        let norm = pNorm(UnsafeBufferPointer(step))
        guard norm.isFinite, norm > threshold else { return }
        let scale = threshold / norm
        for i in step.indices { step[i] *= scale }
    }

    func pNorm(_ g: UnsafeBufferPointer<Double>) -> Double {
        if p == 2 { return norm2(g) }
        if p == .infinity { return normInf(g) }
        var s = 0.0
        if p == 1 {
            for x in g { s += Swift.abs(x) }
            return s
        }
        for x in g { s += pow(Swift.abs(x), p) }
        return pow(s, 1 / p)
    }
}

/// Clips each gradient entry to [−δ, δ]. Optimisers.jl's `ClipGrad(δ = 10)`.
public struct ClipGrad: FirstOrderOptimizer, Equatable {
    /// δ.
    public var threshold: Double

    public init(_ threshold: Double = 10) {
        self.threshold = threshold
    }

    public var name: String { "ClipGrad" }

    public func makeState(count: Int) -> EmptyState { EmptyState() }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout EmptyState) {
        let d = threshold
        for i in step.indices where !step[i].isNaN { step[i] = Swift.min(Swift.max(step[i], -d), d) }
    }
}

/// Clipping by value under the name the issue uses; the same rule as `ClipGrad`.
public typealias ClipValue = ClipGrad

/// L2 regularisation as a gradient transform: g ← g + λ θ. Optimisers.jl's `WeightDecay(λ = 5e-4)`.
public struct WeightDecay: FirstOrderOptimizer, Equatable {
    /// λ.
    public var lambda: Double

    public init(_ lambda: Double = 5e-4) {
        self.lambda = lambda
    }

    public var name: String { "WeightDecay" }

    public func makeState(count: Int) -> EmptyState { EmptyState() }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout EmptyState) {
        for i in step.indices { step[i] += lambda * theta[i] }
    }
}
