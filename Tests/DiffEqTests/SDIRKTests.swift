import DiffEq
import Foundation
import TestSupport
import XCTest

/// The diagonally implicit family (ImplicitEuler, Trapezoid, TRBDF2, KenCarp4, Kvaerno5): order
/// conditions and stability of the coefficients, observed convergence order, Newton's bookkeeping
/// (Jacobian and W reuse, failures), dense output and allocation-free steps.
final class SDIRKTests: XCTestCase {
    static let names = ["ImplicitEuler", "Trapezoid", "TRBDF2", "KenCarp4", "Kvaerno5"]

    static func coefficients(_ t: ButcherTableau) -> SDIRKCoefficients? {
        if case .sdirk(let c) = t.family { return c }
        return nil
    }

    /// Φᵢ(t) for every tree and stage, with the diagonal: Φ([t₁…tₘ]) = Πₖ (A Φ(tₖ)), Σⱼ₍ⱼ≤ᵢ₎.
    static func elementaryWeights(_ c: SDIRKCoefficients, _ trees: RootedTrees) -> [[Double]] {
        let s = c.stages
        var phi: [[Double]] = [], aPhi: [[Double]] = []
        for k in 0..<trees.count {
            var v = [Double](repeating: 1, count: s)
            for child in trees.children[k] { for i in 0..<s { v[i] *= aPhi[child][i] } }
            phi.append(v)
            aPhi.append((0..<s).map { i in (0...i).reduce(0.0) { $0 + c.a[i * s + $1] * v[$1] } })
        }
        return phi
    }

    /// The largest |Σᵢ wᵢ Φᵢ(t) − 1/γ(t)| over the trees of order `order`.
    static func defect(_ w: [Double], _ phi: [[Double]], _ trees: RootedTrees, order: Int) -> Double {
        trees.trees(ofOrder: order).map { k in
            Swift.abs(zip(w, phi[k]).reduce(0) { $0 + $1.0 * $1.1 } - 1 / trees.gamma[k])
        }.max() ?? 0
    }

    /// The solution satisfies every condition up to its order and misses one of the next order;
    /// the embedded solution likewise for its order (so the estimate is of exactly that order).
    func testOrderConditions() throws {
        for name in Self.names {
            let t = try MethodRegistry.method(named: name)
            let c = try XCTUnwrap(Self.coefficients(t), name)
            let q = try XCTUnwrap(t.embeddedOrder)
            let trees = RootedTrees(maxOrder: Swift.max(t.order, q) + 1)
            let phi = Self.elementaryWeights(c, trees)
            let bhat = zip(c.b, c.btilde).map { $0 - $1 }
            for (weights, p, label) in [(c.b, t.order, "solution"), (bhat, q, "embedded")] {
                for order in 1...p {
                    XCTAssertLessThan(Self.defect(weights, phi, trees, order: order), 1e-14,
                                      "\(name) \(label): an order-\(order) condition fails")
                }
                XCTAssertGreaterThan(Self.defect(weights, phi, trees, order: p + 1), 1e-6,
                                     "\(name) \(label) is of order above \(p)")
            }
            XCTAssertEqual(t.stages, c.stages)
            XCTAssertEqual(t.interpolation, .hermite, "\(name): cubic Hermite dense output, as documented")
        }
    }

    /// R(z) = 1 + z bᵀ (I − zA)⁻¹ 1 by forward substitution (A is lower triangular).
    static func stabilityFunction(_ c: SDIRKCoefficients, _ z: (re: Double, im: Double)) -> (re: Double, im: Double) {
        let s = c.stages
        var x: [(re: Double, im: Double)] = []
        for i in 0..<s {
            // xᵢ (1 − z aᵢᵢ) = 1 + z Σⱼ₍ⱼ<ᵢ₎ aᵢⱼ xⱼ
            var sr = 0.0, si = 0.0
            for j in 0..<i { sr += c.a[i * s + j] * x[j].re; si += c.a[i * s + j] * x[j].im }
            let nr = 1 + z.re * sr - z.im * si, ni = z.re * si + z.im * sr
            let dr = 1 - z.re * c.a[i * s + i], di = -z.im * c.a[i * s + i]
            let d2 = dr * dr + di * di
            x.append(((nr * dr + ni * di) / d2, (ni * dr - nr * di) / d2))
        }
        var br = 0.0, bi = 0.0
        for i in 0..<s { br += c.b[i] * x[i].re; bi += c.b[i] * x[i].im }
        return (1 + z.re * br - z.im * bi, z.re * bi + z.im * br)
    }

