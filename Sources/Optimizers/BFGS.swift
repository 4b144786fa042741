/// Broyden–Fletcher–Goldfarb–Shanno: a dense inverse-Hessian approximation updated from
/// steps and gradient changes, with a line search (Moré–Thuente by default, so every
/// accepted step satisfies the strong Wolfe conditions and H stays positive definite).
///
/// Stops when ‖∇f‖∞ ≤ `gTol` (Optim.jl's `g_tol`, 1e-8), when |Δf| ≤ `fTol` |f| (off by
/// default), when ‖Δx‖∞ ≤ `xTol` (off by default), or when the line search finds no decrease.
/// Storage is n²: prefer `LBFGS` beyond a few thousand parameters. In `train`, iteration 1
/// evaluates the starting point and each later iteration is one quasi-Newton step, so a run
/// with `maxiters = k` takes at most k − 1 steps (Optim.jl's count would be k).
///
/// References: J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed., Springer, 2006,
/// §6.1 (Algorithm 6.1); C. G. Broyden 1970, R. Fletcher 1970, D. Goldfarb 1970, D. F. Shanno 1970.
public struct BFGS: OptimizationMethod {
    /// How each step length is found.
    public var lineSearch: any LineSearch
    /// Converged when ‖∇f‖∞ ≤ gTol.
    public var gTol: Double
    /// Converged when |f⁺ − f| ≤ fTol |f⁺| (0: off).
    public var fTol: Double
    /// Converged when ‖x⁺ − x‖∞ ≤ xTol (0: off).
    public var xTol: Double
    /// When set, H₀ = (initialStepNorm / ‖∇f(x₀)‖∞) I, so the first step has that ∞-norm
    /// (Optim.jl's `initial_stepnorm`; PolyOpt uses 0.01).
    public var initialStepNorm: Double?

    public init(lineSearch: any LineSearch = MoreThuente(), gTol: Double = 1e-8, fTol: Double = 0,
                xTol: Double = 0, initialStepNorm: Double? = nil) {
        self.lineSearch = lineSearch
        self.gTol = gTol
        self.fTol = fTol
        self.xTol = xTol
        self.initialStepNorm = initialStepNorm
    }

    public var name: String { "BFGS" }

    public func makeIterator(objective: Objective, initialPoint: [Double],
                             maxiters: Int) throws -> any OptimizationIterator {
        quasiNewtonIterator(objective: objective, initialPoint: initialPoint)
    }

    func quasiNewtonIterator(objective: Objective, initialPoint: [Double]) -> QuasiNewtonIterator<DenseInverseHessian> {
        QuasiNewtonIterator(name: name, objective: objective, initialPoint: initialPoint,
                            settings: QuasiNewtonSettings(lineSearch: lineSearch, gTol: gTol, fTol: fTol, xTol: xTol,
                                                          initialStepNorm: initialStepNorm),
                            hessian: DenseInverseHessian(count: initialPoint.count))
    }
}

/// Limited-memory BFGS: the BFGS direction from the last `memory` step/gradient-change pairs
/// by the two-loop recursion, O(m n) work and storage per iteration. Same stopping rules and
/// line search as `BFGS`; Optim.jl's `LBFGS(m = 10)`.
///
/// References: D. C. Liu, J. Nocedal, "On the limited memory BFGS method for large scale
/// optimization", Math. Programming 45, 503–528, 1989; J. Nocedal, S. J. Wright, "Numerical
/// Optimization", 2nd ed., Springer, 2006, §7.2 (Algorithms 7.4, 7.5).
public struct LBFGS: OptimizationMethod {
    /// m, the number of pairs kept.
    public var memory: Int
    /// As for `BFGS`.
    public var lineSearch: any LineSearch
    /// Converged when ‖∇f‖∞ ≤ gTol.
    public var gTol: Double
    /// Converged when |f⁺ − f| ≤ fTol |f⁺| (0: off).
    public var fTol: Double
    /// Converged when ‖x⁺ − x‖∞ ≤ xTol (0: off).
    public var xTol: Double
    /// As for `BFGS`: H₀ = (initialStepNorm / ‖∇f(x₀)‖∞) I.
    public var initialStepNorm: Double?

    public init(memory: Int = 10, lineSearch: any LineSearch = MoreThuente(), gTol: Double = 1e-8,
                fTol: Double = 0, xTol: Double = 0, initialStepNorm: Double? = nil) {
        self.memory = memory
        self.lineSearch = lineSearch
        self.gTol = gTol
        self.fTol = fTol
        self.xTol = xTol
        self.initialStepNorm = initialStepNorm
    }

    public var name: String { "LBFGS" }

    public func makeIterator(objective: Objective, initialPoint: [Double],
                             maxiters: Int) throws -> any OptimizationIterator {
        QuasiNewtonIterator(name: name, objective: objective, initialPoint: initialPoint,
                            settings: QuasiNewtonSettings(lineSearch: lineSearch, gTol: gTol, fTol: fTol, xTol: xTol,
                                                          initialStepNorm: initialStepNorm),
                            hessian: LimitedMemoryInverseHessian(count: initialPoint.count, memory: memory))
    }
}
