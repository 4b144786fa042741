import DiffEq
import Foundation

/// `EnsembleProblem(prob; prob_func, output_func, reduction, u_init)`: SciML's ensemble of one
/// problem's variations. The functions are language functions, called on the interpreter's thread.
public final class EnsembleProblemObject {
    /// The base problem (`.engine(.problem)`), handed to `prob_func`.
    let problem: Value
    /// `(prob, i, repeat) -> prob′`; nil leaves every member the base problem.
    let probFunc: Value?
    /// `(sol, i) -> (output, rerun)`; nil keeps the solution.
    let outputFunc: Value?
    /// `(u, batch, I) -> (u′, converged)`; nil appends every batch to `u`.
    let reduction: Value?
    /// The reduction's starting value (an empty vector when not given).
    let uInit: Value?

    init(problem: Value, probFunc: Value?, outputFunc: Value?, reduction: Value?, uInit: Value?) {
        self.problem = problem
        self.probFunc = probFunc
        self.outputFunc = outputFunc
        self.reduction = reduction
        self.uInit = uInit
    }

    /// `EnsembleProblem with ODEProblem ...`.
    var summary: String {
        let base: String
        if case .engine(let object) = problem { base = object.repr } else { base = problem.repr }
        let named = [("prob_func", probFunc), ("output_func", outputFunc), ("reduction", reduction)].compactMap { name, value in
            value.map { value -> String in
                if case .function(let f) = value { return "\(name) = \(f.name)" }
                return "\(name) = \(value.repr)"
            }
        }
        return "EnsembleProblem(" + ([base] + named).joined(separator: "; ") + ")"
    }
}

/// What `solve(eprob, alg, EnsembleSerial(); trajectories)` returns: the members' outputs in
/// order (`sim.u`, `sim[i]`), or the reduction's value when `reduction` was given.
public final class EnsembleSolutionObject {
    /// The outputs (a `Vector{Any}` of solutions unless `output_func` or `reduction` changed them).
    public let u: Value
    /// Wall time of the whole ensemble, in seconds (SciML's `elapsedTime`).
    let elapsed: Double
    /// Whether the reduction reported convergence (always true without one).
    let converged: Bool
    /// The ensemble method that ran (`EnsembleSerial`, `EnsembleThreads`).
    public let method: String
    /// Whether members were solved on several threads at once (`EnsembleThreads` with traced
    /// right-hand sides and no language callbacks).
    public internal(set) var ranConcurrently = false

    init(u: Value, elapsed: Double, converged: Bool, method: String) {
        self.u = u
        self.elapsed = elapsed
        self.converged = converged
        self.method = method
    }

    /// The outputs as a list, when `u` is one.
    var members: [Value] {
        if case .list(let list) = u { return list.items }
        return []
    }

    /// The members' solutions; nil when an output is not a solution.
    public var solutions: [ODESolution]? {
        let found = members.compactMap { value -> ODESolution? in
            if case .engine(.solution(let object)) = value { return object.solution }
            return nil
        }
        return found.count == members.count && !found.isEmpty ? found : nil
    }

    /// `:Success` when every member solution succeeded, else the first member's failure.
    var retcode: String {
        for value in members {
            if case .engine(.solution(let object)) = value, object.solution.retcode != .success {
                return object.solution.retcode.rawValue
            }
        }
        return ReturnCode.success.rawValue
    }

    /// `EnsembleSolution(10 trajectories, retcode = :Success)`.
    var summary: String {
        if case .list(let list) = u {
            return "EnsembleSolution(\(list.items.count) trajectories, retcode = :\(retcode))"
        }
        return "EnsembleSolution(u = \(u.limitedRepr))"
    }
}

/// `EnsembleSummary(sim; quantiles = [0.05, 0.95])`: the members' mean, variance, median and
/// two quantiles at each saved time (SciMLBase's `EnsembleSummary`).
public final class EnsembleSummaryObject {
    let t: [Double]
    let width: Int
    /// Per statistic, the values at each time, row-major (time, component).
    let mean: [Double], variance: [Double], median: [Double], low: [Double], high: [Double]
    /// The two quantiles (`qlow`, `qhigh`).
    let quantiles: (Double, Double)

    init(t: [Double], width: Int, mean: [Double], variance: [Double], median: [Double], low: [Double], high: [Double],
         quantiles: (Double, Double)) {
        self.t = t
        self.width = width
        self.mean = mean
        self.variance = variance
        self.median = median
        self.low = low
        self.high = high
        self.quantiles = quantiles
    }

    /// One statistic over time as a solution value (SciML's DiffEqArray: `.t`, `.u`, `Array`, `plot`).
    func series(_ values: [Double]) -> Value {
        .engine(.solution(SolutionObject(solution: ODESolution(t: t, values: values, width: width, retcode: .success,
                                                               stats: SolverStats(), message: nil),
                                         algorithm: "EnsembleAnalysis")))
    }

    var summary: String {
        "EnsembleSummary(\(t.count) time points, quantiles = (\(Value.format(quantiles.0)), \(Value.format(quantiles.1))))"
    }
}

extension Interpreter {
    /// `sim.u`, `sim.retcode`, `eprob.prob`, `summ.qlow`, ...
    func ensembleField(_ object: EngineObject, _ name: String, _ span: SourceSpan) throws -> Value {
        switch object {
        case .ensembleProblem(let e):
            switch name {
            case "prob": return e.problem
            case "prob_func": return e.probFunc ?? .nothing
            case "output_func": return e.outputFunc ?? .nothing
            case "reduction": return e.reduction ?? .nothing
            case "u_init": return e.uInit ?? .nothing
            default:
                throw LangError("type EnsembleProblem has no field \(name)", at: span,
                                hint: "its fields are prob, prob_func, output_func, reduction, u_init")
            }
        case .ensembleSolution(let sim):
            switch name {
            case "u": return sim.u
            case "retcode": return .symbol(sim.retcode)
            case "converged": return .bool(sim.converged)
            case "elapsedTime": return .float(sim.elapsed)
            case "alg": return .engine(.algorithm(sim.method))
            default:
                throw LangError("type EnsembleSolution has no field \(name)", at: span,
                                hint: "its fields are u, retcode, converged, elapsedTime, alg")
            }
        case .ensembleSummary(let s):
            switch name {
            case "t": return .floats(s.t)
            case "u": return s.series(s.mean)
            case "v": return s.series(s.variance)
            case "med": return s.series(s.median)
            case "qlow": return s.series(s.low)
            case "qhigh": return s.series(s.high)
            default:
                throw LangError("type EnsembleSummary has no field \(name)", at: span,
                                hint: "its fields are t, u (mean), v (variance), med, qlow, qhigh")
            }
        default:
            throw LangError("type \(object.typeName) has no field \(name)", at: span)
        }
    }
}