    /// A-stability on the imaginary axis, and L-stability (R(−∞) = 0) for all but the trapezoid,
    /// whose |R(−∞)| = 1.
    func testStability() throws {
        for name in Self.names {
            let c = try XCTUnwrap(Self.coefficients(try MethodRegistry.method(named: name)))
            for k in 0...400 {
                let y = Foundation.pow(10, -3 + Double(k) / 50)
                let r = Self.stabilityFunction(c, (0, y))
                XCTAssertLessThanOrEqual((r.re * r.re + r.im * r.im).squareRoot(), 1 + 1e-12, "\(name) at z = \(y)i")
            }
            let far = Self.stabilityFunction(c, (-1e10, 0))
            if name == "Trapezoid" {
                // (1 + z/2)/(1 − z/2) → −1; the substitution loses digits to cancellation at |z| = 1e10.
                XCTAssertEqual(far.re, -1, accuracy: 1e-5)
            } else {
                XCTAssertLessThan(Swift.abs(far.re), 1e-8, "\(name) is L-stable")
            }
        }
    }

    /// u′ = A (u − y(t)) + y′(t) with A of eigenvalues −1 and −10 and y = (cos t, sin 2t): the exact
    /// solution y(t) + e^(At) (1, 0) is known, and the forcing makes a wrong stage time c show.
    static func forcedLinear() -> ClosedFormProblem {
        // A = [[−5.5, 4.5], [4.5, −5.5]]: eigenvectors (1, 1) for −1 and (1, −1) for −10.
        func exact(_ t: Double) -> [Double] {
            let slow = Foundation.exp(-t), fast = Foundation.exp(-10 * t)
            return [Foundation.cos(t) + 0.5 * (slow + fast), Foundation.sin(2 * t) + 0.5 * (slow - fast)]
        }
        var f = ODEFunction({ du, u, _, t in
            let d0 = u[0] - Foundation.cos(t), d1 = u[1] - Foundation.sin(2 * t)
            du[0] = -5.5 * d0 + 4.5 * d1 - Foundation.sin(t)
            du[1] = 4.5 * d0 - 5.5 * d1 + 2 * Foundation.cos(2 * t)
        })
        f.jac = { J, _, _, _ in J[0] = -5.5; J[1] = 4.5; J[2] = 4.5; J[3] = -5.5 }
        return ClosedFormProblem(
            name: "forced stiff linear", problem: ODEProblem(f, u0: exact(0), tspan: (0, 2)), exact: exact,
            exactDerivative: { t in
                let slow = Foundation.exp(-t), fast = Foundation.exp(-10 * t)
                return [-Foundation.sin(t) + 0.5 * (-slow - 10 * fast), 2 * Foundation.cos(2 * t) + 0.5 * (-slow + 10 * fast)]
            })
    }

    /// Fixed steps over a ladder: the observed order is within 0.3 of the method's.
    func testConvergenceOrder() throws {
        let cf = Self.forcedLinear()
        for name in Self.names {
            let tableau = try MethodRegistry.method(named: name)
            let study = ConvergenceStudy.run(series: 1, length: cf.t1 - cf.t0, maxSteps: 1024) { steps in
                var o = SolverOptions()
                o.adaptive = false
                o.dt = (cf.t1 - cf.t0) / Double(steps)
                o.dense = false
                // Newton's iterations to rounding, so only the method's own error is measured.
                o.abstol = 1e-13; o.reltol = 1e-13
                let sol = solve(cf.problem, tableau, options: o)
                guard sol.retcode == .success else { return [.nan] }
                var worst = 0.0
                for (i, t) in sol.t.enumerated() { worst = Swift.max(worst, maxAbsDifference(sol[i], cf.exact(t))) }
                return [worst]
            }[0]
            print("convergence \(name) (p \(tableau.order)) on \(cf.name): \(study)")
            XCTAssertFalse(study.errors.contains { $0.isNaN }, "\(name): a fixed-step solve failed")
            let order = try XCTUnwrap(study.order, "\(name): too few errors for an order: \(study)")
            XCTAssertEqual(order, Double(tableau.order), accuracy: 0.3, "\(name): \(study)")
        }
    }

