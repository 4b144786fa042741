/// A dynamic reverse-mode tape over `Double` arrays, for outer computations such as losses.
///
/// Every operation on a `Variable` runs at once on concrete numbers, so Swift control flow
/// may depend on them (`if loss.scalar > 1 { ... }`), and records one step of the computation:
/// ```swift
/// let tape = Tape()
/// let p = tape.variable(θ, .vector(13))
/// let loss = sum(abs2(tanh(p[0..<6].reshaped(.matrix(3, 2)) * x + p[6..<9]) - y))
/// let g = try tape.gradient(of: loss, wrt: [p])[0]
/// ```
/// The tape keeps no derivative rules of its own (one op, one place). Operations go through
/// the typed constructors of a `GraphBuilder`, so shape checks, simplifications and values
/// are the graph's own: each new node is evaluated by the op's reference evaluation.
/// `gradient` walks the recorded nodes backwards and runs each op's VJP rule
/// (`GraphBuilder.vjpRule`, the one `Graph.vjp` uses) in a scratch eager builder, where every
/// argument is a constant and so every rule folds to numbers.
///
/// Custom primitives extend the tape: `primitive(_:outputShapes:name:forward:pullback:)`
/// records a forward function with a hand-written pullback; a compiled program's VJP is one
/// (`call`), the ODE solver's adjoint another.
///
/// Variables and primitive outputs are the recorded graph's inputs, never constants: an
/// eager builder would fold them, losing which op made a value, and CSE would merge two
/// variables that happen to hold the same numbers.
///
/// Errors are values. Recording never throws, as with tracing: the first shape error is kept
/// in `error`, a zero placeholder of the expected shape stands in for the result, and
/// `gradient`, `pullback`, `primitive`, `call` and `check()` throw it. `primitive` and `call`
/// throw before running the forward function, so a solve never runs on a placeholder.
///
/// A tape is not thread-safe; make one per computation (per training iteration). Gradients
/// are numbers, not variables: differentiate twice by tracing and transforming a `Graph`.
///
/// References: A. Griewank and A. Walther, "Evaluating Derivatives: Principles and Techniques
/// of Algorithmic Differentiation", 2nd ed., SIAM, 2008 (ch. 3: reverse mode; ch. 6: taping
/// by operator overloading).
public final class Tape {
    /// The recorded computation. Variables and primitive outputs are its inputs.
    let builder = GraphBuilder(eager: true)
    /// The value of every node of `builder`, by node id.
    var values: [[Double]] = []
    /// For each input of `builder`: nil for a variable, else the primitive output it is.
    var inputOrigins: [PrimitiveOutput?] = []
    var primitives: [PrimitiveRecord] = []
    /// Compiled VJPs of the programs passed to `call(_:_:)` as plain `Program`s.
    var programCache: [ObjectIdentifier: DifferentiableProgram] = [:]

    /// A pullback: given the cotangent of each output (zeros for an output that received none),
    /// returns the cotangent of each input, or nil for an input that gets none (zero).
    public typealias Pullback = ([[Double]]) throws -> [[Double]?]

    public init() {}

    /// The first error met while recording, if any.
    public var error: AutodiffError? { builder.error }

    /// Throws the first error met while recording, if any.
    public func check() throws {
        if let error { throw error }
    }

    /// The number of recorded nodes (variables, constants, operations, primitive outputs).
    public var nodeCount: Int { builder.nodes.count }

    // MARK: - Leaves

    /// A new differentiable input holding `values` in `shape` (row-major).
    /// A count that does not match the shape is recorded as an error.
    public func variable(_ values: [Double], _ shape: Shape) -> Variable {
        guard values.count == shape.count else {
            return record { $0.fail(AutodiffError(.shapeMismatch, "variable: \(values.count) values for shape \(shape)"), shape) }
        }
        return Variable(self, leaf("x\(builder.inputs.count)", values, shape, origin: nil))
    }

    /// A new differentiable vector input.
    public func variable(_ values: [Double]) -> Variable { variable(values, .vector(values.count)) }

    /// A new differentiable scalar input.
    public func variable(_ value: Double) -> Variable { variable([value], .scalar) }

    /// A constant: no gradient flows into it.
    public func constant(_ values: [Double], _ shape: Shape) -> Variable {
        record { $0.constant(values, shape) }
    }

    /// A constant vector.
    public func constant(_ values: [Double]) -> Variable { constant(values, .vector(values.count)) }

    /// A constant scalar.
    public func constant(_ value: Double) -> Variable { constant([value], .scalar) }

    // MARK: - Custom primitives

    /// Records a custom differentiable operation from a forward function and its pullback.
    ///
    /// `forward` receives the inputs' values and returns one array per output, each with the
    /// count of its declared shape. `pullback` is called during `gradient`/`pullback` (at most
    /// once per call, and only when some output's cotangent reaches it) with the cotangent of
    /// every output and returns one cotangent per input (nil for zero). Its shape errors are
    /// thrown from `gradient`, naming the primitive.
    ///
    /// Throws the tape's recorded error before running `forward`, a variable from another tape,
    /// and outputs that do not match `outputShapes`.
    public func primitive(_ inputs: [Variable], outputShapes: [Shape], name: String = "primitive",
                          forward: ([[Double]]) throws -> [[Double]],
                          pullback: @escaping Pullback) throws -> [Variable] {
        try primitive(inputs, outputShapes: outputShapes, name: name) { x in (try forward(x), pullback) }
    }

