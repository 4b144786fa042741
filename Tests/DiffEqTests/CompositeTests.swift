@testable import DiffEq
import Foundation
import XCTest

/// Composite methods with stiffness detection (`AutoTsit5(Rosenbrock23())`) and the default
/// method: switching on stiff and non-stiff problems, saving, events and dense output across
/// switches, and the default's choices.
final class CompositeTests: XCTestCase {
    static let robertsonAt40 = [0.7158270687193267, 0.9185534764529951e-5, 0.2841637457458802]

    func auto(_ name: String = "AutoTsit5", _ stiff: String = "Rosenbrock23") throws -> CompositeAlgorithm {
        try MethodRegistry.composite(named: name, stiff: stiff)
    }

    /// The switches in `choice`: (from, to) pairs in order.
    func switches(_ choice: [Int]) -> [(Int, Int)] {
        zip(choice, choice.dropFirst()).filter { $0.0 != $0.1 }.map { ($0.0, $0.1) }
    }

    func testStabilityBoundsMatchOrdinaryDiffEq() throws {
        // OrdinaryDiffEq's alg_stability_size: DP5 3.3066, Tsit5 3.5068, Vern7 4.6400, Vern9 4.4762.
        let expected: [(String, Double)] = [("DP5", 3.3066), ("Tsit5", 3.5068), ("Vern7", 4.6400), ("Vern9", 4.4762)]
        for (name, bound) in expected {
            XCTAssertEqual(try MethodRegistry.method(named: name).realStabilityBound, bound, accuracy: 2e-3, name)
        }
        // Explicit Euler's region is the disc |1 + z| ≤ 1: it reaches −2; RK4's reaches −2.785.
        XCTAssertEqual(try MethodRegistry.method(named: "Euler").realStabilityBound, 2, accuracy: 1e-6)
        XCTAssertEqual(try MethodRegistry.method(named: "RK4").realStabilityBound, 2.7853, accuracy: 1e-3)
        XCTAssertEqual(try MethodRegistry.method(named: "Rodas5P").realStabilityBound, 0)
    }

    func testEigenvalueEstimateIsExactOnALinearProblem() throws {
        // u′ = −1000 u: any two stages give ‖Δf‖/‖ΔY‖ = 1000 exactly, on the FSAL path (Tsit5,
        // DP5: Yₛ = u₁) and the non-FSAL one (Vern7: Yₛ₋₁ rebuilt); the stiff side's ‖J‖∞ is
        // the finite-difference Jacobian's.
        let problem = ODEProblem({ du, u, _, _ in du[0] = -1000 * u[0] }, u0: [1], tspan: (0, 1))
        for (name, stiff) in [("AutoTsit5", "Rosenbrock23"), ("AutoDP5", "Rodas5P"), ("AutoVern7", "Rodas5P")] {
            let integrator = CompositeIntegrator(problem, try auto(name, stiff))
            let sol = integrator.solve()
            XCTAssertEqual(sol.retcode, .success)
            XCTAssertEqual(integrator.monitor.lastEstimates.0, 1000, accuracy: 1e-6, name)
            XCTAssertEqual(integrator.monitor.lastEstimates.1, 1000, accuracy: 1e-2, name)
            XCTAssertEqual(sol.algChoice?.last, 2, "\(name): a decay at rate 1000 over (0, 1) is stiff")
            XCTAssertEqual(sol[sol.t.count - 1].first ?? .nan, exp(-1000), accuracy: 1e-6)
        }
    }

    func testHigherOrderPairsOnRobertson() throws {
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        for (name, stiff) in [("AutoVern7", "Rodas5P"), ("AutoDP5", "Rodas5P"), ("AutoTsit5", "KenCarp4")] {
            let sol = solve(StiffTests.robertson(), try auto(name, stiff), options: o)
            XCTAssertEqual(sol.retcode, .success, "\(name)(\(stiff)()): \(sol.message ?? "")")
            XCTAssertEqual(sol.algChoice?.last, 2, name)
            let end = Array(sol[sol.t.count - 1])
            for (a, b) in zip(end, Self.robertsonAt40) { XCTAssertEqual(a, b, accuracy: 2e-6 * abs(b), "\(name)(\(stiff)())") }
            print("Robertson to 40, \(name)(\(stiff)()): \(sol.stats)")
        }
    }

