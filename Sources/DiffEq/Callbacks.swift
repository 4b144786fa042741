/// A callback's condition on a continuous trajectory: an event happens where it crosses zero.
public typealias EventCondition = (_ u: UnsafeBufferPointer<Double>, _ t: Double, _ integrator: ODEIntegrator) -> Double

/// An event found by root finding on the dense output, as SciML's `ContinuousCallback`.
///
/// `affect` runs where the condition crosses zero upwards (negative to positive),
/// `affectNeg` downwards; it defaults to `affect`, and passing nil for one direction ignores
/// crossings that way. The event is located on the right side of the root (the condition
/// has changed sign there), so it is not found again. With `savePositions`, the state just
/// before and just after the affect are saved. `interpolationPoints` checks the sign at that
/// many points inside each step, so two crossings within one step are not missed.
public final class ContinuousCallback: @unchecked Sendable {
    public let condition: EventCondition
    public let affect: ((ODEIntegrator) -> Void)?
    public let affectNeg: ((ODEIntegrator) -> Void)?
    public let savePositions: (Bool, Bool)
    public let interpolationPoints: Int

    public init(condition: @escaping EventCondition, affect: ((ODEIntegrator) -> Void)?,
                affectNeg: ((ODEIntegrator) -> Void)?? = .none, savePositions: (Bool, Bool) = (true, true),
                interpolationPoints: Int = 10) {
        self.condition = condition
        self.affect = affect
        switch affectNeg {
        case .none: self.affectNeg = affect
        case .some(let a): self.affectNeg = a
        }
        self.savePositions = savePositions
        self.interpolationPoints = max(1, interpolationPoints)
    }
}

/// Several conditions at once (`len` of them), as SciML's `VectorContinuousCallback`: the
/// affects receive the index of the condition that fired.
public final class VectorContinuousCallback: @unchecked Sendable {
    public let length: Int
    public let condition: (_ out: UnsafeMutableBufferPointer<Double>, _ u: UnsafeBufferPointer<Double>, _ t: Double, _ integrator: ODEIntegrator) -> Void
    public let affect: ((ODEIntegrator, Int) -> Void)?
    public let affectNeg: ((ODEIntegrator, Int) -> Void)?
    public let savePositions: (Bool, Bool)
    public let interpolationPoints: Int

    public init(condition: @escaping (_ out: UnsafeMutableBufferPointer<Double>, _ u: UnsafeBufferPointer<Double>, _ t: Double, _ integrator: ODEIntegrator) -> Void,
                affect: ((ODEIntegrator, Int) -> Void)?, affectNeg: ((ODEIntegrator, Int) -> Void)?? = .none,
                length: Int, savePositions: (Bool, Bool) = (true, true), interpolationPoints: Int = 10) {
        self.condition = condition
        self.affect = affect
        switch affectNeg {
        case .none: self.affectNeg = affect
        case .some(let a): self.affectNeg = a
        }
        self.length = max(0, length)
        self.savePositions = savePositions
        self.interpolationPoints = max(1, interpolationPoints)
    }
}

/// A callback checked after every accepted step, as SciML's `DiscreteCallback`.
public final class DiscreteCallback: @unchecked Sendable {
    public let condition: (_ u: UnsafeBufferPointer<Double>, _ t: Double, _ integrator: ODEIntegrator) -> Bool
    public let affect: (ODEIntegrator) -> Void
    public let savePositions: (Bool, Bool)
    /// Times the solver must step to exactly for this callback to see them.
    public let tstops: [Double]
    /// Times generated from the solve's start: (period, offset) for `PeriodicCallback`.
    let period: Double?

    public init(condition: @escaping (_ u: UnsafeBufferPointer<Double>, _ t: Double, _ integrator: ODEIntegrator) -> Bool,
                affect: @escaping (ODEIntegrator) -> Void, savePositions: (Bool, Bool) = (true, true)) {
        self.condition = condition
        self.affect = affect
        self.savePositions = savePositions
        tstops = []
        period = nil
    }

    init(condition: @escaping (_ u: UnsafeBufferPointer<Double>, _ t: Double, _ integrator: ODEIntegrator) -> Bool,
         affect: @escaping (ODEIntegrator) -> Void, savePositions: (Bool, Bool), tstops: [Double], period: Double?) {
        self.condition = condition
        self.affect = affect
        self.savePositions = savePositions
        self.tstops = tstops
        self.period = period
    }
}

/// Runs `affect` at each of the given times (which become tstops), as SciML's `PresetTimeCallback`.
public func PresetTimeCallback(_ times: [Double], affect: @escaping (ODEIntegrator) -> Void,
                               savePositions: (Bool, Bool) = (true, true)) -> DiscreteCallback {
    let set = Set(times)
    return DiscreteCallback(condition: { _, t, _ in set.contains(t) }, affect: affect,
                            savePositions: savePositions, tstops: times, period: nil)
}

/// Runs `affect` every `interval` from the start of the solve (not at the start itself), as
/// SciML's `PeriodicCallback`.
public func PeriodicCallback(_ affect: @escaping (ODEIntegrator) -> Void, interval: Double,
                             savePositions: (Bool, Bool) = (false, false)) -> DiscreteCallback {
    DiscreteCallback(condition: { _, t, integrator in integrator.isPeriodTime(t, interval) },
                     affect: affect, savePositions: savePositions, tstops: [], period: interval)
}

/// A set of callbacks, applied in order: continuous events first (the earliest wins), then
/// discrete callbacks.
public struct CallbackSet: @unchecked Sendable {
    public var continuous: [ContinuousCallback] = []
    public var vector: [VectorContinuousCallback] = []
    public var discrete: [DiscreteCallback] = []

    public init() {}
    public init(_ continuous: [ContinuousCallback] = [], vector: [VectorContinuousCallback] = [],
                discrete: [DiscreteCallback] = []) {
        self.continuous = continuous
        self.vector = vector
        self.discrete = discrete
    }
    public init(_ c: ContinuousCallback) { continuous = [c] }
    public init(_ c: VectorContinuousCallback) { vector = [c] }
    public init(_ d: DiscreteCallback) { discrete = [d] }

    public var isEmpty: Bool { continuous.isEmpty && vector.isEmpty && discrete.isEmpty }
    /// The total number of continuous conditions.
    var conditionCount: Int { continuous.count + vector.reduce(0) { $0 + $1.length } }
}