    /// Every method on Robertson to t = 40 at a moderate tolerance: the reference to the accuracy
    /// the method's order affords, mass conserved, and the Newton bookkeeping visible in the
    /// stats (Jacobians reused across steps, at most one factorisation per attempted step).
    func testRobertsonWithEveryMethod() throws {
        let reference = [0.7158270687193267, 0.9185534764529951e-5, 0.2841637457458802]
        let bounds = ["ImplicitEuler": 2e-2, "Trapezoid": 2e-3, "TRBDF2": 2e-3, "KenCarp4": 1e-4, "Kvaerno5": 1e-4]
        for name in Self.names {
            var o = SolverOptions()
            o.reltol = 1e-6; o.abstol = 1e-10
            o.maxiters = 1_000_000
            let sol = solve(StiffTests.robertson(), try MethodRegistry.method(named: name), options: o)
            XCTAssertEqual(sol.retcode, .success, "\(name): \(sol.message ?? "")")
            let end = Array(sol[sol.t.count - 1])
            let worst = zip(end, reference).map { Swift.abs($0 - $1) / $1 }.max() ?? .nan
            print("Robertson t=40 \(name): worst relative error \(worst), \(sol.stats)")
            XCTAssertLessThan(worst, bounds[name] ?? 0, name)
            XCTAssertEqual(end.reduce(0, +), 1, accuracy: 1e-9, "\(name): mass is conserved")
            let stats = sol.stats
            XCTAssertGreaterThan(stats.nfdjacs, 0, "\(name): finite-difference Jacobians, said in the stats")
            XCTAssertLessThan(stats.njacs, stats.naccept, "\(name): Jacobians are reused across steps")
            XCTAssertLessThanOrEqual(stats.nw, stats.nsteps + stats.nnonlinconvfail, "\(name): at most one LU per attempt")
            XCTAssertGreaterThanOrEqual(stats.nnonliniter, stats.nsteps * (Self.coefficients(try MethodRegistry.method(named: name))!.stages - 1),
                                        "\(name): at least one Newton iteration per implicit stage")
        }
    }

    /// f = −10⁴ sign(u): the Jacobian is 0 and Newton's iteration (then a fixed-point iteration)
    /// oscillates across u = 0 for every h > 10⁻⁴. With dtmin above that, the step collapses and
    /// the solve returns `convergenceFailure` with a message; with fixed steps it fails at once.
    func testNewtonFailureIsAConvergenceFailure() throws {
        let problem = ODEProblem({ du, u, _, _ in du[0] = u[0] > 0 ? -1e4 : 1e4 }, u0: [1], tspan: (0, 1))
        for name in ["ImplicitEuler", "KenCarp4"] {
            var o = SolverOptions()
            o.dt = 0.1
            o.dtmin = 1e-3
            let sol = solve(problem, try MethodRegistry.method(named: name), options: o)
            XCTAssertEqual(sol.retcode, .convergenceFailure, "\(name): \(sol)")
            XCTAssertTrue(sol.message?.contains("did not converge") ?? false, sol.message ?? "no message")
            XCTAssertGreaterThan(sol.stats.nnonlinconvfail, 0)
            XCTAssertEqual(sol.stats.naccept, 0)
            XCTAssertEqual(sol.t, [0], "the partial solution holds the start only")
            var fixed = SolverOptions()
            fixed.adaptive = false
            fixed.dt = 0.1
            let fixedSolution = solve(problem, try MethodRegistry.method(named: name), options: fixed)
            XCTAssertEqual(fixedSolution.retcode, .convergenceFailure, name)
            XCTAssertTrue(fixedSolution.message?.contains("fixed step") ?? false, fixedSolution.message ?? "no message")
        }
    }

    /// Robertson's Jacobian at t = 0 has no stiffness in y₂ (it is 0 there), and Newton's
    /// iterations with it diverge for fixed steps of 1e-3; the retry linearised at u₀ + h f₀
    /// converges, so the fixed-step solve runs (it returned `convergenceFailure` at once before).
    func testFixedStepsRetryWithAJacobianAtThePredictor() throws {
        let problem = ODEProblem(StiffTests.robertson().f, u0: [1, 0, 0], tspan: (0, 0.1))
        for name in ["ImplicitEuler", "QNDF"] {
            var o = SolverOptions()
            o.adaptive = false
            o.dt = 1e-3
            let sol = solve(problem, try MethodRegistry.method(named: name), options: o)
            XCTAssertEqual(sol.retcode, .success, "\(name): \(sol.message ?? "")")
            XCTAssertEqual(sol.stats.naccept, 100, name)
            XCTAssertEqual(sol[sol.t.count - 1].reduce(0, +), 1, accuracy: 1e-12, "\(name): mass is conserved")
            XCTAssertGreaterThan(sol.stats.nnonlinconvfail, 0, "\(name): the first attempt failed and was retried")
        }
    }

