import Foundation

/// Dispatch on struct types: a parameter annotated with a user struct (`q::Point`) accepts
/// only instances of it, so `area(s::Square)` and `area(c::Circle)` are two methods. Other
/// annotations (`x::Float64`, `u::Vector{Float64}`) stay unchecked, as before, so traced and
/// taped values pass through them.
extension Interpreter {
    /// The struct type a parameter is annotated with, nil for any other annotation.
    func structAnnotation(_ parameter: Parameter) -> String? {
        guard let type = parameter.type, case .identifier(let name) = type.kind, structTypes[name] != nil else { return nil }
        return name
    }

    /// The method `arguments` call: among those taking that many, the ones whose struct-typed
    /// parameters all match; the one with the most such parameters (the most specific), the
    /// latest defined among equals.
    func method(of function: FunctionValue, for arguments: [Value]) -> FunctionValue.Method? {
        var best: (method: FunctionValue.Method, score: Int)?
        for method in function.methods where accepts(method.definition, arguments.count) {
            var score = 0, matches = true
            for (parameter, argument) in zip(method.definition.parameters, arguments) where !parameter.isSplat {
                guard let name = structAnnotation(parameter) else { continue }
                guard case .object(let instance) = argument, instance.type === structTypes[name] else {
                    matches = false
                    break
                }
                score += 1
            }
            if matches, score >= (best?.score ?? 0) { best = (method, score) }
        }
        return best?.method
    }

    /// Whether two definitions are the same method (a new one replaces the old): the same
    /// number and kind of parameters, and the same struct annotations.
    func sameMethod(_ a: FunctionDefinition, _ b: FunctionDefinition) -> Bool {
        a.parameters.count == b.parameters.count && a.parameters.map(\.isSplat) == b.parameters.map(\.isSplat)
            && a.parameters.map(structAnnotation) == b.parameters.map(structAnnotation)
    }
}
