import Autodiff
import DiffEq

/// What the backward right-hand sides read that changes from one gradient to the next: the
/// forward trajectory u(t), as the forward solve's dense output or the re-solved checkpoint
/// interval λ is in. Set by `ContinuousAdjoint` before and during the backward solve.
///
/// At an event time the forward trajectory has two values, u⁻ and u⁺, and the recorded steps
/// meet there. The backward solve runs between stops (saved times, events) and reads, at a
/// stop, the value on its own side: the side of the step that ends there when the stop is
/// where it entered the interval, of the step that starts there when it is where it leaves.
final class TrajectorySource: @unchecked Sendable {
    var trajectory: DenseInterpolant?
    /// The stop where the backward solve entered its current interval, and the one it leaves by.
    private(set) var entered = Double.nan
    private(set) var leaves = Double.nan

    func enter(from start: Double, to end: Double) {
        entered = start
        leaves = end
    }

    /// Whether a time on a step boundary belongs to the earlier step (in the record's order).
    @inline(__always) func prefersEarlierStep(at t: Double) -> Bool {
        !(Swift.abs(t - leaves) < Swift.abs(t - entered))
    }
}

/// The backward right-hand sides of the continuous adjoints, each an `ODEFunction` whose
/// closure runs compiled programs in workspaces private to its integrator (`perIntegrator`),
/// allocating nothing per call. With J = ∂f/∂u and f_p = ∂f/∂p at (u(t), p, t):
/// λ′ = −Jᵀλ, μ′ = −f_pᵀλ, integrated from the last saved time back to t₀.
///
/// References: L. S. Pontryagin et al., "The mathematical theory of optimal processes", 1962;
/// R. T. Q. Chen, Y. Rubanova, J. Bettencourt, D. Duvenaud, "Neural ordinary differential
/// equations", NeurIPS 2018; C. Rackauckas et al., "Universal differential equations for
/// scientific machine learning", 2020 (SciMLSensitivity's adjoints).
enum AdjointRHS {
    /// BacksolveAdjoint on z = [u, λ, μ]: u′ = f(u), with u integrated backwards alongside;
    /// one compiled f and one compiled (u, p, t, λ) ↦ (Jᵀλ, f_pᵀλ) per call.
    static func backsolve(_ rhs: CompiledRHS) -> ODEFunction {
        var fn = backsolveInstance(rhs)
        fn.perIntegrator = { backsolveInstance(rhs) }
        return fn
    }

    static func backsolveInstance(_ rhs: CompiledRHS) -> ODEFunction {
        let n = rhs.states, m = rhs.parameters
        let f = rhs.f, vjp = rhs.vjpUP
        let fWS = f.makeWorkspace(), vjpWS = vjp.makeWorkspace()
        let scratch = ScratchBuffer(count: 1)
        return ODEFunction({ dz, z, p, t in
            let time = scratch.pointer
            time[0] = t
            f.run(fWS, z, p, time, into: dz)
            vjpWS.bind(input: 0, z)
            vjpWS.bind(input: 1, p)
            vjpWS.bind(input: 2, time)
            vjpWS.bind(input: 3, z + n)
            vjpWS.bind(output: 0, dz + n)
            vjpWS.bind(output: 1, dz + 2 * n)
            vjp.run(vjpWS)
            for j in n..<(2 * n + m) { dz[j] = -dz[j] }
        })
    }

    /// InterpolatingAdjoint on z = [λ, μ], with u(t) read from `source`.
    static func interpolating(_ rhs: CompiledRHS, _ source: TrajectorySource) -> ODEFunction {
        var fn = interpolatingInstance(rhs, source)
        fn.perIntegrator = { interpolatingInstance(rhs, source) }
        return fn
    }

    static func interpolatingInstance(_ rhs: CompiledRHS, _ source: TrajectorySource) -> ODEFunction {
        trajectoryInstance(rhs, source, withParameters: true)
    }

    /// QuadratureAdjoint and GaussAdjoint on z = λ alone, with u(t) read from `source`: one
    /// compiled (u, p, t, λ) ↦ Jᵀλ per call (the program without the f_p part).
    static func lambdaOnly(_ rhs: CompiledRHS, _ source: TrajectorySource) -> ODEFunction {
        var fn = lambdaOnlyInstance(rhs, source)
        fn.perIntegrator = { lambdaOnlyInstance(rhs, source) }
        return fn
    }

    static func lambdaOnlyInstance(_ rhs: CompiledRHS, _ source: TrajectorySource) -> ODEFunction {
        trajectoryInstance(rhs, source, withParameters: false)
    }

    /// z′ = −[(∂f/∂u)ᵀλ; (∂f/∂p)ᵀλ] (or its λ part alone) with u(t) read from `source`: one
    /// compiled VJP per call, in workspaces private to this closure set.
    static func trajectoryInstance(_ rhs: CompiledRHS, _ source: TrajectorySource, withParameters: Bool) -> ODEFunction {
        let n = rhs.states
        let width = withParameters ? n + rhs.parameters : n
        let vjp = withParameters ? rhs.vjpUP : rhs.vjp
        let ws = vjp.makeWorkspace()
        let scratch = ScratchBuffer(count: 1 + n)
        let cursor = StepCursor()
        return ODEFunction({ dz, z, p, t in
            let time = scratch.pointer, u = scratch.pointer + 1
            guard let trajectory = source.trajectory else {
                for j in 0..<width { dz[j] = .nan }   // fails the step; never reached by ContinuousAdjoint
                return
            }
            trajectory.evaluate(at: t, hint: &cursor.step, preferEarlier: source.prefersEarlierStep(at: t), into: u)
            time[0] = t
            ws.bind(input: 0, u)
            ws.bind(input: 1, p)
            ws.bind(input: 2, time)
            ws.bind(input: 3, z)
            ws.bind(output: 0, dz)
            if withParameters { ws.bind(output: 1, dz + n) }
            vjp.run(ws)
            for j in 0..<width { dz[j] = -dz[j] }
        })
    }
}

/// The step a dense reader used last, kept between calls of one closure set.
final class StepCursor: @unchecked Sendable {
    var step = 0
}

/// The parameter integrand of the quadrature adjoints, g(t) = f_p(u(t), p, t)ᵀ λ(t), with u
/// from the forward trajectory and λ from the backward solve's dense output.
final class ParameterIntegrand {
    let n: Int
    let m: Int
    let program: Program
    let workspace: Workspace
    let scratch: ScratchBuffer
    var uStep = 0
    var lambdaStep = 0

    init(_ rhs: CompiledRHS) {
        n = rhs.states
        m = rhs.parameters
        program = rhs.vjpUP
        workspace = program.makeWorkspace()
        scratch = ScratchBuffer(count: 1 + 3 * n)
    }

    /// g(t) into `out` (m values); λ from step `lambdaStep` of `lambda` when given, otherwise
    /// from the step holding t.
    func evaluate(_ t: Double, forward: DenseInterpolant, lambda: DenseInterpolant, lambdaStep step: Int? = nil,
                  p: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let time = scratch.pointer, u = time + 1, l = u + n, ubar = l + n
        time[0] = t
        forward.evaluate(at: t, hint: &uStep, into: u)
        if let step {
            lambda.evaluate(step: step, at: t, into: l)
        } else {
            lambda.evaluate(at: t, hint: &lambdaStep, into: l)
        }
        workspace.bind(input: 0, u)
        workspace.bind(input: 1, p)
        workspace.bind(input: 2, time)
        workspace.bind(input: 3, l)
        workspace.bind(output: 0, ubar)
        workspace.bind(output: 1, out)
        program.run(workspace)
    }
}
