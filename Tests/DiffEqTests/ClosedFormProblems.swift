import DiffEq
import Foundation

/// A test problem whose solution is known in closed form, with its exact derivative.
struct ClosedFormProblem {
    let name: String
    let problem: ODEProblem
    let exact: (Double) -> [Double]
    /// u′(t) along the exact solution (for derivative tests of the dense output).
    let exactDerivative: (Double) -> [Double]

    var t0: Double { problem.tspan.0 }
    /// A bound on |u′| over the time span (for roundoff floors).
    var derivativeBound: Double {
        (0...64).map { i in exactDerivative(t0 + (t1 - t0) * Double(i) / 64).map(Swift.abs).max() ?? 0 }.max() ?? 1
    }
    var t1: Double { problem.tspan.1 }

    /// u′ = A u with A = −σ I + ω J (J the quarter turn): a decaying rotation,
    /// u(t) = e^(−σt) R(ωt) u₀. Linear and autonomous.
    static func decayingRotation(tspan: (Double, Double) = (0, 4)) -> ClosedFormProblem {
        let sigma = 0.3, omega = 2.0, u0 = [1.0, 0.5]
        func exact(_ t: Double) -> [Double] {
            let s = Foundation.exp(-sigma * (t - tspan.0)), c = Foundation.cos(omega * (t - tspan.0)),
                n = Foundation.sin(omega * (t - tspan.0))
            return [s * (c * u0[0] + n * u0[1]), s * (-n * u0[0] + c * u0[1])]
        }
        return ClosedFormProblem(
            name: "decaying rotation",
            problem: ODEProblem({ du, u, _, _ in
                du[0] = -sigma * u[0] + omega * u[1]
                du[1] = -omega * u[0] - sigma * u[1]
            }, u0: u0, tspan: tspan),
            exact: exact,
            exactDerivative: { t in
                let u = exact(t)
                return [-sigma * u[0] + omega * u[1], -omega * u[0] - sigma * u[1]]
            })
    }

    /// u′ = A(t) u with A(t) = −σ I + ω(t) J, ω(t) = 1 + t/2: a decaying rotation whose speed
    /// grows, u(t) = e^(−σt) R(t + t²/4) u₀. Linear and time-dependent, so a wrong stage time
    /// `c` shows.
    static func acceleratingRotation(tspan: (Double, Double) = (0, 4)) -> ClosedFormProblem {
        let sigma = 0.3
        func exact(_ t: Double) -> [Double] {
            let angle = t + t * t / 4, s = Foundation.exp(-sigma * t)
            return [s * Foundation.cos(angle), s * Foundation.sin(angle)]
        }
        return ClosedFormProblem(
            name: "accelerating rotation",
            problem: ODEProblem({ du, u, _, t in
                let omega = 1 + 0.5 * t
                du[0] = -sigma * u[0] - omega * u[1]
                du[1] = omega * u[0] - sigma * u[1]
            }, u0: exact(tspan.0), tspan: tspan),
            exact: exact,
            exactDerivative: { t in
                let u = exact(t), omega = 1 + 0.5 * t
                return [-sigma * u[0] - omega * u[1], omega * u[0] - sigma * u[1]]
            })
    }

    /// x′ = −ω y, y′ = ω x with ω = x² + y² + t/2, from (1, 0): the radius is conserved, so
    /// (x, y) = (cos θ, sin θ) with θ = t + t²/4. Nonlinear and time-dependent; its phase
    /// error grows steadily, so the leading error term dominates early in the ladder.
    static func nonlinearRotation(tspan: (Double, Double) = (0, 4)) -> ClosedFormProblem {
        func exact(_ t: Double) -> [Double] {
            let angle = t + t * t / 4
            return [Foundation.cos(angle), Foundation.sin(angle)]
        }
        return ClosedFormProblem(
            name: "nonlinear rotation",
            problem: ODEProblem({ du, u, _, t in
                let omega = u[0] * u[0] + u[1] * u[1] + 0.5 * t
                du[0] = -omega * u[1]
                du[1] = omega * u[0]
            }, u0: exact(tspan.0), tspan: tspan),
            exact: exact,
            exactDerivative: { t in
                let u = exact(t), omega = 1 + 0.5 * t
                return [-omega * u[1], omega * u[0]]
            })
    }

    /// The scalar phase equation u′ = 2 + a cos(u − t), u(0) = 0, a = 0.9: with v = u − t,
    /// v′ = 1 + a cos v, so tan(v/2) = K tan(φ) with K = √((1+a)/(1−a)), φ = √(1−a²) t/2.
    /// Nonlinear, scalar and time-dependent. (A scalar problem like u′ = −2tu² is smoother
    /// than DP5's leading error term can show above roundoff: its observed order stays
    /// near 5.4; this one has a generic error expansion.)
    static func phase(tspan: (Double, Double) = (0, 4), a: Double = 0.9) -> ClosedFormProblem {
        let K = ((1 + a) / (1 - a)).squareRoot(), w = (1 - a * a).squareRoot() / 2
        func v(_ t: Double) -> Double {
            // atan2 keeps ψ in φ's quadrant; unwrap it to the branch nearest φ.
            let phi = w * t, psi = Foundation.atan2(K * Foundation.sin(phi), Foundation.cos(phi))
            return 2 * (psi + 2 * Double.pi * ((phi - psi) / (2 * Double.pi)).rounded())
        }
        return ClosedFormProblem(
            name: "phase u' = 2 + \(a) cos(u - t)",
            problem: ODEProblem({ du, u, _, t in du[0] = 2 + a * Foundation.cos(u[0] - t) },
                                u0: [v(tspan.0) + tspan.0], tspan: tspan),
            exact: { t in [v(t) + t] },
            exactDerivative: { t in [2 + a * Foundation.cos(v(t))] })
    }

