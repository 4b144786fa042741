import Foundation
import Optimizers

extension Interpreter {
    /// `wait(job)` and `fetch(job)`: the job's result, once it has finished.
    static var jobBuiltins: [Builtin] {
        ["wait", "fetch"].map { name in
            Builtin(name: name, signature: "\(name)(job) — waits for a training job and returns its TrainingResult") { call in
                try call.expect(1)
                try call.allowKeywords([])
                switch call.arguments[0] {
                case .engine(.job(let job)): return .engine(.training(try job.wait(call.interpreter, call.span)))
                case .engine(.training): return call.arguments[0]
                default: throw call.error("\(name) needs a training job, got \(call.arguments[0].typeName)",
                                          hint: "in the workbench, job = train(loss, θ, Adam(0.05)) makes one")
                }
            }
        }
    }

    /// `train` in the workbench: the arguments are checked here, then a snapshot of the
    /// globals (`SnapshotCopier`) goes with a copy of the call to the jobs' thread, and the
    /// job comes back at once. The job trains in its own interpreter, so nothing it touches
    /// is shared with the REPL; what its loss prints goes to the transcript tagged with it.
    static func startJob(_ call: BuiltinCall, _ jobs: TrainingJobs, optimizer: OptimizerObject, theta: [Double],
                         maxiters: Int) throws -> Value {
        let id = jobs.nextID()
        let axes = call.arguments[1].componentAxes
        let job = TrainingJob(id: id, optimizer: optimizer.text, maxiters: optimizer.method.iterationLimit(maxiters: maxiters),
                              names: parameterNames(count: theta.count, axes: axes))
        let (snapshot, copier) = call.interpreter.snapshot(span: call.span) { [weak jobs] text in jobs?.print(text, job: id) }
        snapshot.trainingJob = job
        // The panes read the job itself: no progress lines, no status events.
        snapshot.trainingProgress = { _ in }
        snapshot.plotted = { [weak jobs] plot in jobs?.show(plot) }
        let jobCall = BuiltinCall(interpreter: snapshot, name: call.name, signature: call.signature,
                                  arguments: call.arguments.map(copier.copy),
                                  keywords: call.keywords.map { ($0.0, copier.copy($0.1)) }, span: call.span)
        let span = call.span
        jobs.submit(job) {
            guard job.begin() else {
                job.finishUnstarted(theta, axes: axes)
                return
            }
            do {
                let value = try snapshot.runAsStatement { try train(jobCall) }
                guard case .engine(.training(let object)) = value else {
                    throw LangError("train returned \(value.typeName)", at: span)
                }
                // The REPL's optimiser continues from where the job's copy ended.
                optimizer.remember(object.result.optimizerState, count: theta.count)
                job.finish(.success(object))
            } catch let error as LangError {
                job.finish(.failure(error))
            } catch {
                job.finish(.failure(LangError("train: \(error)", at: span)))
            }
        }
        return .engine(.job(job))
    }

    /// `θ[1]`, `θ[2]`, …; a ComponentVector's blocks by name (`layer_1[3]`, `α`).
    static func parameterNames(count: Int, axes: ComponentAxes?) -> [String] {
        guard let axes, axes.count == count else { return (1...max(count, 1)).prefix(count).map { "θ[\($0)]" } }
        var names: [String] = []
        for block in axes.blocks {
            if block.isScalar {
                names.append(block.name)
            } else {
                names += block.range.indices.map { "\(block.name)[\($0 - block.range.lowerBound + 1)]" }
            }
        }
        return names
    }

    /// `job.state`, `job.iteration`, `job.id` read at once; every other field (`u`,
    /// `minimizer`, `objective`, `losses`, `retcode`, …) waits for the job and reads its result.
    func jobField(_ job: TrainingJob, _ name: String, _ span: SourceSpan) throws -> Value {
        switch name {
        case "state": return .symbol(job.currentState.rawValue)
        case "iteration", "iter": return .int(job.snapshot.iteration)
        case "id": return .int(job.id)
        case "maxiters": return .int(job.maxiters)
        case "result": return .engine(.training(try job.wait(self, span)))
        default: return try job.wait(self, span).field(name, span)
        }
    }
}

extension BuiltinCall {
    /// The call with a training result or job as θ replaced by its parameters (a job is
    /// waited for): `train(loss, job, LBFGS())` goes on from where `job` ended.
    func startingFromResults() throws -> BuiltinCall {
        guard arguments.count > 1 else { return self }
        let object: TrainingObject
        switch arguments[1] {
        case .engine(.job(let job)): object = try job.wait(interpreter, span)
        case .engine(.training(let training)): object = training
        default: return self
        }
        var given = arguments
        given[1] = .floats(object.result.minimizer, axes: object.axes)
        return BuiltinCall(interpreter: interpreter, name: name, signature: signature, arguments: given,
                           keywords: keywords, span: span)
    }
}
