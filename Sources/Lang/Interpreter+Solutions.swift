import DiffEq
import Foundation

extension Interpreter {
    /// `sol.t`, `sol.u`, `sol.retcode`, `sol.stats`, `prob.u0`, ...
    func engineField(_ object: EngineObject, _ name: String, _ span: SourceSpan) throws -> Value {
        switch object {
        case .module(let package):
            if let function = builtins[name] { return .function(function) }
            throw LangError("\(package).\(name) is not available in Fluxion", at: span,
                            hint: Spelling.suggestion(for: name, among: Array(builtins.keys)).map { "did you mean \(package).\($0)?" }
                                ?? "?\(name) finds Fluxion's builtins; `using` lines are ignored")
        case .solution(let wrapper):
            let solution = wrapper.solution
            switch name {
            case "t": return .floats(solution.t)
            case "u": return .list(ValueList((0..<solution.t.count).map(wrapper.state)))
            case "retcode": return .symbol(solution.retcode.rawValue)
            case "stats":
                let stats = solution.stats
                return .namedTuple(names: ["nf", "naccept", "nreject", "nsteps"],
                                   values: [.int(stats.nf), .int(stats.naccept), .int(stats.nreject), .int(stats.nsteps)])
            case "alg": return .engine(.algorithm(wrapper.algorithm))
            case "message": return solution.message.map { .string($0) } ?? .nothing
            case "alg_choice":
                // 1 the explicit method, 2 the stiff one; `nothing` for a single method (as SciML).
                return solution.algChoice.map { .list(ValueList($0.map { .int($0) })) } ?? .nothing
            default:
                throw LangError("type ODESolution has no field \(name)", at: span,
                                hint: "its fields are t, u, retcode, stats, alg, alg_choice, message")
            }
        case .problem(let problem):
            switch name {
            case "u0": return .floats(problem.u0)
            case "p": return problem.parameters
            case "tspan": return .tuple([.float(problem.tspan.0), .float(problem.tspan.1)])
            case "f": return problem.function
            default:
                throw LangError("type ODEProblem has no field \(name)", at: span, hint: "its fields are f, u0, tspan, p")
            }
        case .ensembleProblem, .ensembleSolution, .ensembleSummary:
            return try ensembleField(object, name, span)
        case .training(let training):
            return try training.field(name, span)
        case .job(let job):
            return try jobField(job, name, span)
        default:
            throw LangError("type \(object.typeName) has no field \(name)", at: span)
        }
    }

    /// `sol(t)`: the state at `t` (dense output, or linear between saved points); a vector
    /// of times gives a vector of states.
    func interpolate(_ wrapper: SolutionObject, _ arguments: [Value], _ keywords: [(String, Value)],
                     _ span: SourceSpan) throws -> Value {
        guard arguments.count == 1, keywords.allSatisfy({ $0.0 == "idxs" }) else {
            throw LangError("MethodError: call a solution with one time, sol(t), or a vector of times", at: span,
                            hint: "sol(t; idxs=i) picks component i, idxs=[i, j] several")
        }
        let solution = wrapper.solution
        let idxs = keywords.last?.1
        // sol(t; idxs=i) is component i (a number); idxs=[i, j] a vector of those components.
        func select(_ state: [Double]) throws -> Value {
            guard let idxs else { return .floats(state) }
            func component(_ value: Value) throws -> Int {
                guard let i = value.asInt, value.isNumber, i >= 1, i <= state.count else {
                    throw LangError("BoundsError: idxs = \(value.repr) is not a state index 1:\(state.count)", at: span)
                }
                return i - 1
            }
            if idxs.isNumber { return .float(state[try component(idxs)]) }
            return .floats(try elements(idxs, span).map { state[try component($0)] })
        }
        func at(_ time: Double) throws -> Value {
            guard let state = solution(time) else {
                let range = solution.t.isEmpty ? "it has no saved points"
                    : "it covers \(Value.format(solution.t[0])) … \(Value.format(solution.t[solution.t.count - 1]))"
                throw LangError("cannot interpolate the solution at t = \(Value.format(time))", at: span, hint: range)
            }
            return try select(state)
        }
        let argument = arguments[0]
        if let time = argument.asDouble, argument.isNumber { return try at(time) }
        guard isCollection(argument) else {
            throw LangError("MethodError: no method matching (::ODESolution)(::\(argument.typeName))", at: span,
                            hint: "call it with a time or a vector of times")
        }
        return .list(ValueList(try elements(argument, span).map { item in
            guard let time = item.asDouble else { throw LangError("times must be numbers, got \(item.repr)", at: span) }
            return try at(time)
        }))
    }

    /// `sol[j]` (the j-th saved state), `sol[i, :]` (component i over time), `sol[i, j]`.
    func indexSolution(_ wrapper: SolutionObject, _ specs: [IndexSpec], _ span: SourceSpan) throws -> Value {
        if specs.count == 1 {
            switch specs[0] {
            case .one(let j): return wrapper.state(j)
            case .many(let js): return .list(ValueList(js.map(wrapper.state)))
            }
        }
        return try index(.array(wrapper.matrix), specs, span)
    }
}
