// The low-order diagonally implicit methods, in the ESDIRK form of `SDIRKCoefficients`.

extension ButcherTableau {
    /// A method of the diagonally implicit family: its stages are solved by the integrator's
    /// Newton iterations (`ODEIntegrator+SDIRK.swift`). Slots: 0 = f(t, u₀) (the explicit stage),
    /// i = zᵢ/h, `stages` = f(t + h, u₁). The dense output is cubic Hermite interpolation from
    /// u₀, u₁, f₀ and f₁ (third order; none of these methods publishes its own).
    static func sdirk(name: String, order: Int, embeddedOrder: Int, _ coefficients: SDIRKCoefficients) -> ButcherTableau {
        let s = coefficients.stages
        return ButcherTableau(family: .sdirk(coefficients), name: name, order: order, embeddedOrder: embeddedOrder,
                              stages: s, b: coefficients.b, c: coefficients.c,
                              dense: ButcherTableau.hermite(b: coefficients.b, fsal: false, slots: s + 1),
                              interpolation: .hermite)
    }

    /// Implicit (backward) Euler, L-stable, order 1. Its error estimate compares with the
    /// trapezoidal rule on the same stage: (h/2)(k₁ − f₀), filtered by W⁻¹ (OrdinaryDiffEq
    /// estimates from divided differences of past steps instead; this one needs no history).
    public static func implicitEuler() throws -> ButcherTableau {
        let c = try SDIRKCoefficients(name: "ImplicitEuler", a: [[0], [0, 1]], b: [0, 1], c: [0, 1], bhat: [0.5, 0.5])
        return sdirk(name: "ImplicitEuler", order: 1, embeddedOrder: 2, c)
    }

    /// The trapezoidal rule (Crank–Nicolson), A-stable, order 2, with embedded implicit Euler
    /// (the estimate (h/2)(f₀ − k₁), filtered by W⁻¹).
    public static func trapezoid() throws -> ButcherTableau {
        let c = try SDIRKCoefficients(name: "Trapezoid", a: [[0], [0.5, 0.5]], b: [0.5, 0.5], c: [0, 1], bhat: [0, 1])
        return sdirk(name: "Trapezoid", order: 2, embeddedOrder: 1, c)
    }

    /// TR-BDF2: a trapezoidal stage to t + γh and a BDF2 stage to t + h, γ = 2 − √2, as the
    /// L-stable ESDIRK with d = γ/2, ω = √2/4: A = [0; d d; ω ω d], b = (ω, ω, d), with
    /// Hosea and Shampine's third-order companion b̂ = ((1 − ω)/3, (3ω + 1)/3, d/3).
    /// References: M. E. Hosea and L. F. Shampine, "Analysis and implementation of TR-BDF2",
    /// Appl. Numer. Math. 20, 21–37, 1996; R. E. Bank et al., "Transient simulation of silicon
    /// devices and circuits", IEEE Trans. CAD 4, 1985.
    public static func trbdf2() throws -> ButcherTableau {
        let g = 2 - 2.0.squareRoot(), d = g / 2, w = 2.0.squareRoot() / 4
        let c = try SDIRKCoefficients(name: "TRBDF2", a: [[0], [d, d], [w, w, d]], b: [w, w, d], c: [0, g, 1],
                                      bhat: [(1 - w) / 3, (3 * w + 1) / 3, d / 3])
        return sdirk(name: "TRBDF2", order: 2, embeddedOrder: 3, c)
    }
}
