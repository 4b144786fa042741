/// An explicit Runge–Kutta method as data: coefficients, error weights and dense output. The
/// implicit families (`Family`: Rosenbrock, SDIRK, NDF) use the same slots and dense output,
/// with their own constants and stepping routines.
///
/// Stages are numbered 0..<stages. The integrator also keeps one more slot, `stages`, for
/// f(t + h, u₁), the derivative at the end of an accepted step (for an FSAL method that is
/// the last stage itself, so the slot aliases it). Interpolation-only stages, evaluated
/// lazily when a step's dense output is needed, follow from `stages + 1` on; each has its
/// own `c` and a row over all earlier slots.
///
/// Dense output is `u(t + θh) = u₀ + h Σᵢ bᵢ(θ) kᵢ` with bᵢ(θ) = Σₘ dense[i][m] θ^(m+1),
/// over all slots. Every method has one: its own continuous extension where the method
/// publishes one, otherwise cubic Hermite interpolation from u₀, u₁, f₀ = k₀ and f₁
/// (`Interpolation.hermite`), which is 3rd order.
///
/// The initialiser checks the tableau (rows of `a` sum to `c`, `b` sums to 1, error weights
/// sum to 0, the dense output reproduces `b` at θ = 1), so a mistyped coefficient fails
/// loudly when the method is registered, not silently in a solve.
public struct ButcherTableau: Sendable, CustomStringConvertible {
    /// How the dense output was obtained, for documentation and for order tests.
    public enum Interpolation: Sendable, Equatable {
        /// The method's own continuous extension, of this order.
        case own(order: Int)
        /// Cubic Hermite interpolation from the step's end values and derivatives (order 3).
        case hermite
    }

    public let name: String
    /// Order of the solution that is propagated.
    public let order: Int
    /// Order of the embedded solution the error estimate compares with; nil when the method
    /// has no error estimate (it then runs with fixed steps only).
    public let embeddedOrder: Int?
    public let stages: Int
    /// Strictly lower-triangular coefficients, row-major `stages × stages`.
    public let a: [Double]
    public let b: [Double]
    public let c: [Double]
    /// Error weights `b − b̂` (length `stages + 1`: the last multiplies f(t + h, u₁)); all zero without an estimate.
    public let btilde: [Double]
    /// Whether the last stage is f(t + h, u₁) (its row of `a` equals `b`, `c` = 1).
    public let fsal: Bool
    /// Lazily evaluated interpolation stages: c and a row over the `stages + 1 + k` earlier slots.
    public let extraStages: [(c: Double, a: [Double])]
    /// Dense-output polynomial coefficients per slot (`stages + 1 + extraStages.count` rows).
    public let dense: [[Double]]
    public let interpolation: Interpolation
    /// The stepping routine: explicit Runge–Kutta from the coefficients, or a linearly
    /// implicit (Rosenbrock) family whose routine reads its own constants.
    public let family: Family

    /// Stepping families. A family is one routine; its methods are data.
    public enum Family: Sendable, Equatable {
        case explicit
        /// Rosenbrock23 (MATLAB's ode23s): slots are f(t, u), k₁, k₂ and f(t + h, u₁).
        case rosenbrock23
        /// Rosenbrock32: ode23s's stages advanced with the third-order solution; slots are
        /// f(t, u), k₁, k₂, k₃ and f(t + h, u₁).
        case rosenbrock32
        /// A Rosenbrock–Wanner method in the transformed (Kaps–Rentrop) form, read from its
        /// coefficients: slots are f(t, u), (u₁ − u₀)/h, the dense-output combinations
        /// Σᵢ Hᵣᵢ kᵢ / h, and f(t + h, u₁).
        case rosenbrock(RosenbrockCoefficients)
        /// A singly diagonally implicit Runge–Kutta method with an explicit first stage, its
        /// stage equations solved by simplified Newton iterations: slot i holds zᵢ/h (slot 0 is
        /// f(t, u₀)), the end slot f(t + h, u₁); the dense output is cubic Hermite.
        case sdirk(SDIRKCoefficients)
        /// A variable-order numerical differentiation formula (orders 1 ... maxOrder), solved by
        /// Newton iterations: slots are f(t, u₀), (u₁ − u₀)/h and f(t + h, u₁) (cubic Hermite
        /// dense output); its history lives in the integrator.
        case ndf(maxOrder: Int)
    }

    /// Whether the method solves linear systems with the Jacobian (a stiff method).
    public var isImplicit: Bool { family != .explicit }

