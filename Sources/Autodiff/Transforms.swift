// Graph -> Graph transforms: reverse mode (vjp), forward mode (jvp) and dead-code elimination.
// Each is an ordinary graph, so they compose: `g.jvp().vjp()` gives Hessian-vector products.

extension Graph {
    /// Which nodes depend on the given inputs.
    func activity(_ wrt: [Int]) -> [Bool] {
        var active = [Bool](repeating: false, count: nodes.count)
        for k in wrt { active[inputNodes[k]] = true }
        for (i, n) in nodes.enumerated() where !active[i] {
            active[i] = n.args.contains { active[$0] }
        }
        return active
    }

    /// The same computation with only the nodes the outputs need, re-simplified.
    public func simplified() -> Graph {
        let b = GraphBuilder()
        let ins = inputs.map { b.input($0.name, $0.shape) }
        let map = b.inline(self, inputs: ins)
        // A graph that built once rebuilds without error.
        return (try? b.build(outputs: outputs.map { map[$0] })) ?? self
    }

    /// Reverse mode. The result takes this graph's inputs followed by one cotangent per
    /// output (named `"ȳ0"`, `"ȳ1"`, ...), and returns ∂⟨ȳ, y⟩/∂x for each input in `wrt`
    /// (all inputs by default), preceded by the original outputs when `includeOutputs` is set.
    public func vjp(wrt: [Int]? = nil, includeOutputs: Bool = false) throws -> Graph {
        let wrt = wrt ?? Array(inputs.indices)
        try checkInputIndices(wrt, "vjp")
        let b = GraphBuilder()
        let ins = inputs.map { b.input($0.name, $0.shape) }
        let cts = outputs.enumerated().map { k, o in b.input("ȳ\(k)", nodes[o].shape) }
        let map = b.inline(self, inputs: ins)
        let active = activity(wrt)
        let live = liveNodes()

        var contributions = [[Contribution]](repeating: [], count: nodes.count)
        for (k, o) in outputs.enumerated() where active[o] { contributions[o].append(.dense(cts[k])) }

        for i in stride(from: nodes.count - 1, through: 0, by: -1) where live[i] && active[i] {
            let n = nodes[i]
            if n.args.isEmpty || contributions[i].isEmpty { continue }
            let g = b.combine(contributions[i], n.shape)
            contributions[i] = []
            let parts = b.vjpRule(n, x: n.args.map { map[$0] }, y: map[i], g: g,
                                  wanted: n.args.map { active[$0] })
            for (a, c) in zip(n.args, parts) where active[a] {
                if let c { contributions[a].append(c) }
            }
        }
        var outs = includeOutputs ? outputs.map { map[$0] } : []
        for k in wrt {
            let node = inputNodes[k]
            outs.append(contributions[node].isEmpty ? b.zeros(inputs[k].shape)
                                                    : b.combine(contributions[node], inputs[k].shape))
        }
        return try b.build(outputs: outs)
    }

    /// Forward mode. The result takes this graph's inputs followed by one tangent per input in
    /// `wrt` (named `"d" + name`), and returns the tangent of each output, preceded by the
    /// original outputs when `includeOutputs` is set.
    public func jvp(wrt: [Int]? = nil, includeOutputs: Bool = false) throws -> Graph {
        let wrt = wrt ?? Array(inputs.indices)
        try checkInputIndices(wrt, "jvp")
        let b = GraphBuilder()
        let ins = inputs.map { b.input($0.name, $0.shape) }
        var tangents = [Int?](repeating: nil, count: nodes.count)
        for k in wrt { tangents[inputNodes[k]] = b.input("d" + inputs[k].name, inputs[k].shape) }
        let live = liveNodes()
        var map = [Int](repeating: -1, count: nodes.count)
        for (i, n) in nodes.enumerated() {
            if case .input(let k) = n.op { map[i] = ins[k]; continue }
            guard live[i] else { continue }
            let x = n.args.map { map[$0] }
            map[i] = b.add(n.op, x, n.shape)
            let dx = n.args.map { tangents[$0] }
            if dx.contains(where: { $0 != nil }) {
                tangents[i] = b.jvpRule(n, x: x, y: map[i], dx: dx)
            }
        }
        var outs = includeOutputs ? outputs.map { map[$0] } : []
        for o in outputs { outs.append(tangents[o] ?? b.zeros(nodes[o].shape)) }
        return try b.build(outputs: outs)
    }

    func checkInputIndices(_ wrt: [Int], _ what: String) throws {
        if let bad = wrt.first(where: { $0 < 0 || $0 >= inputs.count }) {
            throw AutodiffError(.invalidArgument, "\(what): no input \(bad); the graph has \(inputs.count)")
        }
    }
}

extension GraphBuilder {
    func vjpRule(_ n: Node, x: [Int], y: Int, g: Int, wanted: [Bool]) -> [Contribution?] {
        switch n.op {
        case .unary, .binary, .select:
            return vjpElementwise(n, x: x, y: y, g: g, wanted: wanted).map { $0.map(Contribution.dense) }
        case .sum, .dot, .reduceTo, .broadcastTo:
            return vjpReduction(n, x: x, y: y, g: g, wanted: wanted).map { $0.map(Contribution.dense) }
        case .matmul:
            return vjpLinearAlgebra(n, x: x, y: y, g: g, wanted: wanted).map { $0.map(Contribution.dense) }
        case .slice, .gather, .scatterAdd, .concat, .reshape, .transpose:
            return vjpStructural(n, x: x, y: y, g: g, wanted: wanted)
        case .input, .constant:
            return []
        }
    }

    func jvpRule(_ n: Node, x: [Int], y: Int, dx: [Int?]) -> Int? {
        switch n.op {
        case .unary, .binary, .select: return jvpElementwise(n, x: x, y: y, dx: dx)
        case .sum, .dot, .reduceTo, .broadcastTo: return jvpReduction(n, x: x, y: y, dx: dx)
        case .matmul: return jvpLinearAlgebra(n, x: x, y: y, dx: dx)
        case .slice, .gather, .scatterAdd, .concat, .reshape, .transpose: return jvpStructural(n, x: x, y: y, dx: dx)
        case .input, .constant: return nil
        }
    }

    /// The sum of cotangent contributions, as one node of `shape`. Scattered pieces become
    /// one `scatterAdd` (a plain concatenation when they tile the value).
    func combine(_ parts: [Contribution], _ shape: Shape) -> Int {
        var dense: Int? = nil
        var values: [Int] = [], lists: [[Int]] = []
        for p in parts {
            switch p {
            case .dense(let d):
                let d = reshape(d, shape)
                dense = dense.map { binary(.add, $0, d) } ?? d
            case .scattered(let idx, let v):
                values.append(v); lists.append(idx)
            }
        }
        if !values.isEmpty {
            // Sort pieces by first index so that tiling pieces are recognised as a concatenation.
            let order = lists.indices.sorted { (lists[$0].first ?? 0) < (lists[$1].first ?? 0) }
            let s = scatterAdd(order.map { values[$0] }, order.map { lists[$0] }, shape: shape)
            dense = dense.map { binary(.add, $0, s) } ?? s
        }
        return dense ?? zeros(shape)
    }
}
