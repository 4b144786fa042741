import Autodiff

/// A network layer: it owns a block of the flat parameter vector and emits IR.
///
/// `apply(x, θ)` takes x as a vector (one sample) or an `in × batch` matrix (columns are
/// samples, as in Flux and Lux) and the layer's own traced parameters (nil when it has none),
/// and returns the output in the same form. Emitting IR, not computing, is what lets a network
/// sit inside a right-hand side and be compiled and differentiated with it.
public protocol Layer: Sendable {
    /// The layer's parameters, named relative to the layer.
    var layout: ParameterLayout { get }
    /// A short description (`Dense(2 => 50, tanh)`).
    var name: String { get }
    func apply(_ x: Sym, _ theta: Sym?) -> Sym
    /// Initial parameters in `layout` order.
    func initialParameters(_ rng: inout Xoshiro256StarStar) -> [Double]
}

extension Layer {
    public var parameterCount: Int { layout.count }

    /// Initial parameters from a seed (reproducible: a documented generator, never the system's).
    public func initialParameters(seed: UInt64 = 0) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        return initialParameters(&rng)
    }

    /// Traces the layer on an input of `inputShape` into a graph with inputs `x` and `θ`.
    public func graph(input inputShape: Shape) throws -> Graph {
        let count = parameterCount
        return try trace([GraphInput("x", inputShape), GraphInput("θ", .vector(max(count, 1)))]) { v in
            apply(v[0], count > 0 ? v[1][0..<count] : nil)
        }
    }
}

/// A fully connected layer y = σ.(W x .+ b), with W `out × in` stored row-major followed by b.
public struct Dense: Layer {
    public let inputSize: Int
    public let outputSize: Int
    public let activation: Activation
    public let hasBias: Bool
    public let weightInit: Initializer
    public let biasInit: Initializer

    public init(_ inputSize: Int, _ outputSize: Int, _ activation: Activation = .identity, bias: Bool = true,
                initWeight: Initializer = .glorotUniform, initBias: Initializer = .zeros) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        hasBias = bias
        weightInit = initWeight
        biasInit = initBias
    }

    public var layout: ParameterLayout {
        var l = ParameterLayout()
        l.append("weight", .matrix(outputSize, inputSize))
        if hasBias { l.append("bias", .vector(outputSize)) }
        return l
    }

    public var name: String { "Dense(\(inputSize) => \(outputSize)\(activation == .identity ? "" : ", \(activation.rawValue)"))" }

    public func apply(_ x: Sym, _ theta: Sym?) -> Sym {
        guard let theta else { return x }
        let w = theta[0..<(outputSize * inputSize)].reshaped(.matrix(outputSize, inputSize))
        var y = w * x
        if hasBias { y = y + theta[(outputSize * inputSize)..<(outputSize * inputSize + outputSize)] }
        return activation(y)
    }

    public func initialParameters(_ rng: inout Xoshiro256StarStar) -> [Double] {
        var p = weightInit.values(count: outputSize * inputSize, fanIn: inputSize, fanOut: outputSize, rng: &rng)
        if hasBias { p += biasInit.values(count: outputSize, fanIn: inputSize, fanOut: outputSize, rng: &rng) }
        return p
    }
}

/// A layer without parameters that applies a function (Flux's `Chain(x -> x.^3, ...)`).
public struct FunctionLayer: Layer, @unchecked Sendable {
    public let name: String
    let f: (Sym) -> Sym
    public init(_ name: String = "function", _ f: @escaping (Sym) -> Sym) {
        self.name = name
        self.f = f
    }
    public var layout: ParameterLayout { ParameterLayout() }
    public func apply(_ x: Sym, _ theta: Sym?) -> Sym { f(x) }
    public func initialParameters(_ rng: inout Xoshiro256StarStar) -> [Double] { [] }
}

/// Elementwise y = σ.(w .* x .+ b) (Lux's `Scale`).
public struct Scale: Layer {
    public let size: Int
    public let activation: Activation
    public let hasBias: Bool
    public init(_ size: Int, _ activation: Activation = .identity, bias: Bool = true) {
        self.size = size
        self.activation = activation
        hasBias = bias
    }
    public var layout: ParameterLayout {
        var l = ParameterLayout()
        l.append("weight", .vector(size))
        if hasBias { l.append("bias", .vector(size)) }
        return l
    }
    public var name: String { "Scale(\(size)\(activation == .identity ? "" : ", \(activation.rawValue)"))" }
    public func apply(_ x: Sym, _ theta: Sym?) -> Sym {
        guard let theta else { return x }
        var y = theta[0..<size] .* x
        if hasBias { y = y .+ theta[size..<(2 * size)] }
        return activation(y)
    }
    public func initialParameters(_ rng: inout Xoshiro256StarStar) -> [Double] {
        [Double](repeating: 1, count: size) + (hasBias ? [Double](repeating: 0, count: size) : [])
    }
}
