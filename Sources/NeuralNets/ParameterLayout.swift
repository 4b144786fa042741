import Autodiff

/// Named views into one flat parameter vector (ComponentArray-like): physical parameters and
/// several networks live in one θ, and each part is found by its name.
public struct ParameterLayout: Sendable, CustomStringConvertible {
    public struct Entry: Sendable {
        public let name: String
        public let offset: Int
        public let shape: Shape
        public var range: Range<Int> { offset..<(offset + shape.count) }
    }

    public private(set) var entries: [Entry] = []
    public var count: Int { entries.last.map { $0.offset + $0.shape.count } ?? 0 }

    public init() {}

    /// Appends a named block and returns its range.
    @discardableResult
    public mutating func append(_ name: String, _ shape: Shape) -> Range<Int> {
        let e = Entry(name: name, offset: count, shape: shape)
        entries.append(e)
        return e.range
    }

    /// Appends another layout's blocks under a prefix (`prefix.name`).
    public mutating func append(_ other: ParameterLayout, prefix: String) {
        let base = count
        for e in other.entries {
            entries.append(Entry(name: prefix.isEmpty ? e.name : "\(prefix).\(e.name)", offset: base + e.offset, shape: e.shape))
        }
    }

    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The block called `name` of a flat vector, or nil.
    public func view(_ name: String, of theta: [Double]) -> ArraySlice<Double>? {
        guard let e = entry(name), e.range.upperBound <= theta.count else { return nil }
        return theta[e.range]
    }

    /// The block called `name` of a traced flat vector, in its shape (a view, not a copy).
    public func view(_ name: String, of theta: Sym) -> Sym? {
        guard let e = entry(name) else { return nil }
        return theta[e.range].reshaped(e.shape)
    }

    public var description: String {
        entries.map { "\($0.name): \($0.shape) at \($0.offset)" }.joined(separator: "\n")
    }
}
