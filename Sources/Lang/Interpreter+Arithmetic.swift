import Foundation

extension Interpreter {
    /// `-x`, `+x`, `!x`, `√x`, `∛x`.
    func unary(_ op: Operator, _ value: Value, _ span: SourceSpan) throws -> Value {
        if let traced = try tracedUnary(op, value, span) { return traced }
        if let taped = try tapeUnary(op, value, span) { return taped }
        switch (op, value) {
        case (.minus, .int(let x)): return .int(0 &- x)
        case (.minus, .float(let x)): return .float(-x)
        case (.minus, .bool(let x)): return .int(x ? -1 : 0)
        case (.plus, _) where value.isNumber: return value
        case (.plus, .complex): return value
        case (.minus, .complex(let z)):
            return .complex(ComplexNumber(re: -z.re, im: -z.im, element: max(z.element, .int)))
        case (.not, .bool(let x)): return .bool(!x)
        case (.sqrt, _) where value.asDouble != nil:
            let x = value.asDouble ?? 0
            if x < 0 {
                throw LangError("DomainError with \(Value.format(x)): sqrt was called with a negative real argument",
                                at: span, hint: "for a complex result, pass a complex number: sqrt(complex(x))")
            }
            return .float(x.squareRoot())
        case (.cbrt, _) where value.asDouble != nil: return .float(Interpreter.cbrt(value.asDouble ?? 0))
        case (.bitNot, .int(let x)): return .int(~x)
        case (.minus, .array(let array)):
            return .array(NumericArray(array.storage.map { -$0 }, shape: array.shape, isInteger: array.isInteger))
        case (.minus, .range(let range)):
            var negated = range
            negated.start = -range.start
            negated.step = -range.step
            negated.last = -range.last
            negated.rational = range.rational?.negated
            return .range(negated)
        case (.minus, .list), (.plus, .array), (.plus, .list):
            return try broadcast([value], span) { try self.unary(op, $0[0], span) }
        default:
            throw LangError("MethodError: no method matching \(op.rawValue)(::\(value.typeName))", at: span,
                            hint: isCollection(value) ? "use the dotted form .\(op.rawValue) to apply it elementwise" : nil)
        }
    }

    /// `a op b` without broadcasting: scalars, and array algebra where Julia defines it.
    func binary(_ op: Operator, _ left: Value, _ right: Value, _ span: SourceSpan) throws -> Value {
        if op == .isa {
            guard case .type(let type) = right else {
                throw LangError("TypeError: in isa, expected Type, got a value of type \(right.typeName)", at: span)
            }
            return .bool(isa(left, type))
        }
        if left.isComplex || right.isComplex, [left, right].contains(where: { $0.isTraced || $0.isTape }) {
            throw LangError("complex numbers are not differentiable: \(left.typeName) \(op.rawValue) \(right.typeName)", at: span,
                            hint: "gradient, jacobian and traced right-hand sides work on real numbers; carry real and imaginary parts separately")
        }
        if let traced = try tracedBinary(op, left, right, span) { return traced }
        if let taped = try tapeBinary(op, left, right, span) { return taped }
        if case .bool(let x) = left, case .bool(let y) = right {
            switch op {
            case .bitAnd: return .bool(x && y)
            case .bitOr: return .bool(x || y)
            case .xor: return .bool(x != y)
            default: break
            }
        }
        if op == .identical || op == .notIdentical { return .bool(identical(left, right) == (op == .identical)) }
        if let complex = try complexBinary(op, left, right, span) { return complex }
        if left.asDouble != nil, right.asDouble != nil { return try scalar(op, left, right, span) }
        switch op {
        case .equal: return .bool(left == right)
        case .notEqual: return .bool(left != right)
        case .identical: return .bool(identical(left, right))
        case .notIdentical: return .bool(!identical(left, right))
        case .in, .notIn:
            let found = try elements(right, span).contains { $0 == left }
            return .bool(op == .in ? found : !found)
        case .less, .lessEqual, .greater, .greaterEqual:
            if case .string(let a) = left, case .string(let b) = right {
                switch op {
                case .less: return .bool(a < b)
                case .lessEqual: return .bool(a <= b)
                case .greater: return .bool(a > b)
                default: return .bool(a >= b)
                }
            }
        case .times:
            if case .string(let a) = left, case .string(let b) = right { return .string(a + b) }
        case .power:
            // "ab"^3 repeats the string, as in Julia.
            if case .string(let a) = left, case .int(let n) = right {
                guard n >= 0 else { throw LangError("ArgumentError: can't repeat a string \(n) times", at: span) }
                return .string(String(repeating: a, count: n))
            }
        case .approx:
            if isCollection(left), isCollection(right) {
                let a = try numbers(left, span), b = try numbers(right, span)
                guard a.count == b.count else { return .bool(false) }
                let difference = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                let scale = max(a.map { $0 * $0 }.reduce(0, +).squareRoot(), b.map { $0 * $0 }.reduce(0, +).squareRoot())
                return .bool(difference <= 1.4901161193847656e-8 * scale)
            }
        default: break
        }
        return try LinearAlgebra.binary(op, left, right, span, self)
    }

