import Autodiff
import DiffEq

/// An event whose effect on the solution is differentiable: a condition g(u, p, t) whose zero
/// crossing triggers a jump u⁺ = a(u⁻, p, t), both traced graphs (inputs u, p, t).
///
/// Forward sensitivities carry S = ∂u/∂θ across the jump with the classical conditions: the
/// event time moves by dτ/dθ = −(g_u S⁻ + g_θ) / (g_u f⁻ + g_t), and
/// S⁺ = a_u (S⁻ + f⁻ dτ/dθ) + a_θ + a_t dτ/dθ − f⁺ dτ/dθ, with f∓ = f(u∓, p, τ).
///
/// References: E. Hairer, S. P. Nørsett, G. Wanner, "Solving ODEs I", §II.6 and §I.14;
/// S. Galán, W. F. Feehery, P. I. Barton, "Parametric sensitivity functions for hybrid
/// discrete/continuous systems", Appl. Numer. Math. 31, 1999.
public struct DifferentiableEvent: Sendable {
    /// Which crossings of the condition trigger the jump.
    public enum Direction: Sendable { case up, down, both }

    public let condition: Graph
    public let affect: Graph
    public let direction: Direction

    /// - Parameters:
    ///   - condition: (u, p, t) -> a scalar.
    ///   - affect: (u, p, t) -> the state after the jump, of u's shape.
    public init(condition: Graph, affect: Graph, direction: Direction = .both) throws {
        func check(_ g: Graph, _ what: String, output: Shape?) throws {
            guard g.inputs.count == 3, g.inputs[2].shape == .scalar, g.outputs.count == 1,
                  output.map({ g.outputShapes[0].count == $0.count }) ?? (g.outputShapes[0].count == 1) else {
                throw AutodiffError(.invalidArgument, "an event's \(what) takes (u, p, t) and returns "
                                    + (output == nil ? "a scalar" : "the new state") + "; got "
                                    + g.inputs.map { "\($0.name): \($0.shape)" }.joined(separator: ", "))
            }
        }
        try check(condition, "condition", output: nil)
        try check(affect, "affect", output: affect.inputs.first?.shape)
        self.condition = condition
        self.affect = affect
        self.direction = direction
    }
}

/// An event that fired in a plain (non-augmented) solve: what the adjoints need to carry λ
/// back across it. `step` is the index of the accepted step the event cut (the step's record
/// ends at `t`); `event` indexes the solve's events.
struct FiredEvent {
    let t: Double
    let step: Int
    let event: Int
    let uMinus: [Double]
    let uPlus: [Double]
}

/// The events of the last plain solve, in the order they fired.
final class EventLog: @unchecked Sendable {
    var fired: [FiredEvent] = []
    /// Off while a solve is replayed or re-run for another purpose than the one recorded.
    var recording = true
}

/// The reverse-mode pieces of one event at (u⁻, p, τ) for a cotangent λ⁺ of u⁺ = a(u⁻, p, τ):
/// a's VJP (a_uᵀλ⁺, a_pᵀλ⁺, a_tᵀλ⁺), the condition's gradient (g_u, g_p, g_t) and f on both sides.
struct EventPullback {
    var uBar: [Double], pBar: [Double], tBar: Double
    var gU: [Double], gP: [Double], gT: Double
    var fMinus: [Double], fPlus: [Double]

    /// The continuous adjoint's jump, the transpose of the forward sensitivities' jump
    /// condition (see `DifferentiableEvent`): with D = g_u f⁻ + g_t and
    /// c = λ⁺ᵀ(a_u f⁻ + a_t − f⁺), λ⁻ = a_uᵀλ⁺ − (c/D) g_uᵀ and the parameter cotangent
    /// gains a_pᵀλ⁺ − (c/D) g_pᵀ. A grazing event (D = 0) moves no event time.
    func continuousJump(lambdaPlus: UnsafePointer<Double>) -> (lambdaMinus: [Double], pBar: [Double]) {
        let n = uBar.count
        var d = gT, c = tBar
        for j in 0..<n {
            d += gU[j] * fMinus[j]
            c += uBar[j] * fMinus[j] - lambdaPlus[j] * fPlus[j]
        }
        let r = d != 0 ? c / d : 0
        return ((0..<n).map { uBar[$0] - r * gU[$0] }, (0..<pBar.count).map { pBar[$0] - r * gP[$0] })
    }
}

