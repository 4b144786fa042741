import Autodiff
import DiffEq
import Sensitivity

// `3_robertson_stiff`: Robertson k = (0.04, 3e7, 1e4), u0 = [1, 0, 0], to t = 1e5, rtol 1e-6,
// atol 1e-8; every stiff method of the registry (Rosenbrock and the Newton-solved SDIRK family),
// with finite-difference and with compiled (traced) Jacobians.
// The error is against scipy's Radau at rtol 1e-12, atol 1e-16 (the anchors' reference).

let robertsonReference = [1.7865921142322466e-02, 7.2747514685287435e-08, 9.8213400611016388e-01]

func robertsonGraph() throws -> Graph {
    try trace(.vector(3), .vector(1)) { u, p, t in
        [-0.04 * u[0] + 1e4 * u[1] * u[2],
         0.04 * u[0] - 1e4 * u[1] * u[2] - 3e7 * u[1] * u[1],
         3e7 * u[1] * u[1]]
    }
}

func runRobertson() throws -> [JSONValue] {
    var o = SolverOptions()
    o.reltol = 1e-6; o.abstol = 1e-8
    o.saveEverystep = false
    o.dense = false
    let closure = ODEProblem({ du, u, p, t in
        du[0] = -0.04 * u[0] + 1e4 * u[1] * u[2]
        du[1] = 0.04 * u[0] - 1e4 * u[1] * u[2] - 3e7 * u[1] * u[1]
        du[2] = 3e7 * u[1] * u[1]
    }, u0: [1, 0, 0], tspan: (0, 1e5), p: [0])
    let traced = ODEProblem(try CompiledRHS(robertsonGraph()).odeFunction(), u0: [1, 0, 0], tspan: (0, 1e5), p: [0])
    var results: [JSONValue] = []
    for name in MethodRegistry.stiffBuilders.map(\.name) {
        let tableau = try MethodRegistry.method(named: name)
        for (jacobian, problem) in [("finite-diff", closure), ("compiled", traced)] {
            let integrator = ODEIntegrator(problem, tableau, options: o)
            integrator.run()
            var policy = TimingPolicy()
            policy.maxTime = 6
            let timing = measure(policy: policy) { integrator.reinit(); integrator.run() }
            integrator.reinit()
            let allocs = allocations { integrator.run() }
            let sol = integrator.makeSolution()
            let end = Array(sol[sol.t.count - 1])
            let err = zip(end, robertsonReference).map { abs($0 - $1) / abs($1) }.max() ?? .nan
            var fields: [(String, JSONValue)] = [("method", .string(name)), ("jacobian", .string(jacobian)),
                                                 ("variant", .string("swift-api"))]
            fields += timing.jsonFields
            fields += [
                ("steps", .int(sol.stats.nsteps)), ("accepted_steps", .int(sol.stats.naccept)),
                ("nfev", .int(sol.stats.nf)), ("njev", .int(sol.stats.njacs)), ("nw", .int(sol.stats.nw)),
                ("nnonliniter", .int(sol.stats.nnonliniter)), ("nnonlinconvfail", .int(sol.stats.nnonlinconvfail)),
                ("err_end_maxrel", .double(err)), ("retcode", .string(sol.retcode.rawValue)),
                ("allocs_per_step", allocationCountingWorks ? .count(Double(allocs) / Double(max(sol.stats.nsteps, 1))) : .null),
            ]
            results.append(.object(fields))
        }
    }
    return results
}
