import Autodiff
import DiffEq
import Foundation
import Optimizers
import Sensitivity

// `5_lv_training`: fit the Lotka–Volterra parameters from p0 = [1.2, 0.8, 2.8, 0.8] to the tight
// reference (saved every 0.1 on (0, 10)), loss = Σ (u − data)², Adam(0.01), 200 iterations;
// Tsit5 at rtol = atol = 1e-6 and gradients by the automatic sensealg (forward sensitivities
// for 2 states + 4 parameters). `ttfx_s` is measured in a fresh process: from its start to
// the first loss.

let trainingP0: [Double] = [1.2, 0.8, 2.8, 0.8]

/// The training objective: a differentiable solve and the loss against the reference.
func lvTrainingObjective() throws -> (Objective, DifferentiableSolve) {
    let reference = try AnchorData.locate().lvReference()
    let data = reference.flatMap { [$0[1], $0[2]] }
    var o = SolverOptions()
    o.reltol = 1e-6; o.abstol = 1e-6; o.saveat = .every(0.1)
    let problem = try DifferentiableSolve(CompiledRHS(lotkaVolterraGraph()), tspan: (0, 10),
                                          tableau: MethodRegistry.method(named: "Tsit5"), options: o)
    let objective = Objective(arrays: { p in
        let g = try problem.gradient(u0: [1, 1], p: p, loss: Losses.sumOfSquares(data))
        return (g.value, g.dp)
    })
    return (objective, problem)
}

func runLVTraining() throws -> [JSONValue] {
    let (objective, problem) = try lvTrainingObjective()
    var runs: [Double] = []
    var last: TrainingResult? = nil
    for _ in 0..<5 {
        let start = monotonicNanoseconds()
        let result = train(objective, trainingP0, Adam(0.01), maxiters: 200)
        runs.append(seconds(from: start, to: monotonicNanoseconds()))
        last = result
    }
    runs.sort()
    guard let result = last else { return [] }
    var fields: [(String, JSONValue)] = [
        ("method", .string("Tsit5")), ("variant", .string("swift-api")),
        ("sensealg", .string(problem.sensealg.rawValue)), ("optimizer", .string("Adam(0.01)")),
        ("iters", .int(result.iterations)),
        ("total_wall_s", .double(runs[runs.count / 2])),
        ("total_wall_s_median", .double(runs[runs.count / 2])),
        ("total_wall_s_min", .double(runs[0])), ("total_wall_s_max", .double(runs[runs.count - 1])),
        ("runs", .int(runs.count)),
        ("per_iter_ms_median", .double(1e3 * runs[runs.count / 2] / Double(max(result.iterations, 1)))),
        ("final_loss_before_last_update", .double(result.losses.last ?? .nan)),
        ("final_p", .array(result.minimizer.map(JSONValue.double))),
    ]
    if let ttfx = measureTimeToFirstLoss() { fields.append(("ttfx_s", .double(ttfx))) }
    return [.object(fields)]
}

/// Runs this executable again with `--first-loss` and reads the seconds it reports.
func measureTimeToFirstLoss() -> Double? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = ["--first-loss"]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    process.waitUntilExit()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
}

/// In a fresh process: seconds from the process's start (Linux: /proc/self/stat) to the first loss.
func printTimeToFirstLoss() {
    guard let (objective, _) = try? lvTrainingObjective(), let value = try? objective(trainingP0) else {
        print("nan")
        return
    }
    _ = value
    print(secondsSinceProcessStart())
}

func secondsSinceProcessStart() -> Double {
    // Field 22 of /proc/self/stat is the start time in clock ticks after boot; CLOCK_BOOTTIME is now.
    guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return .nan }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 19, let ticks = Double(fields[19]) else { return .nan }
    var now = timespec()
    clock_gettime(CLOCK_BOOTTIME, &now)
    let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9 - ticks / hz
}
