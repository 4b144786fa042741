/// The explicit Runge–Kutta methods by name, as the language picks them (`Tsit5()`, `DP5()`).
///
/// Adding a method is one tableau file and one line here; every test that loops over the
/// registry (tableau identities, convergence order, dense output order) then covers it.
public enum MethodRegistry {
    public static let builders: [(name: String, make: @Sendable () throws -> ButcherTableau)] = [
        ("Euler", ButcherTableau.euler),
        ("Midpoint", ButcherTableau.midpoint),
        ("Heun", ButcherTableau.heun),
        ("Ralston", ButcherTableau.ralston),
        ("RK4", ButcherTableau.rk4),
        ("BS3", ButcherTableau.bs3),
        ("DP5", ButcherTableau.dp5),
        ("Tsit5", ButcherTableau.tsit5),
        ("Vern6", ButcherTableau.vern6),
        ("Vern7", ButcherTableau.vern7),
        ("Vern8", ButcherTableau.vern8),
        ("Vern9", ButcherTableau.vern9),
        ("DP8", ButcherTableau.dp8),
    ]

    /// Methods for stiff problems, by name (their stepping routines solve linear systems with
    /// W = I − γhJ: Rosenbrock–Wanner methods, and diagonally implicit Runge–Kutta methods whose
    /// stages are solved by Newton iterations).
    public static let stiffBuilders: [(name: String, make: @Sendable () throws -> ButcherTableau)] = [
        ("Rosenbrock23", ButcherTableau.rosenbrock23),
        ("Rosenbrock32", ButcherTableau.rosenbrock32),
        ("Rodas4", ButcherTableau.rodas4),
        ("Rodas5P", ButcherTableau.rodas5P),
        ("ImplicitEuler", ButcherTableau.implicitEuler),
        ("Trapezoid", ButcherTableau.trapezoid),
        ("TRBDF2", ButcherTableau.trbdf2),
        ("KenCarp4", ButcherTableau.kenCarp4),
        ("Kvaerno5", ButcherTableau.kvaerno5),
        ("QNDF", { try ButcherTableau.qndf() }),
    ]

    /// Composite methods (`AutoTsit5(Rosenbrock23())`): SciML's names and their explicit method,
    /// paired with any stiff method by `composite(named:stiff:)`.
    public static let compositeBuilders: [(name: String, nonstiff: String)] = [
        ("AutoTsit5", "Tsit5"), ("AutoDP5", "DP5"), ("AutoVern6", "Vern6"), ("AutoVern7", "Vern7"),
        ("AutoVern8", "Vern8"), ("AutoVern9", "Vern9"),
    ]

    /// The composite method `name(stiff())`, e.g. `composite(named: "AutoVern7", stiff: "Rodas5P")`.
    public static func composite(named name: String, stiff: String) throws -> CompositeAlgorithm {
        guard let entry = compositeBuilders.first(where: { $0.name == name }) else {
            throw TableauError(method: name, reason: "unknown composite method; known: " + compositeBuilders.map(\.name).joined(separator: ", "))
        }
        return try CompositeAlgorithm(nonstiff: method(named: entry.nonstiff), stiff: method(named: stiff))
    }

    /// The names of all registered methods, explicit then stiff.
    public static var names: [String] { (builders + stiffBuilders).map(\.name) }

    /// The method with this name (case-sensitive, as in SciML), or an error listing the known ones.
    public static func method(named name: String) throws -> ButcherTableau {
        guard let b = (builders + stiffBuilders).first(where: { $0.name == name }) else {
            throw TableauError(method: name, reason: "unknown method; known: " + names.joined(separator: ", "))
        }
        return try b.make()
    }
}
