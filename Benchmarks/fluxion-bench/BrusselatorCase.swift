import Autodiff
import DiffEq
import Foundation
import Sensitivity
import TestSupport

// `brusselator_2d`: the 2-D Brusselator (TestSupport's `Brusselator2D`, SciML's formulation) on
// N × N periodic grids, N = 16, 32, 64 (512, 2048, 8192 states), traced and compiled, to
// t = 11.5 at rtol = atol = 1e-6 with a tstop at the forcing's start. The linear solver is
// chosen automatically (KLU, Jacobian from the compiled sparse Jacobian with colouring) and,
// for comparison, GMRES (Newton–Krylov with the Jacobi preconditioner) and dense LU where they
// fit in time (GMRES at N = 16, 32; dense at 16 and, QNDF only, 32). Timing is the whole solve after a warm-up one. Each run is also
// reported on stderr as it finishes; FLUXION_BRUSSELATOR_N="16,32" limits the grids and
// FLUXION_BRUSSELATOR_METHODS="QNDF,KenCarp4" to those methods with the automatic linear solver.

func runBrusselator2D() throws -> [JSONValue] {
    var results: [JSONValue] = []
    let grids = ProcessInfo.processInfo.environment["FLUXION_BRUSSELATOR_N"]?.split(separator: ",").compactMap { Int($0) }
    for N in grids ?? [16, 32, 64] {
        let function = try CompiledRHS(Brusselator2D.graph(N)).odeFunction()
        let problem = ODEProblem(function, u0: Brusselator2D.initialState(N), tspan: Brusselator2D.tspan,
                                 p: Brusselator2D.parameters(N))
        var runs: [(String, LinearSolverChoice)] = [("KenCarp4", .automatic), ("QNDF", .automatic), ("Rodas5P", .automatic)]
        // GMRES with the Jacobi preconditioner needs Krylov iterations growing with α/Δx² ∝ N²:
        // 15× the time from N = 16 to 32, so it is left out at 64.
        if N <= 32 { runs += [("KenCarp4", .gmres()), ("QNDF", .gmres())] }
        if N == 16 { runs += [("KenCarp4", .dense), ("QNDF", .dense), ("Rodas5P", .dense)] }
        if N == 32 { runs += [("QNDF", .dense)] }
        if let only = ProcessInfo.processInfo.environment["FLUXION_BRUSSELATOR_METHODS"]?.split(separator: ",") {
            runs = runs.filter { only.contains(Substring($0.0)) && $0.1 == .automatic }
        }
        for (name, linsolve) in runs {
            var o = SolverOptions()
            o.reltol = 1e-6
            o.abstol = 1e-6
            o.tstops = [Brusselator2D.forcingStart]
            o.saveEverystep = false
            o.dense = false
            o.linsolve = linsolve
            let integrator = ODEIntegrator(problem, try MethodRegistry.method(named: name), options: o)
            integrator.run()
            var policy = TimingPolicy()
            policy.warmup = 0
            policy.minSamples = 1
            policy.maxSamples = 5
            policy.minTime = 0
            policy.maxTime = 20
            let timing = measure(policy: policy) { integrator.reinit(); integrator.run() }
            integrator.reinit()
            let allocs = allocations { integrator.run() }
            let sol = integrator.makeSolution()
            let kind: String
            switch integrator.resolvedLinsolve {
            case .klu: kind = "klu"
            case .gmres: kind = "gmres"
            default: kind = "dense"
            }
            var fields: [(String, JSONValue)] = [("N", .int(N)), ("states", .int(2 * N * N)), ("method", .string(name)),
                                                 ("linsolve", .string(kind))]
            fields += timing.jsonFields
            fields += [
                ("steps", .int(sol.stats.nsteps)), ("nfev", .int(sol.stats.nf)), ("njev", .int(sol.stats.njacs)),
                ("nw", .int(sol.stats.nw)), ("nsolve", .int(sol.stats.nsolve)),
                ("krylov_iterations", .int(integrator.krylovIterations)),
                ("klu_factor_entries", .int(integrator.sparseFactorEntries)),
                ("retcode", .string(sol.retcode.rawValue)),
                ("u_end_sum", .double(sol.u.last?.reduce(0, +) ?? .nan)),
                ("allocs_per_step", allocationCountingWorks ? .count(Double(allocs) / Double(max(sol.stats.nsteps, 1))) : .null),
            ]
            results.append(.object(fields))
            FileHandle.standardError.write(Data("brusselator_2d N=\(N) \(name) \(kind): \(timing.medianSeconds) s, \(sol.stats), \(sol.retcode), KLU factor entries \(integrator.sparseFactorEntries)\n".utf8))
        }
    }
    return results
}