    /// All slots: stages, the end derivative and the interpolation stages.
    public var slots: Int { stages + 1 + extraStages.count }
    public var isAdaptive: Bool { embeddedOrder != nil }
    /// Order of the dense output.
    public var denseOrder: Int {
        switch interpolation {
        case .own(let q): return q
        case .hermite: return Swift.min(3, order)
        }
    }

    public var description: String {
        if case .ndf(let maxOrder) = family { return "\(name) (variable order 1–\(maxOrder))" }
        return "\(name) (order \(order)\(embeddedOrder.map { "(\($0))" } ?? ""), \(stages) stages)"
    }

    /// Builds and checks a tableau.
    /// - Parameters:
    ///   - a: rows of the lower triangle, `a[i]` with `i` entries (row 0 empty).
    ///   - bhat: the embedded weights (length `stages`, or `stages + 1` when the estimate
    ///     uses f(t + h, u₁)); omit for fixed-step methods.
    ///   - dense: the method's own dense output, if it has one; otherwise cubic Hermite is built.
    public init(name: String, order: Int, embeddedOrder: Int? = nil, a: [[Double]], b: [Double], c: [Double],
                bhat: [Double]? = nil, btilde: [Double]? = nil, fsal: Bool = false,
                extraStages: [(c: Double, a: [Double])] = [], dense: [[Double]]? = nil, denseOrder: Int? = nil,
                tolerance: Double = 1e-13) throws {
        let s = b.count
        func fail(_ why: String) -> TableauError { TableauError(method: name, reason: why) }
        guard a.count == s, c.count == s else { throw fail("a has \(a.count) rows and c \(c.count) entries for \(s) stages") }
        var flat = [Double](repeating: 0, count: s * s)
        for (i, row) in a.enumerated() {
            guard row.count == i else { throw fail("row \(i) of a has \(row.count) entries, expected \(i)") }
            for (j, v) in row.enumerated() { flat[i * s + j] = v }
            let sum = row.reduce(0, +)
            guard Swift.abs(sum - c[i]) <= tolerance * Swift.max(1, Swift.abs(c[i])) else {
                throw fail("row \(i) of a sums to \(sum), not c[\(i)] = \(c[i])")
            }
        }
        guard Swift.abs(b.reduce(0, +) - 1) <= tolerance else { throw fail("b sums to \(b.reduce(0, +)), not 1") }
        var tilde = [Double](repeating: 0, count: s + 1)
        if let btilde {
            guard btilde.count == s || btilde.count == s + 1 else { throw fail("btilde has \(btilde.count) entries") }
            for (i, v) in btilde.enumerated() { tilde[i] = v }
        } else if let bhat {
            guard bhat.count == s || bhat.count == s + 1 else { throw fail("bhat has \(bhat.count) entries") }
            for i in 0..<s { tilde[i] = b[i] - bhat[i] }
            if bhat.count == s + 1 { tilde[s] = -bhat[s] }
        }
        if embeddedOrder != nil {
            let sum = tilde.reduce(0, +)
            guard Swift.abs(sum) <= tolerance else { throw fail("error weights sum to \(sum), not 0") }
            guard tilde.contains(where: { $0 != 0 }) else { throw fail("an adaptive method needs error weights") }
        }
        if fsal {
            guard Swift.abs(c[s - 1] - 1) <= tolerance,
                  zip(a[s - 1], b).allSatisfy({ Swift.abs($0 - $1) <= tolerance }), b[s - 1] == 0 else {
                throw fail("an FSAL method's last row of a must equal b, with c = 1 and b[last] = 0")
            }
        }
        if fsal {
            // Slot `stages` aliases the last stage of an FSAL method and is never filled:
            // nothing may read it.
            let readsAlias = (btilde?.count == s + 1 && btilde?[s] != 0) || (bhat?.count == s + 1 && bhat?[s] != 0)
                || extraStages.contains { $0.a.count > s && $0.a[s] != 0 }
                || (dense.map { $0.count > s && $0[s].contains { $0 != 0 } } ?? false)
            guard !readsAlias else { throw fail("an FSAL method must not use slot \(s) (it aliases its last stage)") }
        }
        for (k, e) in extraStages.enumerated() {
            guard e.a.count == s + 1 + k else { throw fail("interpolation stage \(k) has \(e.a.count) coefficients, expected \(s + 1 + k)") }
            let sum = e.a.reduce(0, +)
            guard Swift.abs(sum - e.c) <= tolerance * Swift.max(1, Swift.abs(e.c)) else {
                throw fail("interpolation stage \(k) sums to \(sum), not c = \(e.c)")
            }
        }
        let slots = s + 1 + extraStages.count
        let denseRows: [[Double]]
        if let dense {
            guard dense.count == slots || dense.count == s || dense.count == s + 1 else {
                throw fail("dense output has \(dense.count) rows for \(slots) slots")
            }
            denseRows = (0..<slots).map { $0 < dense.count ? dense[$0] : [] }
            // At θ = 1 the interpolant must reproduce the step: Σₘ dense[i][m] = b[i].
            for i in 0..<slots {
                let at1 = denseRows[i].reduce(0, +)
                let expected = i < s ? b[i] : 0
                // Relative to the row's size: high-order interpolants have monomial coefficients up
                // to 10⁶ (Verner's 8(7)), whose rounding alone exceeds an absolute 1e-12.
                let size = Swift.max(1, denseRows[i].reduce(0) { $0 + Swift.abs($1) })
                guard Swift.abs(at1 - expected) <= 1e-12 * size else {
                    throw fail("dense output row \(i) gives \(at1) at θ = 1, not b = \(expected)")
                }
            }
        } else {
            denseRows = ButcherTableau.hermite(b: b, fsal: fsal, slots: slots)
        }
        self.name = name
        self.order = order
        self.embeddedOrder = embeddedOrder
        self.stages = s
        self.a = flat
        self.b = b
        self.c = c
        self.btilde = tilde
        self.fsal = fsal
        self.extraStages = extraStages
        self.dense = denseRows
        self.interpolation = dense == nil ? .hermite : .own(order: denseOrder ?? order)
        family = .explicit
    }

