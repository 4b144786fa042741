import Foundation

/// Array arithmetic without dots, where Julia defines it: `+`/`-` of equal shapes, scaling,
/// matrix products, `A \ b`, `A^n`, `dot`. Everything else asks for the dotted form.
enum LinearAlgebra {
    /// `left op right` for operands that are not both numbers.
    static func binary(_ op: Operator, _ left: Value, _ right: Value, _ span: SourceSpan,
                       _ interpreter: Interpreter) throws -> Value {
        let a = try numericArray(left, interpreter, span), b = try numericArray(right, interpreter, span)
        switch (op, a, b) {
        case (.plus, .some(let x), .some(let y)), (.minus, .some(let x), .some(let y)):
            guard x.shape == y.shape else {
                throw LangError("DimensionMismatch: dimensions must match: a has dims \(dims(x)), b has dims \(dims(y))",
                                at: span)
            }
            let storage = op == .plus ? zip(x.storage, y.storage).map(+) : zip(x.storage, y.storage).map(-)
            return .array(NumericArray(storage, shape: x.shape, isInteger: x.isInteger && y.isInteger))
        case (.times, .none, .some(let y)) where left.asDouble != nil:
            return try interpreter.broadcast([left, .array(y)], span) { try interpreter.scalar(.times, $0[0], $0[1], span) }
        case (.times, .some(let x), .none) where right.asDouble != nil,
             (.divide, .some(let x), .none) where right.asDouble != nil:
            return try interpreter.broadcast([.array(x), right], span) { try interpreter.scalar(op, $0[0], $0[1], span) }
        case (.times, .some(let x), .some(let y)):
            return try multiply(x, y, span)
        case (.dot, .some(let x), .some(let y)):
            guard x.storage.count == y.storage.count else {
                throw LangError("DimensionMismatch: dot product of lengths \(x.storage.count) and \(y.storage.count)", at: span)
            }
            return .float(zip(x.storage, y.storage).map(*).reduce(0, +))
        case (.leftDivide, .some(let x), .some(let y)):
            return try solve(x, y, span)
        case (.power, .some(let x), .none) where right.asInt != nil && x.isMatrix && x.rows == x.columns:
            let n = right.asInt ?? 0
            guard n >= 0 else { throw LangError("negative matrix powers are not supported", at: span) }
            var result = NumericArray((0..<x.rows * x.rows).map { $0 % (x.rows + 1) == 0 ? 1.0 : 0.0 }, shape: x.shape,
                                      isInteger: x.isInteger)
            for _ in 0..<n {
                guard case .array(let product) = try multiply(result, x, span) else { break }
                result = product
            }
            return .array(result)
        default:
            let dotted: Set<Operator> = [.plus, .minus, .times, .divide, .power, .less, .lessEqual, .greater, .greaterEqual]
            throw LangError("MethodError: no method matching \(op.rawValue)(::\(left.typeName), ::\(right.typeName))", at: span,
                            hint: dotted.contains(op) ? "use .\(op.rawValue) to apply \(op.rawValue) elementwise" : nil)
        }
    }

    /// Arrays and ranges as numeric arrays; nil for anything else.
    static func numericArray(_ value: Value, _ interpreter: Interpreter, _ span: SourceSpan) throws -> NumericArray? {
        switch value {
        case .array(let array): return array
        case .range, .list:
            if case .array(let array) = try interpreter.collect(value, span) { return array }
            return nil
        default: return nil
        }
    }

    static func dims(_ array: NumericArray) -> String {
        array.isMatrix ? "(\(array.rows), \(array.columns))" : "(\(array.rows),)"
    }

    /// Matrix–matrix and matrix–vector products; a 1×n row times a vector is a number (as `v'w`);
    /// a vector times a 1×m row is their outer product (`u * v'`), the vector being an n×1 matrix.
    static func multiply(_ x: NumericArray, _ y: NumericArray, _ span: SourceSpan) throws -> Value {
        if !x.isMatrix, y.isMatrix, y.rows == 1 {
            return try multiply(NumericArray(x.storage, shape: [x.storage.count, 1], isInteger: x.isInteger), y, span)
        }
        guard x.isMatrix else {
            throw LangError("MethodError: no method matching *(::\(Value.array(x).typeName), ::\(Value.array(y).typeName))",
                            at: span, hint: "use .* for elementwise products, or dot(u, v)")
        }
        let inner = x.columns
        guard inner == y.rows else {
            throw LangError("DimensionMismatch: matrix A has dimensions \(dims(x)), matrix B has dimensions \(dims(y))",
                            at: span)
        }
        let columns = y.columns
        var storage = Array(repeating: 0.0, count: x.rows * columns)
        for row in 0..<x.rows {
            for k in 0..<inner {
                let a = x.storage[row * inner + k]
                for column in 0..<columns { storage[row * columns + column] += a * y.storage[k * columns + column] }
            }
        }
        let isInteger = x.isInteger && y.isInteger
        if x.rows == 1 && !y.isMatrix { return isInteger ? .int(Int(storage[0])) : .float(storage[0]) }
        return .array(NumericArray(storage, shape: y.isMatrix ? [x.rows, columns] : [x.rows], isInteger: isInteger))
    }

    /// `A \ b` by Gaussian elimination with partial pivoting (square A).
    static func solve(_ a: NumericArray, _ b: NumericArray, _ span: SourceSpan) throws -> Value {
        let n = a.rows
        guard a.isMatrix, a.columns == n, b.rows == n else {
            throw LangError("DimensionMismatch: A \\ b needs a square A and b with as many rows", at: span)
        }
        let m = b.columns
        var lu = a.storage, x = b.storage
        for k in 0..<n {
            let pivot = (k..<n).max { Swift.abs(lu[$0 * n + k]) < Swift.abs(lu[$1 * n + k]) } ?? k
            guard lu[pivot * n + k] != 0 else { throw LangError("SingularException(\(k + 1))", at: span) }
            if pivot != k {
                for j in 0..<n { lu.swapAt(k * n + j, pivot * n + j) }
                for j in 0..<m { x.swapAt(k * m + j, pivot * m + j) }
            }
            for i in (k + 1)..<max(n, k + 1) {
                let factor = lu[i * n + k] / lu[k * n + k]
                for j in k..<n { lu[i * n + j] -= factor * lu[k * n + j] }
                for j in 0..<m { x[i * m + j] -= factor * x[k * m + j] }
            }
        }
        for k in stride(from: n - 1, through: 0, by: -1) {
            for j in 0..<m {
                var sum = x[k * m + j]
                for i in (k + 1)..<max(n, k + 1) { sum -= lu[k * n + i] * x[i * m + j] }
                x[k * m + j] = sum / lu[k * n + k]
            }
        }
        return .array(NumericArray(x, shape: b.shape))
    }
}
