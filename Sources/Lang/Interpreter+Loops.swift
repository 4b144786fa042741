import Foundation

extension Interpreter {
    /// `for a in x, b in y ... end`: nested loops, each iteration in its own scope.
    func forLoop(_ bindings: [LoopBinding], _ body: [Expr], _ span: SourceSpan, _ scope: Environment) throws {
        do {
            try iterate(bindings, 0, scope, span) { inner in
                do {
                    _ = try self.evalBlock(body, inner)
                } catch ControlFlow.continueLoop {
                    return
                }
            }
        } catch ControlFlow.breakLoop {
            return
        }
    }

    /// Runs `body` once per combination of the bindings from `index` on, each in a new scope.
    func iterate(_ bindings: [LoopBinding], _ index: Int, _ scope: Environment, _ span: SourceSpan,
                 _ body: (Environment) throws -> Void) throws {
        guard index < bindings.count else { return try body(scope) }
        let binding = bindings[index]
        let collection = try eval(binding.iterable, scope)
        try forEach(collection, binding.iterable.span) { element in
            try checkInterrupt(span)
            let inner = Environment(parent: scope)
            try bind(binding.target, element, inner)
            try iterate(bindings, index + 1, inner, span, body)
        }
    }

    /// Calls `body` with each element, ranges lazily; matrices in column-major order as Julia.
    func forEach(_ collection: Value, _ span: SourceSpan, _ body: (Value) throws -> Void) throws {
        if case .range(let range) = collection {
            for i in 0..<range.count { try body(range.value(i)) }
            return
        }
        for element in try elements(collection, span) { try body(element) }
    }

    /// The elements of an iterable value.
    func elements(_ value: Value, _ span: SourceSpan) throws -> [Value] {
        switch value {
        case .array(let array):
            if !array.isMatrix { return (0..<array.storage.count).map(array.element) }
            var result: [Value] = []
            for column in 0..<array.columns {
                for row in 0..<array.rows { result.append(array.element(row * array.columns + column)) }
            }
            return result
        case .list(let list): return list.items
        case .range(let range):
            guard range.count <= 100_000_000 else {
                throw LangError("range of \(range.count) elements is too long to collect", at: span)
            }
            return (0..<range.count).map(range.value)
        case .tuple(let items): return items
        case .pair(let first, let second): return [first, second]
        case .namedTuple(_, let values): return values
        case .dict(let d): return d.pairs
        case .string(let text): return text.map { .string(String($0)) }
        case .int, .float, .bool: return [value]
        case .engine(.solution(let object)): return (0..<object.solution.t.count).map(object.state)
        case .engine(.ensembleSolution(let object)): return try elements(object.u, span)
        case .tape(let t) where t.variable.shape.kind == .vector:
            return (0..<t.variable.count).map { .tape(TapeValue(t.variable[$0])) }
        case .traced(let traced) where traced.sym.shape.kind == .vector:
            return (0..<traced.sym.count).map { .traced(TracedValue(traced.sym[$0])) }
        default:
            throw LangError("MethodError: no method matching iterate(::\(value.typeName))", at: span,
                            hint: "iterate over a vector, a range or a tuple")
        }
    }

    /// Number of elements of a collection (1 for a scalar).
    func count(_ value: Value) -> Int {
        switch value {
        case .array(let array): return array.storage.count
        case .list(let list): return list.items.count
        case .range(let range): return range.count
        case .tuple(let items): return items.count
        case .namedTuple(_, let values): return values.count
        case .dict(let d): return d.count
        case .string(let text): return text.count
        case .engine(.solution(let object)): return object.solution.t.count
        case .engine(.ensembleSolution(let object)): return count(object.u)
        case .traced(let traced): return traced.sym.count
        case .tracedOutput(let output): return output.parts.count
        case .tape(let t): return t.variable.count
        default: return 1
        }
    }

    /// `[body for ...]`: a vector, or a matrix for one clause with two bindings.
    func comprehension(_ generator: Generator, _ span: SourceSpan, _ scope: Environment) throws -> Value {
        var values: [Value] = []
        func run(_ clause: Int, _ scope: Environment) throws {
            guard clause < generator.clauses.count else {
                values.append(try eval(generator.body, scope))
                return
            }
            switch generator.clauses[clause] {
            case .filter(let test):
                if try condition(test, scope) { try run(clause + 1, scope) }
            case .iterate(let bindings):
                try iterate(bindings, 0, scope, span) { inner in try run(clause + 1, inner) }
            }
        }
        try run(0, scope)
        if generator.clauses.count == 1, case .iterate(let bindings) = generator.clauses[0], bindings.count == 2,
           values.allSatisfy(\.isNumber), !values.isEmpty {
            let rows = count(try eval(bindings[0].iterable, scope))
            let isInteger = values.allSatisfy { if case .int = $0 { return true } else { return false } }
            return .array(NumericArray(values.compactMap(\.asDouble), shape: [rows, values.count / max(rows, 1)],
                                       isInteger: isInteger))
        }
        if values.isEmpty { return .array(NumericArray(vector: [])) }
        return .vector(values)
    }
}