    /// Cubic Hermite as dense coefficients:
    /// u(θ) = u₀ + (3θ² − 2θ³)(u₁ − u₀) + θ(1 − θ)² h f₀ − θ²(1 − θ) h f₁, with u₁ − u₀ = h Σ bᵢ kᵢ.
    static func hermite(b: [Double], fsal: Bool, slots: Int) -> [[Double]] {
        let s = b.count
        var rows = [[Double]](repeating: [], count: slots)
        for i in 0..<s { rows[i] = [0, 3 * b[i], -2 * b[i]] }
        rows[0] = zip(rows[0], [1, -2, 1]).map(+)                   // θ − 2θ² + θ³
        let end = fsal ? s - 1 : s
        rows[end] = zip(rows[end].isEmpty ? [0, 0, 0] : rows[end], [0, -1, 1]).map(+)   // −θ² + θ³
        return rows
    }

    /// The slot holding f(t + h, u₁).
    public var endSlot: Int { fsal ? stages - 1 : stages }
}

extension ButcherTableau {
    /// A method of a non-explicit family: its slots and dense output as data, its stepping
    /// routine in the integrator. `b` gives u₁ = u₀ + h Σ bᵢ kᵢ over the slots.
    init(family: Family, name: String, order: Int, embeddedOrder: Int, stages: Int, b: [Double], c: [Double],
         dense: [[Double]], interpolation: Interpolation) {
        self.name = name
        self.order = order
        self.embeddedOrder = embeddedOrder
        self.stages = stages
        a = [Double](repeating: 0, count: stages * stages)
        self.b = b
        self.c = c
        btilde = [Double](repeating: 0, count: stages + 1)
        fsal = false
        extraStages = []
        self.dense = (0...stages).map { $0 < dense.count ? dense[$0] : [] }
        self.interpolation = interpolation
        self.family = family
    }
}

/// A tableau that failed its own checks.
public struct TableauError: Error, CustomStringConvertible, Sendable {
    public let method: String
    public let reason: String
    public var description: String { "tableau \(method): \(reason)" }
}

/// Polynomial arithmetic on coefficient lists (index m is the coefficient of θ^m), for
/// writing continuous extensions in the form they are published.
public enum Poly {
    public static func add(_ p: [Double], _ q: [Double]) -> [Double] {
        (0..<Swift.max(p.count, q.count)).map { (($0 < p.count) ? p[$0] : 0) + (($0 < q.count) ? q[$0] : 0) }
    }
    public static func mul(_ p: [Double], _ q: [Double]) -> [Double] {
        guard !p.isEmpty, !q.isEmpty else { return [] }
        var r = [Double](repeating: 0, count: p.count + q.count - 1)
        for (i, x) in p.enumerated() { for (j, y) in q.enumerated() { r[i + j] += x * y } }
        return r
    }
    public static func scale(_ p: [Double], _ k: Double) -> [Double] { p.map { $0 * k } }
    /// Coefficients of θ¹, θ², ... of a polynomial with no constant term (the dense-row form).
    public static func denseRow(_ p: [Double]) -> [Double] { Array(p.dropFirst()) }
}
