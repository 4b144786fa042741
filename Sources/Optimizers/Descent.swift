/// The state of a rule that keeps none.
public struct EmptyState: Sendable {
    public init() {}
}

/// Gradient descent: Δ = η ∇f. Optimisers.jl's `Descent(η = 0.1)`.
public struct Descent: LearningRateAdjustable, Equatable {
    /// η.
    public var learningRate: Double

    public init(_ learningRate: Double = 0.1) {
        self.learningRate = learningRate
    }

    public var name: String { "Descent" }

    public func makeState(count: Int) -> EmptyState { EmptyState() }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout EmptyState) {
        for i in step.indices { step[i] *= learningRate }
    }
}

/// Heavy-ball momentum: v ← ρ v + η ∇f, Δ = v. Optimisers.jl's `Momentum(η = 0.01, ρ = 0.9)`.
///
/// References: B. T. Polyak, "Some methods of speeding up the convergence of iteration
/// methods", USSR Comput. Math. Math. Phys. 4(5), 1964.
public struct Momentum: LearningRateAdjustable, Equatable {
    /// η.
    public var learningRate: Double
    /// ρ, the fraction of the previous velocity kept.
    public var rho: Double

    public init(_ learningRate: Double = 0.01, rho: Double = 0.9) {
        self.learningRate = learningRate
        self.rho = rho
    }

    public var name: String { "Momentum" }

    /// The velocity v, zero at the start.
    public func makeState(count: Int) -> [Double] { [Double](repeating: 0, count: count) }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout [Double]) {
        let eta = learningRate, rho = rho
        state.withUnsafeMutableBufferPointer { v in
            for i in step.indices {
                v[i] = rho * v[i] + eta * step[i]
                step[i] = v[i]
            }
        }
    }
}

/// Nesterov momentum in Optimisers.jl's form: Δ = −ρ² v + (1 + ρ) η ∇f, then v ← ρ v − η ∇f.
/// `Nesterov(η = 0.001, ρ = 0.9)`.
///
/// References: Y. Nesterov, "A method for solving the convex programming problem with
/// convergence rate O(1/k²)", Soviet Math. Dokl. 27, 1983; I. Sutskever, J. Martens, G. Dahl,
/// G. Hinton, "On the importance of initialization and momentum in deep learning", ICML 2013.
public struct Nesterov: LearningRateAdjustable, Equatable {
    /// η.
    public var learningRate: Double
    /// ρ, the momentum.
    public var rho: Double

    public init(_ learningRate: Double = 0.001, rho: Double = 0.9) {
        self.learningRate = learningRate
        self.rho = rho
    }

    public var name: String { "Nesterov" }

    /// The velocity v (with Optimisers.jl's sign: it accumulates −η ∇f), zero at the start.
    public func makeState(count: Int) -> [Double] { [Double](repeating: 0, count: count) }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout [Double]) {
        let eta = learningRate, rho = rho
        state.withUnsafeMutableBufferPointer { v in
            for i in step.indices {
                let g = step[i]
                step[i] = -rho * rho * v[i] + (1 + rho) * eta * g
                v[i] = rho * v[i] - eta * g
            }
        }
    }
}