    /// `===`: the same object for arrays, equal otherwise.
    func identical(_ left: Value, _ right: Value) -> Bool {
        switch (left, right) {
        case (.array(let a), .array(let b)): return a === b
        case (.list(let a), .list(let b)): return a === b
        case (.dict(let a), .dict(let b)): return a === b
        case (.object(let a), .object(let b)) where a.type.definition.isMutable: return a === b
        case (.int, .float), (.float, .int), (.bool, .int), (.int, .bool), (.bool, .float), (.float, .bool): return false
        default: return left == right
        }
    }

    /// Arithmetic and comparison of two numbers (Bools count as 0 and 1), with Julia's
    /// promotion: Int op Int stays Int (wrapping on overflow, as Julia does) except `/`.
    func scalar(_ op: Operator, _ left: Value, _ right: Value, _ span: SourceSpan) throws -> Value {
        if case .float = left {} else if case .float = right {} else if let a = left.asInt, let b = right.asInt {
            return try integer(op, a, b, span)
        }
        let a = left.asDouble ?? .nan, b = right.asDouble ?? .nan
        switch op {
        case .plus: return .float(a + b)
        case .minus: return .float(a - b)
        case .times, .dot: return .float(a * b)
        case .divide: return .float(a / b)
        case .leftDivide: return .float(b / a)
        case .power:
            if a < 0, b.rounded() != b {
                throw LangError("DomainError with \(Value.format(a)): exponentiation yielding a complex result requires a complex argument",
                                at: span, hint: "for a complex result, make the base complex: complex(x)^y")
            }
            return .float(Foundation.pow(a, b))
        case .integerDivide: return .float((a / b).rounded(.towardZero))
        case .remainder: return .float(a.truncatingRemainder(dividingBy: b))
        default: return try compare(op, a, b, span)
        }
    }

    private func integer(_ op: Operator, _ a: Int, _ b: Int, _ span: SourceSpan) throws -> Value {
        switch op {
        case .plus: return .int(a &+ b)
        case .minus: return .int(a &- b)
        case .times, .dot: return .int(a &* b)
        case .divide: return .float(Double(a) / Double(b))
        case .leftDivide: return .float(Double(b) / Double(a))
        case .power:
            if b < 0 {
                throw LangError("DomainError with \(b): cannot raise an integer to a negative power", at: span,
                                hint: "make the base a float: \(a).0^\(b)")
            }
            var result = 1, base = a, exponent = b
            while exponent > 0 {
                if exponent & 1 == 1 { result = result &* base }
                base = base &* base
                exponent >>= 1
            }
            return .int(result)
        case .integerDivide, .remainder:
            let (value, overflow) = op == .integerDivide ? a.dividedReportingOverflow(by: b) : a.remainderReportingOverflow(dividingBy: b)
            if b == 0 || overflow {
                throw LangError("DivideError: integer division error", at: span, hint: b == 0 ? "the divisor is zero" : nil)
            }
            return .int(value)
        case .bitAnd: return .int(a & b)
        case .bitOr: return .int(a | b)
        case .xor: return .int(a ^ b)
        case .shiftLeft: return .int(b >= 64 || b < 0 ? 0 : a << b)
        case .shiftRight: return .int(a >> min(max(b, 0), 63))
        case .shiftRightLogical: return .int(b >= 64 || b < 0 ? 0 : Int(bitPattern: UInt(bitPattern: a) >> UInt(b)))
        default: return try compare(op, Double(a), Double(b), span)
        }
    }

    private func compare(_ op: Operator, _ a: Double, _ b: Double, _ span: SourceSpan) throws -> Value {
        switch op {
        case .equal, .identical: return .bool(a == b)
        case .notEqual, .notIdentical: return .bool(a != b)
        case .less: return .bool(a < b)
        case .lessEqual: return .bool(a <= b)
        case .greater: return .bool(a > b)
        case .greaterEqual: return .bool(a >= b)
        case .approx: return .bool(a == b || Swift.abs(a - b) <= 1.4901161193847656e-8 * max(Swift.abs(a), Swift.abs(b)))
        default:
            throw LangError("operator \(op.rawValue) is not supported on numbers", at: span)
        }
    }

    /// The numbers in a collection or number.
    func numbers(_ value: Value, _ span: SourceSpan) throws -> [Double] {
        if case .array(let array) = value { return array.storage }
        if case .range(let range) = value { return range.elements }
        return try elements(value, span).map { item in
            guard let number = item.asDouble else {
                throw LangError("expected numbers, found \(item.typeName)", at: span)
            }
            return number
        }
    }

