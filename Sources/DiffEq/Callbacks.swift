/// A continuous event condition g(u, t): an event happens where it crosses zero.
public typealias EventCondition = (_ u: UnsafeBufferPointer<Double>, _ t: Double, _ integrator: ODEIntegrator) -> Double
/// Several conditions at once: writes g₀ … g_{len−1} into `out`.
public typealias VectorEventCondition = (_ out: UnsafeMutableBufferPointer<Double>, _ u: UnsafeBufferPointer<Double>,
                                         _ t: Double, _ integrator: ODEIntegrator) -> Void
/// What an event does: reads and changes `integrator.u`, `integrator.p`, or calls `terminate()`.
public typealias EventAffect = (_ integrator: ODEIntegrator) -> Void
/// What an event of a vector callback does, given the (0-based) index of the condition.
public typealias VectorEventAffect = (_ integrator: ODEIntegrator, _ index: Int) -> Void
/// A discrete callback's condition, checked at the end of every step.
public typealias DiscreteCondition = (_ u: UnsafeBufferPointer<Double>, _ t: Double, _ integrator: ODEIntegrator) -> Bool

/// Anything that goes into a `CallbackSet` (SciML's `DECallback`).
public protocol DECallback {
    /// Adds this callback (or all of a set's) to `set`.
    func add(to set: inout CallbackSet)
}

/// An event found by root finding on the dense output, as SciML's `ContinuousCallback`.
///
/// Contract:
/// 1. `affect` runs where the condition crosses zero upwards (from negative to positive, in
///    the direction of integration), `affectNeg` where it crosses downwards. Without
///    `affectNeg:` both directions run `affect`; passing nil for either ignores crossings that way.
///    Reaching zero exactly counts as a crossing; starting on zero (at t₀, or right after
///    the callback's own event) does not.
/// 2. The event time is the left end of the final root bracket (SciML's `LeftRootFind`): the
///    state handed to the affect has not yet crossed, so a barrier is never overstepped.
/// 3. `savePositions`: save the state just before and just after the affect. With
///    `saveEverystep` the state before is saved anyway (it ends the truncated step); the state
///    after is saved only if the affect left `uModified` true (the default).
/// 4. `interpolationPoints`: the sign is checked at that many points inside each step, so
///    two crossings within one step are found (the earliest first) unless they fall within
///    one of those sub-intervals.
public final class ContinuousCallback: DECallback, @unchecked Sendable {
    public let condition: EventCondition
    public let affect: EventAffect?
    public let affectNeg: EventAffect?
    public let savePositions: (Bool, Bool)
    public let interpolationPoints: Int

    /// A callback whose `affect` runs on crossings in both directions.
    public convenience init(condition: @escaping EventCondition, affect: EventAffect?,
                            savePositions: (Bool, Bool) = (true, true), interpolationPoints: Int = 10) {
        self.init(condition: condition, affect: affect, affectNeg: affect, savePositions: savePositions,
                  interpolationPoints: interpolationPoints)
    }

    /// A callback with separate affects for upward and downward crossings (nil: ignore that direction).
    public init(condition: @escaping EventCondition, affect: EventAffect?, affectNeg: EventAffect?,
                savePositions: (Bool, Bool) = (true, true), interpolationPoints: Int = 10) {
        self.condition = condition
        self.affect = affect
        self.affectNeg = affectNeg
        self.savePositions = savePositions
        self.interpolationPoints = Swift.max(1, interpolationPoints)
    }

    public func add(to set: inout CallbackSet) { set.continuous.append(self) }
}

/// `length` conditions at once, as SciML's `VectorContinuousCallback`: the affects receive
/// the 0-based index of the condition that fired. The same contract as `ContinuousCallback`,
/// per component; the earliest crossing of any component fires first.
public final class VectorContinuousCallback: DECallback, @unchecked Sendable {
    public let length: Int
    public let condition: VectorEventCondition
    public let affect: VectorEventAffect?
    public let affectNeg: VectorEventAffect?
    public let savePositions: (Bool, Bool)
    public let interpolationPoints: Int

    /// A callback whose `affect` runs on crossings in both directions.
    public convenience init(condition: @escaping VectorEventCondition, affect: VectorEventAffect?, length: Int,
                            savePositions: (Bool, Bool) = (true, true), interpolationPoints: Int = 10) {
        self.init(condition: condition, affect: affect, affectNeg: affect, length: length,
                  savePositions: savePositions, interpolationPoints: interpolationPoints)
    }