    static var all: [ClosedFormProblem] { [decayingRotation(), acceleratingRotation(), nonlinearRotation(), phase()] }
}

/// The largest absolute difference between two vectors.
func maxAbsDifference<A: Collection<Double>, B: Collection<Double>>(_ a: A, _ b: B) -> Double {
    zip(a, b).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
}

/// The least-squares slope of y against x.
func leastSquaresSlope(_ x: [Double], _ y: [Double]) -> Double {
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0
    for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx) }
    return sxy / sxx
}

/// A convergence study over a ladder of fixed step counts, DiffEqDevTools style.
///
/// Step counts grow by 2^(1/4) from 8, coarse to fine, until every error
/// series falls below its floor (too close to what the arithmetic resolves) or the step
/// budget is spent. Each series' order is the least-squares slope of log(error) against
/// log(dt) over its finest `points` errors above the floor (at least `minimumPoints`): as
/// deep into the asymptotic regime as Float64 allows, whatever the method's order, so
/// methods added to the registry later need no hand-picked ladder.
struct ConvergenceStudy: CustomStringConvertible {
    var dts: [Double] = []
    var errors: [Double] = []
    var floors: [Double] = []
    /// The (dt, error) pairs the order was fitted on.
    var window: [(dt: Double, error: Double)] = []
    /// The slope over the window; nil when fewer than `minimumPoints` errors were usable.
    var order: Double?

    static let points = 5
    static let minimumPoints = 3

    /// Roundoff in a global error of an O(1) solution: at most 20 ulp per step, and never
    /// trusted below 1e-13.
    static func roundoffFloor(steps: Int) -> Double { Swift.max(1e-13, 20 * Double.ulpOfOne * Double(steps)) }

    /// 8, 10, 11, 13, 16, 19, 23, ...: step counts growing by 2^(1/4), so the window of five
    /// spans a factor 2 in dt, close to the finest errors the arithmetic resolves. Fewer than
    /// 8 steps over the test problems is too coarse to say anything about asymptotics.
    static let stepCounts: [Int] = {
        var counts: [Int] = []
        var x = 8.0
        while x <= 16_384 {
            let c = Int(x.rounded())
            if counts.last != c { counts.append(c) }
            x *= Foundation.pow(2, 0.25)
        }
        return counts
    }()

    /// The error floor a method's rounded coefficients set: Float64 cannot hold large tableau
    /// entries exactly, so Σⱼ aᵢⱼ misses cᵢ by a few ulp, and weights bᵢ of size 176 (Vern6)
    /// turn that into a defect in the order conditions (Σᵢ bᵢ Σⱼ aᵢⱼ = 1/2 + 6.5e-12 for Vern6),
    /// which no step size removes: about (Σᵢ |bᵢ| |Σⱼ aᵢⱼ − cᵢ| + |Σᵢ bᵢ − 1|)·|f|·T.
    static func coefficientFloor(_ tableau: ButcherTableau, derivativeBound: Double, length: Double) -> Double {
        let s = tableau.stages
        var defect = Swift.abs(tableau.b.reduce(0, +) - 1)
        for i in 0..<s {
            let row = (0..<s).reduce(0.0) { $0 + tableau.a[i * s + $1] }
            defect += Swift.abs(tableau.b[i]) * Swift.abs(row - tableau.c[i])
        }
        return defect * derivativeBound * length
    }

    /// Slopes between consecutive window points, coarse to fine.
    var localSlopes: [Double] {
        zip(window, window.dropFirst()).map { Foundation.log($0.error / $1.error) / Foundation.log($0.dt / $1.dt) }
    }

    /// Runs `errors(steps)` (one value per series) over the ladder and fits every series.
    /// `floor(series, steps, dt)` is the error below which a series is not trusted.
    static func run(series: Int, length: Double, maxSteps: Int = 2048,
                    floor: (Int, Int, Double) -> Double = { _, steps, _ in roundoffFloor(steps: steps) },
                    errors: (Int) -> [Double]) -> [ConvergenceStudy] {
        var studies = [ConvergenceStudy](repeating: ConvergenceStudy(), count: series)
        var done = [Bool](repeating: false, count: series)
        for steps in stepCounts where steps <= maxSteps {
            let dt = length / Double(steps)
            let e = errors(steps)
            for k in 0..<series where !done[k] {
                let f = floor(k, steps, dt)
                studies[k].dts.append(dt)
                studies[k].errors.append(e[k])
                studies[k].floors.append(f)
                if e[k].isFinite, e[k] < f { done[k] = true }
            }
            if done.allSatisfy({ $0 }) { break }
        }
        for k in 0..<series { studies[k].fit() }
        return studies
    }

    mutating func fit() {
        var usable: [(dt: Double, error: Double)] = []
        for (i, e) in errors.enumerated() where e.isFinite && e >= floors[i] { usable.append((dts[i], e)) }
        window = Array(usable.suffix(Self.points))
        guard window.count >= Self.minimumPoints else { order = nil; return }
        order = leastSquaresSlope(window.map { Foundation.log($0.dt) }, window.map { Foundation.log($0.error) })
    }

    var description: String {
        let pairs = zip(dts, errors).map { String(format: "%.4g:%.3e", $0, $1) }.joined(separator: " ")
        let slopes = localSlopes.map { String(format: "%.2f", $0) }.joined(separator: ", ")
        return "order \(order.map { String(format: "%.3f", $0) } ?? "n/a") (local slopes \(slopes)) [\(pairs)]"
    }
}
