import Foundation

extension Interpreter {
    /// Constructors, reductions, higher-order functions and mutation of vectors.
    static var collectionBuiltins: [Builtin] { [
        Builtin(name: "length", signature: "length(x)") { call in
            try call.expect(1)
            return .int(call.interpreter.count(call.arguments[0]))
        },
        Builtin(name: "size", signature: "size(A) or size(A, dim)") { call in
            try call.expect(1...2)
            let value = call.arguments[0]
            let shape: [Int]
            if case .array(let array) = value {
                shape = array.shape
            } else if case .engine(.solution(let object)) = value {
                shape = object.matrix.shape
            } else {
                shape = [call.interpreter.count(value)]
            }
            if call.arguments.count == 2 {
                let dim = try call.integer(1)
                guard dim >= 1 else { throw call.error("BoundsError: dimension \(dim)") }
                return .int(dim <= shape.count ? shape[dim - 1] : 1)
            }
            return .tuple(shape.map { .int($0) })
        },
        filled("zeros", 0), filled("ones", 1),
        Builtin(name: "fill", signature: "fill(x, n) or fill(x, n, m)") { call in
            try call.expect(2...3)
            let shape = try (1..<call.arguments.count).map { try call.integer($0) }
            guard shape.allSatisfy({ $0 >= 0 && $0 <= 100_000_000 }) else { throw call.error("invalid array size") }
            let value = call.arguments[0]
            if let number = value.asDouble, value.isNumber {
                return .array(NumericArray(Array(repeating: number, count: shape.reduce(1, *)), shape: shape, isInteger: !value.isFloat))
            }
            guard shape.count == 1 else { throw call.error("fill of a non-number needs one dimension") }
            return .list(ValueList(Array(repeating: value, count: shape[0])))
        },
        Builtin(name: "collect", signature: "collect(x)") { call in
            try call.expect(1)
            return try call.interpreter.collect(call.arguments[0], call.span)
        },
        Builtin(name: "copy", signature: "copy(x)") { call in
            try call.expect(1)
            switch call.arguments[0] {
            case .array(let array): return .array(array.copy())
            case .list(let list): return .list(ValueList(list.items))
            case .dict(let d): return .dict(d.copy())
            default: return call.arguments[0]
            }
        },
        Builtin(name: "deepcopy", signature: "deepcopy(x)") { call in
            try call.expect(1)
            return try call.interpreter.deepCopy(call.arguments[0])
        },
        Builtin(name: "similar", signature: "similar(x)") { call in
            try call.expect(1)
            guard case .array(let array) = try call.interpreter.collect(call.arguments[0], call.span) else {
                throw call.error("similar needs a numeric array")
            }
            return .array(NumericArray(Array(repeating: 0, count: array.storage.count), shape: array.shape, isInteger: array.isInteger))
        },
        reduction("sum", .plus, empty: .int(0)),
        reduction("prod", .times, empty: .int(1)),
        Builtin(name: "mean", signature: "mean(x) or mean(f, x); dims") { call in
            try call.expect(1...2)
            try call.allowKeywords(["dims"])
            if call.arguments.count == 1, case .array(let array) = call.arguments[0], array.isMatrix,
               let dims = call.keyword("dims")?.asInt {
                let total = try reduceMatrix(array, dims: dims, .plus, call)
                return try call.interpreter.binary(.divide, total, .int(dims == 1 ? array.rows : array.columns), call.span)
            }
            var items = try call.elements(call.arguments.count - 1)
            guard !items.isEmpty else { throw call.error("mean of an empty collection") }
            if call.arguments.count == 2 { items = try items.map { try call.call(call.arguments[0], [$0]) } }
            let total = try sumOf(call, items, .plus)
            return try call.interpreter.binary(.divide, total, .int(items.count), call.span)
        },
        extreme("maximum", .greater), extreme("minimum", .less),
        Builtin(name: "argmax", signature: "argmax(x)") { call in
            try call.expect(1)
            let values = try call.interpreter.columnMajorNumbers(call.arguments[0], call.span)
            guard let best = values.indices.max(by: { values[$0] < values[$1] }) else { throw call.error("argmax of an empty collection") }
            return .int(best + 1)
        },
        Builtin(name: "argmin", signature: "argmin(x)") { call in
            try call.expect(1)
            let values = try call.interpreter.columnMajorNumbers(call.arguments[0], call.span)
            guard let best = values.indices.min(by: { values[$0] < values[$1] }) else { throw call.error("argmin of an empty collection") }
            return .int(best + 1)
        },
        Builtin(name: "cumsum", signature: "cumsum(x)") { call in
            try call.expect(1)
            var total: Value = .int(0)
            return .vector(try call.elements(0).map { total = try call.interpreter.binary(.plus, total, $0, call.span); return total })
        },
        Builtin(name: "reverse", signature: "reverse(x)") { call in
            try call.expect(1)
            if case .tuple(let items) = call.arguments[0] { return .tuple(items.reversed()) }
            // reverse(1:3) is the range 3:-1:1, as in Julia.
            if case .range(let range) = call.arguments[0], range.count > 0 {
                return .range(RangeValue(start: range.last, step: -range.step, stop: range.start, isInteger: range.isInteger))
            }
            return .vector(try call.elements(0).reversed())
        },
        Builtin(name: "sort", signature: "sort(x; by=identity, rev=false)") { call in
            try call.expect(1)
            try call.allowKeywords(["rev", "by"])
            let items = try call.elements(0)
            // by=f sorts by f's values (stably, as Julia's default for vectors of numbers gives the same order).
            let keys = try call.keyword("by").map { by in try items.map { try call.call(by, [$0]) } } ?? items
            var failure: LangError?
            var sorted = keys.indices.sorted { i, j in
                let a = keys[i], b = keys[j]
                if let x = a.asDouble, let y = b.asDouble { return x < y }
                if case .string(let x) = a, case .string(let y) = b { return x < y }
                failure = call.error("cannot sort \(a.typeName) and \(b.typeName)")
                return false
            }
            if let failure { throw failure }
            if case .bool(true)? = call.keyword("rev") { sorted.reverse() }
            return .vector(sorted.map { items[$0] })
        },
        Builtin(name: "push!", signature: "push!(v, x...)") { call in
            try call.expect(1...Int.max)
            try append(call, Array(call.arguments.dropFirst()))
            return call.arguments[0]
        },
        Builtin(name: "append!", signature: "append!(v, w)") { call in
            try call.expect(2)
            try append(call, try call.elements(1))
            return call.arguments[0]
        },
        Builtin(name: "pop!", signature: "pop!(v) or pop!(d, key[, default])") { call in
            if case .dict(let d) = call.arguments.first { return try popEntry(d, call) }
            try call.expect(1)
            switch call.arguments[0] {
            case .array(let array) where !array.isMatrix && !array.storage.isEmpty:
                let last = array.element(array.storage.count - 1)
                array.storage.removeLast()
                array.shape = [array.storage.count]
                return last
            case .list(let list) where !list.items.isEmpty: return list.items.removeLast()
            default: throw call.error("ArgumentError: array must be non-empty")
            }
        },
        Builtin(name: "first", signature: "first(x) or first(x, n)") { call in
            try call.expect(1...2)
            if call.arguments.count == 2 {
                let n = try call.integer(1)
                guard n >= 0 else { throw call.error("ArgumentError: Number of elements must be non-negative") }
                return .vector(Array(try call.elements(0).prefix(n)))
            }
            guard let first = try call.elements(0).first else { throw call.error("BoundsError: first of an empty collection") }
            return first
        },
        Builtin(name: "last", signature: "last(x) or last(x, n)") { call in
            try call.expect(1...2)
            if call.arguments.count == 2 {
                let n = try call.integer(1)
                guard n >= 0 else { throw call.error("ArgumentError: Number of elements must be non-negative") }
                return .vector(Array(try call.elements(0).suffix(n)))
            }
            guard let last = try call.elements(0).last else { throw call.error("BoundsError: last of an empty collection") }
            return last
        },
        Builtin(name: "isempty", signature: "isempty(x)") { call in
            try call.expect(1)
            return .bool(call.interpreter.count(call.arguments[0]) == 0)
        },
        Builtin(name: "enumerate", signature: "enumerate(x)") { call in
            try call.expect(1)
            return .list(ValueList(try call.elements(0).enumerated().map { .tuple([.int($0 + 1), $1]) }))
        },
        Builtin(name: "zip", signature: "zip(x, y, ...)") { call in
            try call.expect(1...Int.max)
            let lists = try call.arguments.indices.map { try call.elements($0) }
            let count = lists.map(\.count).min() ?? 0
            return .list(ValueList((0..<count).map { i in .tuple(lists.map { $0[i] }) }))
        },
        Builtin(name: "map", signature: "map(f, x, ...)") { call in
            try call.expect(2...Int.max)
            let lists = try (1..<call.arguments.count).map { try call.elements($0) }
            let count = lists.map(\.count).min() ?? 0
            return .vector(try (0..<count).map { i in try call.call(call.arguments[0], lists.map { $0[i] }) })
        },
        Builtin(name: "filter", signature: "filter(f, x)") { call in
            try call.expect(2)
            let kept = try call.elements(1).filter { item in
                guard case .bool(let keep) = try call.call(call.arguments[0], [item]) else {
                    throw call.error("filter: the predicate must return a Bool")
                }
                return keep
            }
            // Filtering a Dict's pairs gives a Dict, as in Julia.
            if case .dict(let d) = call.arguments[1] { return try call.interpreter.makeDict(d.typeName, kept, call.span) }
            return .vector(kept)
        },
        Builtin(name: "reduce", signature: "reduce(op, x; init)") { call in try fold(call) },
        Builtin(name: "foldl", signature: "foldl(op, x; init)") { call in try fold(call) },
        Builtin(name: "any", signature: "any(x) or any(f, x)") { call in try quantifier(call, any: true) },
        Builtin(name: "all", signature: "all(x) or all(f, x)") { call in try quantifier(call, any: false) },
        Builtin(name: "range", signature: "range(start, stop; length) or range(start; stop, length, step)") { call in
            try call.expect(1...3)
            try call.allowKeywords(["length", "stop", "step"])
            let start = try call.number(0)
            let stop = call.arguments.count >= 2 ? try call.number(1) : call.keyword("stop")?.asDouble
            let length = call.arguments.count == 3 ? try call.integer(2) : call.keyword("length")?.asInt
            let step = call.keyword("step")?.asDouble
            switch (stop, length, step) {
            case (.some(let stop), .some(let length), _):
                guard length >= 0 else { throw call.error("ArgumentError: range(\(start), stop=\(stop), length=\(length)): negative length") }
                return .range(RangeValue(start: start, stop: stop, length: length))
            case (.some, nil, .some):
                // Integer start, step and stop give an integer range, as `range(1, 10, step=3)` is 1:3:10 in Julia.
                let stopValue = call.arguments.count >= 2 ? call.arguments[1] : call.keyword("stop") ?? .nothing
                return try call.interpreter.makeRange(call.arguments[0], call.keyword("step") ?? .nothing, stopValue, call.span)
            case (nil, .some(let length), .some(let step)):
                let stop = start + Double(max(length - 1, 0)) * step
                if case .int = call.arguments[0], case .int? = call.keyword("step") {
                    return .range(RangeValue(start: start, step: step, stop: stop, isInteger: true))
                }
                return .range(RangeValue(start: start, stop: stop, length: length))
            default:
                throw call.error("range needs two of stop, length and step", hint: "e.g. range(0, 1, length=30)")
            }
        },
        Builtin(name: "vcat", signature: "vcat(x...)") { call in try call.interpreter.concatValues(call.arguments, vertical: true, call.span) },
        Builtin(name: "hcat", signature: "hcat(x...)") { call in try call.interpreter.concatValues(call.arguments, vertical: false, call.span) },
        Builtin(name: "reshape", signature: "reshape(A, rows, columns)") { call in
            try call.expect(3)
            let values = try call.interpreter.columnMajorNumbers(call.arguments[0], call.span)
            let rows = try call.integer(1), columns = try call.integer(2)
            guard rows >= 0, columns >= 0, rows * columns == values.count else {
                throw call.error("DimensionMismatch: new dimensions (\(rows), \(columns)) must be consistent with array length \(values.count)")
            }
            let storage = (0..<values.count).map { values[($0 % columns) * rows + $0 / columns] }
            var isInteger = false
            if case .array(let array) = call.arguments[0] { isInteger = array.isInteger }
            if case .range(let range) = call.arguments[0] { isInteger = range.isInteger }
            return .array(NumericArray(storage, shape: [rows, columns], isInteger: isInteger && !storage.isEmpty))
        },
        Builtin(name: "vec", signature: "vec(A)") { call in
            try call.expect(1)
            guard case .array(let array) = try call.interpreter.collect(call.arguments[0], call.span) else { throw call.error("vec needs an array") }
            return .vector(try call.interpreter.elements(.array(array), call.span))
        },
    ] }