    /// The numbers of `value` in Julia's linear-index order: a matrix column by column.
    func columnMajorNumbers(_ value: Value, _ span: SourceSpan) throws -> [Double] {
        guard case .array(let array) = value, array.isMatrix else { return try numbers(value, span) }
        return (0..<array.storage.count).map { array.storage[($0 % array.rows) * array.columns + $0 / array.rows] }
    }

    /// `start:stop` and `start:step:stop`.
    func makeRange(_ start: Value, _ step: Value?, _ stop: Value, _ span: SourceSpan) throws -> Value {
        guard let a = start.asDouble, let b = stop.asDouble, let s = (step ?? .int(1)).asDouble else {
            throw LangError("ranges need numbers: \(start.typeName):\(stop.typeName)", at: span)
        }
        let isInteger = [start, stop, step ?? .int(1)].allSatisfy { if case .float = $0 { return false } else { return true } }
        if s == 0 { throw LangError("ArgumentError: step cannot be zero", at: span) }
        return .range(RangeValue(start: a, step: s, stop: b, isInteger: isInteger))
    }

    /// `x'`: a vector becomes a 1×n matrix, a 1×n matrix becomes a vector, a matrix is transposed.
    func transpose(_ value: Value, _ span: SourceSpan) throws -> Value {
        if value.isTraced { return try tracedTranspose(value, span) }
        if case .tape(let t) = value { return try taped(t.variable.transposed, span) }
        switch value {
        case .int, .float, .bool: return value
        case .range: return try transpose(try collect(value, span), span)
        case .array(let array):
            if !array.isMatrix { return .array(NumericArray(array.storage, shape: [1, array.rows], isInteger: array.isInteger)) }
            if array.rows == 1 { return .array(NumericArray(array.storage, shape: [array.columns], isInteger: array.isInteger)) }
            var storage = Array(repeating: 0.0, count: array.storage.count)
            for row in 0..<array.rows {
                for column in 0..<array.columns { storage[column * array.rows + row] = array.storage[row * array.columns + column] }
            }
            return .array(NumericArray(storage, shape: [array.columns, array.rows], isInteger: array.isInteger))
        default:
            throw LangError("MethodError: no method matching adjoint(::\(value.typeName))", at: span)
        }
    }

    /// A collection as a fresh vector (`collect`).
    func collect(_ value: Value, _ span: SourceSpan) throws -> Value {
        switch value {
        case .array(let array): return .array(array.copy())
        case .engine(.solution(let object)): return .array(object.matrix)
        // No 3-D arrays: an ensemble is a vector of its members' `Array(sol)` (n × m each),
        // indexed A[k][i, j] where Julia's n × m × N array is indexed A[i, j, k].
        case .engine(.ensembleSolution(let object)):
            return .list(ValueList(try elements(object.u, span).map { try convert("Array", [$0], span) }))
        case .range(let range):
            return .array(NumericArray(range.elements, shape: [range.count], isInteger: range.isInteger))
        default: return .vector(try elements(value, span))
        }
    }
}

extension Value: Equatable {
    /// Julia's `==`: numbers by value across Int and Float64, collections elementwise.
    public static func == (left: Value, right: Value) -> Bool {
        if let a = left.asDouble, let b = right.asDouble, left.isNumber || right.isNumber || left.typeName == right.typeName {
            return a == b
        }
        switch (left, right) {
        case (.string(let a), .string(let b)), (.symbol(let a), .symbol(let b)), (.type(let a), .type(let b)): return a == b
        case (.nothing, .nothing): return true
        case (.tuple(let a), .tuple(let b)): return a == b
        case (.pair(let a, let b), .pair(let c, let d)): return a == c && b == d
        case (.namedTuple(let n, let a), .namedTuple(let m, let b)): return n == m && a == b
        case (.function(let f), .function(let g)): return f === g
        case (.array(let a), .array(let b)): return a.shape == b.shape && a.storage == b.storage
        case (.complex, _), (_, .complex):
            guard let a = ComplexNumber(left), let b = ComplexNumber(right) else { return false }
            return a.re == b.re && a.im == b.im
        case (.dict(let a), .dict(let b)):
            // Julia's Dict ==: the same keys, each with an equal value; order does not matter.
            return a.count == b.count && zip(a.keys, a.values).allSatisfy { key, value in
                DictKey(key).flatMap(b.value(for:)).map { $0 == value } ?? false
            }
        case (.object(let a), .object(let b)):
            // Julia's default == is ===: identity for a mutable struct, equal fields otherwise.
            if a.type.definition.isMutable { return a === b }
            return a.type === b.type && a.values == b.values
        default: break
        }
        let sequences: [Value] = [left, right]
        let lists = sequences.map { value -> (shape: [Int], items: [Value])? in
            switch value {
            case .array(let array): return (array.shape, (0..<array.storage.count).map(array.element))
            case .list(let list): return ([list.items.count], list.items)
            case .range(let range): return ([range.count], (0..<range.count).map(range.value))
            default: return nil
            }
        }
        guard let a = lists[0], let b = lists[1] else { return false }
        return a.shape == b.shape && a.items == b.items
    }
}
