import Foundation
import Lang
import TextPlots
import Workbench

// `7_workbench_overhead`: the spiral of LANGUAGE.md (30 points, Chain(x -> x.^3, Dense(2, 50,
// tanh), Dense(50, 2)), Adam(0.05)) trained in the language twice: headless
// (an interpreter's synchronous `train`) and as a workbench job while this thread plays the
// workbench's UI loop on a 120×40 headless screen: every 50 ms it takes the job's snapshot,
// renders the frame (loss pane, parameter table, status line) and presents it, diffed.
// `throughput_ratio` = job iterations/s ÷ headless iterations/s (target ≥ 0.95). Rates come
// from the training loop's own clock (`elapsed`, the loop alone, not the set-up). The
// iteration count is calibrated so that one headless run takes about 3 s (at least 300
// iterations): enough frames for the drawing to weigh in. `job_undrawn_ratio` is the same
// job with no frames drawn: the cost of the job machinery (snapshot, per-iteration
// records) alone, apart from the drawing's competition for the cores.

let overheadSetup = """
    u0 = [2.0, 0.0]; tspan = (0.0, 1.5); tsteps = range(0.0, 1.5, length=30)
    A = [-0.1 2.0; -2.0 -0.1]
    truth(u, p, t) = ((u.^3)'A)'
    ode_data = Array(solve(ODEProblem(truth, u0, tspan), Tsit5(), saveat=tsteps))
    dudt = Chain(x -> x.^3, Dense(2, 50, tanh), Dense(50, 2))
    node = NeuralODE(dudt, tspan, Tsit5(), saveat=tsteps)
    θ = initial_params(node)
    predict(θ) = Array(node(u0, θ))
    loss(θ) = sum(abs2, ode_data .- predict(θ))
    """
func overheadTrain(_ iterations: Int) -> String {
    "train(loss, θ, Adam(0.05), maxiters=\(iterations), progress=false)"
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
}

/// Iterations per second of a headless, synchronous `train`.
func headlessTrainingRate(_ iterations: Int) throws -> Double {
    let interpreter = Interpreter(output: { _ in })
    let setup = interpreter.evaluate(source: overheadSetup)
    guard !setup.failed else { throw BenchmarkError(description: setup.renderedDiagnostics()) }
    let run = interpreter.evaluate(source: "res = \(overheadTrain(iterations)); (res.iterations, res.elapsed)")
    guard !run.failed, case .tuple(let parts) = run.value, case .int(let iterations) = parts[0],
          case .float(let elapsed) = parts[1] else { throw BenchmarkError(description: run.renderedDiagnostics()) }
    return Double(iterations) / elapsed
}

/// Iterations per second of the same training as a workbench job, with the frames drawn at
/// 20 Hz meanwhile; also the frames drawn and the cells sent.
func workbenchTrainingRate(_ iterations: Int, drawing: Bool = true) throws
    -> (rate: Double, frames: Int, cells: Int, frameSeconds: Double) {
    let session = WorkbenchSession(backgroundTraining: true)
    session.submit(overheadSetup.replacingOccurrences(of: "\n", with: "; "))
    guard session.model.error == nil else { throw BenchmarkError(description: session.model.error ?? "") }
    session.submit("job = \(overheadTrain(iterations));")
    guard let job = session.jobs?.latest else { throw BenchmarkError(description: "no job: \(session.model.error ?? "")") }
    let screen = HeadlessScreen(width: 120, height: 40)
    let presenter = FramePresenter()
    var frames = 0, cells = 0, busy = 0.0
    while drawing {
        let start = monotonicNanoseconds()
        session.refreshJobs()
        cells += presenter.present(FrameRenderer.render(session.model, size: screen.size), on: screen)
        busy += seconds(from: start, to: monotonicNanoseconds())
        frames += 1
        if !job.currentState.isActive { break }
        Thread.sleep(forTimeInterval: 0.05)
    }
    job.waitUntilFinished(timeout: 600)
    let s = job.snapshot
    guard s.state == .done, s.elapsed > 0 else { throw BenchmarkError(description: "job ended \(s.state): \(s.message ?? "")") }
    return (Double(s.iteration) / s.elapsed, frames, cells, busy)
}

func runWorkbenchOverhead() throws -> [JSONValue] {
    var headless: [Double] = [], workbench: [Double] = [], undrawn: [Double] = []
    var frames = 0, cells = 0, frameSeconds = 0.0
    let iterations = max(300, Int(3 * (try headlessTrainingRate(300))))
    // Alternated, so that a slow spell of a shared machine hits both.
    for _ in 0..<3 {
        headless.append(try headlessTrainingRate(iterations))
        let run = try workbenchTrainingRate(iterations)
        workbench.append(run.rate)
        frames += run.frames
        cells += run.cells
        frameSeconds += run.frameSeconds
        undrawn.append(try workbenchTrainingRate(iterations, drawing: false).rate)
    }
    headless.sort()
    workbench.sort()
    undrawn.sort()
    let h = headless[headless.count / 2], w = workbench[workbench.count / 2], u = undrawn[undrawn.count / 2]
    return [.object([
        ("problem", .string("spiral, Dense(2, 50, tanh), 30 points")), ("optimizer", .string("Adam(0.05)")),
        ("iters", .int(iterations)), ("runs", .int(headless.count)),
        ("headless_iters_per_s", .double(h)), ("workbench_iters_per_s", .double(w)),
        ("throughput_ratio", .double(w / h)),
        ("headless_iters_per_s_all", JSONValue(headless)), ("workbench_iters_per_s_all", JSONValue(workbench)),
        ("job_undrawn_iters_per_s", .double(u)), ("job_undrawn_ratio", .double(u / h)),
        ("render_hz", .double(20)), ("frames", .int(frames)), ("cells_sent", .int(cells)),
        ("frame_ms_mean", .double(1e3 * frameSeconds / Double(max(frames, 1)))),
        ("screen", .string("120x40 headless")),
    ])]
}
