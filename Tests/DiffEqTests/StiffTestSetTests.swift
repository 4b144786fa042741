import DiffEq
import Foundation
import XCTest

/// Problems of the stiff test set against their published reference solutions.
///
/// Source of every reference value: F. Mazzia and C. Magherini, "Test Set for Initial Value
/// Problem Solvers", release 2.4, University of Bari, 2008 (the `solut` routines of rober.f,
/// hires.f, orego.f, vdpol.f and pollu.f, computed with RADAU5 in quadruple precision on a
/// Cray C90), which repeats E. Hairer and G. Wanner, Solving ODEs II, §IV.10 for ROBER, HIRES,
/// OREGO and VDPOL.
///
/// A component matches when |y − y_ref| ≤ 1e-4 · max(|y_ref|, floor): relative, except for
/// components below `floor`, which no solver resolves relatively at the tolerances used (POLLU's
/// y₁₆ = 4.4e-17 sits under every absolute tolerance; the test set scores it absolutely too).
final class StiffTestSetTests: XCTestCase {
    struct Case {
        let name: String
        let problem: ODEProblem
        let reference: [Double]
        let floor: Double
        let abstol: Double
    }

    /// ROBER to t = 1e11 (Hairer–Wanner's long-time run; the test set's reference at 1e11).
    static let rober = Case(
        name: "ROBER", problem: ODEProblem(StiffTests.robertson().f, u0: [1, 0, 0], tspan: (0, 1e11)),
        reference: [0.2083340149701255e-7, 0.8333360770334713e-13, 0.9999999791665050],
        floor: 0, abstol: 1e-14)  // y₂ ≈ 8e-14 at the end: abstol 1e-14 as in Hairer–Wanner's runs

    /// HIRES: 8 states, to t = 321.8122.
    static let hires = Case(
        name: "HIRES",
        problem: ODEProblem({ du, y, _, _ in
            du[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007
            du[1] = 1.71 * y[0] - 8.75 * y[1]
            du[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4]
            du[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3]
            du[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6]
            du[5] = -280 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6]
            du[6] = 280 * y[5] * y[7] - 1.81 * y[6]
            du[7] = -280 * y[5] * y[7] + 1.81 * y[6]
        }, u0: [1, 0, 0, 0, 0, 0, 0, 0.0057], tspan: (0, 321.8122)),
        reference: [0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2,
                    0.2386356198831331e-2, 0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2],
        floor: 0, abstol: 1e-12)

    /// OREGO (the Oregonator): 3 states, to t = 360.
    static let orego = Case(
        name: "OREGO",
        problem: ODEProblem({ du, y, _, _ in
            du[0] = 77.27 * (y[1] + y[0] * (1 - 8.375e-6 * y[0] - y[1]))
            du[1] = (y[2] - (1 + y[0]) * y[1]) / 77.27
            du[2] = 0.161 * (y[0] - y[2])
        }, u0: [1, 2, 3], tspan: (0, 360)),
        reference: [0.1000814870318523e1, 0.1228178521549917e4, 0.1320554942846706e3],
        floor: 0, abstol: 1e-10)

    /// VDPOL: van der Pol with μ = 1000, y₁′ = y₂, y₂′ = μ(1 − y₁²) y₂ − y₁, y(0) = (2, 0), to
    /// t = 2000 (the test set's end: two relaxation half-periods).
    static let vdpol = Case(
        name: "VDPOL",
        problem: ODEProblem({ du, y, _, _ in
            du[0] = y[1]
            du[1] = 1000 * (1 - y[0] * y[0]) * y[1] - y[0]
        }, u0: [2, 0], tspan: (0, 2000)),
        reference: [0.1706167732170469e1, -0.8928097010248125e-3],
        floor: 0, abstol: 1e-10)

