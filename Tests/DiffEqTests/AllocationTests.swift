import DiffEq
import Foundation
import TestSupport
import XCTest

/// A solve allocates nothing once its integrator exists: `reinit()` then `run()` again makes
/// no heap allocation (the invariant of shared/DESIGN.md that `make bench` also counts).
final class AllocationTests: XCTestCase {
    func runAllocations(_ problem: ODEProblem, _ tableau: ButcherTableau, _ options: SolverOptions) -> (UInt64, ODEIntegrator) {
        let integrator = ODEIntegrator(problem, tableau, options: options)
        integrator.run()
        integrator.reinit()
        let count = allocations { integrator.run() }
        return (count, integrator)
    }

    func testDP5WithSaveatAllocatesNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        var o = SolverOptions()
        o.abstol = 1e-6
        o.reltol = 1e-6
        o.saveat = .every(0.1)
        let (count, integrator) = runAllocations(Problems.lotkaVolterra(), try ButcherTableau.dp5(), o)
        XCTAssertEqual(integrator.retcode, .success)
        XCTAssertEqual(integrator.makeSolution().t.count, 101)
        XCTAssertEqual(count, 0)
        // Explicit times, tstops and reverse time too.
        o.saveat = .times(stride(from: 9.5, through: 0.5, by: -1).map { $0 })
        o.tstops = [2.5, 7.5]
        let (timesCount, _) = runAllocations(Problems.lotkaVolterra(tspan: (10, 0)), try ButcherTableau.dp5(), o)
        XCTAssertEqual(timesCount, 0)
    }

    func testEveryRegisteredMethodWithSaveatAllocatesNothing() throws {
        try XCTSkipUnless(allocationCounterIsActive, "the allocation counter is not active on this platform")
        var o = SolverOptions()
        o.saveat = .every(0.5)
        o.dense = false
        for (name, make) in MethodRegistry.builders {
            let tableau = try make()
            let (adaptiveCount, integrator) = runAllocations(Problems.lotkaVolterra(), tableau, o)
            XCTAssertEqual(integrator.retcode, .success, name)
            XCTAssertEqual(adaptiveCount, 0, "\(name), adaptive")
            var fixed = o
            fixed.adaptive = false
            fixed.dt = 0.01
            let (fixedCount, _) = runAllocations(Problems.lotkaVolterra(), tableau, fixed)
            XCTAssertEqual(fixedCount, 0, "\(name), fixed steps")
        }
    }
}