    func testRobertsonSwitchesToTheStiffMethod() throws {
        var o = SolverOptions()
        o.reltol = 1e-6; o.abstol = 1e-10
        let sol = solve(StiffTests.robertson(), try auto(), options: o)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        let choice = try XCTUnwrap(sol.algChoice)
        XCTAssertEqual(choice.count, sol.t.count)
        XCTAssertEqual(choice.first, 1, "starts with Tsit5")
        XCTAssertEqual(choice.last, 2, "ends with Rosenbrock23")
        XCTAssertGreaterThan(choice.filter { $0 == 2 }.count, choice.count / 2, "most steps are stiff ones")
        let end = Array(sol[sol.t.count - 1])
        for (a, b) in zip(end, Self.robertsonAt40) { XCTAssertEqual(a, b, accuracy: 1e-4 * abs(b)) }
        // Statistics add up over both methods: one saved point per accepted step, plus t₀.
        XCTAssertEqual(sol.t.count, sol.stats.naccept + 1)
        XCTAssertGreaterThan(sol.stats.njacs, 0)
        // Tsit5 alone is held to h·ρ ≲ 3.5 for the whole span.
        let explicit = solve(StiffTests.robertson(), try MethodRegistry.method(named: "Tsit5"), options: o)
        print("Robertson to 40: AutoTsit5(Rosenbrock23()) \(sol.stats); Tsit5 \(explicit.stats)")
        XCTAssertGreaterThan(explicit.stats.naccept, 20 * sol.stats.naccept)
    }

    func testDenseOutputCoversTheSpanAcrossSwitches() throws {
        var o = SolverOptions()
        o.reltol = 1e-6; o.abstol = 1e-10
        let sol = solve(StiffTests.robertson(), try auto(), options: o)
        XCTAssertTrue(sol.hasDenseOutput)
        XCTAssertNil(sol.steps, "a discrete adjoint cannot replay two methods' steps")
        var reference = SolverOptions()
        reference.reltol = 1e-10; reference.abstol = 1e-14
        let exact = solve(StiffTests.robertson(), try MethodRegistry.method(named: "Rodas5P"), options: reference)
        // Midpoints of every step of the composite solve, in both methods' pieces.
        var worst = 0.0
        for i in 0..<(sol.t.count - 1) {
            let tm = (sol.t[i] + sol.t[i + 1]) / 2
            let a = try XCTUnwrap(sol(tm)), b = try XCTUnwrap(exact(tm))
            for j in 0..<3 { worst = max(worst, abs(a[j] - b[j]) / (1e-10 + 1e-6 * abs(b[j]))) }
        }
        XCTAssertLessThan(worst, 100, "interpolation error in units of the tolerance")
    }

    func testVanDerPolSwitchesBackAndForth() throws {
        // μ = 1000 over about two relaxation periods (≈ 1614 each): the slow phases are stiff,
        // the fast jumps are not.
        let problem = ODEProblem({ du, y, _, _ in
            du[0] = y[1]
            du[1] = 1000 * (1 - y[0] * y[0]) * y[1] - y[0]
        }, u0: [2, 0], tspan: (0, 3000))
        var o = SolverOptions()
        o.reltol = 1e-6; o.abstol = 1e-8
        let sol = solve(problem, try auto(), options: o)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        let choice = try XCTUnwrap(sol.algChoice)
        let changes = switches(choice)
        print("van der Pol: \(changes.count) switches, \(sol.stats)")
        XCTAssertTrue(changes.contains { $0 == (1, 2) }, "to the stiff method")
        XCTAssertTrue(changes.contains { $0 == (2, 1) }, "and back")
        var reference = SolverOptions()
        reference.reltol = 1e-9; reference.abstol = 1e-11
        let exact = solve(problem, try MethodRegistry.method(named: "Rodas5P"), options: reference)
        let end = Array(sol[sol.t.count - 1]), expected = Array(exact[exact.t.count - 1])
        XCTAssertEqual(end[0], expected[0], accuracy: 1e-3 * abs(expected[0]))
    }

    func testStiffFirstSwitchesToTheExplicitMethodOnANonStiffProblem() throws {
        var alg = try auto()
        alg.rules = AutoSwitch(stiffFirst: true)
        let sol = solve(Problems.lotkaVolterra(), alg)
        XCTAssertEqual(sol.retcode, .success)
        let choice = try XCTUnwrap(sol.algChoice)
        XCTAssertEqual(choice.first, 2)
        XCTAssertEqual(switches(choice).map { [$0.0, $0.1] }, [[2, 1]], "back to Tsit5 after four non-stiff steps, for good")
        XCTAssertEqual(choice.prefix { $0 == 2 }.count, 1 + 4, "t₀ and the four stiff steps")
        let reference = solve(Problems.lotkaVolterra(), try MethodRegistry.method(named: "Vern9"),
                              options: { var o = SolverOptions(); o.reltol = 1e-12; o.abstol = 1e-12; return o }())
        XCTAssertLessThan(maxAbsDifference(sol[sol.t.count - 1], reference[reference.t.count - 1]), 1e-2)
    }

