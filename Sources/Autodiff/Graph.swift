/// A named, shaped input of a graph.
public struct GraphInput: Hashable, Sendable {
    public let name: String
    public let shape: Shape
    public init(_ name: String, _ shape: Shape) {
        self.name = name
        self.shape = shape
    }
}

/// A differentiable program in static single assignment form.
///
/// Nodes are in topological order: a node's arguments come before it. Graphs are values:
/// transforms (`vjp`, `jvp`, `simplified`) return new graphs, so they compose, and the
/// VJP of a JVP is an ordinary graph. Build one with `GraphBuilder` or by tracing (`trace`).
public struct Graph: Hashable, Sendable, CustomStringConvertible {
    public let nodes: [Node]
    public let inputs: [GraphInput]
    /// The node ids of the input nodes, one per input (an unused input still has a node).
    public let inputNodes: [Int]
    public let outputs: [Int]

    public var outputShapes: [Shape] { outputs.map { nodes[$0].shape } }
    public var inputShapes: [Shape] { inputs.map(\.shape) }

    /// Marks the nodes that some output depends on.
    func liveNodes() -> [Bool] {
        var live = [Bool](repeating: false, count: nodes.count)
        for o in outputs { live[o] = true }
        for i in stride(from: nodes.count - 1, through: 0, by: -1) where live[i] {
            for a in nodes[i].args { live[a] = true }
        }
        return live
    }

    /// The number of nodes that outputs depend on.
    public var liveCount: Int { liveNodes().lazy.filter { $0 }.count }

    public var description: String {
        var s = "graph(" + inputs.map { "\($0.name): \($0.shape)" }.joined(separator: ", ") + ")\n"
        let live = liveNodes()
        for (i, n) in nodes.enumerated() where live[i] {
            var line = "  %\(i) = \(n.op.name)"
            if case .constant(let c) = n.op {
                line += c.values.count <= 4 ? " \(c.values)" : " [\(c.values.count) values]"
            }
            if !n.args.isEmpty { line += "(" + n.args.map { "%\($0)" }.joined(separator: ", ") + ")" }
            s += line + " : \(n.shape)\n"
        }
        s += "  return " + outputs.map { "%\($0)" }.joined(separator: ", ")
        return s
    }

    /// Evaluates the graph directly, op by op, with the reference semantics of each rule.
    /// Slow and allocating: for tests, constant folding and one-off evaluations. Compile for speed.
    public func evaluate(_ inputValues: [[Double]]) throws -> [[Double]] {
        guard inputValues.count == inputs.count else {
            throw AutodiffError(.invalidArgument, "evaluate: expected \(inputs.count) inputs, got \(inputValues.count)")
        }
        for (k, v) in inputValues.enumerated() where v.count != inputs[k].shape.count {
            throw AutodiffError(.shapeMismatch,
                                "evaluate: input '\(inputs[k].name)' has shape \(inputs[k].shape) but \(v.count) values were given")
        }
        let live = liveNodes()
        var values = [[Double]](repeating: [], count: nodes.count)
        for (i, n) in nodes.enumerated() where live[i] {
            if case .input(let k) = n.op {
                values[i] = inputValues[k]
            } else {
                values[i] = Graph.evaluate(n, args: n.args.map { values[$0] }, argShapes: n.args.map { nodes[$0].shape })
            }
        }
        return outputs.map { values[$0] }
    }

    /// Reference evaluation of one node from its arguments' values.
    static func evaluate(_ n: Node, args: [[Double]], argShapes: [Shape]) -> [Double] {
        switch n.op {
        case .input: return []  // unreachable: inputs are bound by the caller
        case .constant(let c): return c.values
        case .unary(let u): return args[0].map(u.apply)
        case .binary(let b):
            return broadcastMap(n.shape, args: args, shapes: argShapes) { b.apply($0[0], $0[1]) }
        case .select:
            return broadcastMap(n.shape, args: args, shapes: argShapes) { $0[0] != 0 ? $0[1] : $0[2] }
        case .sum: return [args[0].reduce(0, +)]
        case .dot: return [zip(args[0], args[1]).reduce(0) { $0 + $1.0 * $1.1 }]
        case .reduceTo: return reduceTo(args[0], from: argShapes[0], to: n.shape)
        case .broadcastTo: return broadcastMap(n.shape, args: args, shapes: argShapes) { $0[0] }
        case .matmul(let ta, let tb):
            return matmulReference(args[0], argShapes[0], ta, args[1], argShapes[1], tb)
        case .slice(let start): return Array(args[0][start..<(start + n.shape.count)])
        case .gather(let idx): return idx.values.map { args[0][$0] }
        case .scatterAdd(let lists):
            var out = [Double](repeating: 0, count: n.shape.count)
            for (k, list) in lists.lists.enumerated() {
                for (j, i) in list.enumerated() { out[i] += args[k][j] }
            }
            return out
        case .concat: return args.flatMap { $0 }
        case .reshape: return args[0]
        case .transpose:
            let s = argShapes[0]
            var out = [Double](repeating: 0, count: s.count)
            for i in 0..<s.rows { for j in 0..<s.cols { out[j * s.rows + i] = args[0][i * s.cols + j] } }
            return out
        }
    }

    /// The flat index into an argument of shape `s` that broadcasts to element `(i, j)`.
    @inline(__always)
    static func broadcastIndex(_ s: Shape, _ i: Int, _ j: Int) -> Int {
        (s.rows == 1 ? 0 : i) * s.cols + (s.cols == 1 ? 0 : j)
    }

    static func broadcastMap(_ out: Shape, args: [[Double]], shapes: [Shape], _ f: ([Double]) -> Double) -> [Double] {
        var result = [Double](); result.reserveCapacity(out.count)
        var xs = [Double](repeating: 0, count: args.count)
        for i in 0..<out.rows {
            for j in 0..<out.cols {
                for k in 0..<args.count { xs[k] = args[k][broadcastIndex(shapes[k], i, j)] }
                result.append(f(xs))
            }
        }
        return result
    }

    static func reduceTo(_ x: [Double], from s: Shape, to t: Shape) -> [Double] {
        var out = [Double](repeating: 0, count: t.count)
        for i in 0..<s.rows { for j in 0..<s.cols { out[broadcastIndex(t, i, j)] += x[i * s.cols + j] } }
        return out
    }
}
