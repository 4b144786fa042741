import Foundation

/// A `Dict` key under Julia's `isequal`: `1` and `1.0` are the same key, `NaN` equals itself,
/// `0.0` and `-0.0` differ.
enum DictKey: Hashable {
    case number(UInt64)
    case complex(UInt64, UInt64)
    case string(String)
    case symbol(String)
    case nothing
    case tuple([DictKey])

    /// The key of `value`; nil for values that cannot be keys here (arrays, functions, ...).
    init?(_ value: Value) {
        func bits(_ x: Double) -> UInt64 { x.isNaN ? Double.nan.bitPattern : x.bitPattern }
        switch value {
        case .int, .float, .bool: self = .number(bits(value.asDouble ?? .nan))
        case .complex(let z): self = z.im == 0 ? .number(bits(z.re)) : .complex(bits(z.re), bits(z.im))
        case .string(let text): self = .string(text)
        case .symbol(let name): self = .symbol(name)
        case .nothing: self = .nothing
        case .tuple(let items):
            var keys: [DictKey] = []
            for item in items {
                guard let key = DictKey(item) else { return nil }
                keys.append(key)
            }
            self = .tuple(keys)
        default: return nil
        }
    }
}

/// Julia's `Dict{K, V}`, a reference as arrays are. Entries keep insertion order (Julia's
/// order follows the hash table, so it differs; code should not rely on either).
public final class DictValue {
    /// The declared key and value types (`Any` when mixed).
    var keyType: String
    var valueType: String
    /// The entries in insertion order; `index` maps each key to its position.
    private(set) var keys: [Value] = []
    private(set) var values: [Value] = []
    private var index: [DictKey: Int] = [:]

    init(keyType: String, valueType: String) {
        self.keyType = keyType
        self.valueType = valueType
    }

    /// Number of entries.
    var count: Int { keys.count }

    /// The value stored under `key`, if any.
    func value(for key: DictKey) -> Value? { index[key].map { values[$0] } }

    /// Stores `value` under `key` (the first spelling of the key is kept, as Julia does).
    func set(_ key: DictKey, _ keyValue: Value, _ value: Value) {
        if let position = index[key] {
            values[position] = value
        } else {
            index[key] = keys.count
            keys.append(keyValue)
            values.append(value)
        }
    }

    /// Removes `key`; returns its value.
    @discardableResult
    func remove(_ key: DictKey) -> Value? {
        guard let position = index.removeValue(forKey: key) else { return nil }
        keys.remove(at: position)
        let removed = values.remove(at: position)
        for (k, p) in index where p > position { index[k] = p - 1 }
        return removed
    }

    /// Removes every entry.
    func removeAll() {
        keys = []
        values = []
        index = [:]
    }

    /// A copy that shares nothing with `self` (the values themselves are shared, as `copy`).
    func copy() -> DictValue {
        let result = DictValue(keyType: keyType, valueType: valueType)
        result.keys = keys
        result.values = values
        result.index = index
        return result
    }

    /// The entries as `key => value` pairs, in order.
    var pairs: [Value] { zip(keys, values).map { .pair($0, $1) } }

    /// `Dict{String, Int64}`.
    var typeName: String { "Dict{\(keyType), \(valueType)}" }
}
