import Foundation

extension Interpreter {
    /// Julia's broadcasting: scalars repeat, a vector of length n runs along the rows of an
    /// n×m matrix, dimensions of length 1 stretch; anything else is a DimensionMismatch.
    func broadcast(_ arguments: [Value], _ span: SourceSpan, _ body: ([Value]) throws -> Value) throws -> Value {
        if arguments.contains(where: { $0.isTraced || $0.isTape }) {
            // Traced arrays are broadcast by the graph's elementwise nodes, in one call.
            tracingElementwise += 1
            defer { tracingElementwise -= 1 }
            return try body(arguments)
        }
        let shapes: [[Int]] = arguments.map { value in
            switch value {
            case .array(let array): return array.shape
            case .list(let list): return [list.items.count]
            case .range(let range): return [range.count]
            case .tuple(let items): return [items.count]
            default: return []
            }
        }
        let rank = shapes.map(\.count).max() ?? 0
        if rank == 0 { return try body(arguments) }
        var shape = Array(repeating: 1, count: rank)
        for argumentShape in shapes {
            for (axis, length) in argumentShape.enumerated() where length != 1 {
                if shape[axis] != 1 && shape[axis] != length {
                    let described = shapes.filter { !$0.isEmpty }.map { "(" + $0.map(String.init).joined(separator: ", ") + ")" }
                    throw LangError("DimensionMismatch: arrays could not be broadcast to a common size; got dimensions "
                                    + described.joined(separator: " and "), at: span)
                }
                shape[axis] = length
            }
        }
        let items: [[Value]?] = try arguments.map { value in
            switch value {
            case .array(let array): return (0..<array.storage.count).map(array.element)
            case .list, .range, .tuple: return try elements(value, span)
            default: return nil
            }
        }
        let rows = shape[0], columns = rank == 2 ? shape[1] : 1
        var results: [Value] = []
        results.reserveCapacity(rows * columns)
        var argumentsHere = arguments
        for row in 0..<rows {
            for column in 0..<columns {
                for (k, elements) in items.enumerated() {
                    guard let elements else { continue }
                    let argumentShape = shapes[k]
                    let r = argumentShape[0] == 1 ? 0 : row
                    let c = argumentShape.count == 2 && argumentShape[1] != 1 ? column : 0
                    let stride = argumentShape.count == 2 ? argumentShape[1] : 1
                    argumentsHere[k] = elements[r * stride + c]
                }
                results.append(try body(argumentsHere))
            }
        }
        if case .tuple = arguments.first(where: { if case .tuple = $0 { return true } else { return false } }),
           shapes.allSatisfy({ $0.count <= 1 }) {
            return .tuple(results)
        }
        if rank == 1 { return .vector(results) }
        guard results.allSatisfy(\.isNumber) else {
            if results.allSatisfy({ if case .bool = $0 { return true } else { return false } }) {
                return .list(ValueList(results))
            }
            throw LangError("broadcasting over a matrix must give numbers", at: span)
        }
        let isInteger = results.allSatisfy { if case .int = $0 { return true } else { return false } }
        return .array(NumericArray(results.compactMap(\.asDouble), shape: shape, isInteger: isInteger))
    }

    /// `[a b; c d]`: each row concatenated horizontally, then the rows vertically.
    func concatenate(_ rows: [[Expr]], _ span: SourceSpan, _ scope: Environment) throws -> Value {
        var blocks: [NumericArray] = []
        var allVectors = true
        var anyRowWide = false
        for row in rows {
            anyRowWide = anyRowWide || row.count > 1
            var pieces: [NumericArray] = []
            for expr in row {
                let value = try eval(expr, scope)
                let piece: NumericArray
                switch value {
                case .int, .float, .bool:
                    if case .bool = value { throw LangError("concatenating Bools is not supported", at: expr.span) }
                    piece = NumericArray([value.asDouble ?? 0], shape: [1, 1], isInteger: !value.isFloat)
                case .array, .range, .list:
                    guard let array = try LinearAlgebra.numericArray(value, self, expr.span) else {
                        throw LangError("cannot concatenate \(value.typeName)", at: expr.span)
                    }
                    if array.isMatrix { allVectors = false }
                    piece = array.isMatrix ? array : NumericArray(array.storage, shape: [array.rows, 1], isInteger: array.isInteger)
                default:
                    throw LangError("cannot concatenate \(value.typeName)", at: expr.span)
                }
                pieces.append(piece)
            }
            guard let rowsHere = pieces.first?.rows else { continue }
            for piece in pieces where piece.rows != rowsHere {
                throw LangError("DimensionMismatch: number of rows of each array must match (got \(rowsHere) and \(piece.rows))",
                                at: span)
            }
            let columns = pieces.reduce(0) { $0 + $1.columns }
            var storage: [Double] = []
            for r in 0..<rowsHere {
                for piece in pieces { storage += piece.storage[r * piece.columns..<(r + 1) * piece.columns] }
            }
            blocks.append(NumericArray(storage, shape: [rowsHere, columns], isInteger: pieces.allSatisfy(\.isInteger)))
        }
        guard let columns = blocks.first?.columns else { return .array(NumericArray(vector: [])) }
        for block in blocks where block.columns != columns {
            throw LangError("DimensionMismatch: number of columns of each array must match (got \(columns) and \(block.columns))",
                            at: span)
        }
        let storage = blocks.flatMap(\.storage)
        let rowsTotal = blocks.reduce(0) { $0 + $1.rows }
        let isInteger = blocks.allSatisfy(\.isInteger)
        if !anyRowWide && allVectors && columns == 1 {
            return .array(NumericArray(storage, shape: [rowsTotal], isInteger: isInteger))
        }
        return .array(NumericArray(storage, shape: [rowsTotal, columns], isInteger: isInteger))
    }
}