    /// POLLU: the Dutch air-pollution model of Verwer, 20 species and 25 reactions, to t = 60.
    static let pollu = Case(
        name: "POLLU",
        problem: ODEProblem({ dy, y, _, _ in
            let r1 = 0.35 * y[0], r2 = 26.6 * y[1] * y[3], r3 = 1.23e4 * y[4] * y[1], r4 = 8.6e-4 * y[6]
            let r5 = 8.2e-4 * y[6], r6 = 1.5e4 * y[6] * y[5], r7 = 1.3e-4 * y[8], r8 = 2.4e4 * y[8] * y[5]
            let r9 = 1.65e4 * y[10] * y[1], r10 = 9e3 * y[10] * y[0], r11 = 0.022 * y[12]
            let r12 = 1.2e4 * y[9] * y[1], r13 = 1.88 * y[13], r14 = 1.63e4 * y[0] * y[5], r15 = 4.8e6 * y[2]
            let r16 = 3.5e-4 * y[3], r17 = 0.0175 * y[3], r18 = 1e8 * y[15], r19 = 4.44e11 * y[15]
            let r20 = 1240 * y[16] * y[5], r21 = 2.1 * y[18], r22 = 5.78 * y[18], r23 = 0.0474 * y[0] * y[3]
            let r24 = 1780 * y[18] * y[0], r25 = 3.12 * y[19]
            dy[0] = -r1 - r10 - r14 - r23 - r24 + r2 + r3 + r9 + r11 + r12 + r22 + r25
            dy[1] = -r2 - r3 - r9 - r12 + r1 + r21
            dy[2] = -r15 + r1 + r17 + r19 + r22
            dy[3] = -r2 - r16 - r17 - r23 + r15
            dy[4] = -r3 + r4 + r4 + r6 + r7 + r13 + r20
            dy[5] = -r6 - r8 - r14 - r20 + r3 + r18 + r18
            dy[6] = -r4 - r5 - r6 + r13
            dy[7] = r4 + r5 + r6 + r7
            dy[8] = -r7 - r8
            dy[9] = -r12 + r7 + r9
            dy[10] = -r9 - r10 + r8 + r11
            dy[11] = r9
            dy[12] = -r11 + r10
            dy[13] = -r13 + r12
            dy[14] = r14
            dy[15] = -r18 - r19 + r16
            dy[16] = -r20
            dy[17] = r20
            dy[18] = -r21 - r22 - r24 + r23 + r25
            dy[19] = -r25 + r24
        }, u0: [0, 0.2, 0, 0.04, 0, 0, 0.1, 0.3, 0.01, 0, 0, 0, 0, 0, 0, 0, 0.007, 0, 0, 0], tspan: (0, 60)),
        reference: [0.5646255480022769e-1, 0.1342484130422339, 0.4139734331099427e-8, 0.5523140207484359e-2,
                    0.2018977262302196e-6, 0.1464541863493966e-6, 0.7784249118997964e-1, 0.3245075353396018,
                    0.7494013383880406e-2, 0.1622293157301561e-7, 0.1135863833257075e-7, 0.2230505975721359e-2,
                    0.2087162882798630e-3, 0.1396921016840158e-4, 0.8964884856898295e-2, 0.4352846369330103e-17,
                    0.6899219696263405e-2, 0.1007803037365946e-3, 0.1772146513969984e-5, 0.5682943292316392e-4],
        floor: 1e-12, abstol: 1e-14)

    /// Solves at reltol 1e-8 and returns the worst scaled error |y − y_ref| / max(|y_ref|, floor).
    func check(_ c: Case, _ method: String, reltol: Double = 1e-8, abstol: Double? = nil,
               bound: Double = 1e-4, file: StaticString = #filePath, line: UInt = #line) throws {
        var o = SolverOptions()
        o.reltol = .scalar(reltol)
        o.abstol = .scalar(abstol ?? c.abstol)
        o.saveEverystep = false
        o.dense = false
        o.maxiters = 1_000_000
        let sol = solve(c.problem, try MethodRegistry.method(named: method), options: o)
        XCTAssertEqual(sol.retcode, .success, "\(c.name) with \(method): \(sol.message ?? "")", file: file, line: line)
        let end = Array(sol[sol.t.count - 1])
        let errors = zip(end, c.reference).map { Swift.abs($0 - $1) / Swift.max(Swift.abs($1), c.floor) }
        let worst = errors.max() ?? .nan
        print("\(c.name) \(method): worst relative error \(String(format: "%.2e", worst)), \(sol.stats)")
        XCTAssertLessThanOrEqual(worst, bound, "\(c.name) with \(method): errors \(errors)", file: file, line: line)
    }

    /// A first-order method at a tight absolute tolerance: Hairer's initial step 0.01/‖f′‖ came
    /// out at 4e-16 (a zero component scaled by abstol 1e-12), below the loop's dtmin, and the
    /// solve stopped as DtLessThanMin before its first step.
    func testImplicitEulerStartsOnHires() throws {
        try check(Self.hires, "ImplicitEuler", reltol: 1e-4, bound: 0.1)  // first order: 6e-2
    }

    func testRober() throws {
        for m in ["Rodas5P", "Kvaerno5", "KenCarp4", "TRBDF2", "QNDF"] { try check(Self.rober, m) }
    }

    func testHires() throws {
        for m in ["Rodas5P", "Kvaerno5", "KenCarp4", "TRBDF2", "QNDF"] { try check(Self.hires, m) }
    }

    func testOrego() throws {
        for m in ["Rodas5P", "Kvaerno5", "KenCarp4", "TRBDF2", "QNDF"] { try check(Self.orego, m) }
    }

    func testVdpol() throws {
        for m in ["Rodas5P", "Kvaerno5", "KenCarp4", "TRBDF2", "QNDF"] { try check(Self.vdpol, m) }
    }

    func testPollu() throws {
        for m in ["Rodas5P", "Kvaerno5", "KenCarp4", "TRBDF2", "QNDF"] { try check(Self.pollu, m) }
    }
}
