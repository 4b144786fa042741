import Foundation
import Lang
import XCTest

private extension Value {
    /// The value as a Double (NaN when it is not a number).
    var number: Double? {
        switch self {
        case .float(let x): return x
        case .int(let n): return Double(n)
        default: return nil
        }
    }
}

/// `train` with background jobs (the workbench's): it returns at once; results wait; jobs
/// pause, resume and stop; a job trains a snapshot that later REPL edits do not reach.
final class TrainingJobTests: XCTestCase {
    /// An interpreter whose `train` starts jobs, and its job registry.
    func makeInterpreter() -> (Interpreter, TrainingJobs) {
        let interpreter = Interpreter(output: { _ in })
        let jobs = TrainingJobs()
        interpreter.jobs = jobs
        return (interpreter, jobs)
    }

    func eval(_ interpreter: Interpreter, _ text: String, file: StaticString = #filePath, line: UInt = #line) -> Value {
        let result = interpreter.evaluate(source: text)
        XCTAssertFalse(result.failed, result.renderedDiagnostics(), file: file, line: line)
        return result.value
    }

    /// Polls `condition` for up to `timeout` seconds.
    func eventually(_ timeout: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    /// A loss that trains for a long time (Descent with a tiny step barely moves).
    let longJob = "loss(θ) = sum(abs2, θ .- [1.0, 2.0]); job = train(loss, [0.0, 0.0], Descent(1e-9), maxiters=100000000)"

    func testTrainReturnsAJobAtOnceAndFieldsWaitForIt() throws {
        let (interpreter, jobs) = makeInterpreter()
        let start = Date()
        let value = eval(interpreter, "job = train(p -> sum(abs2, p .- 2.0), [0.0], Adam(0.1), maxiters=300)")
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertTrue(value.repr.hasPrefix("TrainingJob #1: Adam(0.1), 300 iterations — "), value.repr)
        guard case .symbol(let state) = eval(interpreter, "job.state") else { return XCTFail("state is not a symbol") }
        XCTAssertTrue(["queued", "running", "done"].contains(state), state)
        // Reading the result waits for the end.
        let u = eval(interpreter, "job.u[1]")
        XCTAssertEqual(u.number ?? 0, 2.0, accuracy: 1e-3)
        XCTAssertEqual(eval(interpreter, "job.state").repr, ":done")
        XCTAssertEqual(eval(interpreter, "job.iteration").repr, "300")
        XCTAssertEqual(eval(interpreter, "length(job.losses)").repr, "300")
        XCTAssertEqual(eval(interpreter, "job.retcode").repr, ":MaxIters")
        XCTAssertEqual(eval(interpreter, "wait(job).iterations").repr, "300")
        XCTAssertEqual(jobs.latest?.snapshot.state, .done)
        // A job's result feeds the next train, as a synchronous result would.
        let refined = eval(interpreter, "res = train(p -> sum(abs2, p .- 2.0), job.u, LBFGS(), maxiters=20); res.objective")
        XCTAssertLessThan(refined.number ?? 1, 1e-8)
        // The job itself stands for its result where one is expected.
        let fromJob = eval(interpreter, "again = train(p -> sum(abs2, p .- 2.0), job, LBFGS(), maxiters=20); again.objective")
        XCTAssertLessThan(fromJob.number ?? 1, 1e-8)
        XCTAssertEqual(eval(interpreter, "again.state").repr, ":done")
    }

    func testPauseResumeAndStopKeepingTheBestParameters() throws {
        let (interpreter, jobs) = makeInterpreter()
        _ = eval(interpreter, longJob)
        let job = try XCTUnwrap(jobs.latest)
        XCTAssertTrue(eventually { job.snapshot.iteration > 10 })
        XCTAssertTrue(job.pause())
        XCTAssertTrue(eventually { job.currentState == .paused })
        XCTAssertEqual(eval(interpreter, "job.state").repr, ":paused")
        let parked = job.snapshot.iteration
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertLessThanOrEqual(job.snapshot.iteration, parked + 1, "a paused job does not iterate")
        XCTAssertTrue(job.resume())
        XCTAssertTrue(eventually { job.snapshot.iteration > parked + 10 }, "a resumed job goes on")
        XCTAssertEqual(eval(interpreter, "job.state").repr, ":running")
        XCTAssertTrue(job.stop())
        XCTAssertTrue(job.waitUntilFinished(timeout: 10))
        XCTAssertEqual(eval(interpreter, "job.state").repr, ":stopped")
        XCTAssertEqual(eval(interpreter, "job.retcode").repr, ":Cancelled")
        let u = eval(interpreter, "job.u")
        XCTAssertEqual(u.repr.hasPrefix("["), true)
        XCTAssertEqual(eval(interpreter, "length(job.u)").repr, "2")
        XCTAssertFalse(job.stop(), "an ended job cannot be stopped again")
        XCTAssertFalse(job.pause())
    }

    func testInterruptStopsTheWaitingNotTheJob() throws {
        let (interpreter, jobs) = makeInterpreter()
        _ = eval(interpreter, longJob)
        let job = try XCTUnwrap(jobs.latest)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { interpreter.interrupt() }
        let waited = interpreter.evaluate(source: "job.u")
        XCTAssertTrue(waited.failed)
        XCTAssertTrue(waited.diagnostics.first?.message.hasPrefix("interrupted while waiting for job #1") ?? false,
                      waited.diagnostics.first?.message ?? "")
        XCTAssertTrue(job.currentState.isActive, "the job goes on")
        let before = job.snapshot.iteration
        XCTAssertTrue(eventually { job.snapshot.iteration > before })
        job.stop()
        XCTAssertTrue(job.waitUntilFinished(timeout: 10))
    }

    func testAJobTrainsASnapshotThatLaterEditsDoNotChange() throws {
        let (interpreter, jobs) = makeInterpreter()
        _ = eval(interpreter, """
            target = [2.0, -1.0]
            scale = 1.0
            loss(p) = scale * sum(abs2, p .- target)
            job = train(loss, [0.0, 0.0], Adam(0.05), maxiters=400)
            """)
        // Changed while the job runs (or waits in the queue): the job must not see any of it.
        _ = eval(interpreter, "target[1] = 50.0; scale = -1.0; loss(p) = 0.0 * sum(p)")
        let u = eval(interpreter, "job.u")
        guard case .array(let array) = u else { return XCTFail("job.u is \(u.typeName)") }
        XCTAssertEqual(array.storage[0], 2.0, accuracy: 1e-2)
        XCTAssertEqual(array.storage[1], -1.0, accuracy: 1e-2)
        XCTAssertEqual(eval(interpreter, "target[1]").repr, "50.0", "the REPL keeps its own edits")
        XCTAssertEqual(jobs.latest?.snapshot.state, .done)
    }

    func testANeuralODEJobTrainsItsOwnRebuiltNetwork() throws {
        let (interpreter, jobs) = makeInterpreter()
        _ = eval(interpreter, """
            u0 = [2.0, 0.0]; tspan = (0.0, 1.0); tsteps = range(0.0, 1.0, length=8)
            ode_data = Array(solve(ODEProblem((u, p, t) -> [-0.5 * u[1], 0.3 * u[1]], u0, tspan), Tsit5(), saveat=tsteps))
            dudt = Chain(x -> x.^3, Dense(2, 6, tanh), Dense(6, 2))
            node = NeuralODE(dudt, tspan, Tsit5(), saveat=tsteps)
            θ = initial_params(node)
            loss(θ) = sum(abs2, ode_data .- Array(node(u0, θ)))
            first = loss(θ)
            job = train(loss, θ, Adam(0.05), maxiters=60)
            """)
        // The REPL keeps solving with its own network while the job trains its copy.
        for _ in 0..<5 { _ = eval(interpreter, "loss(θ)") }
        let best = eval(interpreter, "job.objective").number ?? .nan
        let first = eval(interpreter, "first").number ?? .nan
        XCTAssertLessThan(best, first, "training lowered the loss")
        XCTAssertEqual(jobs.latest?.snapshot.state, .done)
        XCTAssertEqual(jobs.latest?.snapshot.gradient.count, jobs.latest?.snapshot.parameters.count)
        XCTAssertEqual(eval(interpreter, "loss(job.u)").number ?? .nan, best, accuracy: 1e-3 * best,
                       "the REPL's network gives the job's best loss for the job's parameters")
    }

    func testJobsRunOneAtATimeInOrderAndPrintTaggedOutput() throws {
        let (interpreter, jobs) = makeInterpreter()
        _ = eval(interpreter, longJob)
        _ = eval(interpreter, "noisy(p) = (println(\"loss at \", p[1]); sum(abs2, p)); second = train(noisy, [1.0], Descent(0.1), maxiters=2)")
        let first = try XCTUnwrap(jobs.job(1)), second = try XCTUnwrap(jobs.job(2))
        XCTAssertEqual(second.currentState, .queued, "the second job waits for the first")
        XCTAssertEqual(eval(interpreter, "second.state").repr, ":queued")
        first.stop()
        XCTAssertTrue(second.waitUntilFinished(timeout: 20))
        XCTAssertEqual(second.snapshot.state, .done)
        let output = jobs.takeOutput()
        XCTAssertFalse(output.isEmpty)
        XCTAssertTrue(output.allSatisfy { $0.job == 2 }, "\(output)")
        XCTAssertEqual(output.map(\.text).joined().components(separatedBy: "loss at ").count, 3, "\(output)")
    }

    func testAFailingLossFailsTheJobAndReadingItRaisesTheError() throws {
        let (interpreter, jobs) = makeInterpreter()
        _ = eval(interpreter, "bad(p) = sum(p) + undefined_name; job = train(bad, [1.0], Adam(0.1), maxiters=5)")
        let job = try XCTUnwrap(jobs.latest)
        XCTAssertTrue(job.waitUntilFinished(timeout: 20))
        XCTAssertEqual(job.snapshot.state, .failed)
        let read = interpreter.evaluate(source: "job.u")
        XCTAssertTrue(read.failed)
        XCTAssertTrue(read.diagnostics.first?.message.contains("undefined_name") ?? false, read.diagnostics.first?.message ?? "")
        // A stopped queued job ends before it starts, with its starting point.
        _ = eval(interpreter, longJob)
        _ = eval(interpreter, "queued = train(p -> sum(abs2, p), [3.0], Adam(0.1), maxiters=5)")
        let queued = try XCTUnwrap(jobs.job(3))
        XCTAssertTrue(queued.stop())
        jobs.job(2)?.stop()
        XCTAssertTrue(queued.waitUntilFinished(timeout: 10))
        XCTAssertEqual(eval(interpreter, "queued.state").repr, ":stopped")
        XCTAssertEqual(eval(interpreter, "queued.u").repr, "[3.0]")
    }

    func testArgumentErrorsAreRaisedAtTheCallNotInTheJob() {
        let (interpreter, jobs) = makeInterpreter()
        let result = interpreter.evaluate(source: "train(p -> sum(p), [1.0], 3)")
        XCTAssertTrue(result.failed)
        XCTAssertTrue(result.diagnostics.first?.message.contains("optimiser") ?? false)
        XCTAssertNil(jobs.latest, "no job is made for a call that cannot train")
    }

    func testSessionsSaveAFinishedJobAsItsResultAndSkipARunningOne() throws {
        let (interpreter, jobs) = makeInterpreter()
        _ = eval(interpreter, "done = train(p -> sum(abs2, p .- 2.0), [0.0], Adam(0.1), maxiters=50); done.u")
        _ = eval(interpreter, longJob)
        let path = NSTemporaryDirectory() + "fluxion-jobs-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let message = try interpreter.saveSession(to: path).message
        jobs.stopAll()
        XCTAssertTrue(message.contains("job") && message.contains("a training job still running"), message)
        let restored = Interpreter(output: { _ in })
        _ = try restored.loadSession(from: path)
        XCTAssertEqual(eval(restored, "typeof(done)").repr, "TrainingResult")
        XCTAssertEqual(eval(restored, "length(done.losses)").repr, "50")
        XCTAssertNil(restored.global("job"))
    }

    func testScriptsTrainSynchronously() {
        let interpreter = Interpreter(output: { _ in })
        let result = interpreter.evaluate(source: "train(p -> sum(abs2, p .- 2.0), [0.0], Adam(0.1), maxiters=5, progress=false)")
        XCTAssertEqual(result.value.typeName, "TrainingResult")
    }
}
