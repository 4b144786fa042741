/// The constants of a Rosenbrock–Wanner method in the transformed form of Kaps and Rentrop,
/// as OrdinaryDiffEq.jl stores them: with W = I/(hγ) − J, the stage increments are
///
///     W kᵢ = f(t + cᵢh, u₀ + Σⱼ aᵢⱼ kⱼ) + h dᵢ ∂f/∂t + Σⱼ (Cᵢⱼ/h) kⱼ,
///
/// u₁ = u₀ + Σᵢ bᵢ kᵢ, the error estimate Σᵢ b̃ᵢ kᵢ, and the dense output
/// u(θ) = (1 − θ) u₀ + θ (u₁ + (1 − θ)(K₁ + θ (K₂ + θ K₃ …))) with Kᵣ = Σᵢ Hᵣᵢ kᵢ.
///
/// References: P. Kaps and P. Rentrop, "Generalized Runge–Kutta methods of order four with
/// stepsize control for stiff ordinary differential equations", Numer. Math. 33, 1979;
/// E. Hairer and G. Wanner, Solving ODEs II, §IV.7 (the transformed formulation).
public struct RosenbrockCoefficients: Sendable, Equatable {
    /// The diagonal γ.
    public let gamma: Double
    /// Strictly lower-triangular stage coefficients, row-major `stages × stages`.
    public let a: [Double]
    /// Strictly lower-triangular coupling coefficients, row-major `stages × stages`.
    public let cMatrix: [Double]
    /// Stage times.
    public let c: [Double]
    /// Coefficients of ∂f/∂t per stage.
    public let d: [Double]
    /// Weights of the stage increments in u₁.
    public let b: [Double]
    /// Weights of the stage increments in the error estimate.
    public let btilde: [Double]
    /// Dense-output rows, each over all stages.
    public let h: [[Double]]

    public var stages: Int { c.count }

    /// Builds and checks the coefficients (lower triangles given as rows, `a[i]` with `i` entries).
    public init(name: String, gamma: Double, a: [[Double]], cMatrix: [[Double]], c: [Double], d: [Double],
                b: [Double], btilde: [Double], h: [[Double]]) throws {
        let s = c.count
        func fail(_ why: String) -> TableauError { TableauError(method: name, reason: why) }
        guard a.count == s, cMatrix.count == s, d.count == s, b.count == s, btilde.count == s else {
            throw fail("Rosenbrock coefficients of \(s) stages have mismatched lengths")
        }
        var flatA = [Double](repeating: 0, count: s * s), flatC = flatA
        for i in 0..<s {
            guard a[i].count == i, cMatrix[i].count == i else { throw fail("row \(i) has the wrong length") }
            for j in 0..<i { flatA[i * s + j] = a[i][j]; flatC[i * s + j] = cMatrix[i][j] }
        }
        guard h.allSatisfy({ $0.count == s }) else { throw fail("dense rows need \(s) entries") }
        guard gamma > 0 else { throw fail("γ must be positive") }
        self.gamma = gamma
        self.a = flatA
        self.cMatrix = flatC
        self.c = c
        self.d = d
        self.b = b
        self.btilde = btilde
        self.h = h
    }
}
