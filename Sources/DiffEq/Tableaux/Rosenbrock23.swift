extension ButcherTableau {
    /// Rosenbrock23: the L-stable linearly implicit 2(3) pair of MATLAB's ode23s, for stiff
    /// problems. Per step one Jacobian (given, or by finite differences, counted in the stats),
    /// one LU of W = I − γhJ with γ = 1/(2 + √2), and three evaluations of f; the error
    /// estimate is third order, and its dense output is the free second-order interpolant
    /// u(θ) = u₀ + h (θ(1−θ)/(1−2γ) k₁ + θ(θ−2γ)/(1−2γ) k₂).
    ///
    /// References: L. F. Shampine and M. W. Reichelt, "The MATLAB ODE suite", SIAM J. Sci.
    /// Comput. 18(1), 1997.
    public static func rosenbrock23() throws -> ButcherTableau {
        let gamma = 1 / (2 + 2.0.squareRoot())
        let w = 1 / (1 - 2 * gamma)
        // Slots: 0 = f(t, u₀), 1 = k₁, 2 = k₂ (u₁ = u₀ + h k₂), 3 = f(t + h, u₁).
        return ButcherTableau(family: .rosenbrock23, name: "Rosenbrock23", order: 2, embeddedOrder: 3, stages: 3,
                              b: [0, 0, 1], c: [0, 0.5, 1],
                              dense: [[], [w, -w], [-2 * gamma * w, w]], interpolation: .own(order: 2))
    }
}
