extension ButcherTableau {
    /// Dormand–Prince 5(4), FSAL, with Hairer's 4th-order continuous extension (DOPRI5).
    ///
    /// The dense output u(θ) = u₀ + θ(Δ + (1−θ)(B + θ(R₄ + (1−θ)R₅))) of DOPRI5, with
    /// Δ = u₁ − u₀, B = h k₁ − Δ, R₄ = Δ − h k₇ − B and R₅ = h Σ dᵢ kᵢ, is rewritten per stage:
    /// bᵢ(θ) = (3θ² − 2θ³) bᵢ + [i = 1] θ(1 − θ)² − [i = 7] θ²(1 − θ) + θ²(1 − θ)² dᵢ.
    ///
    /// References: J. R. Dormand and P. J. Prince, "A family of embedded Runge–Kutta formulae",
    /// J. Comp. Appl. Math. 6(1), 1980; E. Hairer, S. P. Nørsett, G. Wanner, "Solving Ordinary
    /// Differential Equations I", 2nd ed., Springer 1993, §II.6 (dense output, code DOPRI5).
    public static func dp5() throws -> ButcherTableau {
        let b: [Double] = [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0]
        let e: [Double] = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]
        let d: [Double] = [-12715105075.0 / 11282082432.0, 0, 87487479700.0 / 32700410799.0,
                           -10690763975.0 / 1880347072.0, 701980252875.0 / 199316789632.0,
                           -1453857185.0 / 822651844.0, 69997945.0 / 29380423.0]
        let hermite: [Double] = [0, 0, 3, -2]           // 3θ² − 2θ³
        let start: [Double] = [0, 1, -2, 1]             // θ(1 − θ)²
        let end: [Double] = [0, 0, -1, 1]               // −θ²(1 − θ)
        let bump: [Double] = [0, 0, 1, -2, 1]           // θ²(1 − θ)²
        let dense: [[Double]] = (0..<7).map { i in
            var p = Poly.add(Poly.scale(hermite, b[i]), Poly.scale(bump, d[i]))
            if i == 0 { p = Poly.add(p, start) }
            if i == 6 { p = Poly.add(p, end) }
            return Poly.denseRow(p)
        }
        return try ButcherTableau(
            name: "DP5", order: 5, embeddedOrder: 4,
            a: [[],
                [1.0 / 5],
                [3.0 / 40, 9.0 / 40],
                [44.0 / 45, -56.0 / 15, 32.0 / 9],
                [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
                [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
                [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84]],
            b: b, c: [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1],
            btilde: e, fsal: true, dense: dense, denseOrder: 4)
    }
}
