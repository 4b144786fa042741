/// Minimises `objective` from `initial` with `method`, synchronously, on the calling thread.
///
/// Each iteration: park if `control` is paused, stop if it is cancelled; stop at the
/// iteration limit (`maxiters`, both phases for PolyOpt) or time limit; run one iteration of
/// the method; record its loss; keep the best point; publish a `TrainingEvent` to `control`
/// and pass it to `callback` (which returns true to stop, as Optimization.jl's callback);
/// then apply the `NonFinitePolicy`, the method's own convergence test and the `stopping` rules.
///
/// Every failure is a value: an error thrown by the objective, a NaN loss or a failed line
/// search ends training with its `StopReason`, a message and the best parameters seen.
/// The callback runs on the training thread; a `control` may be used from any thread.
///
/// ```swift
/// let result = train(Objective { θ, g in ... }, θ0, Adam(0.05), maxiters: 300)
/// let refined = train(loss, result.minimizer, LBFGS(), maxiters: 100)
/// ```
public func train(
    _ objective: Objective,
    _ initial: [Double],
    _ method: any OptimizationMethod,
    maxiters: Int = 1000,
    stopping: StoppingRules = StoppingRules(),
    onNonFinite: NonFinitePolicy = .stop,
    control: TrainingControl? = nil,
    resuming state: [Double]? = nil,
    callback: ((TrainingEvent) -> Bool)? = nil
) -> TrainingResult {
    var loop = TrainingLoop(method: method, initial: initial, stopping: stopping, policy: onNonFinite,
                            control: control, callback: callback)
    loop.resume = state
    let result = loop.run(objective: objective, maxiters: maxiters)
    control?.finish(result)
    return result
}

/// `train` for an objective returning its gradient as an array.
public func train(
    _ loss: @escaping (_ theta: [Double]) throws -> (loss: Double, gradient: [Double]),
    _ initial: [Double],
    _ method: any OptimizationMethod,
    maxiters: Int = 1000,
    stopping: StoppingRules = StoppingRules(),
    onNonFinite: NonFinitePolicy = .stop,
    control: TrainingControl? = nil,
    callback: ((TrainingEvent) -> Bool)? = nil
) -> TrainingResult {
    train(Objective(arrays: loss), initial, method, maxiters: maxiters, stopping: stopping,
          onNonFinite: onNonFinite, control: control, callback: callback)
}

/// The state of one `train` call, split out so each phase of an iteration reads as a step.
struct TrainingLoop {
    let method: any OptimizationMethod
    let stopping: StoppingRules
    let policy: NonFinitePolicy
    let control: TrainingControl?
    let callback: ((TrainingEvent) -> Bool)?

    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    var paused = Duration.zero

    var best: [Double]
    var bestLoss = Double.nan
    var bestIteration = 0
    var losses: [Double] = []
    var iteration = 0
    var consecutiveNonFinite = 0
    var stallReference = Double.infinity
    var lastImprovement = 0
    /// The optimiser state to continue from (a first-order rule's moments).
    var resume: [Double]?

    init(method: any OptimizationMethod, initial: [Double], stopping: StoppingRules, policy: NonFinitePolicy,
         control: TrainingControl?, callback: ((TrainingEvent) -> Bool)?) {
        self.method = method
        self.stopping = stopping
        self.policy = policy
        self.control = control
        self.callback = callback
        best = initial
        start = clock.now
    }

