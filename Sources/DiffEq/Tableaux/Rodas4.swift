extension ButcherTableau {
    /// Rodas4: Hairer and Wanner's 6-stage, 4th-order, stiffly accurate and L-stable
    /// Rosenbrock–Wanner method for stiff ODEs and index-1 DAEs, with an embedded 3rd-order
    /// estimate (the last stage's increment) and a 3rd-order dense output from two stage
    /// combinations (Steinebach's). Per step one Jacobian, one LU of W = M/(hγ) − J, and eight
    /// evaluations of f (six stages, ∂f/∂t and f(t + h, u₁)).
    ///
    /// Coefficients in the transformed form, as in RODAS (Hairer and Wanner's Fortran code,
    /// "Solving ODEs II", §VI.4) and OrdinaryDiffEq.jl's Rodas4.
    ///
    /// References: E. Hairer and G. Wanner, "Solving Ordinary Differential Equations II",
    /// 2nd ed., Springer 1996, §VI.4 (RODAS); G. Steinebach, "Order-reduction of ROW-methods
    /// for DAEs and method of lines applications", Preprint 1741, TU Darmstadt, 1995 (dense output).
    public static func rodas4() throws -> ButcherTableau {
        let a5 = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950]
        let a: [[Double]] = [
            [],
            [1.544000000000000],
            [0.9466785280815826, 0.2557011698983284],
            [3.314825187068521, 2.896124015972201, 0.9986419139977817],
            a5,
            a5 + [1],
        ]
        let cMatrix: [[Double]] = [
            [],
            [-5.668800000000000],
            [-2.430093356833875, -0.2063599157091915],
            [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
            [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160],
            [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
        ]
        let c = [0, 0.386, 0.21, 0.63, 1, 1]
        let d = [0.25, -0.1043, 0.1035, -0.03620000000000023, 0, 0]
        let h: [[Double]] = [
            [10.12623508344586, -7.487995877610167, -34.80091861555747, -7.992771707568823, 1.025137723295662, 0],
            [-0.6762803392801253, 6.087714651680015, 16.43084320892478, 24.76722511418386, -6.594389125716872, 0],
        ]
        let coefficients = try RosenbrockCoefficients(
            name: "Rodas4", gamma: 0.25, a: a, cMatrix: cMatrix, c: c, d: d,
            b: a5 + [1, 1], btilde: [0, 0, 0, 0, 0, 1], h: h)
        return try rosenbrock(name: "Rodas4", order: 4, embeddedOrder: 3, coefficients, denseOrder: 3)
    }

    /// Rosenbrock32: the stages of ode23s (Rosenbrock23) with the roles of the pair swapped —
    /// the step advances with the third-order u₀ + h/6 (k₁ + 4k₂ + k₃), estimated by the
    /// second-order one. A-stable rather than L-stable, for mildly stiff problems. Four
    /// evaluations of f per step. Dense output: ode23s's interpolant plus θ² times the
    /// difference of the two solutions, so it ends at the propagated u₁ (second order).
    ///
    /// References: L. F. Shampine and M. W. Reichelt, "The MATLAB ODE suite", SIAM J. Sci.
    /// Comput. 18(1), 1997; OrdinaryDiffEq.jl's Rosenbrock32.
    public static func rosenbrock32() throws -> ButcherTableau {
        let gamma = 1 / (2 + 2.0.squareRoot())
        let w = 1 / (1 - 2 * gamma)
        // Slots: 0 = f(t, u₀), 1 = k₁, 2 = k₂, 3 = k₃, 4 = f(t + h, u₁).
        let sixth = 1.0 / 6
        let dense: [[Double]] = [[], [w, sixth - w], [-2 * gamma * w, w - 2 * sixth], [0, sixth]]
        return ButcherTableau(family: .rosenbrock32, name: "Rosenbrock32", order: 3, embeddedOrder: 2, stages: 4,
                              b: [0, sixth, 4 * sixth, sixth], c: [0, 0.5, 1, 1],
                              dense: dense, interpolation: .own(order: 2))
    }
}
