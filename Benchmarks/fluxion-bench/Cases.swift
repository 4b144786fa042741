/// A named benchmark case: running it returns the entries of its `results` array.
struct BenchmarkCase: Sendable {
    let name: String
    /// One line for `fluxion-bench --list`.
    let summary: String
    let run: @Sendable () throws -> [JSONValue]
}

/// Every case, in the order `fluxion-bench` with no arguments runs them.
///
/// Add a case by appending one entry; its name is the `case` field of its JSON line and
/// what `make bench CASE=...` selects (shared/BENCHMARKS.md).
let benchmarkCases: [BenchmarkCase] = [
    BenchmarkCase(
        name: "native_kernels",
        summary: "hand-written Swift LV and spiral right-hand sides and VJPs, per call",
        run: runNativeKernels),
    BenchmarkCase(
        name: "rhs_lv",
        summary: "Lotka-Volterra right-hand side: compiled call and VJP against hand-written Swift",
        run: runRHSLV),
    BenchmarkCase(
        name: "rhs_spiral",
        summary: "spiral network right-hand side: compiled call and VJP against hand-written Swift",
        run: runRHSSpiral),
    BenchmarkCase(
        name: "1_lv_forward",
        summary: "Lotka-Volterra solve, rtol=atol=1e-6, saveat 0.1, Tsit5 and DP5 (Swift API)",
        run: runLVForward),
    BenchmarkCase(
        name: "2_spiral_neural_ode_grad",
        summary: "spiral neural ODE loss gradient, init and fitted parameters, every sensealg",
        run: runSpiralGradient),
    BenchmarkCase(
        name: "3_robertson_stiff",
        summary: "Robertson to 1e5, rtol 1e-6, atol 1e-8, every stiff method (FD and compiled Jacobians)",
        run: runRobertson),
    BenchmarkCase(
        name: "5_lv_training",
        summary: "fit Lotka-Volterra parameters, Adam(0.01), 200 iterations; time to first loss",
        run: runLVTraining),
    BenchmarkCase(
        name: "dense_lu_crossover",
        summary: "DenseLU factorisation, Swift kernels against OpenBLAS dgetrf, n = 16 … 512",
        run: runDenseLUCrossover),
    BenchmarkCase(
        name: "7_workbench_overhead",
        summary: "the spiral trained in the language: headless vs a workbench job with frames drawn at 20 Hz",
        run: runWorkbenchOverhead),
    BenchmarkCase(
        name: "brusselator_2d",
        summary: "2-D Brusselator, N = 16, 32, 64, rtol=atol=1e-6: KLU (automatic), GMRES and dense W",
        run: runBrusselator2D),
    BenchmarkCase(
        name: "linsolve_crossover",
        summary: "dense LU against KLU refactorisation on W, n = 25...400, density 1-40 % (the automatic choice's threshold)",
        run: runLinsolveCrossover),
]

/// The case with this name, if any.
func benchmarkCase(named name: String) -> BenchmarkCase? {
    benchmarkCases.first { $0.name == name }
}
