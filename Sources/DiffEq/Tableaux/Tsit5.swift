extension ButcherTableau {
    /// Tsitouras 5(4), FSAL, 7 stages, with its free 4th-order continuous extension.
    ///
    /// The pair satisfies only the first-column simplifying assumption, which leaves room for a
    /// smaller 5th-order error than DP5's at the same cost. b̂ are Tsitouras's 4th-order weights;
    /// they include k₇ = f(t + h, u₁), so the error weights (OrdinaryDiffEq's `btilde`, sign aside)
    /// span all seven stages. The dense output bᵢ(θ) = Σₘ rᵢₘ θᵐ (m = 1...4) is the expanded form of
    /// the quartic polynomials of the paper, as OrdinaryDiffEq's Tsit5 interpolation uses them; it
    /// needs no extra stages.
    ///
    /// References: Ch. Tsitouras, "Runge–Kutta pairs of order 5(4) satisfying only the first column
    /// simplifying assumption", Comput. Math. Appl. 62(2), 2011, 770–775. Numbers from the
    /// high-precision values in OrdinaryDiffEq.jl (`tsit_tableaus.jl`), correctly rounded to Double.
    public static func tsit5() throws -> ButcherTableau {
        let a: [[Double]] = [
            [],
            [0.161],
            [-0.008480655492356989, 0.335480655492357],
            [2.8971530571054935, -6.359448489975075, 4.3622954328695815],
            [5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525],
            [5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.028269050394068383],
            [0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081,
             2.324710524099774],
        ]
        let b = a[6] + [0]   // FSAL: the last stage is f(t + h, u₁)
        let bhat: [Double] = [0.09468075576583945, 0.009183565540343254, 0.4877705284247616, 1.234297566930479,
                              -2.7077123499835256, 1.866628418170587, 1.0 / 66]
        let c: [Double] = [0, 0.161, 0.327, 0.9, 0.9800255409045097, 1, 1]
        let dense: [[Double]] = [
            [1, -2.763706197274826, 2.9132554618219126, -1.0530884977290216],
            [0, 0.13169999999999998, -0.2234, 0.1017],
            [0, 3.9302962368947516, -5.941033872131505, 2.490627285651253],
            [0, -12.411077166933676, 30.33818863028232, -16.548102889244902],
            [0, 37.50931341651104, -88.1789048947664, 47.37952196281928],
            [0, -27.896526289197286, 65.09189467479366, -34.87065786149661],
            [0, 1.5, -4, 2.5],
            [],
        ]
        return try ButcherTableau(name: "Tsit5", order: 5, embeddedOrder: 4, a: a, b: b, c: c,
                                  bhat: bhat, fsal: true, dense: dense, denseOrder: 4)
    }
}
