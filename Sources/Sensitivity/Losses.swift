import DiffEq

/// Losses on saved states, with their gradient with respect to the saved values — the form
/// `DifferentiableSolve.gradient` and training objectives take.
public enum Losses {
    /// Σ (u − data)² over the saved values (row after row, as `ODESolution.values`), and its
    /// gradient 2(u − data). Saved values beyond `data` contribute nothing.
    public static func sumOfSquares(_ data: [Double]) -> (ODESolution) -> (value: Double, ybar: [Double]) {
        { sol in
            var value = 0.0
            var ybar = [Double](repeating: 0, count: sol.values.count)
            for i in 0..<min(sol.values.count, data.count) {
                let r = sol.values[i] - data[i]
                value += r * r
                ybar[i] = 2 * r
            }
            return (value, ybar)
        }
    }
}