/// The compiled pieces of one event for a forward-sensitivity solve, and the callback that
/// applies the jump conditions to z = [u, S₀, ..., S_{q−1}].
final class SensitivityEventHandler: @unchecked Sendable {
    let n: Int, m: Int
    let f: Program, fWS: Workspace
    let g: Program, gWS: Workspace
    let gGrad: Program, gGradWS: Workspace   // (u, p, t, 1) -> (g_u, g_p, g_t)
    let a: Program, aWS: Workspace
    let aU: DenseJacobian, aP: DenseJacobian?, aT: DenseJacobian
    let aVJP: Program, aVJPWS: Workspace     // (u, p, t, λ) -> (a_uᵀλ, a_pᵀλ, a_tᵀλ)
    let direction: DifferentiableEvent.Direction
    /// Scratch: t, one, f⁻, f⁺, u⁺, g_u, g_p, g_t, a_u, a_p, a_t, a column.
    let scratch: ScratchBuffer
    let offsets: [Int]

    /// Whether the state carries sensitivity columns after u (forward sensitivities) or is u alone.
    let carriesSensitivities: Bool
    /// Where a plain solve records the events that fired (nil: not recorded), and this event's index.
    let log: EventLog?
    let index: Int

    init(_ event: DifferentiableEvent, rhs: CompiledRHS, carriesSensitivities: Bool, log: EventLog? = nil, index: Int = 0) throws {
        self.carriesSensitivities = carriesSensitivities
        self.log = log
        self.index = index
        n = rhs.states
        m = rhs.parameters
        f = rhs.f; fWS = f.makeWorkspace()
        g = try event.condition.compile(); gWS = g.makeWorkspace()
        gGrad = try event.condition.vjp(wrt: [0, 1, 2]).compile(); gGradWS = gGrad.makeWorkspace()
        a = try event.affect.compile(); aWS = a.makeWorkspace()
        aU = try DenseJacobian(event.affect, output: 0, wrt: 0)
        aP = m > 0 ? try DenseJacobian(event.affect, output: 0, wrt: 1) : nil
        aT = try DenseJacobian(event.affect, output: 0, wrt: 2)
        aVJP = try event.affect.vjp(wrt: [0, 1, 2]).compile(); aVJPWS = aVJP.makeWorkspace()
        direction = event.direction
        let sizes = [1, 1, n, n, n, n, max(m, 1), 1, n * n, n * max(m, 1), n, n]
        var o: [Int] = [], total = 0
        for s in sizes { o.append(total); total += s }
        offsets = o
        scratch = ScratchBuffer(count: total)
    }

    func slot(_ k: Int) -> UnsafeMutablePointer<Double> { scratch.pointer + offsets[k] }

    /// The DiffEq callback on the augmented state.
    func callback() -> ContinuousCallback {
        let jump: EventAffect = { [self] integrator in apply(integrator) }
        let condition: EventCondition = { [self] z, t, integrator in
            let time = slot(0)
            time[0] = t
            var out = 0.0
            withUnsafeMutablePointer(to: &out) { o in
                g.run(gWS, z.baseAddress.unsafelyUnwrapped, UnsafePointer(integrator.p), UnsafePointer(time), into: o)
            }
            return out
        }
        // Nothing is saved at the event: the saved times (saveat) fix the output's shape.
        return ContinuousCallback(condition: condition,
                                  affect: direction == .down ? nil : jump,
                                  affectNeg: direction == .up ? nil : jump,
                                  savePositions: (false, false))
    }