    private static func filled(_ name: String, _ value: Double) -> Builtin {
        Builtin(name: name, signature: "\(name)(n) or \(name)(n, m)") { call in
            var arguments = call.arguments
            var isInteger = false, isComplex = false
            if case .type(let type)? = arguments.first {
                isInteger = type.hasPrefix("Int")
                isComplex = type.hasPrefix("Complex")
                arguments.removeFirst()
            }
            guard (1...2).contains(arguments.count) else { try call.expect(1...2); return .nothing }
            let shape = try arguments.map { value -> Int in
                guard let n = value.asInt, n >= 0, n <= 100_000_000 else { throw call.error("invalid array size \(value.repr)") }
                return n
            }
            if isComplex {
                // Complex numbers live in vectors of values (there are no complex matrices).
                guard shape.count == 1 else { throw call.error("\(name) of complex numbers makes vectors only") }
                return .list(ValueList(Array(repeating: .complex(ComplexNumber(value, 0)), count: shape[0])))
            }
            return .array(NumericArray(Array(repeating: value, count: shape.reduce(1, *)), shape: shape, isInteger: isInteger))
        }
    }

    /// `sum(v)`, `sum(f, v)` and `prod`, through the language's `+`/`*`.
    private static func reduction(_ name: String, _ op: Operator, empty: Value) -> Builtin {
        Builtin(name: name, signature: "\(name)(x) or \(name)(f, x)") { call in
            try call.expect(1...2)
            try call.allowKeywords(["dims"])
            if case .array(let array) = call.arguments[0], array.isMatrix, let dims = call.keyword("dims")?.asInt {
                return try reduceMatrix(array, dims: dims, op, call)
            }
            var subject = call.arguments[call.arguments.count - 1]
            // A solution reduces over all its numbers, as Julia's `sum(sol)` does, not over its states.
            if case .engine(.solution) = subject { subject = try call.interpreter.collect(subject, call.span) }
            var items = try call.interpreter.elements(subject, call.span)
            if call.arguments.count == 2 { items = try items.map { try call.call(call.arguments[0], [$0]) } }
            if items.isEmpty { return empty }
            return try sumOf(call, items, op)
        }
    }