    /// A given Jacobian is used (no finite differences), the stiff linear problem takes far fewer
    /// steps than with an explicit method, and the Hermite dense output follows the solution.
    func testStiffLinearProblemWithAJacobianAndDenseOutput() throws {
        var f = ODEFunction({ du, u, _, t in du[0] = -1000 * (u[0] - Foundation.cos(t)) - Foundation.sin(t) })
        var jacobianCalls = 0
        f.jac = { J, _, _, _ in J[0] = -1000; jacobianCalls += 1 }
        let problem = ODEProblem(f, u0: [1], tspan: (0, 2))
        var o = SolverOptions()
        o.reltol = 1e-6; o.abstol = 1e-8
        let explicit = solve(problem, try .dp5(), options: o)
        for name in Self.names where name != "ImplicitEuler" {
            jacobianCalls = 0
            let sol = solve(problem, try MethodRegistry.method(named: name), options: o)
            XCTAssertEqual(sol.retcode, .success, name)
            XCTAssertEqual(sol.stats.nfdjacs, 0, name)
            XCTAssertEqual(jacobianCalls, sol.stats.njacs, name)
            XCTAssertEqual(sol[sol.t.count - 1].first ?? .nan, Foundation.cos(2.0), accuracy: 1e-5, name)
            // The trapezoid is A- but not L-stable (R(−∞) = −1): the stiff mode is not damped and
            // its sign-flipping error keeps the steps small; the L-stable methods step past it.
            if name != "Trapezoid" { XCTAssertGreaterThan(explicit.stats.nsteps, 5 * sol.stats.nsteps, name) }
            var worst = 0.0
            for i in 0..<sol.t.count - 1 where sol.t[i] > 0.05 {
                for theta in [0.25, 0.5, 0.75] {
                    let time = sol.t[i] + theta * (sol.t[i + 1] - sol.t[i])
                    worst = Swift.max(worst, Swift.abs((sol(time)?.first ?? .nan) - Foundation.cos(time)))
                }
            }
            print("stiff linear \(name): \(sol.stats.nsteps) steps (DP5 \(explicit.stats.nsteps)), dense error \(worst)")
            // Cubic Hermite between steps of up to 0.3: its error h⁴/384·max|u⁗| exceeds the step
            // tolerance when the steps are this long (the price of a method-independent interpolant).
            XCTAssertLessThan(worst, 5e-4, name)
        }
    }

    /// Dense output between steps has the Hermite interpolant's third order: halving the
    /// (fixed) step divides the interpolation error at mid-step by about 16 (error ∝ h⁴ locally).
    func testHermiteDenseOutputOrder() throws {
        let problem = ODEProblem({ du, u, _, t in du[0] = -u[0] + t }, u0: [1], tspan: (0, 1))
        let exact = { (t: Double) in t - 1 + 2 * Foundation.exp(-t) }
        var errors: [Double] = []
        for steps in [8, 16, 32] {
            var o = SolverOptions()
            o.adaptive = false; o.dt = 1 / Double(steps)
            o.abstol = 1e-13; o.reltol = 1e-13
            let sol = solve(problem, try .kvaerno5(), options: o)
            // Mid-step of the middle step, minus the step's own (5th-order) error at its ends.
            let i = steps / 2, time = (Double(i) + 0.5) / Double(steps)
            errors.append(Swift.abs((sol(time)?.first ?? .nan) - exact(time)))
        }
        let slope = Foundation.log2(errors[0] / errors[2]) / 2
        print("Kvaerno5 Hermite dense output errors \(errors), slope \(slope)")
        XCTAssertEqual(slope, 4, accuracy: 0.3)
    }

    /// A bouncing ball with the Newton-solved methods: events are located on the Hermite dense
    /// output, the state is changed by the affect, and the NDF restarts its history there. The
    /// first impact of u″ = −9.81 from height 10 is at √(20/9.81); with restitution 0.9 the
    /// second is 2·0.9·√(20/9.81) later.
    func testEventsWithTheImplicitFamilies() throws {
        let g = 9.81
        let problem = ODEProblem({ du, u, _, _ in du[0] = u[1]; du[1] = -g }, u0: [10, 0], tspan: (0, 5))
        let first = (20 / g).squareRoot(), second = first + 2 * 0.9 * (20 / g).squareRoot()
        for name in ["TRBDF2", "KenCarp4", "Kvaerno5", "QNDF"] {
            var impacts: [Double] = []
            var o = SolverOptions()
            o.reltol = 1e-8; o.abstol = 1e-10
            o.callback = CallbackSet(ContinuousCallback(condition: { u, _, _ in u[0] }, affect: nil, affectNeg: { integrator in
                impacts.append(integrator.t)
                integrator.state[1] = -0.9 * integrator.state[1]
            }))
            let sol = solve(problem, try MethodRegistry.method(named: name), options: o)
            XCTAssertEqual(sol.retcode, .success, "\(name): \(sol.message ?? "")")
            XCTAssertEqual(impacts.count, 2, "\(name): impacts at \(impacts)")
            XCTAssertEqual(impacts.first ?? .nan, first, accuracy: 1e-6, name)
            XCTAssertEqual(impacts.dropFirst().first ?? .nan, second, accuracy: 1e-5, name)
        }
    }
}