    func testReinitSolvesAgainWithNewParameters() throws {
        // u′ = −p u: stiff for p = 1000, not for p = 1; the same integrators serve both.
        let problem = ODEProblem({ du, u, p, _ in du[0] = -p[0] * u[0] }, u0: [1], tspan: (0, 1), p: [1000])
        let integrator = CompositeIntegrator(problem, try auto())
        let stiff = integrator.solve()
        XCTAssertEqual(stiff.algChoice?.last, 2)
        integrator.reinit(p: [1])
        let mild = integrator.solve()
        XCTAssertEqual(mild.retcode, .success)
        XCTAssertEqual(mild.algChoice ?? [], [Int](repeating: 1, count: mild.t.count))
        XCTAssertEqual(mild[mild.t.count - 1].first ?? .nan, exp(-1), accuracy: 1e-5)
        XCTAssertEqual(mild.t.count, mild.stats.naccept + 1, "statistics start again from zero")
    }

    func testNonStiffProblemNeverSwitches() throws {
        let problem = Problems.lotkaVolterra()
        let sol = solve(problem, try auto(), options: SolverOptions())
        XCTAssertEqual(sol.algChoice ?? [], [Int](repeating: 1, count: sol.t.count))
        // Watching for stiffness does not change a single step.
        let plain = solve(problem, try MethodRegistry.method(named: "Tsit5"))
        XCTAssertEqual(sol.t, plain.t)
        XCTAssertEqual(sol.values, plain.values)
        XCTAssertEqual(sol.stats, plain.stats)
        XCTAssertNotNil(sol.steps, "one method throughout: the step record is available")
    }

    func testSaveatTstopsAndEventsAcrossASwitch() throws {
        // y₁ falls through 0.8 at t ≈ 16.4, after the switch (which comes within t < 1); the
        // callbacks do not save, so the saved times are exactly saveat's.
        var eventTimes: [Double] = []
        var presetStates: [Double] = []
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        o.saveat = .every(4)
        o.tstops = [17]
        o.callback = CallbackSet(
            ContinuousCallback(condition: { u, _, _ in u[0] - 0.8 }, affect: { i in eventTimes.append(i.t) },
                               savePositions: (false, false)),
            PresetTimeCallback([17], savePositions: (false, false)) { i in presetStates.append(i.state[0]) })
        let sol = solve(StiffTests.robertson(), try auto(), options: o)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        XCTAssertEqual(sol.t, (0...10).map { 4 * Double($0) })
        let choice = try XCTUnwrap(sol.algChoice)
        XCTAssertEqual(choice.first, 1)
        XCTAssertEqual(choice.last, 2)
        // The same callbacks with Rodas5P alone, tighter.
        var ro = o
        ro.reltol = 1e-10; ro.abstol = 1e-14
        var referenceEvents: [Double] = []
        var referencePreset: [Double] = []
        ro.callback = CallbackSet(
            ContinuousCallback(condition: { u, _, _ in u[0] - 0.8 }, affect: { i in referenceEvents.append(i.t) },
                               savePositions: (false, false)),
            PresetTimeCallback([17], savePositions: (false, false)) { i in referencePreset.append(i.state[0]) })
        let exact = solve(StiffTests.robertson(), try MethodRegistry.method(named: "Rodas5P"), options: ro)
        XCTAssertEqual(eventTimes.count, 1)
        XCTAssertEqual(referenceEvents.count, 1)
        XCTAssertEqual(eventTimes.first ?? .nan, referenceEvents.first ?? .nan, accuracy: 1e-5)
        XCTAssertGreaterThan(eventTimes.first ?? 0, 1, "the event comes after the switch")
        XCTAssertEqual(presetStates.count, 1)
        XCTAssertEqual(presetStates.first ?? .nan, referencePreset.first ?? .nan, accuracy: 1e-6)
        for i in 0..<sol.t.count {
            for j in 0..<3 {
                XCTAssertEqual(sol[i][sol[i].startIndex + j], exact[i][exact[i].startIndex + j],
                               accuracy: 1e-12 + 1e-5 * abs(exact[i][exact[i].startIndex + j]))
            }
        }
    }

