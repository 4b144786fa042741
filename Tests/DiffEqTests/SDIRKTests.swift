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
}