    private static func reduceMatrix(_ array: NumericArray, dims: Int, _ op: Operator, _ call: BuiltinCall) throws -> Value {
        let combine: (Double, Double) -> Double = op == .plus ? { $0 + $1 } : { $0 * $1 }
        let start = op == .plus ? 0.0 : 1.0
        if dims == 1 {
            let storage = (0..<array.columns).map { c in (0..<array.rows).reduce(start) { combine($0, array.storage[$1 * array.columns + c]) } }
            return .array(NumericArray(storage, shape: [1, array.columns], isInteger: array.isInteger))
        }
        let storage = (0..<array.rows).map { r in (0..<array.columns).reduce(start) { combine($0, array.storage[r * array.columns + $1]) } }
        return .array(NumericArray(storage, shape: [array.rows, 1], isInteger: array.isInteger))
    }

    static func sumOf(_ call: BuiltinCall, _ items: [Value], _ op: Operator) throws -> Value {
        var total = items[0]
        for item in items.dropFirst() { total = try call.interpreter.binary(op, total, item, call.span) }
        return total
    }

    private static func extreme(_ name: String, _ op: Operator) -> Builtin {
        Builtin(name: name, signature: "\(name)(x) or \(name)(f, x)") { call in
            try call.expect(1...2)
            var items = try call.elements(call.arguments.count - 1)
            if call.arguments.count == 2 { items = try items.map { try call.call(call.arguments[0], [$0]) } }
            guard var best = items.first else {
                throw call.error("ArgumentError: reducing over an empty collection is not allowed")
            }
            for item in items.dropFirst() {
                if item.asDouble?.isNaN == true { return item }
                if case .bool(true) = try call.interpreter.binary(op, item, best, call.span) { best = item }
            }
            return best
        }
    }

