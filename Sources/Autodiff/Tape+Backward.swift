// The reverse sweep of the tape: gradients of scalar outputs, pullbacks of vector outputs,
// and the one-call `gradient(at:of:)`.

extension Tape {
    /// The gradient of a scalar `output` with respect to each variable in `wrt` (seed 1).
    ///
    /// Throws the first error recorded on the tape, an output with more than one element, a
    /// `wrt` entry that is not a variable of this tape (see `Variable.isVariable`), and errors
    /// of custom pullbacks. A variable the output does not depend on gets zeros.
    public func gradient(of output: Variable, wrt: [Variable]) throws -> [[Double]] {
        try check()
        guard output.count == 1 else {
            throw AutodiffError(.shapeMismatch,
                                "gradient: the output must be a scalar, but it has shape \(output.shape); " +
                                "reduce it first (sum, mean, norm2) or use pullback(of:cotangents:wrt:)")
        }
        return try pullback(of: [output], cotangents: [[1]], wrt: wrt)
    }

    /// The vector-Jacobian product: ∂⟨ȳ, y⟩/∂x for each variable x in `wrt`, where y are
    /// `outputs` and ȳ their `cotangents` (one array per output, of its count).
    ///
    /// Throws as `gradient(of:wrt:)` does, and on cotangents that do not match the outputs.
    public func pullback(of outputs: [Variable], cotangents: [[Double]], wrt: [Variable]) throws -> [[Double]] {
        try check()
        guard outputs.count == cotangents.count else {
            throw AutodiffError(.invalidArgument, "pullback: \(outputs.count) outputs but \(cotangents.count) cotangents")
        }
        for (k, (y, c)) in zip(outputs, cotangents).enumerated() {
            guard y.tape === self else {
                throw AutodiffError(.foreignValue, "pullback: output \(k) was recorded on another tape")
            }
            guard y.count == c.count else {
                throw AutodiffError(.shapeMismatch,
                                    "pullback: cotangent \(k) has \(c.count) values but output \(k) has shape \(y.shape)")
            }
        }
        for (k, x) in wrt.enumerated() {
            guard x.tape === self else {
                throw AutodiffError(.foreignValue, "gradient: wrt[\(k)] is a variable of another tape")
            }
            guard x.isVariable else {
                throw AutodiffError(.invalidArgument,
                                    "gradient: wrt[\(k)] (\(x.shape)) is not a variable made by tape.variable; " +
                                    "only variables can be differentiated with respect to")
            }
        }
        return try backward(seeds: zip(outputs, cotangents).map { ($0.id, $1) }, wrt: wrt.map(\.id))
    }

    /// Which nodes depend on the `wrt` nodes. A primitive's outputs depend on its inputs.
    func activity(from wrt: [Int], _ nodes: [Node]) -> [Bool] {
        var active = [Bool](repeating: false, count: nodes.count)
        for w in wrt { active[w] = true }
        for (i, n) in nodes.enumerated() where !active[i] {
            if case .input(let k) = n.op {
                if let o = inputOrigins[k] { active[i] = primitives[o.primitive].inputs.contains { active[$0] } }
            } else {
                active[i] = n.args.contains { active[$0] }
            }
        }
        return active
    }

