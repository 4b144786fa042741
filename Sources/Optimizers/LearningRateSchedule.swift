import Foundation

/// A learning rate as a function of the step t = 1, 2, … (ParameterSchedulers.jl's convention:
/// t = 1 gives the initial value).
///
/// References: I. Loshchilov, F. Hutter, "SGDR: Stochastic gradient descent with warm
/// restarts", ICLR 2017 (cosine annealing); P. Goyal et al., "Accurate, large minibatch SGD:
/// training ImageNet in 1 hour", arXiv:1706.02677, 2017 (linear warm-up).
public indirect enum LearningRateSchedule: Sendable {
    /// η at every step.
    case constant(Double)
    /// η₀ · γ^⌊(t − 1) / s⌋: multiplied by γ every s steps.
    case stepDecay(initial: Double, decay: Double, every: Int)
    /// η₀ · γ^(t − 1).
    case exponential(initial: Double, decay: Double)
    /// η_min + (η_max − η_min)(1 + cos(π τ / T)) / 2 with τ = (t − 1) mod T when restarting,
    /// τ = min(t − 1, T) otherwise (then η_min from step T + 1 on).
    case cosineAnnealing(max: Double, min: Double, period: Int, restart: Bool)
    /// s(1) · t / w for t ≤ w steps, then s(t − w): a linear warm-up before schedule s.
    case warmup(steps: Int, then: LearningRateSchedule)
    /// Any function of t.
    case custom(@Sendable (Int) -> Double)

    /// The learning rate at step t (t ≥ 1; smaller t is treated as 1).
    public func callAsFunction(_ t: Int) -> Double {
        let t = Swift.max(t, 1)
        switch self {
        case .constant(let eta):
            return eta
        case let .stepDecay(initial, decay, every):
            return initial * pow(decay, Double((t - 1) / Swift.max(every, 1)))
        case let .exponential(initial, decay):
            return initial * pow(decay, Double(t - 1))
        case let .cosineAnnealing(high, low, period, restart):
            let T = Swift.max(period, 1)
            let tau = restart ? (t - 1) % T : Swift.min(t - 1, T)
            return low + (high - low) * (1 + cos(Double.pi * Double(tau) / Double(T))) / 2
        case let .warmup(steps, schedule):
            if t <= steps { return schedule(1) * Double(t) / Double(steps) }
            return schedule(t - steps)
        case .custom(let f):
            return f(t)
        }
    }

    /// Cosine annealing from `max` to `min` over `period` steps, restarting (SGDR).
    public static func cosineAnnealing(max: Double, min: Double = 0, period: Int) -> LearningRateSchedule {
        .cosineAnnealing(max: max, min: min, period: period, restart: true)
    }
}

/// A rule whose learning rate follows a schedule: before step t it is set to `schedule(t)`.
/// Write `Adam().scheduled(.exponential(initial: 0.01, decay: 0.99))`.
public struct Scheduled<Rule: LearningRateAdjustable>: FirstOrderOptimizer {
    /// The rule whose learning rate is scheduled.
    public var rule: Rule
    /// η as a function of the step.
    public var schedule: LearningRateSchedule

    public init(_ rule: Rule, _ schedule: LearningRateSchedule) {
        self.rule = rule
        self.schedule = schedule
    }

    public var name: String { rule.name }

    /// The rule's state and the number of steps taken.
    public struct State {
        /// The rule's own state.
        public var rule: Rule.State
        /// Steps taken so far.
        public var step: Int
    }

    public func makeState(count: Int) -> State { State(rule: rule.makeState(count: count), step: 0) }

    public func apply(_ step: UnsafeMutableBufferPointer<Double>, at theta: UnsafeBufferPointer<Double>,
                      state: inout State) {
        state.step += 1
        var r = rule
        r.learningRate = schedule(state.step)
        r.apply(step, at: theta, state: &state.rule)
    }
}

extension LearningRateAdjustable {
    /// This rule with its learning rate set by `schedule` before each step.
    public func scheduled(_ schedule: LearningRateSchedule) -> Scheduled<Self> { Scheduled(self, schedule) }
}
