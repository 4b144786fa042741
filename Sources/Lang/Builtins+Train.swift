import Autodiff
import Foundation
import Optimizers

/// A snapshot of a running `train` call, for progress displays (`Interpreter.trainingProgress`).
/// A value: `losses` is a copy, so it may be posted to another thread.
public struct TrainingProgress: Sendable {
    /// The method's name ("Adam", "LBFGS").
    public let method: String
    /// Iterations done so far.
    public let iteration: Int
    /// The iteration limit (`maxiters`).
    public let maxiters: Int
    /// The latest loss.
    public let loss: Double
    /// The lowest finite loss so far.
    public let bestLoss: Double
    /// Seconds since training started.
    public let elapsed: Double
    /// One loss per iteration so far.
    public let losses: [Double]
    /// The last report of the run (training has stopped).
    public let finished: Bool

    /// Iterations per second.
    public var rate: Double { elapsed > 0 ? Double(iteration) / elapsed : 0 }

    public init(method: String, iteration: Int, maxiters: Int, loss: Double, bestLoss: Double, elapsed: Double,
                losses: [Double], finished: Bool) {
        self.method = method
        self.iteration = iteration
        self.maxiters = maxiters
        self.loss = loss
        self.bestLoss = bestLoss
        self.elapsed = elapsed
        self.losses = losses
        self.finished = finished
    }

    /// `train: iter 120/300  loss 3.2e-02  best 3.1e-02  41 it/s`
    public var line: String {
        "train: iter \(iteration)/\(maxiters)  loss \(Self.short(loss))  best \(Self.short(bestLoss))  "
            + "\(Int(rate.rounded())) it/s"
    }

    /// A number in `3.2e-02` form.
    public static func short(_ x: Double) -> String {
        x.isFinite ? String(format: "%.1e", x) : "\(x)"
    }
}

/// An optimisation method as a language value (`Adam(0.05)`, `LBFGS()`).
///
/// It keeps the state its last `train` ended with (Adam's moments, a velocity), as Flux's
/// stateful optimisers did: training again with the same optimiser and as many parameters
/// continues from those moments instead of restarting them; `Adam(0.05)` anew starts fresh.
/// Sessions save the state with the optimiser.
public final class OptimizerObject: @unchecked Sendable {
    /// The engine's method.
    let method: any OptimizationMethod
    /// How it prints: `Adam(0.05)`.
    let text: String
    /// The last run's final state and its parameter count (a finished job writes it from
    /// another thread, hence the lock).
    private var saved: (count: Int, values: [Double])?
    private let lock = NSLock()

    init(_ method: any OptimizationMethod, _ text: String) {
        self.method = method
        self.text = text
    }

    /// The state to continue from for `count` parameters, if the last run left one.
    func state(for count: Int) -> [Double]? {
        lock.lock(); defer { lock.unlock() }
        guard let saved, saved.count == count else { return nil }
        return saved.values
    }

    /// The state a run ended with (nil: none to keep, e.g. a quasi-Newton method).
    func remember(_ values: [Double]?, count: Int) {
        lock.lock(); defer { lock.unlock() }
        saved = values.map { (count, $0) }
    }

    /// The kept state and its parameter count, for sessions and snapshots.
    var savedState: (count: Int, values: [Double])? {
        lock.lock(); defer { lock.unlock() }
        return saved
    }
}

/// What `train` returns.
public final class TrainingObject {
    /// The engine's result.
    public let result: TrainingResult
    /// The named blocks of θ when it was a `ComponentVector` (so `res.u.θ` works).
    let axes: ComponentAxes?

    init(_ result: TrainingResult, axes: ComponentAxes? = nil) {
        self.result = result
        self.axes = axes
    }

    /// A short summary: method, iterations, best loss, stop reason, elapsed.
    var summary: String {
        "TrainingResult(\(result.method), retcode = :\(result.stopReason.rawValue), \(result.iterations) iterations, "
            + "best loss \(TrainingProgress.short(result.minimum)), \(String(format: "%.2f", result.elapsed)) s)"
    }

