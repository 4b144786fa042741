import DiffEq
import Foundation

/// A solve ready to run: the engine problem, method and options `solve`'s arguments chose.
struct PreparedSolve: @unchecked Sendable {
    let problem: DiffEq.ODEProblem
    let method: ODEMethod
    let options: SolverOptions
    /// The first error a language right-hand side or callback raised while running.
    let failure: RHSFailure
    /// Whether `run` may be called off the interpreter's thread: the right-hand side is
    /// compiled (its workspaces are per integrator) and no language callback runs.
    let isThreadSafe: Bool

    /// Runs the engine.
    func run() -> ODESolution {
        switch method {
        case .single(let tableau): return DiffEq.solve(problem, tableau, options: options)
        case .composite(let composite): return DiffEq.solve(problem, composite, options: options)
        }
    }

    /// The solution as a language value, or the error a language function raised during the run.
    func value(_ solution: ODESolution) throws -> Value {
        if let error = failure.error { throw error }
        return .engine(.solution(SolutionObject(solution: solution, algorithm: method.name)))
    }
}

/// A method `solve` runs: one tableau, or an explicit/stiff pair (`AutoTsit5(Rosenbrock23())`).
enum ODEMethod {
    case single(ButcherTableau)
    case composite(CompositeAlgorithm)

    /// The method a language algorithm value names (`Tsit5`, `AutoTsit5(Rosenbrock23())`).
    init(named name: String) throws {
        if let open = name.firstIndex(of: "("), name.hasSuffix("())") {
            let stiff = name[name.index(after: open)..<name.index(name.endIndex, offsetBy: -3)]
            self = .composite(try MethodRegistry.composite(named: String(name[..<open]), stiff: String(stiff)))
        } else {
            self = .single(try MethodRegistry.method(named: name))
        }
    }

    /// SciML's spelling, without the final `()` of a plain method.
    var name: String {
        switch self {
        case .single(let tableau): return tableau.name
        case .composite(let composite): return composite.name
        }
    }
}
