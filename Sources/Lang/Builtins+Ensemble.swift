import DiffEq
import Foundation

extension Interpreter {
    /// Ensemble methods `solve` accepts; the others SciML has are refused with a pointer here.
    static let ensembleMethods = ["EnsembleSerial", "EnsembleThreads"]

    /// `EnsembleProblem`, `EnsembleSerial()`, `EnsembleThreads()` (DifferentialEquations.jl's names).
    static var ensembleBuiltins: [Builtin] {
        let methods = ensembleMethods.map { name in
            Builtin(name: name, signature: name == "EnsembleSerial"
                        ? "EnsembleSerial() — solve(eprob, alg, EnsembleSerial(); trajectories): members one after another"
                        : "EnsembleThreads() — solve(eprob, alg, EnsembleThreads(); trajectories): traced members solved on all cores") { call in
                try call.expect(0)
                try call.allowKeywords([])
                return .engine(.algorithm(name))
            }
        }
        let refused = ["EnsembleDistributed", "EnsembleSplitThreads", "EnsembleGPUArray", "EnsembleGPUKernel"].map { name in
            Builtin(name: name, signature: "\(name)() — not available in Fluxion; use EnsembleThreads()") { call in
                throw call.error("\(name)() is not available in Fluxion", hint: "use EnsembleThreads() (all cores) or EnsembleSerial()")
            }
        }
        return methods + refused + [
            Builtin(name: "EnsembleProblem",
                    signature: "EnsembleProblem(prob; prob_func = (prob, i, repeat) -> remake(prob, u0 = ...), "
                        + "output_func = (sol, i) -> (sol, false), reduction, u_init, safetycopy)") { call in
                try call.expect(1)
                try call.allowKeywords(["prob_func", "output_func", "reduction", "u_init", "safetycopy"])
                guard case .engine(.problem) = call.arguments[0] else {
                    throw call.error("EnsembleProblem needs an ODEProblem, got \(call.arguments[0].typeName)",
                                     hint: "EnsembleProblem(ODEProblem(f, u0, tspan, p); prob_func = ...)")
                }
                func function(_ key: String) throws -> Value? {
                    guard let value = call.keyword(key) else { return nil }
                    guard case .function = value else { throw call.error("\(key) must be a function, got \(value.typeName)") }
                    return value
                }
                // Problems are immutable values here, so prob_func can never change the one it is
                // given: SciML's defensive copy is what always happens; the flag is accepted.
                switch call.keyword("safetycopy") {
                case nil, .bool?: break
                case let flag?: throw call.error("safetycopy must be true or false, got \(flag.repr)")
                }
                return .engine(.ensembleProblem(EnsembleProblemObject(
                    problem: call.arguments[0], probFunc: try function("prob_func"), outputFunc: try function("output_func"),
                    reduction: try function("reduction"), uInit: call.keyword("u_init"))))
            },
        ]
    }