    /// A callback with separate affects for upward and downward crossings (nil: ignore that direction).
    public init(condition: @escaping VectorEventCondition, affect: VectorEventAffect?, affectNeg: VectorEventAffect?,
                length: Int, savePositions: (Bool, Bool) = (true, true), interpolationPoints: Int = 10) {
        self.condition = condition
        self.affect = affect
        self.affectNeg = affectNeg
        self.length = Swift.max(0, length)
        self.savePositions = savePositions
        self.interpolationPoints = Swift.max(1, interpolationPoints)
    }

    public func add(to set: inout CallbackSet) { set.vector.append(self) }
}

/// A callback checked at the end of every accepted step, as SciML's `DiscreteCallback`.
///
/// When `condition` holds, the state is saved (if `savePositions.0` and not saved at this
/// time already), `affect` runs, and the state is saved again if `savePositions.1`. An affect
/// that calls `uModified(false)` keeps the step's end derivative (it promises u and p are unchanged).
public final class DiscreteCallback: DECallback, @unchecked Sendable {
    /// How a discrete callback is scheduled.
    enum Schedule: Sendable {
        case everyStep
        /// `PresetTimeCallback`: the affect also runs at t₀ when t₀ is one of the times.
        case preset
        /// `PeriodicCallback` with this period.
        case periodic(Double)
    }

    public let condition: DiscreteCondition
    public let affect: EventAffect
    public let savePositions: (Bool, Bool)
    /// Times the solver must step to exactly for this callback to see them.
    public let tstops: [Double]
    let schedule: Schedule
    /// The period of a `PeriodicCallback` (its stops are generated from each solve's t₀).
    var period: Double? { if case .periodic(let d) = schedule { return d } else { return nil } }
    /// Whether the callback fires at most once at a given time (a time-based schedule).
    var isTimed: Bool { if case .everyStep = schedule { return false } else { return true } }

    public convenience init(condition: @escaping DiscreteCondition, affect: @escaping EventAffect,
                            savePositions: (Bool, Bool) = (true, true)) {
        self.init(condition: condition, affect: affect, savePositions: savePositions, tstops: [], schedule: .everyStep)
    }

    init(condition: @escaping DiscreteCondition, affect: @escaping EventAffect, savePositions: (Bool, Bool),
         tstops: [Double], schedule: Schedule) {
        self.condition = condition
        self.affect = affect
        self.savePositions = savePositions
        self.tstops = tstops
        self.schedule = schedule
    }

    public func add(to set: inout CallbackSet) { set.discrete.append(self) }
}

/// Runs `affect` at each of the given times, which become tstops, as SciML's
/// `PresetTimeCallback`; at t₀ too when it is one of them (before the first step, after
/// t₀ is saved).
public func PresetTimeCallback(_ times: [Double], savePositions: (Bool, Bool) = (true, true),
                               affect: @escaping EventAffect) -> DiscreteCallback {
    let set = Set(times)
    return DiscreteCallback(condition: { _, t, _ in set.contains(t) }, affect: affect,
                            savePositions: savePositions, tstops: times, schedule: .preset)
}

/// Runs `affect` every |interval| of integration time from t₀ (t₀ + Δt, t₀ + 2Δt, …; not at
/// t₀ itself, nor at the final time), as SciML's `PeriodicCallback`; backwards in time too.
public func PeriodicCallback(_ interval: Double, savePositions: (Bool, Bool) = (true, true),
                             affect: @escaping EventAffect) -> DiscreteCallback {
    let period = Swift.abs(interval)
    return DiscreteCallback(condition: { _, t, integrator in integrator.isPeriodTime(t, period) },
                            affect: affect, savePositions: savePositions, tstops: [], schedule: .periodic(period))
}

/// A set of callbacks, as SciML's `CallbackSet`. Continuous events are handled first: the
/// earliest crossing of any condition in a step fires (ties: continuous callbacks in order,
/// then vector callbacks), and the step is cut there. Then the discrete callbacks run in
/// order, each seeing what the previous ones did.
public struct CallbackSet: DECallback, @unchecked Sendable {
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
    /// Any mix of callbacks and sets, in order (`CallbackSet(bounce, stop, dose)`).
    public init(_ first: any DECallback, _ rest: any DECallback...) {
        first.add(to: &self)
        for c in rest { c.add(to: &self) }
    }

    public func add(to set: inout CallbackSet) {
        set.continuous += continuous
        set.vector += vector
        set.discrete += discrete
    }

    public var isEmpty: Bool { continuous.isEmpty && vector.isEmpty && discrete.isEmpty }
    /// The total number of continuous conditions.
    var conditionCount: Int { continuous.count + vector.reduce(0) { $0 + $1.length } }
}