    /// The REPL's longer form.
    var display: String {
        let r = result
        // The first line is what the workbench's status line shows; long parameter vectors
        // (a network's hundreds) are elided here, `res.u` prints them all.
        let u = r.minimizer.count <= 12
            ? Value.floats(r.minimizer).repr
            : "[" + (r.minimizer.prefix(3).map(Value.format) + ["…"] + r.minimizer.suffix(2).map(Value.format))
                .joined(separator: ", ") + "] (\(r.minimizer.count) elements; res.u shows all)"
        return [
            "\(r.method): best loss \(Value.format(r.minimum)) at iteration \(r.bestIteration) of \(r.iterations)",
            "retcode: \(r.stopReason.rawValue) — \(r.message)",
            "iterations: \(r.iterations) (\(r.evaluations) evaluations) in \(String(format: "%.3f", r.elapsed)) s",
            "u = " + u,
        ].joined(separator: "\n")
    }

    /// `res.u`, `res.minimizer`, `res.objective`, ...
    func field(_ name: String, _ span: SourceSpan) throws -> Value {
        switch name {
        case "u", "minimizer": return .floats(result.minimizer, axes: axes)
        case "objective", "minimum": return .float(result.minimum)
        case "losses": return .floats(result.losses)
        case "iterations": return .int(result.iterations)
        case "evaluations": return .int(result.evaluations)
        case "retcode", "stop_reason": return .symbol(result.stopReason.rawValue)
        case "message": return .string(result.message)
        case "elapsed": return .float(result.elapsed)
        case "method": return .string(result.method)
        default:
            throw LangError("type TrainingResult has no field \(name)", at: span,
                            hint: "its fields are u, minimizer, objective, minimum, losses, iterations, evaluations, "
                                + "retcode, message, elapsed, method")
        }
    }
}

extension Interpreter {
    /// The optimisers and `train`.
    static var trainBuiltins: [Builtin] {
        func quasiNewton(_ name: String, _ make: @escaping () -> any OptimizationMethod) -> Builtin {
            Builtin(name: name, signature: "\(name)()") { call in
                try call.expect(0)
                try call.allowKeywords([])
                return .engine(.optimizer(OptimizerObject(make(), name + "()")))
            }
        }
        // Optim.jl's `BFGS(; initial_stepnorm = 0.01)`: the first step's ∞-norm.
        func quasiNewtonWithStepNorm(_ name: String, _ make: @escaping (Double?) -> any OptimizationMethod) -> Builtin {
            Builtin(name: name, signature: "\(name)(; initial_stepnorm)") { call in
                try call.expect(0)
                try call.allowKeywords(["initial_stepnorm"])
                var norm: Double? = nil
                if let given = call.keyword("initial_stepnorm") {
                    guard let value = given.asDouble, given.isNumber, value > 0 else {
                        throw call.error("\(name): initial_stepnorm must be a positive number, got \(given.repr)")
                    }
                    norm = value
                }
                return .engine(.optimizer(OptimizerObject(make(norm), name + (norm.map { "(; initial_stepnorm = \(Value.format($0)))" } ?? "()"))))
            }
        }
        return [
            Builtin(name: "Adam", signature: "Adam(eta=0.001)") { call in
                let (x, text) = try hyperparameters(call, [0.001])
                return .engine(.optimizer(OptimizerObject(Adam(x[0]), text)))
            },
            Builtin(name: "Descent", signature: "Descent(eta=0.1)") { call in
                let (x, text) = try hyperparameters(call, [0.1])
                return .engine(.optimizer(OptimizerObject(Descent(x[0]), text)))
            },
            quasiNewtonWithStepNorm("BFGS") { BFGS(initialStepNorm: $0) },
            quasiNewtonWithStepNorm("LBFGS") { LBFGS(initialStepNorm: $0) },
            quasiNewton("NelderMead") { NelderMead() },
            Builtin(name: "RMSProp", signature: "RMSProp(eta=0.001, rho=0.9, epsilon=1e-8; centred=false)") { call in
                let (x, text) = try hyperparameters(call, [0.001, 0.9, 1e-8], keywords: ["centred"])
                var centred = false
                if let given = call.keyword("centred") {
                    guard case .bool(let flag) = given else { throw call.error("RMSProp: centred must be true or false") }
                    centred = flag
                }
                return .engine(.optimizer(OptimizerObject(RMSProp(x[0], rho: x[1], epsilon: x[2], centred: centred),
                                                          centred ? text.dropLast() + "; centred=true)" : text)))
            },
            Builtin(name: "Momentum", signature: "Momentum(eta=0.01, rho=0.9)") { call in
                let (x, text) = try hyperparameters(call, [0.01, 0.9])
                return .engine(.optimizer(OptimizerObject(Momentum(x[0], rho: x[1]), text)))
            },
            Builtin(name: "Nesterov", signature: "Nesterov(eta=0.001, rho=0.9)") { call in
                let (x, text) = try hyperparameters(call, [0.001, 0.9])
                return .engine(.optimizer(OptimizerObject(Nesterov(x[0], rho: x[1]), text)))
            },
            Builtin(name: "AdamW", signature: "AdamW(eta=0.001, beta=(0.9, 0.999), lambda=0)") { call in
                let (x, _) = try hyperparameters(call, [0.001, 0.9, 0.999, 0])
                let text = "AdamW(\(Value.format(x[0])), (\(Value.format(x[1])), \(Value.format(x[2]))), \(Value.format(x[3])))"
                return .engine(.optimizer(OptimizerObject(AdamW(x[0], beta: (x[1], x[2]), lambda: x[3]), text)))
            },
            Builtin(name: "train",
                    signature: "train(loss, θ, opt; maxiters=1000, progress=true, callback=(state, l) -> false, autosave=path, "
                        + "autosave_every=50) — in the workbench a background job (job.u waits for it); elsewhere synchronous, "
                        + "Ctrl-C stops it with error: interrupted") { call in
                try call.expect(3)
                try call.allowKeywords(["maxiters", "progress", "callback", "autosave", "autosave_every"])
                return try train(call.startingFromResults())
            },
        ] + jobBuiltins
    }

