import Foundation
import Optimizers
import XCTest

/// Records every line search a method makes, to check the conditions on each accepted step.
final class LineSearchLog: @unchecked Sendable {
    // @unchecked: `entries` is only touched under `lock`.
    struct Entry {
        let value: Double, slope: Double
        let result: LineSearchResult
    }
    private let lock = NSLock()
    private var stored: [Entry] = []
    func append(_ e: Entry) {
        lock.lock()
        stored.append(e)
        lock.unlock()
    }
    var entries: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

struct RecordingLineSearch: LineSearch {
    let inner: any LineSearch
    let log: LineSearchLog
    var name: String { inner.name }
    func search(initialStep: Double, value: Double, slope: Double,
                _ phi: (Double) throws -> (value: Double, slope: Double)) throws -> LineSearchResult {
        let r = try inner.search(initialStep: initialStep, value: value, slope: slope, phi)
        log.append(.init(value: value, slope: slope, result: r))
        return r
    }
}

final class QuasiNewtonTests: XCTestCase {
    /// The strong Wolfe conditions at a Moré–Thuente result.
    func assertStrongWolfe(_ e: LineSearchLog.Entry, c1: Double = 1e-4, c2: Double = 0.9,
                           file: StaticString = #filePath, line: UInt = #line) {
        let r = e.result
        XCTAssertEqual(r.status, .converged, file: file, line: line)
        XCTAssertGreaterThan(r.step, 0, file: file, line: line)
        XCTAssertLessThanOrEqual(r.value, e.value + c1 * r.step * e.slope, "sufficient decrease", file: file, line: line)
        XCTAssertLessThanOrEqual(Swift.abs(r.slope), c2 * Swift.abs(e.slope), "curvature", file: file, line: line)
    }

    /// ‖∇f‖∞ ≤ tolerance (the quasi-Newton stopping test, Optim.jl's `g_tol`), so ‖∇f‖₂ ≤ √2 tolerance.
    func assertGradientBelow(_ tolerance: Double, at x: [Double], file: StaticString = #filePath, line: UInt = #line) throws {
        let (_, g) = try TestProblems.rosenbrock(x)
        let inf = g.map { Swift.abs($0) }.max() ?? .nan
        XCTAssertLessThanOrEqual(inf, tolerance, "‖∇f‖∞", file: file, line: line)
        XCTAssertLessThanOrEqual(try TestProblems.gradientNorm(TestProblems.rosenbrock, at: x), 2.0.squareRoot() * tolerance,
                                 "‖∇f‖₂", file: file, line: line)
    }

    func runRosenbrock(_ make: (any LineSearch) -> any OptimizationMethod, maxiters: Int = 200)
        throws -> (TrainingResult, LineSearchLog) {
        let log = LineSearchLog()
        let method = make(RecordingLineSearch(inner: MoreThuente(), log: log))
        let result = train(TestProblems.rosenbrock, [-1.2, 1], method, maxiters: maxiters)
        return (result, log)
    }

    func testBFGSSolvesRosenbrockWithWolfeSteps() throws {
        let (result, log) = try runRosenbrock { BFGS(lineSearch: $0) }
        print("BFGS on Rosenbrock: \(result)")
        XCTAssertEqual(result.stopReason, .converged, result.message)
        XCTAssertLessThan(result.iterations, 60)
        try assertGradientBelow(1e-8, at: result.minimizer)
        XCTAssertEqual(result.minimizer[0], 1, accuracy: 1e-8)
        XCTAssertEqual(result.minimizer[1], 1, accuracy: 1e-8)
        XCTAssertEqual(log.entries.count, result.iterations - 1, "one line search per step after the start")
        for e in log.entries { assertStrongWolfe(e) }
        // Monotone decrease, as a line search guarantees.
        for k in 1..<result.losses.count { XCTAssertLessThan(result.losses[k], result.losses[k - 1]) }
    }

