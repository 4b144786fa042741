@testable import Sensitivity
import Autodiff
import DiffEq
import Foundation
import TestSupport
import XCTest

/// The pieces of the continuous adjoints: quadrature rules, the dense-output reader and the
/// backward right-hand sides' allocation-free calls.
final class AdjointInternalsTests: XCTestCase {
    func testGaussLegendreRulesAreExactToDegreeTwoKMinusOne() {
        for k in 1...10 {
            let (x, w) = GaussLegendre.rule(points: k)
            XCTAssertEqual(w.reduce(0, +), 2, accuracy: 1e-14, "\(k) points")
            XCTAssertEqual(x, x.sorted(), "\(k) points: nodes ascending")
            for d in 0...(2 * k - 1) {
                let exact = d % 2 == 1 ? 0 : 2 / Double(d + 1)
                let rule = zip(x, w).reduce(0) { $0 + $1.1 * pow($1.0, Double(d)) }
                XCTAssertEqual(rule, exact, accuracy: 1e-14, "\(k) points, degree \(d)")
            }
        }
    }

    func testAdaptiveGaussKronrodIntegratesVectorsToTolerance() {
        let quad = AdaptiveQuadrature(dimension: 3)
        var out = [0.0, 0.0, 0.0]
        // Runge's function needs subdivision; cos and exp do not.
        let g: (Double, UnsafeMutablePointer<Double>) -> Void = { t, v in
            v[0] = cos(t); v[1] = exp(t); v[2] = 1 / (1 + 25 * t * t)
        }
        let exact = [sin(2.0) - sin(-1.0), exp(2.0) - exp(-1.0), (atan(10.0) + atan(5.0)) / 5]
        let error = out.withUnsafeMutableBufferPointer { r in
            quad.integrate(from: -1, to: 2, abstol: 1e-13, reltol: 1e-13, maxPanels: 1000, into: r.baseAddress!, g)
        }
        for j in 0..<3 { XCTAssertEqual(out[j], exact[j], accuracy: 1e-12) }
        XCTAssertLessThanOrEqual(error, 1e-12)
        XCTAssertGreaterThan(quad.evaluations, 15, "Runge's function was subdivided")
        // Kronrod's 15 points alone are exact for polynomials of degree 22 and below.
        let poly = AdaptiveQuadrature(dimension: 1)
        var one = [0.0]
        one.withUnsafeMutableBufferPointer { r in
            _ = poly.integrate(from: 0, to: 1, abstol: 0, reltol: 0, maxPanels: 1, into: r.baseAddress!) { t, v in v[0] = pow(t, 22) }
        }
        XCTAssertEqual(one[0], 1.0 / 23, accuracy: 1e-15)
        // Oriented: swapping the ends negates the integral.
        out.withUnsafeMutableBufferPointer { r in
            _ = quad.integrate(from: 2, to: -1, abstol: 1e-13, reltol: 1e-13, maxPanels: 1000, into: r.baseAddress!, g)
        }
        for j in 0..<3 { XCTAssertEqual(out[j], -exact[j], accuracy: 1e-12) }
    }

    func testDenseInterpolantAgreesWithTheSolutionsOwnInterpolation() throws {
        let rhs = try CompiledRHS(CompiledRHSTests.lvGraph())
        for tspan in [(0.0, 5.0), (5.0, 0.0)] {
            var o = SolverOptions()
            o.reltol = 1e-8; o.abstol = 1e-8
            let sol = solve(ODEProblem(try rhs.odeFunction(), u0: [1, 1], tspan: tspan, p: [1.5, 1, 3, 1]), try ButcherTableau.dp5(), options: o)
            let reader = try XCTUnwrap(DenseInterpolant(try XCTUnwrap(sol.steps)))
            var hint = 0
            var out = [0.0, 0.0]
            for i in 0...200 {
                let t = tspan.0 + (tspan.1 - tspan.0) * Double(i) / 200
                out.withUnsafeMutableBufferPointer { reader.evaluate(at: t, hint: &hint, into: $0.baseAddress!) }
                let expected = try XCTUnwrap(sol(t))
                for j in 0..<2 { XCTAssertEqual(out[j], expected[j], accuracy: 1e-13 * max(1, abs(expected[j])), "t = \(t)") }
            }
        }
    }

    func testBackwardRightHandSidesAllocateNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "allocation counting is not active on this platform")
        let rhs = try CompiledRHS(CompiledRHSTests.lvGraph())
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-8
        let sol = solve(ODEProblem(try rhs.odeFunction(), u0: [1, 1], tspan: (0, 5), p: [1.5, 1, 3, 1]), try ButcherTableau.dp5(), options: o)
        let source = TrajectorySource()
        source.trajectory = DenseInterpolant(try XCTUnwrap(sol.steps))
        let functions: [(String, ODEFunction, Int)] = [
            ("backsolve", AdjointRHS.backsolve(rhs), 8),
            ("interpolating", AdjointRHS.interpolating(rhs, source), 6),
            ("lambda", AdjointRHS.lambdaOnly(rhs, source), 2),
        ]
        let p: [Double] = [1.5, 1, 3, 1]
        for (name, fn, width) in functions {
            var z = (0..<width).map { 0.3 + 0.1 * Double($0) }
            var dz = [Double](repeating: 0, count: width)
            let count = z.withUnsafeMutableBufferPointer { zb in dz.withUnsafeMutableBufferPointer { db in p.withUnsafeBufferPointer { pb in
                fn.f(db.baseAddress!, zb.baseAddress!, pb.baseAddress!, 4.9)
                return allocations {
                    for i in 0..<200 { fn.f(db.baseAddress!, zb.baseAddress!, pb.baseAddress!, 4.9 - 0.02 * Double(i)) }
                }
            } } }
            XCTAssertEqual(count, 0, "\(name): allocations in 200 calls")
            XCTAssertTrue(dz.allSatisfy(\.isFinite), name)
        }
        // The parameter integrand of the quadrature adjoints, too.
        let integrand = ParameterIntegrand(rhs)
        let forward = try XCTUnwrap(source.trajectory)
        var g = [Double](repeating: 0, count: 4)
        let count = g.withUnsafeMutableBufferPointer { gb in p.withUnsafeBufferPointer { pb in
            allocations {
                for i in 0..<200 {
                    integrand.evaluate(0.02 * Double(i), forward: forward, lambda: forward, p: pb.baseAddress!, into: gb.baseAddress!)
                }
            }
        } }
        XCTAssertEqual(count, 0, "parameter integrand: allocations in 200 calls")
    }

    func testTheBackwardStateAndItsTolerances() throws {
        // Backsolve integrates [u, λ, μ]; a per-component forward tolerance keeps its values for u.
        let rhs = try CompiledRHS(CompiledRHSTests.lvGraph())
        var o = SolverOptions()
        o.saveat = .every(0.5)
        o.abstol = .vector([1e-7, 1e-9])
        let adjoint = try ContinuousAdjoint(rhs, kind: .backsolve, settings: AdjointOptions(), tableau: ButcherTableau.dp5(),
                                            options: o, tspan: (0, 1))
        XCTAssertEqual(adjoint.width, 8)
        guard case .vector(let v) = adjoint.tolerance(o.abstol) else { return XCTFail("a vector tolerance stays a vector") }
        XCTAssertEqual(v, [1e-7, 1e-9, 1e-9, 1e-9, 1e-9, 1e-9, 1e-9, 1e-9])
        // The seminorm never exceeds the default root mean square.
        let norm = ContinuousAdjoint.seminorm(2..<4)
        let e: [Double] = [3, 4, 0.5, 0.25, 7, 1, 2, 2]
        let semi = e.withUnsafeBufferPointer { norm($0, 0) }
        let full = (e.reduce(0) { $0 + $1 * $1 } / 8).squareRoot()
        XCTAssertEqual(semi, ((0.25 + 0.0625) / 8).squareRoot(), accuracy: 1e-15)
        XCTAssertLessThanOrEqual(semi, full)
    }
}
