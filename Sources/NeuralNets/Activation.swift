import Autodiff
import Foundation

/// Activation functions, as Flux/Lux name them. Each emits IR, so networks compile and
/// differentiate like any other traced code.
public enum Activation: String, CaseIterable, Sendable {
    case identity, tanh, relu, sigmoid, softplus, swish, gelu, elu, rbf

    /// The activation applied elementwise to a traced value.
    public func callAsFunction(_ x: Sym) -> Sym {
        switch self {
        case .identity: return x
        case .tanh: return Autodiff.tanh(x)
        case .relu: return Autodiff.relu(x)
        case .sigmoid: return Autodiff.sigmoid(x)
        case .softplus: return Autodiff.softplus(x)
        case .swish: return Autodiff.swish(x)
        case .gelu: return Autodiff.gelu(x)
        case .elu: return ifelse(x > 0.0, x, Autodiff.exp(x) .- 1.0)   // α = 1, as NNlib's default
        case .rbf: return Autodiff.exp(0.0 .- x .* x)                   // exp(−x²)
        }
    }

    /// The activation on one number (for reference evaluation in tests and plain Swift use).
    public func apply(_ x: Double) -> Double {
        switch self {
        case .identity: return x
        case .tanh: return Foundation.tanh(x)
        case .relu: return Swift.max(x, 0)
        case .sigmoid: return Scalar.sigmoid(x)
        case .softplus: return Scalar.softplus(x)
        case .swish: return x * Scalar.sigmoid(x)
        case .gelu: return Scalar.gelu(x)
        case .elu: return x > 0 ? x : Foundation.exp(x) - 1
        case .rbf: return Foundation.exp(-x * x)
        }
    }
}