    func testLBFGSSolvesRosenbrockWithWolfeSteps() throws {
        let (result, log) = try runRosenbrock { LBFGS(lineSearch: $0) }
        print("LBFGS on Rosenbrock: \(result)")
        XCTAssertEqual(result.stopReason, .converged, result.message)
        XCTAssertLessThan(result.iterations, 80)
        try assertGradientBelow(1e-8, at: result.minimizer)
        XCTAssertEqual(log.entries.count, result.iterations - 1)
        for e in log.entries { assertStrongWolfe(e) }
    }

    func testLBFGSWithMemoryOneAndBacktracking() throws {
        let short = train(TestProblems.rosenbrock, [-1.2, 1], LBFGS(memory: 1), maxiters: 500)
        XCTAssertEqual(short.stopReason, .converged, short.message)
        let armijo = train(TestProblems.rosenbrock, [-1.2, 1], BFGS(lineSearch: BacktrackingArmijo()), maxiters: 500)
        print("BFGS + backtracking on Rosenbrock: \(armijo)")
        XCTAssertEqual(armijo.stopReason, .converged, armijo.message)
        XCTAssertEqual(armijo.minimizer[0], 1, accuracy: 1e-6)
    }

    func testQuasiNewtonOnAQuadraticIsExactQuickly() throws {
        for method in [BFGS(), LBFGS()] as [any OptimizationMethod] {
            let result = train(TestProblems.quadratic, [0, 0, 0, 0], method, maxiters: 50)
            XCTAssertEqual(result.stopReason, .converged, "\(method.name): \(result.message)")
            XCTAssertLessThan(result.iterations, 20, method.name)
            for (x, c) in zip(result.minimizer, TestProblems.quadraticCentre) { XCTAssertEqual(x, c, accuracy: 1e-9) }
        }
    }

    func testToleranceOptions() {
        let loose = train(TestProblems.rosenbrock, [-1.2, 1], BFGS(gTol: 1e-2), maxiters: 200)
        let tight = train(TestProblems.rosenbrock, [-1.2, 1], BFGS(), maxiters: 200)
        XCTAssertEqual(loose.stopReason, .converged)
        XCTAssertLessThan(loose.iterations, tight.iterations)
        let byF = train(TestProblems.rosenbrock, [-1.2, 1], BFGS(gTol: 0, fTol: 1e-3), maxiters: 200)
        XCTAssertEqual(byF.stopReason, .converged)
        XCTAssertTrue(byF.message.contains("fTol"), byF.message)
        let byX = train(TestProblems.rosenbrock, [-1.2, 1], LBFGS(gTol: 0, xTol: 1e-3), maxiters: 200)
        XCTAssertEqual(byX.stopReason, .converged)
        XCTAssertTrue(byX.message.contains("xTol"), byX.message)
    }

    /// Moré & Thuente (1994)'s test functions 1–3, from the four starting steps of their
    /// tables: every search ends with the strong Wolfe conditions in a few evaluations.
    func testMoreThuenteOnThePaperFunctions() throws {
        typealias Phi = (Double) -> (value: Double, slope: Double)
        let beta1 = 2.0
        let f1: Phi = { a in (-a / (a * a + beta1), (a * a - beta1) / ((a * a + beta1) * (a * a + beta1))) }
        let beta2 = 0.004
        let f2: Phi = { a in
            let b = a + beta2
            return (pow(b, 5) - 2 * pow(b, 4), 5 * pow(b, 4) - 8 * pow(b, 3))
        }
        let beta3 = 0.01, l = 39.0
        let f3: Phi = { a in
            var v: Double, d: Double
            if a <= 1 - beta3 { (v, d) = (1 - a, -1) } else if a >= 1 + beta3 { (v, d) = (a - 1, 1) } else {
                (v, d) = ((a - 1) * (a - 1) / (2 * beta3) + beta3 / 2, (a - 1) / beta3)
            }
            v += 2 * (1 - beta3) / (l * Double.pi) * sin(l * Double.pi * a / 2)
            d += (1 - beta3) * cos(l * Double.pi * a / 2)
            return (v, d)
        }
        for (phi, c1, c2) in [(f1, 1e-3, 0.1), (f2, 0.1, 0.1), (f3, 0.1, 0.1)] {
            let search = MoreThuente(c1: c1, c2: c2)
            let (v0, d0) = phi(0)
            for a0 in [1e-3, 1e-1, 1e1, 1e3] {
                let r = try search.search(initialStep: a0, value: v0, slope: d0) { phi($0) }
                assertStrongWolfe(.init(value: v0, slope: d0, result: r), c1: c1, c2: c2)
                XCTAssertLessThanOrEqual(r.evaluations, 20, "from α₀ = \(a0)")
                XCTAssertEqual(phi(r.step).value, r.value)
            }
        }
    }

