import Foundation

extension Interpreter {
    /// Binds the prelude: constants, type names and the builtin functions.
    func installPrelude() {
        let constants: [(String, Value)] = [
            ("π", .float(Double.pi)), ("pi", .float(Double.pi)), ("ℯ", .float(M_E)),
            ("im", .complex(.imaginaryUnit)), ("Inf", .float(.infinity)), ("Inf64", .float(.infinity)), ("NaN", .float(.nan)), ("NaN64", .float(.nan)),
        ]
        for (name, value) in constants { globals.define(name, value) }
        for type in Interpreter.typeNames {
            globals.define(type, .type(type))
        }
        for builtin in Interpreter.mathBuiltins + Interpreter.collectionBuiltins + Interpreter.ioBuiltins
            + Interpreter.diffEqBuiltins + Interpreter.plotBuiltins + Interpreter.gradientBuiltins
            + Interpreter.trainBuiltins + Interpreter.neuralBuiltins + Interpreter.callbackBuiltins
            + Interpreter.sessionBuiltins + Interpreter.componentBuiltins + Interpreter.optimizationBuiltins
            + Interpreter.dictBuiltins + Interpreter.complexBuiltins + Interpreter.structBuiltins + Interpreter.luxBuiltins
            + Interpreter.ensembleBuiltins + Interpreter.ensembleAnalysisBuiltins + Interpreter.delimitedFileBuiltins
            + Interpreter.helpBuiltins {
            let function = FunctionValue(builtin: builtin)
            builtins[builtin.name] = function
            globals.define(builtin.name, .function(function))
        }
        // Package names, so `Optimization.solve` and `OptimizationOptimisers.Adam` resolve.
        for name in Interpreter.packageNames { globals.define(name, .engine(.module(name))) }
    }
}

extension Builtin {
    /// A builtin of one number (applied to numbers; `f.(x)` for arrays, as in Julia).
    /// Outside `domain` it throws a DomainError, whose hint offers the complex version unless `complexHint` is false.
    static func unaryMath(_ name: String, _ body: @escaping (Double) -> Double, domain: ((Double) -> Bool)? = nil,
                          complexHint: Bool = true) -> Builtin {
        Builtin(name: name, signature: "\(name)(x)") { call in
            try call.expect(1)
            let x = try call.number(0)
            if let domain, !domain(x) {
                throw call.error("DomainError with \(Value.format(x)): \(name) is not defined there",
                                 hint: complexHint ? "for a complex result, pass a complex number: \(name)(complex(x))" : nil)
            }
            return .float(body(x))
        }
    }
}
