/// What one training iteration reports to observers: the callback (on the training thread)
/// and the `TrainingControl` mailbox (read by any thread). A value; `parameters` is a copy.
public struct TrainingEvent: Sendable {
    /// 1, 2, …: the iteration this event reports.
    public let iteration: Int
    /// The loss at `parameters` (NaN or ±∞ when the evaluation failed).
    public let loss: Double
    /// The lowest finite loss so far (NaN before the first finite one).
    public let bestLoss: Double
    /// The point the loss belongs to.
    public let parameters: [Double]
    /// ‖∇f‖₂ at that point; nil for gradient-free methods.
    public let gradientNorm: Double?
    /// What the objective reported there (solver stats, prediction).
    public let info: EvaluationInfo
    /// The line-search step α of a quasi-Newton iteration.
    public let stepSize: Double?
    /// Objective evaluations so far.
    public let evaluations: Int
    /// Seconds of training so far, pauses excluded.
    public let elapsed: Double
    /// The method that produced this iteration ("Adam", then "BFGS" inside PolyOpt).
    public let method: String

    public init(iteration: Int, loss: Double, bestLoss: Double, parameters: [Double], gradientNorm: Double?,
                info: EvaluationInfo, stepSize: Double?, evaluations: Int, elapsed: Double, method: String) {
        self.iteration = iteration
        self.loss = loss
        self.bestLoss = bestLoss
        self.parameters = parameters
        self.gradientNorm = gradientNorm
        self.info = info
        self.stepSize = stepSize
        self.evaluations = evaluations
        self.elapsed = elapsed
        self.method = method
    }
}
