import Foundation

/// What an objective reports besides its value: solver statistics and, optionally, the
/// prediction the loss was computed from (DiffEqFlux's `loss(θ) -> (loss, pred)`), so that
/// observers can draw it without evaluating the model again.
public struct EvaluationInfo: Sendable {
    /// Free-form counters, e.g. `["nf": 412, "naccept": 57]` from the ODE solves inside the loss.
    public var stats: [String: Double]
    /// The model output behind the loss, flattened, if the objective provides it.
    public var prediction: [Double]?

    public init(stats: [String: Double] = [:], prediction: [Double]? = nil) {
        self.stats = stats
        self.prediction = prediction
    }
}

/// A loss and its gradient at one point.
public struct Evaluation: Sendable {
    /// f(θ).
    public var loss: Double
    /// What the objective reported with it.
    public var info: EvaluationInfo

    public init(loss: Double, info: EvaluationInfo = EvaluationInfo()) {
        self.loss = loss
        self.info = info
    }
}

/// Errors the optimisers raise themselves (an objective's own errors pass through unchanged).
public enum OptimizationError: Error, Sendable, CustomStringConvertible {
    /// An objective returned a gradient whose length differs from the parameters'.
    case gradientCountMismatch(expected: Int, got: Int)
    /// Training was asked to start from an empty parameter vector.
    case noParameters

    public var description: String {
        switch self {
        case let .gradientCountMismatch(expected, got):
            return "the objective returned a gradient of length \(got) for \(expected) parameters"
        case .noParameters:
            return "there are no parameters to optimise"
        }
    }
}

/// A scalar objective f(θ) on a flat parameter vector, with its gradient.
///
/// The primary form writes ∇f(θ) into a buffer the optimiser owns, so a training step can run
/// without allocating: `Objective { θ, g in ...; return loss }`. Convenience forms take arrays
/// (`Objective(arrays:)`), attach per-evaluation information (`Objective(info:)`), or give only
/// values (`Objective(value:)`), in which case gradient-based methods fall back to central
/// differences and say so in `EvaluationInfo.stats["finiteDifferenceEvaluations"]`.
///
/// Contract: the body reads θ only during the call and writes every entry of the gradient
/// buffer (which has θ's length). It may throw; training then ends with that error recorded.
/// An objective is not `Sendable`: build it on the thread that trains.
public struct Objective {
    /// The loss at θ, the gradient written into the second buffer, extra information into the third.
    public typealias ValueAndGradient = (
        _ theta: UnsafeBufferPointer<Double>, _ gradient: UnsafeMutableBufferPointer<Double>,
        _ info: inout EvaluationInfo
    ) throws -> Double

    let valueAndGradient: ValueAndGradient?
    let valueOnly: (([Double]) throws -> Double)?

    /// Whether the objective computes its own gradient (otherwise: central differences).
    public var hasGradient: Bool { valueAndGradient != nil }

    /// An objective writing its gradient into a preallocated buffer.
    public init(_ body: @escaping (_ theta: UnsafeBufferPointer<Double>,
                                   _ gradient: UnsafeMutableBufferPointer<Double>) throws -> Double) {
        valueAndGradient = { theta, gradient, _ in try body(theta, gradient) }
        valueOnly = nil
    }

    /// An objective that also reports solver statistics or its prediction with each evaluation.
    public init(info body: @escaping ValueAndGradient) {
        valueAndGradient = body
        valueOnly = nil
    }

    /// An objective returning its gradient as an array (allocates per evaluation; the simple form).
    public init(arrays body: @escaping (_ theta: [Double]) throws -> (loss: Double, gradient: [Double])) {
        valueAndGradient = { theta, gradient, _ in
            let (loss, g) = try body(Array(theta))
            guard g.count == gradient.count else {
                throw OptimizationError.gradientCountMismatch(expected: gradient.count, got: g.count)
            }
            for i in g.indices { gradient[i] = g[i] }
            return loss
        }
        valueOnly = nil
    }

    /// A gradient-free objective: enough for `NelderMead`; gradient-based methods difference it.
    public init(value body: @escaping (_ theta: [Double]) throws -> Double) {
        valueAndGradient = nil
        valueOnly = body
    }

    /// f(θ) and ∇f(θ) (into `gradient`, of θ's length).
    ///
    /// A value-only objective is differenced centrally with steps h = ∛ε · max(1, |θᵢ|),
    /// 2n evaluations (Nocedal & Wright 2006, §8.1).
    ///
    /// References: J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed., Springer, 2006.
    public func evaluate(_ theta: UnsafeBufferPointer<Double>,
                         gradient: UnsafeMutableBufferPointer<Double>) throws -> Evaluation {
        var info = EvaluationInfo()
        if let valueAndGradient {
            let loss = try valueAndGradient(theta, gradient, &info)
            return Evaluation(loss: loss, info: info)
        }
        guard let valueOnly else { return Evaluation(loss: .nan) }
        var x = Array(theta)
        let loss = try valueOnly(x)
        let root = cbrt(Double.ulpOfOne)
        for i in x.indices {
            let xi = x[i], h = root * Swift.max(1, Swift.abs(xi))
            x[i] = xi + h
            let up = try valueOnly(x)
            x[i] = xi - h
            let down = try valueOnly(x)
            x[i] = xi
            gradient[i] = (up - down) / (2 * h)
        }
        info.stats["finiteDifferenceEvaluations"] = Double(2 * x.count)
        return Evaluation(loss: loss, info: info)
    }

    /// f(θ) alone; `scratch` (θ's length) receives a gradient the caller ignores.
    public func value(_ theta: UnsafeBufferPointer<Double>,
                      scratch: UnsafeMutableBufferPointer<Double>) throws -> Evaluation {
        if let valueOnly { return Evaluation(loss: try valueOnly(Array(theta))) }
        return try evaluate(theta, gradient: scratch)
    }

    /// f(θ) and ∇f(θ) as arrays: for tests and one-off calls.
    public func callAsFunction(_ theta: [Double]) throws -> (loss: Double, gradient: [Double]) {
        var g = [Double](repeating: 0, count: theta.count)
        let e = try theta.withUnsafeBufferPointer { t in
            try g.withUnsafeMutableBufferPointer { try evaluate(t, gradient: $0) }
        }
        return (e.loss, g)
    }
}