    /// The reverse sweep. Cotangent contributions are collected per node, as in `Graph.vjp`,
    /// but in an eager builder `s` whose every node is a constant: the recorded values enter
    /// it as constants, so each VJP rule evaluates instead of building a graph. Only nodes
    /// that depend on `wrt` are visited.
    func backward(seeds: [(Int, [Double])], wrt: [Int]) throws -> [[Double]] {
        let nodes = builder.nodes
        let active = activity(from: wrt, nodes)
        let s = GraphBuilder(eager: true)
        var mirror = [Int](repeating: -1, count: nodes.count)
        func value(_ i: Int) -> Int {
            if mirror[i] < 0 { mirror[i] = s.constant(values[i], nodes[i].shape) }
            return mirror[i]
        }

        var contributions = [[Contribution]](repeating: [], count: nodes.count)
        for (o, c) in seeds where active[o] { contributions[o].append(.dense(s.constant(c, nodes[o].shape))) }
        let top = seeds.map(\.0).max() ?? -1

        for i in stride(from: top, through: 0, by: -1) where active[i] {
            let n = nodes[i]
            if case .input(let k) = n.op {
                // A primitive is pulled back at its first output: its outputs are consecutive
                // nodes, so by then every use of every output has been visited.
                if let o = inputOrigins[k], o.output == 0 {
                    try pullBack(primitives[o.primitive], s, &contributions, active)
                }
                continue
            }
            if contributions[i].isEmpty || n.args.isEmpty { continue }
            let g = s.combine(contributions[i], n.shape)
            contributions[i] = []
            let x = n.args.map(value)
            let parts = s.vjpRule(Node(op: n.op, args: x, shape: n.shape), x: x, y: value(i), g: g,
                                  wanted: n.args.map { active[$0] })
            for (a, c) in zip(n.args, parts) where active[a] {
                if let c { contributions[a].append(c) }
            }
        }

        let results = wrt.map { w in
            contributions[w].isEmpty ? s.zeros(nodes[w].shape) : s.combine(contributions[w], nodes[w].shape)
        }
        if let e = s.error { throw e }
        return try results.map { id in
            guard let v = s.constantValues(id) else {
                throw AutodiffError(.invalidArgument, "gradient: internal error: a cotangent did not evaluate to numbers")
            }
            return v
        }
    }

    /// Calls a primitive's pullback with its outputs' cotangents and adds what it returns to
    /// its inputs' contributions. Does nothing when no cotangent reached any output.
    private func pullBack(_ p: PrimitiveRecord, _ s: GraphBuilder, _ contributions: inout [[Contribution]],
                          _ active: [Bool]) throws {
        let nodes = builder.nodes
        guard p.outputs.contains(where: { !contributions[$0].isEmpty }) else { return }
        let cts = try p.outputs.map { o -> [Double] in
            let shape = nodes[o].shape
            if contributions[o].isEmpty { return [Double](repeating: 0, count: shape.count) }
            let id = s.combine(contributions[o], shape)
            contributions[o] = []
            guard let v = s.constantValues(id) else {
                throw AutodiffError(.invalidArgument, "primitive '\(p.name)': internal error: a cotangent did not evaluate to numbers")
            }
            return v
        }
        let grads = try p.pullback(cts)
        guard grads.count == p.inputs.count else {
            throw AutodiffError(.invalidArgument,
                                "primitive '\(p.name)': the pullback returned \(grads.count) cotangents for \(p.inputs.count) inputs")
        }
        for (k, (a, g)) in zip(p.inputs, grads).enumerated() {
            guard let g else { continue }
            let shape = nodes[a].shape
            guard g.count == shape.count else {
                throw AutodiffError(.shapeMismatch,
                                    "primitive '\(p.name)': the pullback's cotangent for input \(k) has \(g.count) values but the input has shape \(shape)")
            }
            if active[a] { contributions[a].append(.dense(s.constant(g, shape))) }
        }
    }
}

/// The value and gradient of a scalar function of arrays, on a fresh tape (Zygote's
/// `withgradient`): one gradient per argument.
///
/// Argument `k` is `x[k]` in `shapes[k]` (a vector by default). Throws the errors of
/// `Tape.gradient(of:wrt:)`, of `f`, and a `shapes` list of the wrong length.
public func gradient(at x: [[Double]], shapes: [Shape]? = nil,
                     of f: ([Variable]) throws -> Variable) throws -> (value: Double, gradient: [[Double]]) {
    if let shapes, shapes.count != x.count {
        throw AutodiffError(.invalidArgument, "gradient: \(x.count) arguments but \(shapes.count) shapes")
    }
    let tape = Tape()
    let args = x.enumerated().map { k, v in tape.variable(v, shapes?[k] ?? .vector(v.count)) }
    let y = try f(args)
    guard y.tape === tape else {
        throw AutodiffError(.foreignValue, "gradient: the function returned a value recorded on another tape")
    }
    let g = try tape.gradient(of: y, wrt: args)
    return (y.scalar, g)
}