    private static func append(_ call: BuiltinCall, _ items: [Value]) throws {
        switch call.arguments[0] {
        case .array(let array) where !array.isMatrix:
            for item in items {
                guard let number = item.asDouble, item.isNumber else {
                    throw call.error("MethodError: cannot push a \(item.typeName) onto a \(Value.array(array).typeName)",
                                     hint: "start from an untyped vector: v = []")
                }
                if array.isInteger && item.isFloat {
                    guard item.asInt != nil else {
                        throw call.error("InexactError: Int64(\(item.repr))", hint: "the vector holds integers; start from Float64[] or zeros(0)")
                    }
                }
                array.storage.append(number)
            }
            array.shape = [array.storage.count]
        case .list(let list):
            list.items.append(contentsOf: items)
        case .dict(let d):
            for item in items {
                guard case .pair(let key, let value) = item else {
                    throw call.error("MethodError: \(call.name) onto a Dict needs key => value pairs, got \(item.typeName)")
                }
                try call.interpreter.store(in: d, key, value, call.span)
            }
        default:
            throw call.error("MethodError: no method matching \(call.name)(::\(call.arguments[0].typeName))",
                             hint: "\(call.name) works on vectors and Dicts")
        }
    }

    private static func fold(_ call: BuiltinCall) throws -> Value {
        try call.expect(2)
        try call.allowKeywords(["init"])
        var items = try call.elements(1)
        // Julia's reduce_empty: + and * over an empty numeric array give its zero and one.
        if items.isEmpty, call.keyword("init") == nil, case .array(let array) = call.arguments[1],
           case .function(let op) = call.arguments[0], let name = op.builtin?.name, name == "+" || name == "*" {
            let unit = name == "+" ? 0 : 1
            return array.isInteger ? .int(unit) : .float(Double(unit))
        }
        guard var result = call.keyword("init") ?? items.first else {
            throw call.error("ArgumentError: reducing over an empty collection is not allowed", hint: "pass init=...")
        }
        if call.keyword("init") == nil { items.removeFirst() }
        for item in items { result = try call.call(call.arguments[0], [result, item]) }
        return result
    }

