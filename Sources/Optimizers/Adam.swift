/// The moments of Adam and AdamW.
public struct AdamState: Sendable {
    /// m, the running mean of g.
    public var mean: [Double]
    /// v, the running mean of g².
    public var variance: [Double]
    /// β₁ᵗ for the bias correction of m (t = the step about to be taken).
    public var beta1Power: Double
    /// β₂ᵗ for the bias correction of v.
    public var beta2Power: Double
}

/// Adam: m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g², Δ = η m̂ / (√v̂ + ϵ) with
/// m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ). Optimisers.jl's `Adam(η = 0.001, β = (0.9, 0.999), ϵ = 1e-8)`.
///
/// References: D. P. Kingma, J. Ba, "Adam: A method for stochastic optimization", ICLR 2015.
public struct Adam: LearningRateAdjustable, Equatable {
    /// η.
    public var learningRate: Double
    /// β₁: decay of the first moment estimate.
    public var beta1: Double
    /// β₂: decay of the second moment estimate.
    public var beta2: Double
    /// ϵ, added to √v̂.
    public var epsilon: Double

    public init(_ learningRate: Double = 0.001, beta: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        beta1 = beta.0
        beta2 = beta.1
        self.epsilon = epsilon
    }

    public var name: String { "Adam" }

    public func makeState(count: Int) -> AdamState {
        AdamState(mean: [Double](repeating: 0, count: count), variance: [Double](repeating: 0, count: count),
                  beta1Power: beta1, beta2Power: beta2)
    }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout AdamState) {
        adamDirection(step, state: &state, beta1: beta1, beta2: beta2, epsilon: epsilon)
        for i in step.indices { step[i] *= learningRate }
    }
}

/// AdamW: Adam with decoupled weight decay, in Optimisers.jl's form
/// `AdamW(η = 0.001, β = (0.9, 0.999), λ = 0, ϵ = 1e-8; couple = true)`:
/// Δ = η (â + λ θ) when coupled (PyTorch's rule, Optimisers.jl ≥ 0.4), Δ = η â + λ θ when not
/// (the paper's, with the schedule multiplier folded into λ); â is Adam's step for η = 1.
///
/// References: I. Loshchilov, F. Hutter, "Decoupled weight decay regularization", ICLR 2019.
public struct AdamW: LearningRateAdjustable, Equatable {
    /// η.
    public var learningRate: Double
    /// β₁, as for Adam.
    public var beta1: Double
    /// β₂, as for Adam.
    public var beta2: Double
    /// λ, the weight decay.
    public var lambda: Double
    /// ϵ, added to √v̂.
    public var epsilon: Double
    /// Whether the decay is scaled by η.
    public var couple: Bool

    public init(_ learningRate: Double = 0.001, beta: (Double, Double) = (0.9, 0.999), lambda: Double = 0,
                epsilon: Double = 1e-8, couple: Bool = true) {
        self.learningRate = learningRate
        beta1 = beta.0
        beta2 = beta.1
        self.lambda = lambda
        self.epsilon = epsilon
        self.couple = couple
    }

    public var name: String { "AdamW" }

    public func makeState(count: Int) -> AdamState {
        Adam(learningRate, beta: (beta1, beta2), epsilon: epsilon).makeState(count: count)
    }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout AdamState) {
        adamDirection(step, state: &state, beta1: beta1, beta2: beta2, epsilon: epsilon)
        let eta = learningRate, lambda = lambda
        if couple {
            for i in step.indices { step[i] = eta * (step[i] + lambda * theta[i]) }
        } else {
            for i in step.indices { step[i] = eta * step[i] + lambda * theta[i] }
        }
    }
}

/// Adam's step for η = 1, written over the gradient in `step`; advances the moments.
@inline(__always)
func adamDirection(_ step: UnsafeMutableBufferPointer<Double>, state: inout AdamState,
                   beta1: Double, beta2: Double, epsilon: Double) {
    let c1 = 1 - state.beta1Power, c2 = 1 - state.beta2Power
    state.mean.withUnsafeMutableBufferPointer { m in
        state.variance.withUnsafeMutableBufferPointer { v in
            for i in step.indices {
                let g = step[i]
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                step[i] = m[i] / c1 / ((v[i] / c2).squareRoot() + epsilon)
            }
        }
    }
    state.beta1Power *= beta1
    state.beta2Power *= beta2
}
