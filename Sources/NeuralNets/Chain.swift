import Autodiff

/// Layers applied in sequence, their parameters one after another (`layer_1.weight`, ...).
public struct Chain: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }
    public init(_ layers: any Layer...) { self.layers = layers }

    public var layout: ParameterLayout {
        var l = ParameterLayout()
        for (i, layer) in layers.enumerated() { l.append(layer.layout, prefix: "layer_\(i + 1)") }
        return l
    }

    public var name: String { "Chain(" + layers.map(\.name).joined(separator: ", ") + ")" }

    public func apply(_ x: Sym, _ theta: Sym?) -> Sym {
        var y = x
        var offset = 0
        for layer in layers {
            let count = layer.parameterCount
            let part = (count > 0 ? theta : nil).map { $0[offset..<(offset + count)] }
            y = layer.apply(y, part)
            offset += count
        }
        return y
    }

    public func initialParameters(_ rng: inout Xoshiro256StarStar) -> [Double] {
        layers.flatMap { $0.initialParameters(&rng) }
    }
}

/// `connection(layer(x), x)`: a residual block by default (`+`).
public struct SkipConnection: Layer, @unchecked Sendable {
    public let layer: any Layer
    let connection: (Sym, Sym) -> Sym
    public init(_ layer: any Layer, connection: @escaping (Sym, Sym) -> Sym = { $0 + $1 }) {
        self.layer = layer
        self.connection = connection
    }
    public var layout: ParameterLayout { layer.layout }
    public var name: String { "SkipConnection(\(layer.name))" }
    public func apply(_ x: Sym, _ theta: Sym?) -> Sym { connection(layer.apply(x, theta), x) }
    public func initialParameters(_ rng: inout Xoshiro256StarStar) -> [Double] { layer.initialParameters(&rng) }
}

/// Several layers on the same input, their outputs combined by `connection` (default: sum).
public struct Parallel: Layer, @unchecked Sendable {
    public let layers: [any Layer]
    let connection: ([Sym]) -> Sym
    public init(_ layers: [any Layer], connection: @escaping ([Sym]) -> Sym = { $0.dropFirst().reduce($0[0], +) }) {
        self.layers = layers
        self.connection = connection
    }
    public var layout: ParameterLayout {
        var l = ParameterLayout()
        for (i, layer) in layers.enumerated() { l.append(layer.layout, prefix: "layer_\(i + 1)") }
        return l
    }
    public var name: String { "Parallel(" + layers.map(\.name).joined(separator: ", ") + ")" }
    public func apply(_ x: Sym, _ theta: Sym?) -> Sym {
        var offset = 0
        let outputs = layers.map { layer -> Sym in
            let count = layer.parameterCount
            defer { offset += count }
            return layer.apply(x, (count > 0 ? theta : nil).map { $0[offset..<(offset + count)] })
        }
        return outputs.isEmpty ? x : connection(outputs)
    }
    public func initialParameters(_ rng: inout Xoshiro256StarStar) -> [Double] {
        layers.flatMap { $0.initialParameters(&rng) }
    }
}
