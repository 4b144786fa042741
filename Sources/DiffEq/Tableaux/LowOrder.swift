// The low-order explicit methods. Their error estimates compare with an embedded Euler
// step (as OrdinaryDiffEq's Midpoint, Heun and Ralston do) or, for Euler and RK4, with a
// formula that also uses f(t + h, u₁), which the integrator evaluates anyway.

extension ButcherTableau {
    /// Forward Euler, with the Heun estimate h/2 (f₁ − f₀) for adaptivity.
    public static func euler() throws -> ButcherTableau {
        try ButcherTableau(name: "Euler", order: 1, embeddedOrder: 2, a: [[]], b: [1], c: [0],
                           bhat: [0.5, 0.5])
    }

    /// The explicit midpoint rule, with embedded Euler.
    public static func midpoint() throws -> ButcherTableau {
        try ButcherTableau(name: "Midpoint", order: 2, embeddedOrder: 1, a: [[], [0.5]], b: [0, 1], c: [0, 0.5],
                           bhat: [1, 0])
    }

    /// Heun's method (explicit trapezoid), with embedded Euler.
    public static func heun() throws -> ButcherTableau {
        try ButcherTableau(name: "Heun", order: 2, embeddedOrder: 1, a: [[], [1]], b: [0.5, 0.5], c: [0, 1],
                           bhat: [1, 0])
    }

    /// Ralston's second-order method (minimum error bound), with embedded Euler.
    /// References: A. Ralston, "Runge–Kutta methods with minimum error bounds", Math. Comp. 16, 1962.
    public static func ralston() throws -> ButcherTableau {
        try ButcherTableau(name: "Ralston", order: 2, embeddedOrder: 1, a: [[], [2.0 / 3]], b: [0.25, 0.75],
                           c: [0, 2.0 / 3], bhat: [1, 0])
    }

    /// The classical fourth-order method. Its estimate uses the third-order weights
    /// (1/6, 1/3, 1/3, 0 | 1/6) over the stages and f(t + h, u₁): err = h (k₄ − f₁)/6.
    public static func rk4() throws -> ButcherTableau {
        try ButcherTableau(name: "RK4", order: 4, embeddedOrder: 3,
                           a: [[], [0.5], [0, 0.5], [0, 0, 1]], b: [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6],
                           c: [0, 0.5, 0.5, 1], bhat: [1.0 / 6, 1.0 / 3, 1.0 / 3, 0, 1.0 / 6])
    }

    /// Bogacki–Shampine 3(2), FSAL, with cubic Hermite dense output (3rd order, free).
    /// References: P. Bogacki and L. F. Shampine, "A 3(2) pair of Runge–Kutta formulas",
    /// Appl. Math. Lett. 2(4), 1989.
    public static func bs3() throws -> ButcherTableau {
        try ButcherTableau(name: "BS3", order: 3, embeddedOrder: 2,
                           a: [[], [0.5], [0, 0.75], [2.0 / 9, 1.0 / 3, 4.0 / 9]],
                           b: [2.0 / 9, 1.0 / 3, 4.0 / 9, 0], c: [0, 0.5, 0.75, 1],
                           bhat: [7.0 / 24, 0.25, 1.0 / 3, 0.125], fsal: true)
    }
}
