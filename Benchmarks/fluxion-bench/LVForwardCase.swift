import Autodiff
import DiffEq
import Sensitivity

// `1_lv_forward`: Lotka–Volterra p = [1.5, 1, 3, 1], u0 = [1, 1] on (0, 10), rtol = atol = 1e-6,
// saveat 0.1, solved through the Swift API with a plain closure right-hand side. One
// integrator is made once and re-initialised per solve (`reinit`), as a training loop or an
// ensemble does, so a solve allocates nothing.

func lotkaVolterraProblem() -> ODEProblem {
    ODEProblem({ du, u, p, t in
        du[0] = p[0] * u[0] - p[1] * u[0] * u[1]
        du[1] = -p[2] * u[1] + p[3] * u[0] * u[1]
    }, u0: [1, 1], tspan: (0, 10), p: [1.5, 1, 3, 1])
}

func runLVForward() throws -> [JSONValue] {
    let reference = try AnchorData.locate().lvReference()
    guard let last = reference.last, last.count >= 3 else { throw AnchorDataError.wrongCount(path: "lv_reference.txt", expected: 3, found: reference.last?.count ?? 0) }
    var results: [JSONValue] = []
    var options = SolverOptions()
    options.abstol = 1e-6
    options.reltol = 1e-6
    options.saveat = .every(0.1)
    // The traced variant: the same right-hand side traced from Swift and compiled, the path
    // the language takes.
    let traced = ODEProblem(try CompiledRHS(lotkaVolterraGraph()).odeFunction(), u0: [1, 1], tspan: (0, 10),
                            p: [1.5, 1, 3, 1])
    let variants: [(String, ODEProblem)] = [("swift-api", lotkaVolterraProblem()), ("traced", traced)]
    for name in ["Tsit5", "DP5"] where MethodRegistry.names.contains(name) {
      for (variant, problem) in variants {
        let tableau = try MethodRegistry.method(named: name)
        let integrator = ODEIntegrator(problem, tableau, options: options)
        integrator.run()
        let timing = measure { integrator.reinit(); integrator.run() }
        integrator.reinit()
        let allocs = allocations { integrator.run() }
        let sol = integrator.makeSolution()
        let end = sol[sol.t.count - 1]
        let err = max(abs(end[end.startIndex] - last[1]), abs(end[end.startIndex + 1] - last[2]))
        var fields: [(String, JSONValue)] = [("method", .string(name)), ("variant", .string(variant))]
        fields += timing.jsonFields
        fields += [
            ("nfev", .int(sol.stats.nf)),
            ("accepted_steps", .int(sol.stats.naccept)),
            ("rejected_steps", .int(sol.stats.nreject)),
            ("err_t10_maxabs", .double(err)),
            ("allocs_per_solve", allocationCountingWorks ? .int(Int(allocs)) : .null),
            ("allocs_per_step", allocationCountingWorks ? .count(Double(allocs) / Double(max(sol.stats.nsteps, 1))) : .null),
            ("retcode", .string(sol.retcode.rawValue)),
        ]
        results.append(.object(fields))
      }
    }
    return results
}
