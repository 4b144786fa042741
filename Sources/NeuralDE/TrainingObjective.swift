import DiffEq
import Optimizers
import Sensitivity

extension DifferentiableSolve {
    /// A training objective over the parameters (u₀ fixed): the loss of the saved states with
    /// its gradient by this solve's sensealg. Each evaluation reports the solve's statistics
    /// (`nf`, `naccept`, `nreject`) and the prediction, which reach `TrainingEvent.info`, so an
    /// observer can show the fit without solving again.
    public func objective(u0: [Double], loss: @escaping (ODESolution) throws -> (value: Double, ybar: [Double])) -> Objective {
        Objective(info: { theta, gradient, info in
            let (sol, pullback) = try self.solveWithPullback(u0: u0, p: Array(theta))
            let (value, ybar) = try loss(sol)
            let (_, dp) = try pullback(ybar)
            guard dp.count == gradient.count else {
                throw OptimizationError.gradientCountMismatch(expected: gradient.count, got: dp.count)
            }
            for i in dp.indices { gradient[i] = dp[i] }
            info.stats = ["nf": Double(sol.stats.nf), "naccept": Double(sol.stats.naccept),
                          "nreject": Double(sol.stats.nreject)]
            info.prediction = sol.values
            return value
        })
    }
}

extension NeuralODE {
    /// The training objective of this neural ODE from u₀ (see `DifferentiableSolve.objective`).
    public func objective(_ u0: [Double], loss: @escaping (ODESolution) throws -> (value: Double, ybar: [Double])) -> Objective {
        problem.objective(u0: u0, loss: loss)
    }
}
