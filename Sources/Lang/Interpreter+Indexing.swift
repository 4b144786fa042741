import Foundation

/// One evaluated index: a single position or a selection (0-based).
enum IndexSpec {
    case one(Int)
    case many([Int])

    /// The selected positions, one or several.
    var positions: [Int] {
        switch self {
        case .one(let i): return [i]
        case .many(let list): return list
        }
    }

    var isSingle: Bool { if case .one = self { return true } else { return false } }

    /// Row-major storage offsets selected by `specs` in a container of `rows` × `columns`
    /// (`rows` nil: a vector), and the dimensions of the result (nil for one element).
    /// Two indices into a matrix select rows and columns; one index is Julia's column-major
    /// linear indexing. Shared by values, traced values and tape values.
    static func selection(_ specs: [IndexSpec], rows: Int?, columns: Int) -> (offsets: [Int], dims: [Int]?) {
        if rows != nil, specs.count >= 2 {
            let selectedRows = specs[0].positions, selectedColumns = specs[1].positions
            let offsets = selectedRows.flatMap { row in selectedColumns.map { row * columns + $0 } }
            switch (specs[0], specs[1]) {
            case (.one, .one): return (offsets, nil)
            case (.many, .many): return (offsets, [selectedRows.count, selectedColumns.count])
            default: return (offsets, [offsets.count])
            }
        }
        let linear = specs[0].positions
        let offsets = rows.map { rows in linear.map { ($0 % rows) * columns + $0 / rows } } ?? linear
        return (offsets, specs.allSatisfy(\.isSingle) ? nil : [offsets.count])
    }
}

extension Interpreter {
    /// Dimension lengths of a container as seen by `n` indices (linear indexing for one).
    func dimensions(_ container: Value, _ n: Int) -> [Int] {
        // A differentiated solution with one saved time is that state: sol[end] is sol[1].
        if case .tape(let t) = container, t.isSolution, t.variable.shape.kind == .vector, n == 1 { return [1] }
        if case .tape(let t) = container, t.variable.shape.kind == .matrix {
            let s = t.variable.shape
            if n == 1 { return [t.isSolution ? s.cols : s.count] }
            return (0..<n).map { $0 == 0 ? s.rows : $0 == 1 ? s.cols : 1 }
        }
        if n == 1 { return [count(container)] }
        if case .traced(let traced) = container, traced.sym.shape.kind == .matrix {
            return (0..<n).map { $0 == 0 ? traced.sym.shape.rows : $0 == 1 ? traced.sym.shape.cols : 1 }
        }
        if case .engine(.solution(let object)) = container {
            return (0..<n).map { $0 == 0 ? object.solution.width : $0 == 1 ? object.solution.t.count : 1 }
        }
        if case .array(let array) = container, array.isMatrix {
            return (0..<n).map { $0 < 2 ? array.shape[$0] : 1 }
        }
        return (0..<n).map { $0 == 0 ? count(container) : 1 }
    }

    /// Evaluates index expressions with `end`, `begin` and `:` meaning the dimension's bounds.
    func evalIndices(_ indices: [Expr], _ container: Value, _ scope: Environment) throws -> [IndexSpec] {
        let dims = dimensions(container, indices.count)
        var specs: [IndexSpec] = []
        for (position, expr) in indices.enumerated() {
            let length = dims[position]
            if case .colon = expr.kind {
                specs.append(.many(Array(0..<length)))
                continue
            }
            indexBounds.append(length)
            defer { indexBounds.removeLast() }
            let value = try eval(expr, scope)
            specs.append(try indexSpec(value, length, container, expr.span))
        }
        return specs
    }

    /// One index value as positions, checked against the dimension's length.
    private func indexSpec(_ value: Value, _ length: Int, _ container: Value, _ span: SourceSpan) throws -> IndexSpec {
        func check(_ i: Int) throws -> Int {
            guard i >= 1, i <= length else {
                throw LangError("BoundsError: attempt to access \(describe(container)) at index [\(i)]", at: span,
                                hint: length == 0 ? "it is empty" : "valid indices are 1:\(length)")
            }
            return i - 1
        }
        // nt[:a] is nt.a, as in Julia.
        if case .namedTuple(let names, _) = container, case .symbol(let name) = value {
            guard let position = names.firstIndex(of: name) else {
                throw LangError("type NamedTuple has no field \(name)", at: span, hint: "its fields are " + names.joined(separator: ", "))
            }
            return .one(position)
        }
        switch value {
        case .int(let i): return .one(try check(i))
        case .range, .array, .list:
            let items = try elements(value, span)
            if items.allSatisfy({ if case .bool = $0 { return true } else { return false } }), !items.isEmpty {
                guard items.count == length else {
                    throw LangError("BoundsError: a mask of \(items.count) Bools for \(length) elements", at: span)
                }
                return .many(items.enumerated().compactMap { if case .bool(true) = $1 { return $0 } else { return nil } })
            }
            return .many(try items.map { item in
                guard case .int(let i) = item else {
                    throw LangError("ArgumentError: invalid index: \(item.repr) of type \(item.typeName)", at: span)
                }
                return try check(i)
            })
        case .tape:
            throw notDifferentiable("using a value being differentiated as an index", span,
                                    hint: "indices are integers; a differentiated value cannot choose one")
        case .float(let x):
            throw LangError("ArgumentError: invalid index: \(value.repr) of type Float64", at: span,
                            hint: x.rounded() == x ? "indices are integers: write \(Int(x)) or Int(x)" : "indices are integers")
        default:
            throw LangError("ArgumentError: invalid index: \(value.repr) of type \(value.typeName)", at: span)
        }
    }

