extension ODESolution {
    /// A solution from saved values alone (no dense output: `sol(t)` interpolates linearly),
    /// for solves assembled by other modules (e.g. the state part of a sensitivity solve).
    public init(t: [Double], values: [Double], width: Int, retcode: ReturnCode, stats: SolverStats, message: String?) {
        self.init(t: t, values: values, width: width, retcode: retcode, stats: stats, message: message, dense: nil, saveIdxs: nil)
    }
}
