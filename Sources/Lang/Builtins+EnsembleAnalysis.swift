import DiffEq
import Foundation

/// A statistic of an ensemble's members, taken componentwise (SciMLBase's `EnsembleAnalysis`).
enum EnsembleStatistic {
    case mean, median, variance
    case quantile(Double)

    /// The statistic of `samples` (Statistics.jl's definitions: `var` corrected by n − 1,
    /// `quantile` of type 7, linear between order statistics, `median` its value at 1/2).
    func of(_ samples: [Double]) -> Double {
        let n = samples.count
        guard n > 0 else { return .nan }
        switch self {
        case .mean: return samples.reduce(0, +) / Double(n)
        case .variance:
            guard n > 1 else { return .nan }
            let m = samples.reduce(0, +) / Double(n)
            return samples.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
        case .median: return EnsembleStatistic.quantile(0.5).of(samples)
        case .quantile(let q):
            let sorted = samples.sorted()
            let h = Double(n - 1) * q
            let lo = Int(h.rounded(.down)), hi = min(lo + 1, n - 1)
            return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
        }
    }

    /// The statistic of each component across the members' states.
    func componentwise(_ states: [[Double]]) -> [Double] {
        let width = states.first?.count ?? 0
        return (0..<width).map { j in of(states.map { $0[j] }) }
    }
}