    /// Seconds since the start, pauses excluded.
    var elapsed: Double {
        let d = clock.now - start - paused
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    mutating func run(objective: Objective, maxiters: Int) -> TrainingResult {
        guard !best.isEmpty else {
            return finish(.methodFailure, "there are no parameters to optimise", evaluations: 0,
                          error: OptimizationError.noParameters)
        }
        let limit = Swift.max(method.iterationLimit(maxiters: Swift.max(maxiters, 0)), 0)
        losses.reserveCapacity(Swift.min(limit, 1 << 20))
        let iterator: any OptimizationIterator
        do {
            iterator = try method.makeIterator(objective: objective, initialPoint: best, maxiters: maxiters)
            // A first-order rule continues from the moments a previous run ended with.
            if let resume, !iterator.restoreState(resume) { self.resume = nil }
        } catch {
            return finish(.objectiveError, "could not start \(method.name): \(error)", evaluations: 0, error: error)
        }

        while true {
            if let control {
                let before = clock.now
                let go = control.checkpoint()
                paused += clock.now - before
                if !go { return finish(.cancelled, "cancelled", iterator) }
            }
            if iteration >= limit {
                return finish(.maxIterations, "reached the iteration limit (\(limit))", iterator)
            }
            if let timeLimit = stopping.timeLimit, elapsed >= timeLimit {
                return finish(.timeLimit, "reached the time limit of \(timeLimit) s", iterator)
            }

            let report: IterationReport
            do {
                report = try iterator.next()
            } catch {
                return finish(.objectiveError, "the objective threw at iteration \(iteration + 1): \(error)",
                              iterator, error: error)
            }
            iteration += 1
            losses.append(report.loss)
            let finite = report.loss.isFinite && (report.gradientNorm?.isFinite ?? true)
            if finite {
                consecutiveNonFinite = 0
                if !(bestLoss <= report.loss) {
                    bestLoss = report.loss
                    bestIteration = iteration
                    iterator.withPoint { p in for i in p.indices { best[i] = p[i] } }
                }
            } else {
                consecutiveNonFinite += 1
                iterator.discardPendingStep()
            }

            if control != nil || callback != nil {
                let event = TrainingEvent(
                    iteration: iteration, loss: report.loss, bestLoss: bestLoss,
                    parameters: iterator.withPoint { Array($0) }, gradientNorm: report.gradientNorm,
                    info: report.info, stepSize: report.stepSize, evaluations: iterator.evaluations,
                    elapsed: elapsed, method: iterator.methodName)
                control?.publish(event)
                if let callback, callback(event) {
                    return finish(.callbackStop, "the callback asked to stop at iteration \(iteration)", iterator)
                }
            }

            if !finite {
                let what = report.loss.isFinite ? "gradient" : "loss"
                switch policy {
                case .stop:
                    return finish(.nonFiniteLoss, "the \(what) was not finite at iteration \(iteration)", iterator)
                case .skip(let maxConsecutive):
                    if consecutiveNonFinite >= maxConsecutive {
                        return finish(.nonFiniteLoss, "\(consecutiveNonFinite) non-finite evaluations in a row "
                                      + "(last at iteration \(iteration))", iterator)
                    }
                    continue
                }
            }
            switch report.status {
            case .running: break
            case .converged(let why): return finish(.converged, why, iterator)
            case .failed(let why): return finish(.methodFailure, why, iterator)
            }
            if let target = stopping.targetLoss, report.loss <= target {
                return finish(.targetReached, "loss \(report.loss) ≤ target \(target)", iterator)
            }
            if let patience = stopping.stallIterations {
                if report.loss < stallReference - stopping.stallTolerance {
                    stallReference = report.loss
                    lastImprovement = iteration
                } else if iteration - lastImprovement >= patience {
                    return finish(.stalled, "no improvement in \(iteration - lastImprovement) iterations", iterator)
                }
            }
        }
    }

    func finish(_ reason: StopReason, _ message: String, _ iterator: any OptimizationIterator,
                error: (any Error)? = nil) -> TrainingResult {
        var result = finish(reason, message, evaluations: iterator.evaluations, error: error)
        result.optimizerState = iterator.optimizerState
        return result
    }

    func finish(_ reason: StopReason, _ message: String, evaluations: Int, error: (any Error)?) -> TrainingResult {
        var text = message
        if reason.isFailure || reason == .cancelled {
            text += bestIteration > 0
                ? "; kept the best parameters (iteration \(bestIteration), loss \(bestLoss))"
                : "; no finite loss was seen, so the initial parameters are returned"
        }
        return TrainingResult(minimizer: best, minimum: bestLoss, bestIteration: bestIteration, losses: losses,
                              iterations: iteration, evaluations: evaluations, elapsed: elapsed, stopReason: reason,
                              message: text, error: error, method: method.name)
    }
}