    /// "3-element Vector{Float64}", "2×2 Matrix{Float64}", for messages.
    func describe(_ value: Value) -> String {
        if case .array(let array) = value, array.isMatrix { return "\(array.rows)×\(array.columns) \(value.typeName)" }
        switch value {
        case .array, .list, .range: return "\(count(value))-element \(value.typeName)"
        default: return value.typeName
        }
    }

    /// Storage offsets selected by `specs`, and the shape of the result (nil for one element).
    private func offsets(_ container: Value, _ specs: [IndexSpec]) -> (offsets: [Int], dims: [Int]?) {
        if case .array(let array) = container, array.isMatrix {
            return IndexSpec.selection(specs, rows: array.rows, columns: array.columns)
        }
        return IndexSpec.selection(specs, rows: nil, columns: 0)
    }

    /// `container[specs...]`.
    func index(_ container: Value, _ specs: [IndexSpec], _ span: SourceSpan) throws -> Value {
        if specs.isEmpty { throw LangError("indexing needs at least one index", at: span) }
        if case .engine(.solution(let object)) = container { return try indexSolution(object, specs, span) }
        if case .engine(.ensembleSolution(let object)) = container { return try index(object.u, specs, span) }
        if container.isTraced { return try tracedIndex(container, specs, span) }
        if case .tape(let t) = container { return try tapeIndex(t, specs, span) }
        let (offsets, shape) = offsets(container, specs)
        switch container {
        case .array(let array):
            guard let shape else { return array.element(offsets[0]) }
            return .array(NumericArray(offsets.map { array.storage[$0] }, shape: shape, isInteger: array.isInteger))
        case .range(let range):
            guard shape != nil else { return range.value(offsets[0]) }
            return .vector(offsets.map(range.value))
        case .list, .tuple, .namedTuple, .string:
            let items = try elements(container, span)
            guard shape != nil else { return items[offsets[0]] }
            let selected = offsets.map { items[$0] }
            if case .tuple = container { return .tuple(selected) }
            return .vector(selected)
        default:
            throw LangError("MethodError: no method matching getindex(::\(container.typeName))", at: span,
                            hint: "only vectors, matrices, ranges and tuples can be indexed")
        }
    }

    /// `container[specs...] = value`; a selection takes a scalar (filled) or as many values.
    func setIndex(_ container: Value, _ specs: [IndexSpec], _ value: Value, _ span: SourceSpan) throws {
        if case .tracedOutput(let output) = container { return try tracedSetIndex(output, specs, value, span) }
        if value.isTraced { throw unsupported("storing a traced value into an array other than du", span) }
        if value.isTape || container.isTape {
            throw notDifferentiable("storing into an array (setindex!)", span,
                                    hint: "arrays are not on the tape; build vectors with [a, b, ...] or vcat(...)")
        }
        let (offsets, shape) = offsets(container, specs)
        let source: [Value]
        if shape == nil || !isCollection(value) {
            source = Array(repeating: value, count: offsets.count)
        } else {
            source = try elementsRowMajor(value, span)
            guard source.count == offsets.count else {
                throw LangError("DimensionMismatch: tried to assign \(source.count) elements to \(offsets.count) destinations",
                                at: span)
            }
        }
        switch container {
        case .array(let array):
            for (offset, item) in zip(offsets, source) {
                guard let number = item.asDouble else {
                    throw LangError("MethodError: cannot convert a value of type \(item.typeName) to an element of \(container.typeName)",
                                    at: span)
                }
                if array.isInteger {
                    guard let integer = item.asInt else {
                        throw LangError("InexactError: Int64(\(item.repr))", at: span,
                                        hint: "the vector holds integers; create it with floats, e.g. [1.0, 2.0] or zeros(n)")
                    }
                    array.storage[offset] = Double(integer)
                } else {
                    array.storage[offset] = number
                }
            }
        case .list(let list):
            for (offset, item) in zip(offsets, source) { list.items[offset] = item }
        default:
            throw LangError("cannot assign into a \(container.typeName)", at: span,
                            hint: isCollection(container) || container.typeName.hasPrefix("Tuple") ? "use collect(x) for a mutable vector" : nil)
        }
    }

    /// Elements in storage order (row-major for matrices), for assignment.
    func elementsRowMajor(_ value: Value, _ span: SourceSpan) throws -> [Value] {
        if case .array(let array) = value { return (0..<array.storage.count).map(array.element) }
        return try elements(value, span)
    }
}