    /// Jumps u and carries every sensitivity column across the event.
    func apply(_ integrator: ODEIntegrator) {
        let z = integrator.u, p = UnsafePointer(integrator.p), q = carriesSensitivities ? n + m : 0
        let time = slot(0), one = slot(1), fMinus = slot(2), fPlus = slot(3), uPlus = slot(4)
        let gu = slot(5), gp = slot(6), gt = slot(7), au = slot(8), ap = slot(9), at = slot(10), column = slot(11)
        time[0] = integrator.t
        one[0] = 1
        f.run(fWS, UnsafePointer(z), p, UnsafePointer(time), into: fMinus)
        gGradWS.bind(input: 0, UnsafePointer(z)); gGradWS.bind(input: 1, p)
        gGradWS.bind(input: 2, UnsafePointer(time)); gGradWS.bind(input: 3, UnsafePointer(one))
        gGradWS.bind(output: 0, gu); gGradWS.bind(output: 1, gp); gGradWS.bind(output: 2, gt)
        gGrad.run(gGradWS)
        a.run(aWS, UnsafePointer(z), p, UnsafePointer(time), into: uPlus)
        let uB = UnsafeBufferPointer(start: UnsafePointer(z), count: n)
        let pB = UnsafeBufferPointer(start: p, count: m)
        let tB = UnsafeBufferPointer(start: UnsafePointer(time), count: 1)
        try? aU.evaluate(uB, pB, tB, into: UnsafeMutableBufferPointer(start: au, count: n * n))
        if let aP { try? aP.evaluate(uB, pB, tB, into: UnsafeMutableBufferPointer(start: ap, count: n * m)) }
        try? aT.evaluate(uB, pB, tB, into: UnsafeMutableBufferPointer(start: at, count: n))
        f.run(fWS, UnsafePointer(uPlus), p, UnsafePointer(time), into: fPlus)
        var denominator = gt[0]
        for j in 0..<n { denominator += gu[j] * fMinus[j] }
        for k in 0..<q {
            let s = z + n * (1 + k)
            var numerator = k >= n ? gp[k - n] : 0
            for j in 0..<n { numerator += gu[j] * s[j] }
            let dtau = denominator != 0 ? -numerator / denominator : 0
            // S⁺ = a_u (S⁻ + f⁻ dτ) + a_θ + a_t dτ − f⁺ dτ (Jacobians column-major).
            for j in 0..<n { column[j] = s[j] + fMinus[j] * dtau }
            for i in 0..<n {
                var acc = 0.0
                for j in 0..<n { acc += au[i + j * n] * column[j] }
                if k >= n { acc += ap[i + (k - n) * n] }
                s[i] = acc + (at[i] - fPlus[i]) * dtau
            }
        }
        if let log, log.recording {
            log.fired.append(FiredEvent(t: integrator.t, step: integrator.stats.naccept - 1, event: index,
                                        uMinus: Array(UnsafeBufferPointer(start: z, count: n)),
                                        uPlus: Array(UnsafeBufferPointer(start: uPlus, count: n))))
        }
        for j in 0..<n { z[j] = uPlus[j] }
        integrator.uModified()
    }

    /// u⁺ = a(u⁻, p, τ) into `out`.
    func jump(_ uMinus: UnsafePointer<Double>, p: UnsafePointer<Double>, t: Double, into out: UnsafeMutablePointer<Double>) {
        let time = slot(0)
        time[0] = t
        a.run(aWS, uMinus, p, UnsafePointer(time), into: out)
    }

    /// The event's reverse-mode pieces at (u⁻, p, τ) for the cotangent λ⁺ of u⁺ (every
    /// pointer valid for the call; results computed in the scratch, then copied out).
    func pullback(uMinus u: UnsafePointer<Double>, p: UnsafePointer<Double>, t: Double,
                  lambdaPlus: UnsafePointer<Double>) -> EventPullback {
        let time = slot(0), one = slot(1), fMinus = slot(2), fPlus = slot(3), uPlus = slot(4)
        let gu = slot(5), gp = slot(6), gt = slot(7), uBar = slot(8), pBar = slot(9), tBar = slot(10)
        time[0] = t
        one[0] = 1
        aVJPWS.bind(input: 0, u); aVJPWS.bind(input: 1, p); aVJPWS.bind(input: 2, UnsafePointer(time))
        aVJPWS.bind(input: 3, lambdaPlus)
        aVJPWS.bind(output: 0, uBar); aVJPWS.bind(output: 1, pBar); aVJPWS.bind(output: 2, tBar)
        aVJP.run(aVJPWS)
        gGradWS.bind(input: 0, u); gGradWS.bind(input: 1, p)
        gGradWS.bind(input: 2, UnsafePointer(time)); gGradWS.bind(input: 3, UnsafePointer(one))
        gGradWS.bind(output: 0, gu); gGradWS.bind(output: 1, gp); gGradWS.bind(output: 2, gt)
        gGrad.run(gGradWS)
        a.run(aWS, u, p, UnsafePointer(time), into: uPlus)
        f.run(fWS, u, p, UnsafePointer(time), into: fMinus)
        f.run(fWS, UnsafePointer(uPlus), p, UnsafePointer(time), into: fPlus)
        func array(_ x: UnsafeMutablePointer<Double>, _ count: Int) -> [Double] { Array(UnsafeBufferPointer(start: x, count: count)) }
        return EventPullback(uBar: array(uBar, n), pBar: array(pBar, m), tBar: tBar[0],
                             gU: array(gu, n), gP: array(gp, m), gT: gt[0],
                             fMinus: array(fMinus, n), fPlus: array(fPlus, n))
    }
}