    /// `solve(eprob[, alg][, ensemblealg]; trajectories, batch_size, solve's keywords...)`.
    ///
    /// Every member goes through the same three phases, in member order: `prob_func` (on the
    /// interpreter's thread), the engine's solve, `output_func` (interpreter's thread). Only the
    /// middle phase runs on several threads, under `EnsembleThreads` and when every member's
    /// right-hand side is traced and no callback is a language function; otherwise the members are
    /// solved one after another. The solves are identical either way, so the outputs are too.
    static func solveEnsemble(_ ensemble: EnsembleProblemObject, _ call: BuiltinCall) throws -> Value {
        try call.expect(1...3)
        var alg: Value?
        var method = "EnsembleThreads"  // SciML's default
        for argument in call.arguments.dropFirst() {
            if case .engine(.algorithm(let name)) = argument, ensembleMethods.contains(name) { method = name } else {
                guard alg == nil else {
                    throw call.error("solve(eprob, alg, ensemblealg): \(argument.repr) is not an ensemble method",
                                     hint: "EnsembleSerial() or EnsembleThreads()")
                }
                alg = argument
            }
        }
        try call.allowKeywords(solveKeywords.union(["trajectories", "batch_size"]))
        guard let given = call.keyword("trajectories") else {
            throw call.error("solve of an EnsembleProblem needs trajectories", hint: "solve(eprob, Tsit5(), EnsembleThreads(); trajectories = 100)")
        }
        guard let trajectories = given.asInt, given.isNumber, trajectories >= 1 else {
            throw call.error("trajectories must be a positive integer, got \(given.repr)")
        }
        var batchSize = trajectories
        if let value = call.keyword("batch_size") {
            guard let size = value.asInt, value.isNumber, size >= 1 else {
                throw call.error("batch_size must be a positive integer, got \(value.repr)")
            }
            batchSize = size
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let keywords = call.keywords.filter { $0.0 != "trajectories" && $0.0 != "batch_size" }
        let member = EnsembleMemberRun(ensemble: ensemble, alg: alg, keywords: keywords, call: call,
                                       concurrent: method == "EnsembleThreads")
        // A copy: appending (or a reduction's append!) must not change the problem's u_init,
        // or the next solve would start from this one's outputs.
        var u = ensemble.uInit?.snapshot ?? .list(ValueList([]))
        var converged = true
        var lo = 0
        while lo < trajectories {
            let hi = min(trajectories, lo + batchSize)
            let outputs = try member.outputs(lo..<hi)
            if let reduction = ensemble.reduction {
                let batch = Value.list(ValueList(outputs))
                let indices = Value.range(RangeValue(start: Double(lo + 1), step: 1, stop: Double(hi), isInteger: true))
                let result = try call.call(reduction, [u, batch, indices])
                guard case .tuple(let parts) = result, parts.count == 2, case .bool(let done) = parts[1] else {
                    throw call.error("reduction must return (u, converged), got \(result.repr)",
                                     hint: "reduction = (u, batch, I) -> (append!(u, batch), false)")
                }
                u = parts[0]
                converged = done
                if done { break }
            } else {
                u = try appended(u, outputs, call)
            }
            lo = hi
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let solution = EnsembleSolutionObject(u: u, elapsed: elapsed, converged: ensemble.reduction == nil || converged, method: method)
        solution.ranConcurrently = member.ranConcurrently
        return .engine(.ensembleSolution(solution))
    }

    /// SciML's default reduction: the batch appended to `u`.
    private static func appended(_ u: Value, _ outputs: [Value], _ call: BuiltinCall) throws -> Value {
        switch u {
        case .list(let list):
            list.items += outputs
            return u
        case .array(let array) where !array.isMatrix:
            return .vector((0..<array.storage.count).map(array.element) + outputs)
        default:
            throw call.error("u_init must be a vector when no reduction is given, got \(u.typeName)")
        }
    }
}

/// One ensemble solve's members: `prob_func`, the engine, `output_func`, with reruns.
final class EnsembleMemberRun {
    let ensemble: EnsembleProblemObject
    let alg: Value?
    /// Keywords for each member's `solve` (saveat, reltol, ...).
    let keywords: [(String, Value)]
    let call: BuiltinCall
    /// Solve members on several threads where that is safe.
    let concurrent: Bool
    /// More reruns than this of one member is an error (an output_func that never accepts).
    static let maximumReruns = 100
    /// Whether some members were solved on several threads at once.
    private(set) var ranConcurrently = false

    init(ensemble: EnsembleProblemObject, alg: Value?, keywords: [(String, Value)], call: BuiltinCall, concurrent: Bool) {
        self.ensemble = ensemble
        self.alg = alg
        self.keywords = keywords
        self.call = call
        self.concurrent = concurrent
    }

    /// The outputs of members `range` (0-based), in order.
    func outputs(_ range: Range<Int>) throws -> [Value] {
        var outputs = [Value?](repeating: nil, count: range.count)
        var pending = Array(range)
        var iteration = 1  // SciML's `repeat` counts from 1
        while !pending.isEmpty {
            let problems = try pending.map { try memberProblem($0, iteration) }
            let solutions = try solve(problems, members: pending)
            var again: [Int] = []
            for (k, i) in pending.enumerated() {
                let (output, rerun) = try output(solutions[k], i)
                outputs[i - range.lowerBound] = output
                if rerun {
                    guard iteration <= EnsembleMemberRun.maximumReruns else {
                        throw call.error("output_func asked to rerun trajectory \(i + 1) more than \(EnsembleMemberRun.maximumReruns) times")
                    }
                    again.append(i)
                }
            }
            pending = again
            iteration += 1
        }
        return outputs.map { $0 ?? .nothing }
    }

    /// `prob_func(prob, i, repeat)` (1-based `i`), checked to be a problem.
    private func memberProblem(_ i: Int, _ iteration: Int) throws -> Value {
        guard let probFunc = ensemble.probFunc else { return ensemble.problem }
        let problem = try call.call(probFunc, [ensemble.problem, .int(i + 1), .int(iteration)])
        guard case .engine(.problem) = problem else {
            throw call.error("prob_func must return an ODEProblem, got \(problem.typeName) for trajectory \(i + 1)",
                             hint: "prob_func = (prob, i, repeat) -> remake(prob, u0 = ...)")
        }
        return problem
    }

    /// `output_func(sol, i)` (1-based `i`): the output and whether to rerun the member.
    private func output(_ solution: Value, _ i: Int) throws -> (Value, Bool) {
        guard let outputFunc = ensemble.outputFunc else { return (solution, false) }
        let result = try call.call(outputFunc, [solution, .int(i + 1)])
        guard case .tuple(let parts) = result, parts.count == 2, case .bool(let rerun) = parts[1] else {
            throw call.error("output_func must return (output, rerun), got \(result.typeName) for trajectory \(i + 1)",
                             hint: "output_func = (sol, i) -> (sol[end], false)")
        }
        return (parts[0], rerun)
    }

    /// Each problem (of the members `members`, 0-based) solved as `solve(problem, alg; keywords...)` would.
    private func solve(_ problems: [Value], members: [Int]) throws -> [Value] {
        var done = [Value?](repeating: nil, count: problems.count)
        var prepared: [(Int, PreparedSolve)] = []
        for (k, problem) in problems.enumerated() {
            let memberCall = BuiltinCall(interpreter: call.interpreter, name: "solve", signature: call.signature,
                                         arguments: [problem] + (alg.map { [$0] } ?? []), keywords: keywords, span: call.span)
            if let differentiated = try Interpreter.differentiatedSolve(memberCall) {
                done[k] = differentiated
            } else {
                prepared.append((k, try Interpreter.prepareSolve(memberCall)))
            }
        }
        let threads = concurrent && prepared.count > 1 && prepared.allSatisfy(\.1.isThreadSafe)
        ranConcurrently = ranConcurrently || threads
        let runs = prepared.map(\.1)
        var solutions = [ODESolution?](repeating: nil, count: runs.count)
        solutions.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            (threads ? EnsembleAlgorithm.threads : .serial).distribute(runs.count) { range in
                for j in range { slots[j] = runs[j].run() }
            }
        }
        for (j, (k, run)) in prepared.enumerated() {
            guard let solution = solutions[j] else { continue }
            do {
                done[k] = try run.value(solution)
            } catch var error as LangError {
                let note = "in the ensemble's trajectory \(members[k] + 1)"
                error.hint = error.hint.map { $0 + "; " + note } ?? note
                throw error
            }
        }
        return done.map { $0 ?? .nothing }
    }
}
