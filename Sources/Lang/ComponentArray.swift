import Autodiff
import Foundation

/// The named blocks of a flat parameter vector, as ComponentArrays.jl's axes: in
/// `ComponentVector(θ = initial_params(U), α = 1.3)`, `θ` is entries 1–87 and `α` entry 88.
/// The vector stays one numeric vector (what `solve`, `gradient` and `train` work on); the
/// names only add `p.θ` and `p.α`, on numbers, traced values and tape values alike.
public struct ComponentAxes: Sendable, Equatable {
    /// One named block.
    public struct Block: Sendable, Equatable {
        public let name: String
        /// 0-based offsets into the vector.
        public let range: Range<Int>
        /// A number rather than a vector (`α = 1.3`).
        public let isScalar: Bool
    }

    public let blocks: [Block]

    /// The blocks' total length.
    var count: Int { blocks.last?.range.upperBound ?? 0 }

    /// `ComponentVector{Float64}(θ = [...], α = 1.3)`, each block shown by `show`.
    static func describe(_ array: NumericArray, _ show: (Value) -> String) -> String {
        let blocks = array.axes?.blocks ?? []
        let fields = blocks.map { block -> String in
            let value: Value = block.isScalar ? .float(array.storage[block.range.lowerBound]) : .floats(Array(array.storage[block.range]))
            return block.name + " = " + show(value)
        }
        return "ComponentVector{Float64}(" + fields.joined(separator: ", ") + ")"
    }
}

extension Value {
    /// The named blocks of a `ComponentVector` (numbers, traced or on a tape); nil otherwise.
    var componentAxes: ComponentAxes? {
        switch self {
        case .array(let array): return array.axes
        case .traced(let traced): return traced.axes
        case .tape(let t): return t.axes
        default: return nil
        }
    }
}

extension Interpreter {
    /// `ComponentVector(θ = ..., α = ...)` (also `ComponentArray`, and from a named tuple).
    static var componentBuiltins: [Builtin] {
        ["ComponentArray", "ComponentVector"].map { name in
            Builtin(name: name, signature: "\(name)(name = value, ...) or \(name)(namedtuple) or \(name)(vector)") { call in
                var fields = call.keywords
                // Lux.setup gives flat parameters here, so ComponentArray(p) of a vector is a copy of it.
                if call.arguments.count == 1, fields.isEmpty, case .array(let array) = call.arguments[0], !array.isMatrix {
                    let copy = array.copy()
                    return .array(copy)
                }
                if call.arguments.count == 1, case .namedTuple(let names, let values) = call.arguments[0], fields.isEmpty {
                    fields = Array(zip(names, values))
                } else {
                    try call.expect(0)
                }
                guard !fields.isEmpty else {
                    throw call.error("\(name) needs named blocks", hint: "for example \(name)(θ = initial_params(U), α = 1.3)")
                }
                var storage: [Double] = [], blocks: [ComponentAxes.Block] = []
                for (field, value) in fields {
                    let numbers: [Double]
                    if value.isNumber, let x = value.asDouble {
                        numbers = [x]
                    } else if value.componentAxes == nil, case .array(let array) = value, !array.isMatrix {
                        numbers = array.storage
                    } else if value.componentAxes == nil, case .range(let range) = value {
                        numbers = range.elements
                    } else {
                        throw call.error("\(name): \(field) must be a number or a vector of numbers, got \(value.typeName)")
                    }
                    blocks.append(.init(name: field, range: storage.count..<(storage.count + numbers.count), isScalar: value.isNumber))
                    storage += numbers
                }
                return .floats(storage, axes: ComponentAxes(blocks: blocks))
            }
        }
    }

    /// `p.name` on a `ComponentVector`: the block, as a number or a vector (traced or on a tape
    /// when `p` is).
    func componentField(_ value: Value, _ axes: ComponentAxes, _ name: String, _ span: SourceSpan) throws -> Value {
        guard let block = axes.blocks.first(where: { $0.name == name }) else {
            throw LangError("type ComponentVector has no field \(name)", at: span,
                            hint: "its fields are " + axes.blocks.map(\.name).joined(separator: ", "))
        }
        let r = block.range
        switch value {
        case .array(let array) where array.storage.count == axes.count:
            return block.isScalar ? .float(array.storage[r.lowerBound]) : .floats(Array(array.storage[r]))
        case .traced(let traced) where traced.sym.count == axes.count:
            return .traced(TracedValue(block.isScalar ? traced.sym[r.lowerBound] : traced.sym[r]))
        case .tape(let t) where t.variable.count == axes.count:
            return try taped(block.isScalar ? t.variable[r.lowerBound] : t.variable[r], span)
        default:
            throw LangError("\(value.typeName) with \(axes.count) named entries does not hold them", at: span)
        }
    }
}