    func testLineSearchesBackOffFromNonFiniteValues() throws {
        // φ(α) = (α − 1)² for α < 2, NaN beyond: from α₀ = 100 both searches come back.
        let phi: (Double) -> (value: Double, slope: Double) = { a in a < 2 ? ((a - 1) * (a - 1), 2 * (a - 1)) : (.nan, .nan) }
        let mt = try MoreThuente().search(initialStep: 100, value: 1, slope: -2) { phi($0) }
        XCTAssertEqual(mt.status, .converged)
        XCTAssertTrue(mt.value.isFinite && mt.value < 1)
        let bt = try BacktrackingArmijo().search(initialStep: 100, value: 1, slope: -2) { phi($0) }
        XCTAssertEqual(bt.status, .converged)
        XCTAssertTrue(bt.value.isFinite && bt.value < 1)
        let notDescent = try MoreThuente().search(initialStep: 1, value: 1, slope: 2) { phi($0) }
        XCTAssertNotEqual(notDescent.status, .converged)
    }

    func testNelderMeadOnRosenbrock() {
        let value = Objective(value: { x in x.withUnsafeBufferPointer(TestProblems.rosenbrockValue) })
        for coefficients in [NelderMead.Coefficients.adaptive, .fixed] {
            let result = train(value, [-1.2, 1], NelderMead(coefficients: coefficients), maxiters: 2000)
            print("NelderMead(\(coefficients)) on Rosenbrock: \(result)")
            XCTAssertEqual(result.stopReason, .converged, result.message)
            XCTAssertLessThan(result.minimum, 1e-7)
            XCTAssertEqual(result.minimizer[0], 1, accuracy: 1e-3)
            XCTAssertEqual(result.minimizer[1], 1, accuracy: 2e-3)
            XCTAssertTrue(result.losses.allSatisfy { $0.isFinite })
            for k in 1..<result.losses.count { XCTAssertLessThanOrEqual(result.losses[k], result.losses[k - 1]) }
        }
    }

    func testNelderMeadOnAQuadratic() {
        let value = Objective(value: { x in
            zip(zip(x, TestProblems.quadraticCentre), TestProblems.quadraticScales)
                .reduce(0) { $0 + 0.5 * $1.1 * ($1.0.0 - $1.0.1) * ($1.0.0 - $1.0.1) }
        })
        for coefficients in [NelderMead.Coefficients.adaptive, .fixed] {
            let result = train(value, [0, 0, 0, 0], NelderMead(coefficients: coefficients), maxiters: 5000)
            print("NelderMead(\(coefficients)) on a 4-D quadratic: \(result)")
            XCTAssertEqual(result.stopReason, .converged, result.message)
            for (x, c) in zip(result.minimizer, TestProblems.quadraticCentre) { XCTAssertEqual(x, c, accuracy: 1e-3) }
        }
    }

    func testPolyOptRunsAdamThenBFGS() {
        var methods: [String] = []
        let result = train(TestProblems.rosenbrock, [-1.2, 1], PolyOpt(adamIterations: 100), maxiters: 200) { event in
            methods.append(event.method)
            return false
        }
        print("PolyOpt on Rosenbrock: \(result)")
        XCTAssertEqual(result.stopReason, .converged, result.message)
        XCTAssertEqual(methods.prefix(100).filter { $0 == "Adam" }.count, 100)
        XCTAssertEqual(methods.last, "BFGS")
        XCTAssertGreaterThan(result.iterations, 100)
        XCTAssertEqual(result.minimizer[0], 1, accuracy: 1e-7)
        // Without adamIterations, each phase gets maxiters.
        XCTAssertEqual(PolyOpt().iterationLimit(maxiters: 300), 600)
    }
}
