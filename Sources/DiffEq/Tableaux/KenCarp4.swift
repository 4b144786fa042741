extension ButcherTableau {
    /// KenCarp4: the implicit part of Kennedy and Carpenter's additive method ARK4(3)6L[2]SA, an
    /// L-stable, stiffly accurate ESDIRK of order 4 with an embedded order-3 estimate, six stages
    /// (five implicit), γ = 1/4. Coefficients as the rationals of the paper's Table 5.
    ///
    /// References: C. A. Kennedy and M. H. Carpenter, "Additive Runge–Kutta schemes for
    /// convection–diffusion–reaction equations", Appl. Numer. Math. 44, 139–181, 2003.
    public static func kenCarp4() throws -> ButcherTableau {
        let q = 0.25
        let a: [[Double]] = [
            [0],
            [q, q],
            [8611.0 / 62500, -1743.0 / 31250, q],
            [5012029.0 / 34652500, -654441.0 / 2922500, 174375.0 / 388108, q],
            [15267082809.0 / 155376265600, -71443401.0 / 120774400, 730878875.0 / 902184768,
             2285395.0 / 8070912, q],
            [82889.0 / 524892, 0, 15625.0 / 83664, 69875.0 / 102672, -2260.0 / 8211, q],
        ]
        let bhat = [4586570599.0 / 29645900160, 0, 178811875.0 / 945068544, 814220225.0 / 1159782912,
                    -3700637.0 / 11593932, 61727.0 / 225920]
        let c = try SDIRKCoefficients(name: "KenCarp4", a: a, b: a[5], c: [0, 0.5, 83.0 / 250, 31.0 / 50, 17.0 / 20, 1],
                                      bhat: bhat)
        return sdirk(name: "KenCarp4", order: 4, embeddedOrder: 3, c)
    }
}
