/// Why training stopped. Raw values follow SciML's `ReturnCode` names where one exists.
public enum StopReason: String, Sendable, CustomStringConvertible {
    /// The method's own tolerance was met (e.g. BFGS's ‖∇f‖∞ ≤ gTol).
    case converged = "Success"
    case maxIterations = "MaxIters"
    /// The loss reached `StoppingRules.targetLoss`.
    case targetReached = "TargetReached"
    /// `StoppingRules.timeLimit` passed (Optimization.jl's `maxtime`).
    case timeLimit = "MaxTime"
    /// The best loss did not improve for `StoppingRules.stallIterations` iterations.
    case stalled = "Stalled"
    /// The callback returned true.
    case callbackStop = "Terminated"
    /// `TrainingControl.cancel()`.
    case cancelled = "Cancelled"
    /// A NaN or infinite loss or gradient, under `NonFinitePolicy.stop` (or too many skipped).
    case nonFiniteLoss = "NonFiniteLoss"
    /// The objective threw; the error is in `TrainingResult.error`.
    case objectiveError = "Failure"
    /// The method could not go on (e.g. the line search found no decrease).
    case methodFailure = "ConvergenceFailure"

    public var description: String { rawValue }

    /// Whether the run ended in a failure rather than by a rule or a request.
    public var isFailure: Bool { self == .nonFiniteLoss || self == .objectiveError || self == .methodFailure }
}

/// Rules that end training early, each off unless set.
public struct StoppingRules: Sendable, Equatable {
    /// Stop once a loss ≤ this is seen.
    public var targetLoss: Double?
    /// Seconds of training, pauses excluded, checked before each iteration.
    public var timeLimit: Double?
    /// Stop when this many iterations have passed without the loss falling below the best
    /// so far minus `stallTolerance`.
    public var stallIterations: Int?
    /// The improvement that counts for `stallIterations`.
    public var stallTolerance: Double

    public init(targetLoss: Double? = nil, timeLimit: Double? = nil, stallIterations: Int? = nil,
                stallTolerance: Double = 0) {
        self.targetLoss = targetLoss
        self.timeLimit = timeLimit
        self.stallIterations = stallIterations
        self.stallTolerance = stallTolerance
    }
}

/// What to do when a loss or gradient is NaN or infinite. The best parameters are kept either way.
public enum NonFinitePolicy: Sendable, Equatable {
    /// End training with `.nonFiniteLoss`.
    case stop
    /// Drop the step computed from the bad evaluation and go on (useful when the loss is
    /// stochastic, e.g. minibatches); stop after `maxConsecutive` bad evaluations in a row.
    case skip(maxConsecutive: Int = 10)
}

/// The outcome of `train`: answers to Optimization.jl's names (`u`, `objective`) and the
/// older ones (`minimizer`, `minimum`).
public struct TrainingResult: Sendable, CustomStringConvertible {
    /// The parameters with the lowest finite loss seen (the initial ones if there was none).
    public let minimizer: [Double]
    /// That loss (NaN if no finite loss was seen).
    public let minimum: Double
    /// The iteration that found the minimizer (0 if none did).
    public let bestIteration: Int
    /// One loss per iteration, non-finite ones included.
    public let losses: [Double]
    /// Iterations run (the length of `losses`).
    public let iterations: Int
    /// Objective evaluations (line searches make several per iteration).
    public let evaluations: Int
    /// Seconds of training, pauses excluded.
    public let elapsed: Double
    /// Why training stopped.
    public let stopReason: StopReason
    /// A sentence saying why training stopped.
    public let message: String
    /// The error the objective threw, for `.objectiveError`.
    public let error: (any Error)?
    /// The method's name.
    public let method: String
    /// The first-order rule's state at the end (Adam's moments and bias-correction powers, a
    /// momentum's velocity; empty for plain descent), which `train(…, resuming:)` continues
    /// from; nil for methods without one (quasi-Newton, Nelder–Mead) or not exported.
    public internal(set) var optimizerState: [Double]? = nil

    /// Optimization.jl's name for `minimizer`.
    public var u: [Double] { minimizer }
    /// Optimization.jl's name for `minimum`.
    public var objective: Double { minimum }

    public var description: String {
        "\(method): \(stopReason) after \(iterations) iterations (\(evaluations) evaluations, "
            + "\(elapsed) s), best loss \(minimum) at iteration \(bestIteration): \(message)"
    }
}