    /// Records a custom differentiable operation given as a rule (ChainRules' `rrule`): `rule`
    /// returns the outputs and a pullback that may capture state from the forward pass (a
    /// factorisation, a saved trajectory, a checkpoint schedule).
    ///
    /// The contract is that of `primitive(_:outputShapes:name:forward:pullback:)`.
    public func primitive(_ inputs: [Variable], outputShapes: [Shape], name: String = "primitive",
                          rule: ([[Double]]) throws -> (outputs: [[Double]], pullback: Pullback)) throws -> [Variable] {
        try check()
        let ids = try inputs.enumerated().map { k, x -> Int in
            guard x.tape === self else {
                throw AutodiffError(.foreignValue, "primitive '\(name)': input \(k) is a variable of another tape")
            }
            return x.id
        }
        let (outputs, pullback) = try rule(ids.map { values[$0] })
        guard outputs.count == outputShapes.count else {
            throw AutodiffError(.invalidArgument,
                                "primitive '\(name)': forward returned \(outputs.count) outputs but \(outputShapes.count) shapes were declared")
        }
        for (k, (y, s)) in zip(outputs, outputShapes).enumerated() where y.count != s.count {
            throw AutodiffError(.shapeMismatch,
                                "primitive '\(name)': output \(k) has \(y.count) values but its declared shape is \(s)")
        }
        let p = primitives.count
        let outs = outputShapes.enumerated().map { k, s in
            leaf("\(name).\(k)", outputs[k], s, origin: PrimitiveOutput(primitive: p, output: k))
        }
        primitives.append(PrimitiveRecord(name: name, inputs: ids, outputs: outs, pullback: pullback))
        return outs.map { Variable(self, $0) }
    }

    // MARK: - Recording

    /// Runs a builder constructor and evaluates the nodes it added.
    func record(_ make: (GraphBuilder) -> Int) -> Variable {
        let id = make(builder)
        sync()
        return Variable(self, id)
    }

    /// Evaluates every node added since the last call, with each op's reference evaluation.
    func sync() {
        let nodes = builder.nodes
        guard values.count < nodes.count else { return }
        values.reserveCapacity(nodes.count)
        for i in values.count..<nodes.count {
            let n = nodes[i]
            switch n.op {
            case .constant(let c):
                values.append(c.values)
            case .input:
                // Unreachable: `leaf` stores an input's values as it adds the input.
                values.append([Double](repeating: 0, count: n.shape.count))
            default:
                values.append(Graph.evaluate(n, args: n.args.map { values[$0] }, argShapes: n.args.map { nodes[$0].shape }))
            }
        }
    }

    /// Adds an input node holding `v`: a variable (`origin == nil`) or a primitive's output.
    private func leaf(_ name: String, _ v: [Double], _ shape: Shape, origin: PrimitiveOutput?) -> Int {
        sync()
        let id = builder.input(name, shape)
        inputOrigins.append(origin)
        values.append(v)
        return id
    }

    /// Whether node `id` is a variable made by `variable`.
    func isVariable(_ id: Int) -> Bool {
        if case .input(let k) = builder.nodes[id].op { return inputOrigins[k] == nil }
        return false
    }
}

/// A value recorded on a `Tape`: a handle to one node, with its shape and numbers.
///
/// Operators and functions on variables (`Tape+Ops.swift`) mirror those of `Sym`: `+ - /`
/// broadcast, `*` is the matrix product for two arrays, `.+ .- .* ./` are elementwise (and `pow`: the standard library owns `.^`),
/// comparisons feed `ifelse`. Indexing is 0-based.
public struct Variable: CustomStringConvertible {
    /// The tape that recorded this value.
    public let tape: Tape
    /// The node id in the tape's recording.
    let id: Int

    init(_ tape: Tape, _ id: Int) {
        self.tape = tape
        self.id = id
    }

    /// The static shape, fixed when the value was recorded.
    public var shape: Shape { tape.builder.shape(id) }
    /// The number of elements.
    public var count: Int { shape.count }

    /// The numbers, row-major.
    public var values: [Double] { tape.values[id] }

    /// The value of a one-element variable (a loss); NaN when the variable has more elements.
    public var scalar: Double {
        let v = tape.values[id]
        return v.count == 1 ? v[0] : .nan
    }

    /// Whether this is a differentiable input made by `Tape.variable`, which `gradient` accepts in `wrt`.
    public var isVariable: Bool { tape.isVariable(id) }

    public var description: String {
        let v = values
        return "Variable(\(shape): " + (v.count <= 8 ? "\(v)" : "[\(v.count) values]") + ")"
    }
}

/// Which output of which primitive a recorded input node is.
struct PrimitiveOutput {
    let primitive: Int
    let output: Int
}

/// A recorded custom primitive: its input and output node ids and its pullback.
struct PrimitiveRecord {
    let name: String
    let inputs: [Int]
    /// Consecutive node ids, added together after the inputs.
    let outputs: [Int]
    let pullback: Tape.Pullback
}
