import Lang
import XCTest

/// `?name` at the prompt (Julia's help mode), through `evaluate` as the REPL and workbench call it.
final class HelpTests: XCTestCase {
    func help(_ line: String, before setup: String = "") -> (String, Evaluation) {
        var printed = ""
        let interpreter = Interpreter(output: { printed += $0 })
        if !setup.isEmpty { XCTAssertFalse(interpreter.evaluate(source: setup).failed) }
        printed = ""
        let evaluation = interpreter.evaluate(source: line)
        return (printed, evaluation)
    }

    func testBuiltinsAnswerWithTheirSignature() {
        let (text, evaluation) = help("?Dense")
        XCTAssertFalse(evaluation.failed)
        XCTAssertTrue(evaluation.endsWithSemicolon, "help shows no value")
        XCTAssertEqual(text, "  Dense(in => out, σ=identity; bias=true), or Dense(in, out, σ)\n\nDense is a built-in function.\n")
    }

    func testUserFunctionsListTheirMethodsAndVariablesTheirType() {
        let (function, _) = help(" ?f ", before: "f(x) = x\nf(x, y; scale=2) = x * y")
        XCTAssertEqual(function, "  f(x)\n  f(x, y; scale=2)\n\nf is a function with 2 methods.\n")
        let (variable, _) = help("?v", before: "v = collect(1:30)")
        XCTAssertEqual(variable, "v is a variable of type Vector{Int64}: "
                       + "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10  …  21, 22, 23, 24, 25, 26, 27, 28, 29, 30]\n")
    }

    func testStructTypesShowTheirDefinition() {
        let (text, _) = help("?Point", before: "Base.@kwdef mutable struct Point\n    x::Float64 = 0.0\n    y\nend")
        XCTAssertEqual(text, "  Base.@kwdef mutable struct Point\n      x::Float64 = 0.0\n      y\n  end\n\n"
                       + "Point is a mutable struct; construct it as Point(x::Float64, y) or with keywords.\n")
    }

    func testUnknownNamesSuggestTheClosestAndBareQuestionMarkListsBuiltins() {
        XCTAssertEqual(help("?Densee").0, "No documentation found for `Densee`. Did you mean `Dense`?\n")
        let (list, _) = help("?")
        XCTAssertTrue(list.hasPrefix("Type ?name for help on one of them. Builtins:\n"), list)
        for name in ["Adam", "NelderMead", "jacobian", "hessian", "train"] { XCTAssertTrue(list.contains(" \(name)"), name) }
        XCTAssertTrue(list.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    func testAproposListsTheBuiltinsWhoseNameOrHelpMentionsTheText() {
        let (text, evaluation) = help("apropos(\"ensemble\")", before: "ensemble_loss(θ) = sum(θ)")
        XCTAssertFalse(evaluation.failed)
        let lines = text.split(separator: "\n").map(String.init)
        for name in ["EnsembleProblem", "EnsembleThreads", "EnsembleSummary", "timestep_mean", "timeseries_steps_quantile", "solve"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix("  \(name)(") }, "\(name) in\n\(text)")
        }
        XCTAssertTrue(lines.contains("  ensemble_loss(θ)  (yours)"), text)
        XCTAssertFalse(text.contains("Dense"), "only what mentions the text")
        // A symbol, any case; Julia's help mode on a string; nothing found.
        XCTAssertTrue(help("apropos(:CSV)").0.contains("  readcsv(path"), help("apropos(:CSV)").0)
        XCTAssertEqual(help("?\"writecsv\"").0, help("apropos(\"writecsv\")").0)
        XCTAssertEqual(help("apropos(\"zzzq\")").0, "Nothing mentions \"zzzq\"; ? alone lists the builtins.\n")
        XCTAssertTrue(help("apropos(1)").1.failed)
    }

    func testEveryBuiltinHasHelpNamingIt() {
        let interpreter = Interpreter(output: { _ in })
        let names = interpreter.completionNames().filter { name in
            if case .function(let f)? = interpreter.global(name) { return f.name == name && interpreter.help(name).hasSuffix("is a built-in function.") }
            return false
        }
        XCTAssertGreaterThan(names.count, 200)
        for name in names + ["readdlm", "writedlm", "apropos", "EnsembleProblem", "timepoint_meanvar", "tempname"] {
            let text = interpreter.help(name)
            let signature = text.components(separatedBy: "\n\n").first ?? ""
            XCTAssertTrue(signature.hasPrefix("  ") && signature.count > 4, "\(name): \(text)")
            XCTAssertTrue(signature.contains(name), "the help of \(name) names it: \(signature)")
        }
    }
}
