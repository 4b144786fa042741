/// How a solve ended. Every failure is a value: the partial solution up to the failure is kept.
public enum ReturnCode: String, Sendable, CustomStringConvertible {
    case success = "Success"
    /// A callback called `terminate()`.
    case terminated = "Terminated"
    case maxIters = "MaxIters"
    case dtLessThanMin = "DtLessThanMin"
    /// The solution blew up (a non-finite state, or the user's `unstableCheck` fired).
    case unstable = "Unstable"
    case initialFailure = "InitialFailure"
    case dtNaN = "DtNaN"
    case convergenceFailure = "ConvergenceFailure"
    /// The solve was interrupted (e.g. Ctrl-C through the progress hook).
    case interrupted = "Interrupted"

    public var description: String { rawValue }
    /// Success or a requested termination.
    public var isSuccessful: Bool { self == .success || self == .terminated }
}

/// Counts of work done by a solve.
public struct SolverStats: Sendable, Equatable, CustomStringConvertible {
    /// Right-hand-side evaluations.
    public var nf = 0
    public var naccept = 0
    public var nreject = 0
    /// Jacobian evaluations, and how many of them were by finite differences.
    public var njacs = 0
    public var nfdjacs = 0
    /// Factorisations of W = I − γhJ (SciML's `nw`) and linear solves with it.
    public var nw = 0
    public var nsolve = 0
    /// Newton iterations of the implicit stage equations, and the solves that failed to
    /// converge (each rejects the step or refreshes the Jacobian).
    public var nnonliniter = 0
    public var nnonlinconvfail = 0
    /// Steps attempted (accepted + rejected).
    public var nsteps: Int { naccept + nreject }

    public init() {}

    public var description: String {
        var s = "nf \(nf), steps \(nsteps) (accepted \(naccept), rejected \(nreject))"
        if njacs > 0 { s += ", jacobians \(njacs)" + (nfdjacs > 0 ? " (\(nfdjacs) by finite differences)" : "") }
        if nw > 0 { s += ", factorisations \(nw), linear solves \(nsolve)" }
        if nnonliniter > 0 { s += ", Newton iterations \(nnonliniter) (\(nnonlinconvfail) failed to converge)" }
        return s
    }
}
