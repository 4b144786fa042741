/// The coefficients of a singly diagonally implicit Runge–Kutta method with an explicit first
/// stage (ESDIRK), the form every method of the family is stored in:
///
///     Yᵢ = u₀ + Σⱼ₍ⱼ₌₀…ᵢ₎ aᵢⱼ zⱼ,   zᵢ = h f(t + cᵢh, Yᵢ),   a₀₀ = 0,  aᵢᵢ = γ (i ≥ 1),
///
/// u₁ = u₀ + Σᵢ bᵢ zᵢ and the error estimate Σᵢ b̃ᵢ zᵢ (b̃ = b − b̂). Stage 0 is f(t, u₀), which
/// the integrator already holds; a method without an explicit stage (implicit Euler) has a zero
/// first column, so it costs nothing.
///
/// References: E. Hairer and G. Wanner, Solving ODEs II, §IV.6 (DIRK methods) and §IV.8
/// (their implementation); C. A. Kennedy and M. H. Carpenter, "Diagonally implicit Runge–Kutta
/// methods for stiff ODEs: a review", NASA/TM-2016-219173.
public struct SDIRKCoefficients: Sendable, Equatable {
    /// The diagonal γ of the implicit stages.
    public let gamma: Double
    /// Lower-triangular coefficients including the diagonal, row-major `stages × stages`.
    public let a: [Double]
    public let b: [Double]
    public let c: [Double]
    /// Error weights b − b̂.
    public let btilde: [Double]

    /// Starting values for the Newton iterations, row-major `stages × stages`: stage i starts
    /// from zᵢ⁰ = Σⱼ₍ⱼ<ᵢ₎ predictorᵢⱼ zⱼ, the polynomial through the last three earlier stages with
    /// distinct c, extrapolated to cᵢ (zⱼ/h ≈ u′(t + cⱼh): the stages are derivatives along the step).
    public let predictor: [Double]

    public var stages: Int { c.count }
    /// Whether u₁ is the last stage value (bᵢ = aₛᵢ), so the method is L-stable when A-stable
    /// and the last stage's derivative is f(t + h, u₁) to the Newton tolerance.
    public var stifflyAccurate: Bool { (0..<stages).allSatisfy { a[(stages - 1) * stages + $0] == b[$0] } }

    /// Builds and checks the coefficients: `a[i]` holds row i up to and including the diagonal
    /// (`i + 1` entries); row 0 is `[0]`. Rows sum to c, b sums to 1, b̂ sums to 1.
    public init(name: String, a: [[Double]], b: [Double], c: [Double], bhat: [Double], tolerance: Double = 1e-14) throws {
        let s = c.count
        func fail(_ why: String) -> TableauError { TableauError(method: name, reason: why) }
        guard s >= 2, a.count == s, b.count == s, bhat.count == s else {
            throw fail("an ESDIRK method of \(s) stages needs \(s) rows of a and \(s) weights in b and b̂")
        }
        guard a[0].count == 1, a[0][0] == 0, c[0] == 0 else { throw fail("the first stage must be explicit (a₀₀ = 0, c₀ = 0)") }
        let gamma = a[1].last ?? 0
        guard gamma > 0 else { throw fail("the diagonal γ must be positive") }
        var flat = [Double](repeating: 0, count: s * s)
        for i in 0..<s {
            guard a[i].count == i + 1 else { throw fail("row \(i) of a has \(a[i].count) entries, expected \(i + 1)") }
            if i > 0, a[i][i] != gamma { throw fail("row \(i) has diagonal \(a[i][i]), not γ = \(gamma)") }
            for j in 0...i { flat[i * s + j] = a[i][j] }
            let sum = a[i].reduce(0, +)
            guard Swift.abs(sum - c[i]) <= tolerance * Swift.max(1, Swift.abs(c[i])) else {
                throw fail("row \(i) of a sums to \(sum), not c[\(i)] = \(c[i])")
            }
        }
        guard Swift.abs(b.reduce(0, +) - 1) <= tolerance else { throw fail("b sums to \(b.reduce(0, +)), not 1") }
        guard Swift.abs(bhat.reduce(0, +) - 1) <= tolerance else { throw fail("b̂ sums to \(bhat.reduce(0, +)), not 1") }
        self.gamma = gamma
        self.a = flat
        self.b = b
        self.c = c
        btilde = zip(b, bhat).map { $0 - $1 }
        predictor = Self.predictorWeights(c)
    }

    /// Lagrange weights at cᵢ over up to three earlier stages with distinct nodes, latest first.
    static func predictorWeights(_ c: [Double], points: Int = 3) -> [Double] {
        let s = c.count
        var weights = [Double](repeating: 0, count: s * s)
        for i in 1..<s {
            var chosen: [Int] = []
            for j in stride(from: i - 1, through: 0, by: -1) where chosen.count < points {
                if chosen.allSatisfy({ Swift.abs(c[$0] - c[j]) > 1e-3 }) { chosen.append(j) }
            }
            for k in chosen {
                var w = 1.0
                for l in chosen where l != k { w *= (c[i] - c[l]) / (c[k] - c[l]) }
                weights[i * s + k] = w
            }
        }
        return weights
    }
}
