/// One group of continuous conditions: a `ContinuousCallback` (one condition) or a
/// `VectorContinuousCallback`, in the vector form. Conditions are numbered across all groups:
/// this group's are `offset ..< offset + length`.
struct EventGroup {
    let offset: Int
    let length: Int
    let points: Int
    let condition: VectorEventCondition
    let affect: VectorEventAffect?
    let affectNeg: VectorEventAffect?
    let savePositions: (Bool, Bool)
    /// Whether there are affects (stored: comparing a closure with nil reabstracts it, which
    /// allocates in unoptimised builds).
    let hasAffect: Bool
    let hasAffectNeg: Bool

    init(offset: Int, length: Int, points: Int, condition: @escaping VectorEventCondition,
         affect: VectorEventAffect?, affectNeg: VectorEventAffect?, savePositions: (Bool, Bool)) {
        self.offset = offset
        self.length = length
        self.points = points
        self.condition = condition
        self.affect = affect
        self.affectNeg = affectNeg
        self.savePositions = savePositions
        hasAffect = affect != nil
        hasAffectNeg = affectNeg != nil
    }

    /// Whether a crossing upwards (or downwards) has an affect.
    @inline(__always) func reacts(upward: Bool) -> Bool { upward ? hasAffect : hasAffectNeg }
}

/// What the event phase keeps between steps, in memory allocated once per solve (nothing is
/// allocated while stepping). Pointers, not arrays, so the conditions, which receive the
/// integrator, can be called while these are being written.
final class EventStorage {
    let groups: [EventGroup]
    /// Number of continuous conditions.
    let count: Int
    /// Each condition's reference sign at the start of the next step; 0 when it sits on its
    /// surface (at t₀, or right after its own event): the first nonzero sign seen sets it.
    let signs: UnsafeMutablePointer<Int8>
    /// Each condition's value at the start of the next step.
    let values: UnsafeMutablePointer<Double>
    /// Condition values at the current probe, and scratch for root finding.
    let probe: UnsafeMutablePointer<Double>
    let scratch: UnsafeMutablePointer<Double>
    /// While scanning a step: each condition's last nonzero sign, where it was seen and its value.
    let leftSign: UnsafeMutablePointer<Int8>
    let leftTheta: UnsafeMutablePointer<Double>
    let leftValue: UnsafeMutablePointer<Double>
    /// The interpolated state at a probe.
    let state: UnsafeMutablePointer<Double>
    /// For each discrete callback with a time schedule, when it last fired (so a zero-length
    /// step never fires it twice at one time).
    let lastFired: UnsafeMutablePointer<Double>
    /// The condition whose event fired at the current time (−1: none); it stays on its surface
    /// when a later callback at the same time refreshes the signs.
    var justFired = -1

    init(callbacks: CallbackSet, n: Int) {
        var groups: [EventGroup] = []
        var offset = 0
        for cb in callbacks.continuous {
            let condition = cb.condition
            var up: VectorEventAffect? = nil, down: VectorEventAffect? = nil
            if let a = cb.affect { up = { integrator, _ in a(integrator) } }
            if let a = cb.affectNeg { down = { integrator, _ in a(integrator) } }
            groups.append(EventGroup(
                offset: offset, length: 1, points: cb.interpolationPoints,
                condition: { out, u, t, integrator in out[0] = condition(u, t, integrator) },
                affect: up, affectNeg: down, savePositions: cb.savePositions))
            offset += 1
        }
        for cb in callbacks.vector where cb.length > 0 {
            groups.append(EventGroup(offset: offset, length: cb.length, points: cb.interpolationPoints,
                                     condition: cb.condition, affect: cb.affect, affectNeg: cb.affectNeg,
                                     savePositions: cb.savePositions))
            offset += cb.length
        }
        self.groups = groups
        count = offset
        let m = Swift.max(offset, 1)
        signs = .allocate(capacity: m)
        signs.initialize(repeating: 0, count: m)
        leftSign = .allocate(capacity: m)
        leftSign.initialize(repeating: 0, count: m)
        values = .allocate(capacity: m)
        values.initialize(repeating: 0, count: m)
        probe = .allocate(capacity: m)
        probe.initialize(repeating: 0, count: m)
        scratch = .allocate(capacity: m)
        scratch.initialize(repeating: 0, count: m)
        leftTheta = .allocate(capacity: m)
        leftTheta.initialize(repeating: 0, count: m)
        leftValue = .allocate(capacity: m)
        leftValue.initialize(repeating: 0, count: m)
        state = .allocate(capacity: Swift.max(n, 1))
        state.initialize(repeating: 0, count: Swift.max(n, 1))
        let d = Swift.max(callbacks.discrete.count, 1)
        lastFired = .allocate(capacity: d)
        lastFired.initialize(repeating: .nan, count: d)
    }

    deinit {
        signs.deallocate()
        leftSign.deallocate()
        values.deallocate()
        probe.deallocate()
        scratch.deallocate()
        leftTheta.deallocate()
        leftValue.deallocate()
        state.deallocate()
        lastFired.deallocate()
    }
}

/// The callbacks of a solve and, when there are any, their working memory (none without
/// callbacks, so `reinit` of a plain solve allocates nothing).
struct EventState {
    let callbacks: CallbackSet
    let storage: EventStorage?

    init(callbacks: CallbackSet, n: Int) {
        self.callbacks = callbacks
        storage = callbacks.isEmpty ? nil : EventStorage(callbacks: callbacks, n: n)
    }
}
