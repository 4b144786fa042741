import Autodiff
import DiffEq
import Foundation
import Sensitivity
import TestSupport

// `brusselator_2d`: the 2-D Brusselator (TestSupport's `Brusselator2D`, SciML's formulation) on
// N × N periodic grids, N = 16, 32, 64 (512, 2048, 8192 states) by default, traced and compiled,
// to t = 11.5 at rtol = atol = 1e-6 with a tstop at the forcing's start. Linear solvers: the
// automatic choice (KLU, Jacobian from the compiled sparse Jacobian with colouring; up to
// N = 64 unless asked for), GMRES with the AMG preconditioner at reltol 1e-6 and 1e-3 (every
// N), GMRES with the Jacobi one (N ≤ 32) and
// dense LU (16 and, QNDF only, 32). Timing is the whole solve after a warm-up one. Each run is
// also reported on stderr as it finishes. FLUXION_BRUSSELATOR_N="16,32,128" sets the grids,
// FLUXION_BRUSSELATOR_METHODS="QNDF,KenCarp4" the methods and FLUXION_BRUSSELATOR_LINSOLVE=
// "auto,amg" the linear solvers (auto, gmres, amg, dense).

func runBrusselator2D() throws -> [JSONValue] {
    var results: [JSONValue] = []
    let grids = ProcessInfo.processInfo.environment["FLUXION_BRUSSELATOR_N"]?.split(separator: ",").compactMap { Int($0) }
    for N in grids ?? [16, 32, 64] {
        let function = try CompiledRHS(Brusselator2D.graph(N)).odeFunction()
        let problem = ODEProblem(function, u0: Brusselator2D.initialState(N), tspan: Brusselator2D.tspan,
                                 p: Brusselator2D.parameters(N))
        var runs: [(String, LinearSolverChoice)] = []
        let kinds = ProcessInfo.processInfo.environment["FLUXION_BRUSSELATOR_LINSOLVE"]?.split(separator: ",")
        // KLU's refactorisation grows like n^1.5 at best on a 2-D grid, so above N = 64 it runs
        // only when FLUXION_BRUSSELATOR_LINSOLVE asks for "auto".
        if N <= 64 || kinds?.contains("auto") == true {
            runs += [("KenCarp4", .automatic), ("QNDF", .automatic), ("Rodas5P", .automatic)]
        }
        // GMRES with the Jacobi preconditioner needs Krylov iterations growing with α/Δx² ∝ N²:
        // 15× the time from N = 16 to 32, so it is left out at 64.
        if N <= 32 { runs += [("KenCarp4", .gmres()), ("QNDF", .gmres())] }
        // GMRES with AMG, at its default tolerance and at 1e-3 (Newton iterations barely change).
        runs += [("KenCarp4", .gmres(preconditioner: .amg)), ("QNDF", .gmres(preconditioner: .amg)),
                 ("KenCarp4", .gmres(reltol: 1e-3, preconditioner: .amg)), ("QNDF", .gmres(reltol: 1e-3, preconditioner: .amg))]
        if N == 16 { runs += [("KenCarp4", .dense), ("QNDF", .dense), ("Rodas5P", .dense)] }
        if N == 32 { runs += [("QNDF", .dense)] }
        if let only = ProcessInfo.processInfo.environment["FLUXION_BRUSSELATOR_METHODS"]?.split(separator: ",") {
            runs = runs.filter { only.contains(Substring($0.0)) }
        }
        if let kinds {
            runs = runs.filter { kinds.contains(Substring(kindName($0.1))) }
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
            // The counters run across solves: the last run's own counts are differences.
            let before = (krylov: integrator.krylovIterations, unconverged: integrator.unconvergedKrylovSolves,
                          multigrid: integrator.multigridSummary)
            let allocs = allocations { integrator.run() }
            let sol = integrator.makeSolution()
            let kind = kindName(integrator.resolvedLinsolve ?? .dense)
            let krylovIterations = integrator.krylovIterations - before.krylov
            let unconverged = integrator.unconvergedKrylovSolves - before.unconverged
            let krylovPerSolve = Double(krylovIterations) / Double(max(sol.stats.nsolve, 1))
            let after = integrator.multigridSummary
            let multigrid = (levels: after.levels, aggregations: after.aggregations - before.multigrid.aggregations,
                             updates: after.updates - before.multigrid.updates)
            var fields: [(String, JSONValue)] = [("N", .int(N)), ("states", .int(2 * N * N)), ("method", .string(name)),
                                                 ("linsolve", .string(kind))]
            if case .gmres(_, let reltol, _) = linsolve { fields.append(("gmres_reltol", .double(reltol))) }
            fields += timing.jsonFields
            fields += [
                ("steps", .int(sol.stats.nsteps)), ("nfev", .int(sol.stats.nf)), ("njev", .int(sol.stats.njacs)),
                ("nw", .int(sol.stats.nw)), ("nsolve", .int(sol.stats.nsolve)),
                ("krylov_iterations", .int(krylovIterations)),
                ("krylov_per_solve", .double(krylovPerSolve)),
                ("krylov_unconverged", .int(unconverged)),
                ("amg_levels", .array(multigrid.levels.map { .int($0) })),
                ("amg_aggregations", .int(multigrid.aggregations)), ("amg_updates", .int(multigrid.updates)),
                ("klu_factor_entries", .int(integrator.sparseFactorEntries)),
                ("retcode", .string(sol.retcode.rawValue)),
                ("u_end_sum", .double(sol.u.last?.reduce(0, +) ?? .nan)),
                ("allocs_per_step", allocationCountingWorks ? .count(Double(allocs) / Double(max(sol.stats.nsteps, 1))) : .null),
            ]
            results.append(.object(fields))
            var label = kind
            if case .gmres(_, let reltol, _) = linsolve { label += " (reltol \(reltol))" }
            var line = "brusselator_2d N=\(N) \(name) \(label): \(timing.medianSeconds) s, \(sol.stats), \(sol.retcode)"
            if kind == "klu" { line += ", KLU factor entries \(integrator.sparseFactorEntries)" }
            if krylovIterations > 0 {
                line += ", Krylov iterations \(krylovIterations) (\(krylovPerSolve) a solve, \(unconverged) unconverged)"
            }
            if !multigrid.levels.isEmpty {
                line += ", AMG levels \(multigrid.levels), \(multigrid.aggregations) aggregations, \(multigrid.updates) value updates"
            }
            FileHandle.standardError.write(Data((line + ", u_end_sum \(sol.u.last?.reduce(0, +) ?? .nan)\n").utf8))
        }
    }
    return results
}

/// The linear solver's name in the results: "klu", "gmres" (Jacobi), "amg" (GMRES with AMG),
/// "dense", "banded" or "auto" (the choice not yet resolved).
func kindName(_ choice: LinearSolverChoice) -> String {
    switch choice {
    case .automatic: return "auto"
    case .klu: return "klu"
    case .gmres(_, _, let preconditioner): return preconditioner == .amg ? "amg" : "gmres"
    case .banded: return "banded"
    case .dense: return "dense"
    }
}
