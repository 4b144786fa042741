/// RMSProp: q ← ρ q + (1 − ρ) g², Δ = η g / (√q + ϵ); centred, q − ℓ² replaces q with
/// ℓ ← ρ ℓ + (1 − ρ) g. Optimisers.jl's `RMSProp(η = 0.001, ρ = 0.9, ϵ = 1e-8; centred = false)`.
///
/// References: T. Tieleman, G. Hinton, "Lecture 6.5 — RMSProp", COURSERA: Neural Networks for
/// Machine Learning, 2012; A. Graves, "Generating sequences with recurrent neural networks",
/// arXiv:1308.0850, 2013 (the centred variant).
public struct RMSProp: LearningRateAdjustable, Equatable {
    /// η.
    public var learningRate: Double
    /// ρ, the decay of the squared-gradient average.
    public var rho: Double
    /// ϵ, added to the root to avoid division by zero.
    public var epsilon: Double
    /// Normalise by an estimate of the variance instead of the second moment.
    public var centred: Bool

    public init(_ learningRate: Double = 0.001, rho: Double = 0.9, epsilon: Double = 1e-8,
                centred: Bool = false) {
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
        self.centred = centred
    }

    public var name: String { "RMSProp" }

    /// The running averages of g² (`quadratic`) and of g (`linear`, used when centred).
    public struct State: Sendable {
        /// The running average of g².
        public var quadratic: [Double]
        /// The running average of g (empty unless centred).
        public var linear: [Double]
    }

    public func makeState(count: Int) -> State {
        State(quadratic: [Double](repeating: 0, count: count),
              linear: [Double](repeating: 0, count: centred ? count : 0))
    }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout State) {
        let eta = learningRate, rho = rho, eps = epsilon, centred = centred
        state.quadratic.withUnsafeMutableBufferPointer { q in
            state.linear.withUnsafeMutableBufferPointer { l in
                for i in step.indices {
                    let g = step[i]
                    q[i] = rho * q[i] + (1 - rho) * g * g
                    var mean = 0.0
                    if centred {
                        l[i] = rho * l[i] + (1 - rho) * g
                        mean = l[i]
                    }
                    step[i] = g * eta / ((q[i] - mean * mean).squareRoot() + eps)
                }
            }
        }
    }
}
