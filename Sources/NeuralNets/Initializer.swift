import Autodiff
import Foundation

/// Weight initialisers (Flux/Lux names). All draw from the seeded `Xoshiro256StarStar`, never
/// the system generator, so a seed reproduces a network everywhere.
///
/// References: X. Glorot and Y. Bengio, "Understanding the difficulty of training deep
/// feedforward neural networks", AISTATS 2010; K. He et al., "Delving deep into rectifiers",
/// ICCV 2015.
public enum Initializer: Sendable {
    /// U(−√(6/(in+out)), √(6/(in+out))): Flux's default for Dense weights.
    case glorotUniform
    /// N(0, 2/(in+out)).
    case glorotNormal
    /// N(0, 2/in) (He et al.), for ReLU networks.
    case kaimingNormal
    /// U(−√(6/in), √(6/in)).
    case kaimingUniform
    case zeros
    case ones
    /// Another initialiser's values times a factor (e.g. small weights for a UDE's network term).
    indirect case scaled(Initializer, Double)

    /// `count` values for a weight of `fanIn` inputs and `fanOut` outputs.
    public func values(count: Int, fanIn: Int, fanOut: Int, rng: inout Xoshiro256StarStar) -> [Double] {
        let fi = Double(max(fanIn, 1)), fo = Double(max(fanOut, 1))
        switch self {
        case .glorotUniform:
            let a = (6 / (fi + fo)).squareRoot()
            return (0..<count).map { _ in (2 * rng.uniform() - 1) * a }
        case .glorotNormal:
            let s = (2 / (fi + fo)).squareRoot()
            return (0..<count).map { _ in s * rng.normal() }
        case .kaimingNormal:
            let s = (2 / fi).squareRoot()
            return (0..<count).map { _ in s * rng.normal() }
        case .kaimingUniform:
            let a = (6 / fi).squareRoot()
            return (0..<count).map { _ in (2 * rng.uniform() - 1) * a }
        case .zeros:
            return [Double](repeating: 0, count: count)
        case .ones:
            return [Double](repeating: 1, count: count)
        case .scaled(let inner, let factor):
            return inner.values(count: count, fanIn: fanIn, fanOut: fanOut, rng: &rng).map { $0 * factor }
        }
    }
}