    func testDefaultMethodOnNonStiffAndStiffProblems() throws {
        let lv = solve(Problems.lotkaVolterra())
        XCTAssertEqual(lv.retcode, .success)
        XCTAssertEqual(lv.algChoice ?? [], [Int](repeating: 1, count: lv.t.count))
        XCTAssertEqual(lv.t, solve(Problems.lotkaVolterra(), try MethodRegistry.method(named: "Tsit5")).t, "Tsit5 at default tolerances")

        let rober = solve(StiffTests.robertson())
        XCTAssertEqual(rober.retcode, .success, rober.message ?? "")
        XCTAssertTrue(rober.algChoice?.contains(2) ?? false)
        let end = Array(rober[rober.t.count - 1])
        for (a, b) in zip(end, Self.robertsonAt40) { XCTAssertEqual(a, b, accuracy: 1e-2 * abs(b)) }
        XCTAssertLessThan(rober.stats.naccept, 1000)
    }

    func testDefaultChoicesByToleranceSizeAndMassMatrix() throws {
        func names(_ problem: ODEProblem, reltol: Double = 1e-3) -> [String] {
            var o = SolverOptions()
            o.reltol = .scalar(reltol)
            let alg = CompositeAlgorithm.defaultAlgorithm(for: problem, options: o)
            return [alg.nonstiff.name, alg.stiff.name]
        }
        let small = StiffTests.robertson()
        XCTAssertEqual(names(small), ["Tsit5", "Rosenbrock23"])
        XCTAssertEqual(names(small, reltol: 1e-8), ["Vern7", "Rodas5P"])
        let large = ODEProblem({ du, u, _, _ in for i in 0..<60 { du[i] = -u[i] } }, u0: [Double](repeating: 1, count: 60), tspan: (0, 1))
        XCTAssertEqual(names(large), ["Tsit5", "QNDF"])
        XCTAssertEqual(names(MassMatrixTests.robertsonDAE()), ["Tsit5", "Rodas5P"])
        XCTAssertTrue(CompositeAlgorithm.defaultAlgorithm(for: MassMatrixTests.robertsonDAE()).rules.stiffFirst)
    }

    func testDefaultWithAMassMatrixRunsTheStiffMethod() throws {
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-12
        let sol = solve(MassMatrixTests.robertsonDAE(), options: o)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        XCTAssertEqual(sol.algChoice ?? [], [Int](repeating: 2, count: sol.t.count))
        let end = Array(sol[sol.t.count - 1])
        for (a, b) in zip(end, Self.robertsonAt40) { XCTAssertEqual(a, b, accuracy: 1e-4 * abs(b)) }
    }

    func testLargeStiffProblemSwitchesToQNDF() throws {
        // A stiff linear chain of 60 states (eigenvalues −1 ... −1e4): the default takes QNDF.
        let n = 60
        let rates = (0..<n).map { pow(1e4, Double($0) / Double(n - 1)) }
        let problem = ODEProblem({ du, u, _, t in for i in 0..<n { du[i] = -rates[i] * (u[i] - cos(t)) } },
                                 u0: [Double](repeating: 0, count: n), tspan: (0, 5))
        let sol = solve(problem)
        XCTAssertEqual(sol.retcode, .success, sol.message ?? "")
        XCTAssertTrue(sol.algChoice?.contains(2) ?? false, "QNDF took over")
        // Every component relaxes onto cos t; the slowest (rate 1) lags by a known amount.
        let end = Array(sol[sol.t.count - 1])
        // u′ = −(u − cos t), u(0) = 0: u = (cos t + sin t − e^{−t})/2.
        XCTAssertEqual(end[0], (cos(5.0) + sin(5.0) - exp(-5.0)) / 2, accuracy: 1e-2)
        XCTAssertEqual(end[n - 1], cos(5.0), accuracy: 1e-3)
    }

    func testCompositeNeedsAnExplicitThenAStiffMethod() throws {
        XCTAssertThrowsError(try CompositeAlgorithm(nonstiff: try MethodRegistry.method(named: "Rodas5P"),
                                                    stiff: try MethodRegistry.method(named: "Rosenbrock23")))
        XCTAssertThrowsError(try CompositeAlgorithm(nonstiff: try MethodRegistry.method(named: "Tsit5"),
                                                    stiff: try MethodRegistry.method(named: "DP5")))
        XCTAssertThrowsError(try MethodRegistry.composite(named: "AutoRK4", stiff: "Rodas5P")) { error in
            XCTAssertTrue("\(error)".contains("AutoTsit5"), "lists the known ones")
        }
        XCTAssertEqual(try auto("AutoVern7", "Rodas5P").name, "AutoVern7(Rodas5P())")
    }
}
