/// Stopping tolerances and line search shared by BFGS and L-BFGS (Optim.jl's meanings).
struct QuasiNewtonSettings {
    var lineSearch: any LineSearch
    var gTol: Double
    var fTol: Double
    var xTol: Double
    var initialStepNorm: Double?
}

/// One quasi-Newton run (Nocedal & Wright 2006, Algorithm 6.1): the first iteration evaluates
/// the starting point; each later one takes p = −H g, a line search along p, and updates H
/// with (s, y) when sᵀy > 0 (always, under the strong Wolfe conditions).
///
/// First trial step: 1 once H has curvature; before that `initialStepNorm / ‖g‖∞` scales
/// H₀ (Optim.jl's `initial_stepnorm`) and the trial is 1, or else H₀ = I and the trial is
/// min(1, 1/‖g‖₂), so the first step has length at most 1 (as SciPy's BFGS).
final class QuasiNewtonIterator<Approximation: InverseHessianApproximation>: OptimizationIterator {
    let methodName: String
    let objective: Objective
    let settings: QuasiNewtonSettings
    let hessian: Approximation
    var x: UnsafeMutableBufferPointer<Double>
    var g: UnsafeMutableBufferPointer<Double>
    var xTrial: UnsafeMutableBufferPointer<Double>
    var gTrial: UnsafeMutableBufferPointer<Double>
    let p: UnsafeMutableBufferPointer<Double>
    let s: UnsafeMutableBufferPointer<Double>
    let y: UnsafeMutableBufferPointer<Double>
    var f = Double.nan
    var info = EvaluationInfo()
    /// The last step the line search evaluated, and what the objective said there.
    var trialStep = Double.nan
    var trialInfo = EvaluationInfo()
    var started = false
    private(set) var evaluations = 0

    init(name: String, objective: Objective, initialPoint: [Double], settings: QuasiNewtonSettings,
         hessian: Approximation) {
        methodName = name
        self.objective = objective
        self.settings = settings
        self.hessian = hessian
        let n = initialPoint.count
        x = zeroedBuffer(n)
        g = zeroedBuffer(n)
        xTrial = zeroedBuffer(n)
        gTrial = zeroedBuffer(n)
        p = zeroedBuffer(n)
        s = zeroedBuffer(n)
        y = zeroedBuffer(n)
        for i in initialPoint.indices { x[i] = initialPoint[i] }
    }

    deinit {
        for b in [x, g, xTrial, gTrial, p, s, y] { freeBuffer(b) }
    }

    func withPoint<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(x))
    }

    func discardPendingStep() {}

    func next() throws -> IterationReport {
        guard started else { return try start() }

        hessian.direction(gradient: g, into: p)
        var slope = dot(g, p)
        if !(slope < 0) {
            // Rounding made H indefinite along g: restart from steepest descent.
            hessian.reset(scale: initialScale())
            hessian.direction(gradient: g, into: p)
            slope = dot(g, p)
        }
        guard slope < 0 else { return report(status: .failed("no descent direction (∇fᵀp = \(slope))")) }

        trialStep = .nan
        let firstStep: Double
        if hessian.hasCurvature || settings.initialStepNorm != nil {
            firstStep = 1
        } else {
            firstStep = Swift.min(1, 1 / norm2(g))
        }
        let result = try settings.lineSearch.search(initialStep: firstStep, value: f, slope: slope, phi)
        if result.step != trialStep && result.step > 0 { _ = try phi(result.step) }
        let decreased = result.value.isFinite && (result.value < f || result.status == .converged)
        guard result.step > 0, decreased else {
            if case .warning(let why) = result.status {
                return report(status: .failed("line search (\(settings.lineSearch.name)) failed: \(why)"))
            }
            return report(status: .failed("line search (\(settings.lineSearch.name)) found no decrease"))
        }

        for i in x.indices {
            s[i] = xTrial[i] - x[i]
            y[i] = gTrial[i] - g[i]
        }
        swap(&x, &xTrial)
        swap(&g, &gTrial)
        let previous = f
        f = result.value
        info = trialInfo
        let sy = dot(s, y)
        if sy > Double.ulpOfOne * norm2(s) * norm2(y) { hessian.update(s: s, y: y, sy: sy) }

        var status = convergence()
        if status == .running, settings.fTol > 0, Swift.abs(f - previous) <= settings.fTol * Swift.abs(f) {
            status = .converged("relative change of f ≤ fTol")
        }
        if status == .running, settings.xTol > 0, normInf(s) <= settings.xTol {
            status = .converged("‖Δx‖∞ ≤ xTol")
        }
        return report(stepSize: result.step, status: status)
    }

    /// φ(α) = f(x + α p) and φ′(α) = ∇f(x + α p)ᵀp, leaving the point and gradient in
    /// `xTrial` and `gTrial`.
    func phi(_ alpha: Double) throws -> (value: Double, slope: Double) {
        for i in x.indices { xTrial[i] = x[i] + alpha * p[i] }
        let e = try objective.evaluate(UnsafeBufferPointer(xTrial), gradient: gTrial)
        evaluations += 1
        trialStep = alpha
        trialInfo = e.info
        return (e.loss, dot(gTrial, p))
    }

    /// Evaluates the starting point; until it is finite, every call tries again.
    func start() throws -> IterationReport {
        let e = try objective.evaluate(UnsafeBufferPointer(x), gradient: g)
        evaluations += 1
        f = e.loss
        info = e.info
        guard f.isFinite, normInf(g).isFinite else { return report(status: .running) }
        started = true
        hessian.reset(scale: initialScale())
        return report(status: convergence())
    }

    func initialScale() -> Double {
        guard let stepNorm = settings.initialStepNorm else { return 1 }
        let gmax = normInf(g)
        return gmax > 0 ? stepNorm / gmax : 1
    }

    func convergence() -> IterationReport.Status {
        normInf(g) <= settings.gTol ? .converged("‖∇f‖∞ ≤ gTol") : .running
    }

    func report(stepSize: Double? = nil, status: IterationReport.Status) -> IterationReport {
        IterationReport(loss: f, gradientNorm: norm2(g), info: info, stepSize: stepSize, status: status)
    }
}
