import Foundation
import XCTest
@testable import Lang

/// Sessions: save → load round trips, refused files, autosave, the example sessions.
final class SessionTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "fluxion-session-tests-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs each text as a cell; fails the test on an error.
    func run(_ interpreter: Interpreter, _ cells: [String], file: StaticString = #filePath, line: UInt = #line) {
        for text in cells {
            let evaluation = interpreter.evaluateCell(source: text)
            XCTAssertFalse(evaluation.failed, text + "\n" + evaluation.renderedDiagnostics(), file: file, line: line)
        }
    }

    func value(_ interpreter: Interpreter, _ text: String) -> Value { interpreter.evaluate(source: text).value }

    /// Doubles compared by bit pattern (NaN by being NaN), containers element by element.
    func assertIdentical(_ a: Value, _ b: Value, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        func same(_ x: Double, _ y: Double) -> Bool { x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
        switch (a, b) {
        case (.float(let x), .float(let y)):
            XCTAssertTrue(same(x, y), "\(name): \(x) vs \(y)", file: file, line: line)
        case (.array(let x), .array(let y)):
            XCTAssertEqual(x.shape, y.shape, name, file: file, line: line)
            XCTAssertEqual(x.isInteger, y.isInteger, name, file: file, line: line)
            XCTAssertEqual(x.storage.count, y.storage.count, name, file: file, line: line)
            XCTAssertTrue(zip(x.storage, y.storage).allSatisfy(same), "\(name): elements differ", file: file, line: line)
        case (.list(let x), .list(let y)):
            XCTAssertEqual(x.items.count, y.items.count, name, file: file, line: line)
            for (i, (p, q)) in zip(x.items, y.items).enumerated() { assertIdentical(p, q, "\(name)[\(i)]", file: file, line: line) }
        case (.tuple(let x), .tuple(let y)):
            XCTAssertEqual(x.count, y.count, name, file: file, line: line)
            for (i, (p, q)) in zip(x, y).enumerated() { assertIdentical(p, q, "\(name)[\(i)]", file: file, line: line) }
        case (.namedTuple(let n, let x), .namedTuple(let m, let y)):
            XCTAssertEqual(n, m, name, file: file, line: line)
            for (i, (p, q)) in zip(x, y).enumerated() { assertIdentical(p, q, "\(name).\(n[i])", file: file, line: line) }
        case (.range(let x), .range(let y)):
            XCTAssertEqual(x.count, y.count, name, file: file, line: line)
            XCTAssertTrue(same(x.start, y.start) && same(x.step, y.step) && same(x.last, y.last), name, file: file, line: line)
            XCTAssertEqual(x.isInteger, y.isInteger, name, file: file, line: line)
        default:
            XCTAssertEqual(a.typeName, b.typeName, name, file: file, line: line)
            XCTAssertEqual(a.display, b.display, name, file: file, line: line)
        }
    }

    static let plainCells = [
        "x = 0.1 + 0.2",
        "tiny = [5e-324, 1e-310, -0.0, 0.0, NaN, Inf, -Inf, 1.7976931348623157e308, 2.0^-1074]",
        "big = 9223372036854775807",
        "M = [1.5 -2.25; π ℯ]",
        "Mi = [1 2 3; 4 5 6]",
        "s = \"quote \\\" back\\\\slash\\nnewline\\ttab θ ∂ 🌀\"",
        "sym = :spiral",
        "flag = false",
        "nada = nothing",
        "t = (1, 2.5, \"three\", :four, [5.0, 6.0])",
        "nt = (a = 1, b = [0.1, 0.2], c = (d = :e,))",
        "r1 = 1:5",
        "r2 = 0:0.1:1",
        "r3 = range(0.0, 1.5, length=30)",
        "L = Any[1, \"two\", [3.0], (4,)]",
        "f(x) = 2x + 1",
        "f(x, y) = x * y",
        "function g!(du, u, p, t)\n    du[1] = -p[1] * u[1]\n    return nothing\nend",
        "sq = x -> x^2",
        "h = sin",
        "T = Float64",
        "println(\"printed \", x)",
        "plot([1.0, 4.0, 9.0], title=\"squares\")",
        "Dense(2, 3)",
    ]

    func testRoundTripKeepsValuesBitwiseAndCellsAndPlot() throws {
        let first = Interpreter(output: { _ in })
        run(first, Self.plainCells)
        let path = directory + "/plain.json"
        let saved = try first.saveSession(to: path)
        XCTAssertEqual(saved.skipped, [])
        XCTAssertEqual(saved.cells, Self.plainCells.count)

        let second = Interpreter(output: { _ in })
        let report = try second.loadSession(from: path)
        XCTAssertEqual(report.skipped, [])
        XCTAssertEqual(Set(report.restored), Set(saved.saved))
        for name in saved.saved {
            guard let a = first.global(name), let b = second.global(name) else { XCTFail("\(name) missing"); continue }
            assertIdentical(a, b, name)
        }
        XCTAssertEqual(second.session.cells, first.session.cells)
        XCTAssertEqual(second.session.latestPlot, first.session.latestPlot)
        XCTAssertNotNil(second.session.latestPlot)
        // The outputs: printed text, the displayed value, the plot's text.
        let cells = second.session.cells
        XCTAssertEqual(cells[0].outputs, [CellOutput(kind: .text, stream: .result, text: "0.30000000000000004")])
        XCTAssertEqual(cells[21].outputs, [CellOutput(kind: .text, stream: .stdout, text: "printed 0.30000000000000004\n")])
        XCTAssertEqual(cells[22].outputs.map(\.kind), [.plot])
        XCTAssertTrue(cells[22].outputs[0].text.contains("squares"))
        // Restored functions work, with every method.
        XCTAssertEqual(value(second, "f(3)"), .int(7))
        XCTAssertEqual(value(second, "f(3, 4)"), .int(12))
        XCTAssertEqual(value(second, "sq(1.5)"), .float(2.25))
        XCTAssertEqual(value(second, "h(0.0)"), .float(0))
        XCTAssertEqual(value(second, "let du = [0.0]; g!(du, [2.0], [3.0], 0.0); du[1] end"), .float(-6))
        // Saving the restored session writes the same cells and environment again.
        let again = directory + "/again.json"
        _ = try second.saveSession(to: again)
        let a = try SessionFile.read(path), b = try SessionFile.read(again)
        XCTAssertEqual(a["environment"], b["environment"])
        XCTAssertEqual(a["cells"], b["cells"])
        XCTAssertEqual(a["plot"], b["plot"])
        // The next cell counts on from the loaded ones.
        _ = second.evaluateCell(source: "1 + 1")
        XCTAssertEqual(second.session.cells.last?.executionCount, Self.plainCells.count + 1)
    }

    func testDictComplexAndStructValuesRoundTrip() throws {
        let first = Interpreter(output: { _ in })
        run(first, [
            "d = Dict(\"a\" => 1.5, \"b\" => -0.0)",
            "e = Dict{Symbol,Any}(:k => [1, 2], :t => (1, \"x\"), :n => nothing)",
            "ef = Dict{String,Float64}()",
            "z = 1.0 - 2.0im", "zi = 3 + 4im", "zs = [im, 1 + 1im, complex(NaN, -Inf)]",
            "struct Point\n    x::Float64\n    y::Float64\nend",
            "mutable struct Box\n    v::Vector{Float64}\n    p\nend",
            "Base.@kwdef struct Opts\n    a::Int = 3\n    b = a + 1\nend",
            "p = Point(1, 2)", "b = Box([1, 2], p)", "o = Opts()", "pd = Dict(\"p\" => p, \"q\" => Point(3, -4))",
        ])
        let path = directory + "/types.json"
        let saved = try first.saveSession(to: path)
        XCTAssertEqual(saved.skipped, [])
        let second = Interpreter(output: { _ in })
        let report = try second.loadSession(from: path)
        XCTAssertEqual(report.skipped, [])
        for name in ["d", "e", "ef", "z", "zi", "zs", "p", "b", "o", "pd", "Point", "Box", "Opts"] {
            guard let a = first.global(name), let b = second.global(name) else { XCTFail("\(name) missing"); continue }
            XCTAssertEqual(a.typeName, b.typeName, name)
            XCTAssertEqual(a.repr, b.repr, name)
            XCTAssertEqual(a.display, b.display, name)
        }
        // Saving the restored session writes the same environment again.
        let again = directory + "/types-again.json"
        _ = try second.saveSession(to: again)
        XCTAssertEqual(try SessionFile.read(path)["environment"], try SessionFile.read(again)["environment"])
        // -0.0 and the NaN/Inf parts survive bit for bit, keys keep their order, types their identity.
        XCTAssertEqual(value(second, "d[\"b\"]").asDouble?.sign, .minus)
        XCTAssertEqual(value(second, "collect(keys(e))").repr, "[:k, :t, :n]")
        XCTAssertEqual(value(second, "zs[3]").repr, "NaN - Inf*im")
        XCTAssertEqual(value(second, "(p isa Point, p == Point(1.0, 2.0), pd[\"q\"].y, o == Opts(), o.b)").repr, "(true, true, -4.0, true, 4)")
        XCTAssertEqual(value(second, "ef[\"x\"] = 2; ef").repr, "Dict(\"x\" => 2.0)", "the restored Dict keeps its value type")
        XCTAssertEqual(value(second, "b.v[1] = 9; b.p = 0; b").repr, "Box([9.0, 2.0], 0)", "the restored struct is still mutable")
        XCTAssertTrue(second.evaluate(source: "p.x = 0.0").renderedDiagnostics().contains("immutable struct of type Point"))
    }

    func testAnInstanceOfAReplacedStructKeepsItsTypeAndTheNameTheCurrentOne() throws {
        let first = Interpreter(output: { _ in })
        run(first, ["struct Point; x; end", "p = Point(1)", "struct Point; x; y; end", "q = Point(1, 2)"])
        let path = directory + "/redefined.json"
        _ = try first.saveSession(to: path)
        let second = Interpreter(output: { _ in })
        XCTAssertEqual(try second.loadSession(from: path).skipped, [])
        XCTAssertEqual(value(second, "(p, q, Point(3, 4), q isa Point, p isa Point)").repr, "(Point(1), Point(1, 2), Point(3, 4), true, false)")
        XCTAssertTrue(second.evaluate(source: "Point(3)").renderedDiagnostics().contains("no method matching Point(::Int64)"))
    }

    func testJSONDoublesRoundTripBitForBit() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, 0.1, 1 / 3.0,
                                .infinity, -.infinity, .nan]
        for _ in 0..<20_000 { values.append(Double(bitPattern: generator.next())) }
        let text = JSON.array(values.map(JSON.double)).serialized()
        guard let items = try JSON.parse(Array(text.utf8)).arrayValue else { return XCTFail("not an array") }
        XCTAssertEqual(items.count, values.count)
        for (value, item) in zip(values, items) {
            guard let back = item.doubleValue else { return XCTFail("\(item) is not a double") }
            XCTAssertTrue(value.bitPattern == back.bitPattern || (value.isNaN && back.isNaN), "\(value) read back as \(back)")
        }
    }

    func testTrainedModelEvaluatesTheSameAfterLoadingWithoutRetraining() throws {
        let first = Interpreter(output: { _ in })
        run(first, [
            "u0 = [2.0, 0.0]; tspan = (0.0, 1.0); tsteps = range(0.0, 1.0, length=10)",
            "target = [cos(t) for t in tsteps]",
            "dudt = Chain(x -> x.^3, Dense(2, 8, tanh), Dense(8, 2))",
            "node = NeuralODE(dudt, tspan, Tsit5(), saveat=tsteps, reltol=1e-7, abstol=1e-9)",
            "θ = initial_params(node, seed=3)",
            "predict(θ) = Array(node(u0, θ))",
            "loss(θ) = sum(abs2, predict(θ)[1, :] .- target)",
            "opt = Adam(0.05)",
            "res = train(loss, θ, opt, maxiters=15, progress=false)",
        ])
        let path = directory + "/trained.json"
        _ = try first.saveSession(to: path)

        var trainingReports = 0
        let second = Interpreter(output: { _ in })
        second.trainingProgress = { _ in trainingReports += 1 }
        let report = try second.loadSession(from: path)
        XCTAssertEqual(report.skipped, [])
        XCTAssertEqual(trainingReports, 0, "loading must not train again")
        for name in ["res", "θ", "target"] {
            assertIdentical(value(first, name == "res" ? "res.losses" : name), value(second, name == "res" ? "res.losses" : name), name)
        }
        assertIdentical(value(first, "res.u"), value(second, "res.u"), "res.u")
        assertIdentical(value(first, "res.elapsed"), value(second, "res.elapsed"), "res.elapsed")
        assertIdentical(value(first, "predict(res.u)"), value(second, "predict(res.u)"), "predict(res.u)")
        assertIdentical(value(first, "loss(res.u)"), value(second, "loss(res.u)"), "loss(res.u)")
        XCTAssertEqual(value(second, "node").display, value(first, "node").display)
        XCTAssertEqual(value(second, "opt").display, "Adam(0.05)")
        // The restored network trains on from where it stopped (the model is live, not a picture).
        let more = second.evaluate(source: "train(loss, res.u, opt, maxiters=3, progress=false).iterations")
        XCTAssertEqual(more.value, .int(3), more.renderedDiagnostics())
    }

    /// A session with state of its own, to check that a refused load leaves it alone.
    func bystander() -> Interpreter {
        let interpreter = Interpreter(output: { _ in })
        run(interpreter, ["x = 1", "mine = [1.0, 2.0]", "plot([3.0, 1.0])"])
        return interpreter
    }

    func assertRefused(_ bytes: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = directory + "/damaged.json"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let interpreter = bystander()
        let names = Set(interpreter.globals.values.keys)
        let cells = interpreter.session.cells, plot = interpreter.session.latestPlot
        XCTAssertThrowsError(try interpreter.loadSession(from: path), file: file, line: line) { error in
            guard let error = error as? SessionFileError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.path, path, file: file, line: line)
            XCTAssertTrue(error.description.contains(expected), error.description, file: file, line: line)
        }
        XCTAssertEqual(Set(interpreter.globals.values.keys), names, "no variable added", file: file, line: line)
        XCTAssertEqual(interpreter.global("x"), .int(1), file: file, line: line)
        XCTAssertEqual(value(interpreter, "mine"), .array(NumericArray(vector: [1, 2])), file: file, line: line)
        XCTAssertEqual(interpreter.session.cells, cells, file: file, line: line)
        XCTAssertEqual(interpreter.session.latestPlot, plot, file: file, line: line)
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), bytes, "the file is untouched", file: file, line: line)
    }

    func goodSessionBytes() throws -> [UInt8] {
        let interpreter = Interpreter(output: { _ in })
        run(interpreter, ["x = 99", "name = \"abcdefgh\"", "w = [0.5, 0.25]", "f(x) = x + 1"])
        let path = directory + "/good.json"
        _ = try interpreter.saveSession(to: path)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func testGarbageEmptyAndTruncatedFilesAreRefused() throws {
        let good = try goodSessionBytes()
        try assertRefused(Array("this is not a session\n".utf8), "not a readable session document")
        try assertRefused((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) }, "not a readable session document")
        try assertRefused([], "the file is empty")
        for cut in [1, good.count / 3, good.count / 2, good.count - 2] {
            try assertRefused(Array(good[0..<cut]), "ends early")
        }
        try assertRefused(Array("{\"format\": \"something-else\", \"version\": 1}".utf8), "not a Fluxion session")
    }

    func testBitFlipsAreCaughtByTheChecksum() throws {
        let good = try goodSessionBytes()
        // A flip inside a string still parses: only the checksum catches it.
        guard let at = String(decoding: good, as: UTF8.self).utf8.firstRange(of: "abcdefgh".utf8)?.lowerBound else {
            return XCTFail("no string to flip")
        }
        var flipped = good
        let index = String(decoding: good, as: UTF8.self).utf8.distance(from: String(decoding: good, as: UTF8.self).utf8.startIndex, to: at)
        flipped[index + 3] ^= 0x01
        XCTAssertNoThrow(try JSON.parse(flipped), "the flipped file is still JSON")
        try assertRefused(flipped, "checksum does not match")
        // Flips in a number, and in the header's checksum.
        var number = good
        let nine = try XCTUnwrap(number.lastIndex(of: UInt8(ascii: "9")))
        number[nine] ^= 0x01
        try assertRefused(number, "checksum does not match")
        var header = good
        let hex = try XCTUnwrap(String(decoding: good, as: UTF8.self).range(of: "crc32:"))
        let offset = String(decoding: good, as: UTF8.self).utf8.distance(from: String(decoding: good, as: UTF8.self).startIndex, to: hex.upperBound)
        header[offset] = header[offset] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try assertRefused(header, "checksum does not match")
    }

    func testEverySingleBitFlipIsRefused() throws {
        let good = try goodSessionBytes()
        let path = directory + "/flipped.json"
        var generator = SystemRandomNumberGenerator()
        let interpreter = bystander()
        var refused = 0
        for _ in 0..<400 {
            var bytes = good
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try interpreter.loadSession(from: path)
                XCTFail("a flip at byte \(index) was accepted")
            } catch is SessionFileError {
                refused += 1
            }
        }
        XCTAssertEqual(refused, 400)
        XCTAssertEqual(interpreter.global("x"), .int(1))
        XCTAssertNil(interpreter.global("name"))
    }

    func testTheLineREPLRecordsEachEntryAsACell() {
        var lines = ["a = 2", "function sq(x)", "    x^2", "end", "println(\"p\", sq(a)); sq(a) + 1", "undefined_y", "b = 1;"][...]
        let interpreter = Interpreter(output: { _ in })
        _ = Runner.repl(interpreter: interpreter, readLine: { lines.popFirst() }, write: { _ in })
        let cells = interpreter.session.cells
        XCTAssertEqual(cells.map(\.executionCount), [1, 2, 3, 4, 5])
        XCTAssertEqual(cells[1].source, "function sq(x)\n    x^2\nend")
        XCTAssertEqual(cells[2].outputs, [CellOutput(kind: .text, stream: .stdout, text: "p4\n"),
                                          CellOutput(kind: .text, stream: .result, text: "5")])
        XCTAssertEqual(cells[3].outputs.map(\.stream), [.error])
        XCTAssertTrue(cells[3].outputs[0].text.contains("UndefVarError"), cells[3].outputs[0].text)
        XCTAssertEqual(cells[4].outputs, [], "a trailing ; shows nothing")
    }

    func testNewerVersionIsRefused() throws {
        let good = try goodSessionBytes()
        // A newer file with a checksum that is right: the version alone refuses it.
        var text = String(decoding: good, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 2,")
        XCTAssertNotEqual(Array(text.utf8), good)
        try assertRefused(Array(text.utf8), "written by a newer Fluxion (format version 2")
    }

    func testMissingFileIsRefused() {
        let interpreter = bystander()
        XCTAssertThrowsError(try interpreter.loadSession(from: directory + "/nope.json")) { error in
            XCTAssertTrue("\(error)".contains("nope.json: no such file"), "\(error)")
        }
    }

    func testVariablesThatCannotBeKeptAreNamedOnSaveAndLoad() throws {
        let first = Interpreter(output: { _ in })
        run(first, [
            "function counter()\n    n = 10\n    return () -> n + 1\nend",
            "next_n = counter()",
            "also = [1, next_n]",
            "kept = 3",
        ])
        let path = directory + "/partial.json"
        let saved = try first.saveSession(to: path)
        XCTAssertEqual(saved.skipped.map(\.name), ["also", "next_n"])
        XCTAssertTrue(saved.message.contains("not saved: also (a closure over local variables"), saved.message)
        let second = Interpreter(output: { _ in })
        let report = try second.loadSession(from: path)
        XCTAssertEqual(report.skipped.map(\.name), ["also", "next_n"])
        XCTAssertTrue(report.message.contains("not restored: also (a closure over local variables"), report.message)
        XCTAssertEqual(second.global("kept"), .int(3))
        XCTAssertNil(second.global("next_n"))
    }

    func testSolutionsAreKeptAsTheirSavedPointsWithoutSolvingAgain() throws {
        let first = Interpreter(output: { _ in })
        run(first, [
            "prob = ODEProblem((u, p, t) -> -p .* u, [1.0, 2.0], (0.0, 1.0), 0.7)",
            "sol = solve(prob, Tsit5(), saveat=0.25, reltol=1e-9)",
        ])
        let path = directory + "/solution.json"
        _ = try first.saveSession(to: path)
        let second = Interpreter(output: { _ in })
        XCTAssertEqual(try second.loadSession(from: path).skipped, [])
        for text in ["sol.t", "Array(sol)", "sol[2, :]"] { assertIdentical(value(first, text), value(second, text), text) }
        XCTAssertEqual(value(second, "sol.retcode"), .symbol("Success"))
        XCTAssertEqual(value(second, "sol").display.split(separator: "\n").filter { !$0.contains("dense") },
                       value(first, "sol").display.split(separator: "\n").filter { !$0.contains("dense") })
        // Between saved points: linear, close to the dense value.
        let dense = try XCTUnwrap(value(first, "sol(0.6)[1]").asDouble), linear = try XCTUnwrap(value(second, "sol(0.6)[1]").asDouble)
        XCTAssertEqual(linear, dense, accuracy: 1e-2)
    }

    func testAnEnsembleProblemIsKeptAsItsCallAndItsSolutionAsItsOutputs() throws {
        let first = Interpreter(output: { _ in })
        run(first, [
            "prob = ODEProblem((u, p, t) -> -p .* u, [1.0], (0.0, 1.0), 0.7)",
            "eprob = EnsembleProblem(prob, prob_func = (prob, i, repeat) -> remake(prob, u0 = [Float64(i)]), output_func = (sol, i) -> (sol[end][1], false))",
            "sim = solve(eprob, Tsit5(), EnsembleSerial(), trajectories = 3)",
            "method = EnsembleThreads()",
            "sols = solve(EnsembleProblem(prob), Tsit5(), trajectories = 2, saveat = 0.5)",
            "summ = EnsembleSummary(sols)",
        ])
        let path = directory + "/ensemble.json"
        let saved = try first.saveSession(to: path)
        XCTAssertEqual(saved.skipped.map(\.name), ["summ"])
        let second = Interpreter(output: { _ in })
        XCTAssertEqual(try second.loadSession(from: path).skipped.map(\.name), ["summ"])
        XCTAssertEqual(value(second, "eprob").repr, value(first, "eprob").repr)
        let again = "solve(eprob, Tsit5(), method, trajectories = 3).u"
        assertIdentical(value(second, again), value(first, "sim.u"), "the restored ensemble solves to the same outputs")
        for text in ["sim.u", "sim.retcode", "sim.alg", "length(sols)", "sols[2].t", "Array(sols)", "timestep_mean(sols, 2)"] {
            assertIdentical(value(second, text), value(first, text), text)
        }
        XCTAssertEqual(value(second, "sols").repr, value(first, "sols").repr)
    }

    func testASessionCallsOnlyConstructors() throws {
        let call = { (name: String) in
            "{\"name\": \"v\", \"value\": {\"call\": {\"name\": \"\(name)\", \"arguments\": [], \"keywords\": []}}}"
        }
        let environment = try JSON.parse(Array("[\(call("exit")), \(call("LBFGS"))]".utf8))
        let bytes = SessionFile.document(body: [("cells", .array([])), ("environment", environment)])
        let path = directory + "/crafted.json"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let interpreter = Interpreter(output: { _ in })
        let report = try interpreter.loadSession(from: path)
        XCTAssertNil(interpreter.exitRequest, "exit was not called")
        XCTAssertEqual(report.skipped, [SkippedVariable(name: "v", reason: "exit is not a constructor; a session does not call it")])
        XCTAssertEqual(value(interpreter, "v").display, "LBFGS()", "the later entry of the same name is restored")
    }

    func testBuiltinsSaveAndLoadWithNamesAndErrors() throws {
        var printed = ""
        let interpreter = Interpreter(output: { printed += $0 })
        let path = directory + "/by_builtin.json"
        run(interpreter, ["a = [1.0, 2.0]", "save_session(\"\(path)\")"])
        XCTAssertTrue(printed.contains("saved \(path): 1 variable"), printed)
        run(interpreter, ["a = 5", "load_session(\"\(path)\")"])
        XCTAssertEqual(value(interpreter, "a"), .array(NumericArray(vector: [1, 2])))
        let failed = interpreter.evaluate(source: "load_session(\"\(directory)/missing.json\")")
        XCTAssertTrue(failed.renderedDiagnostics().contains("cannot open session \(directory)/missing.json: no such file"),
                      failed.renderedDiagnostics())
        XCTAssertEqual(SessionFile.path(for: "spiral"), "sessions/spiral.json")
        XCTAssertEqual(SessionFile.path(for: "runs/a.json"), "runs/a.json")
    }

    func testTrainAutosavesTheBestParametersEveryNIterations() throws {
        let interpreter = Interpreter(output: { _ in })
        let path = directory + "/autosave.json"
        run(interpreter, [
            "loss(p) = sum(abs2, p .- [1.0, -2.0, 3.0])",
            "res = train(loss, zeros(3), Adam(0.1), maxiters=27, autosave=\"\(path)\", autosave_every=10, progress=false)",
        ])
        let restored = Interpreter(output: { _ in })
        _ = try restored.loadSession(from: path)
        XCTAssertEqual(value(restored, "autosave.iteration"), .int(20), "the last save was at iteration 20")
        let losses = try XCTUnwrap(value(interpreter, "res.losses[1:20]").asNumbers)
        XCTAssertEqual(value(restored, "autosave.loss").asDouble, losses.min())
        XCTAssertEqual(value(restored, "loss(autosave.u)").asDouble ?? .nan, losses.min() ?? .nan, accuracy: 1e-12)
        XCTAssertEqual(value(restored, "length(autosave.losses)"), .int(20))
        // Without the keyword, the interpreter's default (the workbench's :autosave) applies.
        let other = directory + "/default.json"
        interpreter.session.autosavePath = other
        run(interpreter, ["train(loss, zeros(3), Adam(0.1), maxiters=50, progress=false)"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: other))
        let bad = interpreter.evaluate(source: "train(loss, zeros(3), Adam(0.1), autosave_every=0)")
        XCTAssertTrue(bad.renderedDiagnostics().contains("autosave_every must be a positive integer"), bad.renderedDiagnostics())
    }

    /// The committed example sessions load, and their models give the loss they were saved with.
    func testExampleSessionsLoadAndGiveTheirLoss() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (name, bound) in [("spiral", 1.0), ("lotka_volterra", 1e-8)] {
            let interpreter = Interpreter(output: { _ in })
            let report = try interpreter.loadSession(from: root.appendingPathComponent("sessions/\(name).json").path)
            XCTAssertEqual(report.skipped.map(\.name), [], "\(name): \(report.message)")
            XCTAssertNotNil(report.plot, name)
            let objective = try XCTUnwrap(value(interpreter, "res.objective").asDouble, name)
            let evaluation = interpreter.evaluate(source: "loss(res.u)")
            XCTAssertFalse(evaluation.failed, evaluation.renderedDiagnostics())
            let loss = try XCTUnwrap(evaluation.value.asDouble, name)
            XCTAssertLessThan(loss, bound, name)
            XCTAssertEqual(loss, objective, accuracy: max(1e-9 * objective, 1e-12), name)
            // The recorded cell that evaluated loss(res.u) shows the same number, digit for digit.
            if let cell = report.cells.last(where: { $0.source == "loss(res.u)" }) {
                XCTAssertEqual(cell.outputs.first?.text, evaluation.value.display, name)
            }
        }
    }
}

extension Value {
    var asNumbers: [Double]? { if case .array(let array) = self { return array.storage } else { return nil } }
}
