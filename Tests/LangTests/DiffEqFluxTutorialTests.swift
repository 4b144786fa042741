import Foundation
import Lang
import XCTest

/// DiffEqFlux.jl's own tutorials, as published (Lux, Optimization.jl, ComponentArrays), run
/// with no edit: their `using` lines are noted and ignored, package-qualified names resolve to
/// Fluxion's builtins. The scripts live in Scripts/diffeqflux.
final class DiffEqFluxTutorialTests: XCTestCase {
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/diffeqflux")
    }

    /// "Neural Ordinary Differential Equations": the spiral, Adam(0.05) × 300 then BFGS.
    func testNeuralODETutorialRunsAsPublished() throws {
        let url = Self.folder.appendingPathComponent("neural_ode.jl")
        let text = try String(contentsOf: url, encoding: .utf8)
        var printed = "", errors = ""
        let interpreter = Interpreter(output: { printed += $0 })
        let status = Runner.runScript(text, file: url.lastPathComponent, interpreter: interpreter) { errors += $0 }
        XCTAssertEqual(status, 0, errors)
        XCTAssertTrue(errors.contains("is ignored"), "the using line is noted: \(errors)")
        // The callback prints every loss; the last line is the final fit's.
        let losses = printed.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        let first = try XCTUnwrap(losses.first), last = try XCTUnwrap(losses.last)
        XCTAssertGreaterThan(losses.count, 300, "one line per iteration")
        XCTAssertLessThan(last, 0.1, "DiffEqFlux reaches about 0.04 here")
        XCTAssertLessThan(last, first / 1000)
        XCTAssertTrue(printed.contains("prediction"), "the callback's plot is displayed")
    }
}
