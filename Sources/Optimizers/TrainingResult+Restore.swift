extension TrainingResult {
    /// A result from its parts: a finished run read back from a saved session (the
    /// training is not run again). `error` is not kept across sessions.
    public init(restoring minimizer: [Double], minimum: Double, bestIteration: Int, losses: [Double], iterations: Int,
                evaluations: Int, elapsed: Double, stopReason: StopReason, message: String, method: String) {
        self.init(minimizer: minimizer, minimum: minimum, bestIteration: bestIteration, losses: losses,
                  iterations: iterations, evaluations: evaluations, elapsed: elapsed, stopReason: stopReason,
                  message: message, error: nil, method: method)
    }
}