    /// Optimisers.jl's positional hyperparameters after the defaults (`RMSProp(0.01, 0.95)`,
    /// β as a tuple: `AdamW(0.01, (0.9, 0.99), 1e-4)`), the learning rate also as `eta` or `lr`;
    /// returns them with the optimiser's printed form (`Momentum(0.01, 0.9)`).
    static func hyperparameters(_ call: BuiltinCall, _ defaults: [Double],
                                keywords: Set<String> = []) throws -> (values: [Double], text: String) {
        try call.allowKeywords(keywords.union(["lr", "eta"]))
        var given: [Double] = []
        for argument in call.arguments {
            let items = (try? call.interpreter.elements(argument, call.span)) ?? [argument]
            for item in argument.isNumber ? [argument] : items {
                guard item.isNumber, let x = item.asDouble, x.isFinite else {
                    throw call.error("\(call.name): hyperparameters must be numbers, got \(argument.repr)",
                                     hint: "\(call.name) takes \(call.signature.drop(while: { $0 != "(" }))")
                }
                given.append(x)
            }
        }
        guard given.count <= defaults.count else {
            throw call.error("\(call.name) takes at most \(defaults.count) hyperparameters, got \(given.count)",
                             hint: "\(call.name) takes \(call.signature.drop(while: { $0 != "(" }))")
        }
        if let rate = call.keyword("lr") ?? call.keyword("eta") {
            guard let x = rate.asDouble, rate.isNumber else { throw call.error("\(call.name): the learning rate must be a number") }
            if given.isEmpty { given = [x] } else { given[0] = x }
        }
        let values = given + defaults.dropFirst(given.count)
        return (values, call.name + "(" + values.map(Value.format).joined(separator: ", ") + ")")
    }

    /// `train(loss, θ, opt; maxiters)`: loss and gradient from the reverse-mode tape, the
    /// engine's training loop, throttled progress; an interrupt ends it with "interrupted".
    static func train(_ call: BuiltinCall) throws -> Value {
        let interpreter = call.interpreter
        let f = call.arguments[0]
        guard case .function = f else { throw call.error("train needs a loss function first, got \(f.typeName)") }
        let items = try interpreter.elements(call.arguments[1], call.span)
        let theta = items.compactMap { $0.isNumber ? $0.asDouble : nil }
        guard theta.count == items.count, !theta.isEmpty else {
            throw call.error("train: the parameters must be a non-empty numeric vector, got \(call.arguments[1].typeName)")
        }
        guard case .engine(.optimizer(let optimizer)) = call.arguments[2] else {
            throw call.error("train needs an optimiser third, got \(call.arguments[2].typeName)",
                             hint: "Adam(0.05), AdamW, RMSProp, Momentum, Nesterov, Descent(0.1), BFGS(), LBFGS() or NelderMead()")
        }
        var maxiters = 1000
        if let given = call.keyword("maxiters") {
            guard let n = given.asInt, n >= 0 else { throw call.error("train: maxiters must be a non-negative integer") }
            maxiters = n
        }
        var progress = true
        if let given = call.keyword("progress") {
            guard case .bool(let b) = given else { throw call.error("train: progress must be true or false") }
            progress = b
        }
        var autosaver = try Autosaver(call)
        let axes = call.arguments[1].componentAxes
        let callback = try trainingCallback(call, axes: axes)
        if let jobs = interpreter.jobs { return try startJob(call, jobs, optimizer: optimizer, theta: theta, maxiters: maxiters) }
        let span = call.span
        let job = interpreter.trainingJob
        let objective = Objective(arrays: { θ in
            let tape = Tape()
            let variable = tape.variable(θ)
            let result = try interpreter.apply(f, [.tape(TapeValue(variable, axes: axes))], [], span)
            switch result {
            case .tape(let t):
                guard t.variable.shape.isScalar else {
                    throw LangError("train: the loss must return a number, got \(t.plain.typeName) of \(t.variable.count) elements",
                                    at: span, hint: "reduce it to a scalar loss, e.g. sum(abs2, ...)")
                }
                let grads: [[Double]]
                do {
                    grads = try tape.gradient(of: t.variable, wrt: [variable])
                } catch let error as LangError {
                    throw error
                } catch {
                    throw LangError("train: \(error)", at: span)
                }
                job?.recordGradient(grads[0])
                return (t.variable.values.first ?? .nan, grads[0])
            case .int, .float:
                return (result.asDouble ?? .nan, [Double](repeating: 0, count: θ.count))
            default:
                throw LangError("train: the loss must return a number, got \(result.typeName)", at: span)
            }
        })
        let hook = interpreter.trainingProgress
        let interval = hook == nil ? 0.5 : 0.1
        var lastReport = -Double.infinity
        var losses: [Double] = []
        var interrupted = false
        var callbackError: (any Error)?
        var last: TrainingEvent?
        var reported = 0
        let limit = optimizer.method.iterationLimit(maxiters: maxiters)
        func report(_ event: TrainingEvent, finished: Bool) {
            reported = event.iteration
            let snapshot = TrainingProgress(method: event.method, iteration: event.iteration, maxiters: limit,
                                            loss: event.loss, bestLoss: event.bestLoss, elapsed: event.elapsed,
                                            losses: losses, finished: finished)
            if let hook { hook(snapshot) } else if progress { interpreter.output(snapshot.line + "\n") }
        }
        let result = Optimizers.train(objective, theta, optimizer.method, maxiters: maxiters, control: job?.control,
                                      resuming: optimizer.state(for: theta.count)) { event in
            job?.record(event)
            losses.append(event.loss)
            last = event
            autosaver?.observe(event, losses: losses)
            if interpreter.interruptPending() {
                interrupted = true
                return true
            }
            if event.elapsed - lastReport >= interval {
                lastReport = event.elapsed
                report(event, finished: false)
            }
            guard let callback else { return false }
            do {
                return try callback(event)
            } catch {
                callbackError = error
                return true
            }
        }
        optimizer.remember(result.optimizerState, count: theta.count)
        if let last, hook != nil || last.iteration != reported { report(last, finished: true) }
        if interrupted { throw LangError("interrupted", at: span) }
        if let callbackError { throw callbackError }
        if result.stopReason == .objectiveError, let error = result.error as? LangError { throw error }
        return .engine(.training(TrainingObject(result, axes: axes)))
    }

    /// `callback = (state, l) -> halt`, Optimization.jl's form: called after every iteration with
    /// the state (`state.iter`, `state.u`, `state.objective`) and the loss; `true` stops training
    /// (retcode `:Terminated`). An error inside it ends training and is raised where it happened.
    static func trainingCallback(_ call: BuiltinCall, axes: ComponentAxes?) throws -> ((TrainingEvent) throws -> Bool)? {
        guard let given = call.keyword("callback") else { return nil }
        guard case .function(let function) = given,
              function.builtin != nil || function.methods.contains(where: { call.interpreter.accepts($0.definition, 2) }) else {
            throw call.error("train: callback must be a function of (state, loss), got \(given.typeName)",
                             hint: "for example callback = (state, l) -> (println(state.iter, \" \", l); false)")
        }
        let interpreter = call.interpreter, span = call.span
        return { event in
            let state = Value.namedTuple(names: ["iter", "u", "objective"],
                                         values: [.int(event.iteration), .floats(event.parameters, axes: axes), .float(event.loss)])
            let halt = try interpreter.apply(given, [state, .float(event.loss)], [], span)
            switch halt {
            case .bool(let flag): return flag
            case .nothing: return false
            default:
                throw LangError("train: the callback must return true (stop) or false (go on), got \(halt.typeName)", at: span,
                                hint: "end the callback with false to keep training")
            }
        }
    }
}
