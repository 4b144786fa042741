import Foundation
import Autodiff
import DiffEq
import Lang
import Sensitivity

// `2_spiral_neural_ode_grad`: the spiral neural ODE (2 → 50 → 2 tanh on u.^3, 252 parameters),
// loss = Σ (pred − data)² over 30 points on (0, 1.5), rtol = atol = 1e-6, from u0 = (2, 0);
// the `init` and `fitted` parameter sets; every sensitivity algorithm.

func runSpiralGradient() throws -> [JSONValue] {
    let anchors = try AnchorData.locate()
    let table = try anchors.spiralData()
    let times = table.map { $0[0] }
    let data = table.flatMap { [$0[1], $0[2]] }
    let rhs = try CompiledRHS(spiralGraph())
    var results: [JSONValue] = []
    for name in ["Tsit5", "DP5"] where MethodRegistry.names.contains(name) {
        let tableau = try MethodRegistry.method(named: name)
        var o = SolverOptions()
        o.reltol = 1e-6; o.abstol = 1e-6; o.saveat = .times(times)
        for set in [SpiralParameterSet.initial, .fitted] {
            let p = try anchors.spiralParameters(set)
            let u0 = [2.0, 0.0]
            let forward = try DifferentiableSolve(rhs, tspan: (0, 1.5), tableau: tableau, options: o, sensealg: .discreteAdjoint)
            var plain = o
            plain.dense = false
            let problem = ODEProblem(try rhs.odeFunction(), u0: u0, tspan: (0, 1.5), p: p)
            let fwdIntegrator = ODEIntegrator(problem, tableau, options: plain)
            fwdIntegrator.run()
            let fwdSteps = fwdIntegrator.stats.naccept
            let fwdTiming = measure { fwdIntegrator.reinit(); fwdIntegrator.run() }
            _ = forward
            // FLUXION_BENCH_SENSEALG=DiscreteAdjoint (a name or a comma-separated list) times only
            // those, for profiling one algorithm.
            let only = ProcessInfo.processInfo.environment["FLUXION_BENCH_SENSEALG"].map { Set($0.split(separator: ",").map(String.init)) }
            for alg in SensitivityAlgorithm.allCases where only?.contains(alg.rawValue) ?? true {
                let ds = try DifferentiableSolve(rhs, tspan: (0, 1.5), tableau: tableau, options: o, sensealg: alg)
                let loss: (ODESolution) -> (value: Double, ybar: [Double]) = { sol in
                    var value = 0.0
                    var ybar = [Double](repeating: 0, count: sol.values.count)
                    for (i, (a, b)) in zip(sol.values, data).enumerated() { value += (a - b) * (a - b); ybar[i] = 2 * (a - b) }
                    return (value, ybar)
                }
                let g = try ds.gradient(u0: u0, p: p, loss: loss)
                var policy = TimingPolicy()
                policy.maxTime = 10
                let timing = measure(policy: policy) { _ = try? ds.gradient(u0: u0, p: p, loss: loss) }
                let allocs = allocations { _ = try? ds.gradient(u0: u0, p: p, loss: loss) }
                let norm = (g.dp.reduce(0) { $0 + $1 * $1 }).squareRoot()
                var fields: [(String, JSONValue)] = [
                    ("method", .string(name)), ("sensealg", .string(alg.rawValue)), ("variant", .string("swift-api")),
                    ("params", .string(set.rawValue)),
                ]
                fields += timing.jsonFields
                fields += [
                    ("grad_median_s", .double(timing.medianSeconds)),
                    ("fwd_median_s", .double(fwdTiming.medianSeconds)),
                    ("grad_vs_fwd", .double(timing.medianSeconds / fwdTiming.medianSeconds)),
                    ("loss", .double(g.value)),
                    ("grad_norm", .double(norm)),
                    ("num_steps_fwd", .int(fwdSteps)),
                    ("allocs_per_grad", allocationCountingWorks ? .int(Int(allocs)) : .null),
                ]
                results.append(.object(fields))
                if alg == .discreteAdjoint {
                    results.append(try languageSpiralGradient(method: name, set: set, times: times, data: data, p: p,
                                                              expected: g.value, swiftAPI: timing.medianSeconds))
                }
            }
        }
    }
    return results
}

/// Variant `language`: the same loss and gradient typed in the language (LANGUAGE.md's spiral:
/// `Chain(x -> x.^3, Dense(2, 50, tanh), Dense(50, 2))`, `NeuralODE`, `gradient(loss, θ)`),
/// with the same parameters (the layouts agree: W₁, b₁, W₂, b₂, weights row-major) and the
/// same method, tolerances and sensealg; `ratio_to_swift_api` is its time over the Swift API's.
func languageSpiralGradient(method: String, set: SpiralParameterSet, times: [Double], data: [Double], p: [Double],
                            expected: Double, swiftAPI: Double) throws -> JSONValue {
    let interpreter = Interpreter(output: { _ in })
    func list(_ values: [Double]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
    let u1 = stride(from: 0, to: data.count, by: 2).map { data[$0] }, u2 = stride(from: 1, to: data.count, by: 2).map { data[$0] }
    let setup = """
        u0 = [2.0, 0.0]; tsteps = \(list(times))
        ode_data = Array(hcat(\(list(u1)), \(list(u2)))')
        dudt = Chain(x -> x.^3, Dense(2, 50, tanh), Dense(50, 2))
        node = NeuralODE(dudt, (0.0, 1.5), \(method)(), saveat=tsteps, reltol=1e-6, abstol=1e-6, sensealg=DiscreteAdjoint())
        θ = \(list(p))
        loss(θ) = sum(abs2, ode_data .- Array(node(u0, θ)))
        """
    let made = interpreter.evaluate(source: setup)
    guard !made.failed else { throw BenchmarkError(description: made.renderedDiagnostics()) }
    let check = interpreter.evaluate(source: "loss(θ)")
    guard !check.failed, case .float(let value) = check.value, Swift.abs(value - expected) <= 1e-9 * Swift.max(1, expected) else {
        throw BenchmarkError(description: "the language's spiral loss \(check.value.repr) is not the Swift API's \(expected)")
    }
    let parsed = Syntax.parse("gradient(loss, θ)", file: "bench")
    var policy = TimingPolicy()
    policy.maxTime = 10
    let timing = measure(policy: policy) { _ = interpreter.run(parsed) }
    var fields: [(String, JSONValue)] = [
        ("method", .string(method)), ("sensealg", .string("DiscreteAdjoint")), ("variant", .string("language")),
        ("params", .string(set.rawValue)),
    ]
    fields += timing.jsonFields
    fields += [("grad_median_s", .double(timing.medianSeconds)), ("loss", .double(value)),
               ("ratio_to_swift_api", .double(timing.medianSeconds / swiftAPI))]
    return .object(fields)
}