extension Interpreter {
    /// `timestep_mean(sim, i)`, `timepoint_quantile(sim, q, t)`, `timeseries_steps_mean(sim)`,
    /// `timeseries_point_median(sim, ts)`, `EnsembleSummary(sim)`, ...: statistics over an
    /// ensemble's members at a saved step, at a time, or along all of them.
    static var ensembleAnalysisBuiltins: [Builtin] {
        let statistics: [(String, Bool)] = [("mean", false), ("median", false), ("quantile", true), ("meanvar", false)]
        var builtins: [Builtin] = []
        for (statistic, takesQ) in statistics {
            let q = takesQ ? "q, " : ""
            builtins.append(Builtin(name: "timestep_\(statistic)", signature: "timestep_\(statistic)(sim, \(q)i) — the ensemble members' \(statistic) at saved step i") { call in
                try call.expect(takesQ ? 3 : 2)
                let i = try call.integer(call.arguments.count - 1)
                return try ensembleStatistic(statistic, call) { sim in [try stepStates(sim, i, call)] }.first ?? .nothing
            })
            builtins.append(Builtin(name: "timepoint_\(statistic)", signature: "timepoint_\(statistic)(sim, \(q)t) — the ensemble members' \(statistic) at time t (interpolated)") { call in
                try call.expect(takesQ ? 3 : 2)
                let t = try call.number(call.arguments.count - 1)
                return try ensembleStatistic(statistic, call) { sim in [try pointStates(sim, t, call)] }.first ?? .nothing
            })
            builtins.append(Builtin(name: "timeseries_steps_\(statistic)", signature: "timeseries_steps_\(statistic)(sim\(takesQ ? ", q" : "")) — the ensemble members' \(statistic) at every saved step, as a solution") { call in
                try call.expect(takesQ ? 2 : 1)
                let sim = try ensembleSolutions(call)
                return try series(statistic, sim[0].t, call) { _ in try (0..<sim[0].t.count).map { try stepStates(sim, $0 + 1, call) } }
            })
            builtins.append(Builtin(name: "timeseries_point_\(statistic)", signature: "timeseries_point_\(statistic)(sim, \(q)ts) — the ensemble members' \(statistic) at the times ts, as a solution") { call in
                try call.expect(takesQ ? 3 : 2)
                let times = try numbers(call.arguments[call.arguments.count - 1], "ts", call)
                return try series(statistic, times, call) { sim in try times.map { try pointStates(sim, $0, call) } }
            })
        }
        // The members' states themselves: one vector per member, or one vector per component.
        for (at, what) in [("timestep", "saved step i"), ("timepoint", "time t")] {
            let states = { (call: BuiltinCall) throws -> [[Double]] in
                try call.expect(2)
                let sim = try ensembleSolutions(call)
                return at == "timestep" ? try stepStates(sim, try call.integer(1), call) : try pointStates(sim, try call.number(1), call)
            }
            let argument = at == "timestep" ? "i" : "t"
            builtins.append(Builtin(name: "get_\(at)", signature: "get_\(at)(sim, \(argument)) — each ensemble member's state at \(what)") { call in
                .list(ValueList(try states(call).map { .floats($0) }))
            })
            builtins.append(Builtin(name: "componentwise_vectors_\(at)",
                                    signature: "componentwise_vectors_\(at)(sim, \(argument)) — per component, the ensemble members' values at \(what)") { call in
                let members = try states(call)
                return .list(ValueList((0..<(members.first?.count ?? 0)).map { j in .floats(members.map { $0[j] }) }))
            })
        }
        return builtins + [
            Builtin(name: "EnsembleSummary", signature: "EnsembleSummary(sim[, ts]; quantiles = [0.05, 0.95]) — fields t, u (mean), v, med, qlow, qhigh") { call in
                try call.expect(1...2)
                try call.allowKeywords(["quantiles"])
                var quantiles = (0.05, 0.95)
                if let value = call.keyword("quantiles") {
                    let qs = try numbers(value, "quantiles", call)
                    guard qs.count == 2, qs.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                        throw call.error("quantiles must be two numbers in [0, 1], got \(value.repr)")
                    }
                    quantiles = (qs[0], qs[1])
                }
                let sim = try ensembleSolutions(call)
                let times = call.arguments.count == 2 ? try numbers(call.arguments[1], "ts", call) : sim[0].t
                let states = call.arguments.count == 2
                    ? try times.map { try pointStates(sim, $0, call) }
                    : try (0..<sim[0].t.count).map { try stepStates(sim, $0 + 1, call) }
                func along(_ statistic: EnsembleStatistic) -> [Double] { states.flatMap(statistic.componentwise) }
                return .engine(.ensembleSummary(EnsembleSummaryObject(
                    t: times, width: sim[0].width, mean: along(.mean), variance: along(.variance), median: along(.median),
                    low: along(.quantile(quantiles.0)), high: along(.quantile(quantiles.1)), quantiles: quantiles)))
            },
        ]
    }

    /// The member solutions of an ensemble solution given first.
    static func ensembleSolutions(_ call: BuiltinCall) throws -> [ODESolution] {
        guard case .engine(.ensembleSolution(let sim)) = call.arguments.first else {
            throw call.error("\(call.name) needs an EnsembleSolution, got \(call.arguments.first?.typeName ?? "nothing")",
                             hint: "sim = solve(EnsembleProblem(prob; prob_func), Tsit5(); trajectories = 100)")
        }
        if sim.members.contains(where: \.isTape) {
            throw call.interpreter.notDifferentiable("\(call.name) of an ensemble being differentiated", call.span,
                                                     hint: "write the statistic from the members, e.g. sum(Array(s)) for s in sim")
        }
        guard let solutions = sim.solutions else {
            throw call.error("\(call.name) needs the members' solutions, but this ensemble's outputs are not solutions",
                             hint: "output_func or reduction replaced them; solve without them to analyse the trajectories")
        }
        return solutions
    }

    /// Each member's state at saved step `i` (1-based).
    private static func stepStates(_ sim: [ODESolution], _ i: Int, _ call: BuiltinCall) throws -> [[Double]] {
        try sim.enumerated().map { k, solution in
            guard i >= 1, i <= solution.t.count else {
                throw call.error("\(call.name): trajectory \(k + 1) has \(solution.t.count) saved steps, not \(i)",
                                 hint: "solve with saveat so that every member saves the same times")
            }
            return Array(solution[i - 1])
        }
    }

    /// Each member's state at time `t`, interpolated.
    private static func pointStates(_ sim: [ODESolution], _ t: Double, _ call: BuiltinCall) throws -> [[Double]] {
        try sim.enumerated().map { k, solution in
            guard let state = solution(t) else {
                throw call.error("\(call.name): trajectory \(k + 1) does not cover t = \(Value.format(t))")
            }
            return state
        }
    }

    /// The statistic `name` (`quantile` reads q from argument 2) of the states `select` picks:
    /// one vector per selected time, or `(mean, var)` pairs for `meanvar`.
    private static func ensembleStatistic(_ name: String, _ call: BuiltinCall,
                                          _ select: ([ODESolution]) throws -> [[[Double]]]) throws -> [Value] {
        let sim = try ensembleSolutions(call)
        let states = try select(sim)
        switch name {
        case "meanvar":
            return states.map { .tuple([.floats(EnsembleStatistic.mean.componentwise($0)),
                                        .floats(EnsembleStatistic.variance.componentwise($0))]) }
        default:
            let statistic = try ensembleStatistic(name, call)
            return states.map { .floats(statistic.componentwise($0)) }
        }
    }

    /// `mean`, `median`, or `quantile` with its q (argument 2).
    private static func ensembleStatistic(_ name: String, _ call: BuiltinCall) throws -> EnsembleStatistic {
        switch name {
        case "mean": return .mean
        case "median": return .median
        default:
            let q = try call.number(1)
            guard q >= 0, q <= 1 else { throw call.error("\(call.name): the quantile must be in [0, 1], got \(Value.format(q))") }
            return .quantile(q)
        }
    }

    /// A statistic along `times` as a solution value (SciML's DiffEqArray); `meanvar` gives
    /// a tuple of two.
    private static func series(_ name: String, _ times: [Double], _ call: BuiltinCall,
                               _ select: ([ODESolution]) throws -> [[[Double]]]) throws -> Value {
        let sim = try ensembleSolutions(call)
        let states = try select(sim)
        func solution(_ statistic: EnsembleStatistic) -> Value {
            .engine(.solution(SolutionObject(solution: ODESolution(t: times, values: states.flatMap(statistic.componentwise),
                                                                   width: sim[0].width, retcode: .success,
                                                                   stats: SolverStats(), message: nil),
                                             algorithm: "EnsembleAnalysis")))
        }
        if name == "meanvar" { return .tuple([solution(.mean), solution(.variance)]) }
        return solution(try ensembleStatistic(name, call))
    }
}
