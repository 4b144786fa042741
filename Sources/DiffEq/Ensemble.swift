import Foundation

/// What a member of an ensemble changes in the base problem (SciML's `remake(prob; u0, p, tspan)`
/// inside `prob_func`).
public struct EnsembleMember: Sendable {
    public var u0: [Double]
    public var p: [Double]
    public var tspan: (Double, Double)
}

/// Many solves of one problem with varied initial conditions, parameters or time spans, as
/// SciML's `EnsembleProblem(prob; prob_func, output_func, reduction)`.
///
/// `probFunc(member, i, repeat)` edits member `i` (0-based); `outputFunc(sol, i)` turns its
/// solution into the value kept and says whether to rerun it (SciML's `(out, rerun)`), with
/// `repeat` counting the reruns. The function f is shared: each worker thread keeps one
/// integrator (one workspace) and re-initialises it per member, so members allocate only
/// their outputs.
public struct EnsembleProblem<Output>: @unchecked Sendable {
    public var problem: ODEProblem
    public var probFunc: (inout EnsembleMember, _ i: Int, _ repeat: Int) -> Void
    public var outputFunc: (ODESolution, _ i: Int) -> (Output, rerun: Bool)
    /// Reruns allowed per member before its last output is kept.
    public var maxReruns = 10

    public init(_ problem: ODEProblem,
                probFunc: @escaping (inout EnsembleMember, _ i: Int, _ repeat: Int) -> Void = { _, _, _ in },
                outputFunc: @escaping (ODESolution, _ i: Int) -> (Output, rerun: Bool)) {
        self.problem = problem
        self.probFunc = probFunc
        self.outputFunc = outputFunc
    }
}

extension EnsembleProblem where Output == ODESolution {
    /// An ensemble that keeps every solution.
    public init(_ problem: ODEProblem, probFunc: @escaping (inout EnsembleMember, _ i: Int, _ repeat: Int) -> Void = { _, _, _ in }) {
        self.init(problem, probFunc: probFunc, outputFunc: { sol, _ in (sol, false) })
    }
}

/// How the members of an ensemble are distributed.
public enum EnsembleAlgorithm: Sendable {
    /// One after another on the calling thread.
    case serial
    /// On all cores, one integrator per worker thread.
    case threads
}

extension EnsembleAlgorithm {
    /// Runs `body` over `0..<count` split into contiguous ranges: one range on the calling
    /// thread (`serial`), or one range per worker, at most one worker per core (`threads`).
    /// `body` must be safe to call concurrently on disjoint ranges; it returns once all have run.
    public func distribute(_ count: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        switch self {
        case .serial:
            body(0..<count)
        case .threads:
            let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
            let chunk = (count + workers - 1) / workers
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let work = body
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let lo = w * chunk, hi = min(count, lo + chunk)
                    if lo < hi { work(lo..<hi) }
                }
            }
        }
    }
}

/// The outputs of an ensemble, in member order.
public struct EnsembleSolution<Output> {
    public let u: [Output]
    /// Wall time of the whole ensemble, in seconds.
    public let elapsed: Double
}

/// Solves every member of `ensemble` with `tableau`.
public func solve<Output>(_ ensemble: EnsembleProblem<Output>, _ tableau: ButcherTableau, _ algorithm: EnsembleAlgorithm = .serial,
                          trajectories: Int, options: SolverOptions = SolverOptions()) -> EnsembleSolution<Output> {
    let start = DispatchTime.now().uptimeNanoseconds
    let count = max(trajectories, 0)
    let outputs = UnsafeMutablePointer<Output?>.allocate(capacity: max(count, 1))
    outputs.initialize(repeating: nil, count: max(count, 1))
    defer { outputs.deinitialize(count: max(count, 1)); outputs.deallocate() }

    func runRange(_ range: Range<Int>) {
        let integrator = ODEIntegrator(ensemble.problem, tableau, options: options)
        for i in range {
            var rerun = 0
            while true {
                var member = EnsembleMember(u0: ensemble.problem.u0, p: ensemble.problem.p, tspan: ensemble.problem.tspan)
                ensemble.probFunc(&member, i, rerun)
                integrator.reinit(u0: member.u0, p: member.p, tspan: member.tspan)
                let (out, again) = ensemble.outputFunc(integrator.solve(), i)
                outputs[i] = out
                if !again || rerun >= ensemble.maxReruns { break }
                rerun += 1
            }
        }
    }

    algorithm.distribute(count, runRange)
    let results = (0..<count).compactMap { outputs[$0] }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    return EnsembleSolution(u: results, elapsed: elapsed)
}

/// Solves the ensemble in batches of `batchSize` and folds each batch into an accumulator
/// with `reduction(acc, batchOutputs, range) -> (acc, converged)`, stopping early when it
/// reports convergence (SciML's `reduction` with `batch_size`).
public func solve<Output, Accumulator>(_ ensemble: EnsembleProblem<Output>, _ tableau: ButcherTableau,
                                       _ algorithm: EnsembleAlgorithm = .serial, trajectories: Int, batchSize: Int,
                                       initial: Accumulator,
                                       reduction: (Accumulator, [Output], Range<Int>) -> (Accumulator, converged: Bool),
                                       options: SolverOptions = SolverOptions()) -> Accumulator {
    var acc = initial
    var lo = 0
    let size = max(batchSize, 1)
    while lo < trajectories {
        let hi = min(trajectories, lo + size)
        var batch = ensemble
        let base = ensemble.probFunc, out = ensemble.outputFunc, offset = lo
        batch.probFunc = { m, i, r in base(&m, i + offset, r) }
        batch.outputFunc = { s, i in out(s, i + offset) }
        let outputs = solve(batch, tableau, algorithm, trajectories: hi - lo, options: options).u
        let (next, converged) = reduction(acc, outputs, lo..<hi)
        acc = next
        if converged { break }
        lo = hi
    }
    return acc
}
