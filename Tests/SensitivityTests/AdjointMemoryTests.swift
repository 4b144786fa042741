import Autodiff
import DiffEq
import Sensitivity
import TestSupport
import XCTest

/// Memory of the adjoints as the number of steps grows with the saved times fixed: the
/// backsolve adjoint keeps only states at saved times, the checkpointed interpolating adjoint
/// one segment's steps at a time, the discrete adjoint every step.
final class AdjointMemoryTests: XCTestCase {
    /// Peak heap growth of one gradient of Lotka–Volterra saved at 5 times over (0, T). The
    /// counter sees the whole process, so another thread allocating meanwhile (a test's
    /// leftover worker) only adds: the least of three fresh measurements is the gradient's own.
    func peak(_ alg: SensitivityAlgorithm, end: Double, options: AdjointOptions = AdjointOptions()) throws -> (bytes: Int64, steps: Int) {
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-8
        o.saveat = .times((1...5).map { end * Double($0) / 5 })
        let loss: (ODESolution) -> (value: Double, ybar: [Double]) = { sol in
            (sol.values.reduce(0, +), [Double](repeating: 1, count: sol.values.count))
        }
        var least = Int64.max, steps = 0
        for _ in 0..<3 {
            let ds = try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: (0, end),
                                             tableau: ButcherTableau.dp5(), options: o, sensealg: alg, adjointOptions: options)
            // A fresh solve each time: its integrators and solution arrays are part of the measure.
            least = min(least, peakHeapGrowth { _ = try? ds.gradient(u0: [1, 1], p: [1.5, 1, 3, 1], loss: loss) })
            steps = (try? ds.solve(u0: [1, 1], p: [1.5, 1, 3, 1]).stats.naccept) ?? 0
        }
        return (least, steps)
    }

    func testBacksolveMemoryDoesNotGrowWithTheNumberOfSteps() throws {
        guard allocationCounterIsActive else { throw XCTSkip("heap accounting needs the interposed allocator") }
        let short = 10.0, long = 200.0
        let back = (try peak(.backsolveAdjoint, end: short), try peak(.backsolveAdjoint, end: long))
        var checkpointing = AdjointOptions()
        checkpointing.checkpointing = true
        let interp = (try peak(.interpolatingAdjoint, end: short, options: checkpointing),
                      try peak(.interpolatingAdjoint, end: long, options: checkpointing))
        let discrete = (try peak(.discreteAdjoint, end: short), try peak(.discreteAdjoint, end: long))
        let report = "Backsolve: \(back.0.steps) steps \(back.0.bytes) B, \(back.1.steps) steps \(back.1.bytes) B; "
            + "Interpolating+checkpoints: \(interp.0.bytes) B, \(interp.1.bytes) B; "
            + "Discrete: \(discrete.0.bytes) B, \(discrete.1.bytes) B"
        print("adjoint memory: " + report)
        XCTAssertGreaterThan(back.1.steps, 10 * back.0.steps)
        // Backsolve keeps states at the saved times only: the same memory for 20 times the steps.
        XCTAssertLessThan(Double(back.1.bytes), 1.5 * Double(back.0.bytes) + 4096, report)
        // The discrete adjoint stores every step: its memory grows (so the measurement can tell).
        XCTAssertGreaterThan(Double(discrete.1.bytes), 5.0 * Double(discrete.0.bytes), report)
        // Checkpoints every 16 steps keep one segment's stages at a time, plus 3 numbers per step
        // (times and sizes for the replay): far less than all the stages.
        XCTAssertLessThan(Double(interp.1.bytes), 0.3 * Double(discrete.1.bytes), report)
    }
}

final class CheckpointedDiscreteAdjointTests: XCTestCase {
    func solve(checkpointing: Bool, every: Int = 7, end: Double = 10, tableau: ButcherTableau) throws -> DifferentiableSolve {
        var o = SolverOptions()
        o.reltol = 1e-8; o.abstol = 1e-8
        o.saveat = .every(end / 20)
        var a = AdjointOptions()
        a.checkpointing = checkpointing
        a.stepsPerCheckpoint = every
        return try DifferentiableSolve(CompiledRHS(CompiledRHSTests.lvGraph()), tspan: (0, end), tableau: tableau,
                                       options: o, sensealg: .discreteAdjoint, adjointOptions: a)
    }

    func testReplayingCheckpointsGivesTheStoredStepsGradient() throws {
        let loss: (ODESolution) -> (value: Double, ybar: [Double]) = { sol in
            (sol.values.reduce(0, +), (0..<sol.values.count).map { cos(Double($0)) })
        }
        for name in ["DP5", "Tsit5", "Vern7", "RK4", "BS3"] {
            let tab = try MethodRegistry.method(named: name)
            let full = try solve(checkpointing: false, tableau: tab).gradient(u0: [1, 1], p: [1.5, 1, 3, 1], loss: loss)
            for every in [1, 5, 64] {
                let replayed = try solve(checkpointing: true, every: every, tableau: tab)
                    .gradient(u0: [1, 1], p: [1.5, 1, 3, 1], loss: loss)
                XCTAssertEqual(replayed.value, full.value, "\(name)")
                for (a, b) in zip(replayed.du0 + replayed.dp, full.du0 + full.dp) {
                    XCTAssertEqual(a, b, accuracy: 1e-12 * max(1, abs(b)), "\(name), every \(every)")
                }
            }
        }
    }

    func testCheckpointedMemoryGrowsFarLessThanStoredSteps() throws {
        guard allocationCounterIsActive else { throw XCTSkip("heap accounting needs the interposed allocator") }
        func peak(_ checkpointing: Bool, _ end: Double) throws -> Int64 {
            let ds = try solve(checkpointing: checkpointing, every: 16, end: end, tableau: .dp5())
            return peakHeapGrowth { _ = try? ds.gradient(u0: [1, 1], p: [1.5, 1, 3, 1]) { sol in
                (sol.values.reduce(0, +), [Double](repeating: 1, count: sol.values.count))
            } }
        }
        let stored = (try peak(false, 10), try peak(false, 200))
        let checkpointed = (try peak(true, 10), try peak(true, 200))
        print("discrete adjoint memory, stored steps: \(stored.0) B → \(stored.1) B; checkpointed: \(checkpointed.0) B → \(checkpointed.1) B")
        XCTAssertLessThan(Double(checkpointed.1), 0.5 * Double(stored.1))
    }
}