    private static func quantifier(_ call: BuiltinCall, any: Bool) throws -> Value {
        try call.expect(1...2)
        for item in try call.elements(call.arguments.count - 1) {
            let test = call.arguments.count == 2 ? try call.call(call.arguments[0], [item]) : item
            guard case .bool(let flag) = test else { throw call.error("TypeError: non-boolean (\(test.typeName)) used in boolean context") }
            if flag == any { return .bool(any) }
        }
        return .bool(!any)
    }
}

extension Interpreter {
    /// `vcat(a, b)`, `hcat(a, b)` on evaluated values.
    func concatValues(_ values: [Value], vertical: Bool, _ span: SourceSpan) throws -> Value {
        let scope = Environment(parent: globals)
        var rows: [[Expr]] = []
        var exprs: [Expr] = []
        for (index, value) in values.enumerated() {
            let name = "#concat\(index)"
            scope.define(name, value)
            exprs.append(Expr(.identifier(name), span))
        }
        rows = vertical ? exprs.map { [$0] } : [exprs]
        return try concatenate(rows, span, scope)
    }

    /// A copy of nested arrays and lists.
    func deepCopy(_ value: Value) throws -> Value {
        switch value {
        case .array(let array): return .array(array.copy())
        case .list(let list): return .list(ValueList(try list.items.map(deepCopy)))
        case .tuple(let items): return .tuple(try items.map(deepCopy))
        case .dict(let d):
            let copy = DictValue(keyType: d.keyType, valueType: d.valueType)
            for (key, item) in zip(d.keys, d.values) { if let hashed = DictKey(key) { copy.set(hashed, key, try deepCopy(item)) } }
            return .dict(copy)
        case .object(let instance): return .object(StructInstance(type: instance.type, values: try instance.values.map(deepCopy)))
        default: return value
        }
    }
}
