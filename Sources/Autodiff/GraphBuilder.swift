/// Builds graphs node by node, simplifying as it goes.
///
/// Every node passes through `add`, which folds constants, applies algebraic identities
/// (`x + 0`, `x * 1`, `-(-x)`, reshapes of reshapes, slices of concatenations, ...) and
/// merges common subexpressions, so transforms can emit naive rules and still produce
/// small graphs. Shape errors do not throw at the call site: the first one is recorded,
/// a placeholder of the expected shape stands in, and `build` throws it. That keeps
/// operator-overloaded tracing free of `try`.
public final class GraphBuilder {
    public private(set) var nodes: [Node] = []
    public private(set) var inputs: [GraphInput] = []
    public private(set) var inputNodes: [Int] = []
    /// The first error met while building, if any.
    public private(set) var error: AutodiffError?
    private var cse: [Node: Int] = [:]

    /// Constants with at most this many elements are folded at build time.
    static let foldLimit = 4096

    /// When set, every node whose arguments are constants is evaluated at once, whatever its
    /// size: the builder becomes an eager evaluator. The dynamic tape uses this to run the
    /// same derivative rules as the graph transforms on concrete values.
    public let isEager: Bool

    /// When set, a product with a constant zero is zero whatever the other factor (even an
    /// infinity or NaN), as with the symbolic zero tangents of forward mode. Use it for graphs
    /// whose zeros are structural, such as JVPs seeded with unit directions.
    public let foldsZeroProducts: Bool

    public init(eager: Bool = false, foldsZeroProducts: Bool = false) {
        isEager = eager
        self.foldsZeroProducts = foldsZeroProducts
    }

    // MARK: - Leaves

    /// Declares the next input of the graph.
    @discardableResult
    public func input(_ name: String, _ shape: Shape) -> Int {
        let k = inputs.count
        inputs.append(GraphInput(name, shape))
        let id = append(Node(op: .input(k), args: [], shape: shape))
        inputNodes.append(id)
        return id
    }

    public func constant(_ values: [Double], _ shape: Shape) -> Int {
        guard values.count == shape.count else {
            return fail(AutodiffError(.shapeMismatch, "constant: \(values.count) values for shape \(shape)"), shape)
        }
        return add(.constant(Constant(values)), [], shape)
    }

    public func scalar(_ v: Double) -> Int { constant([v], .scalar) }

    public func zeros(_ shape: Shape) -> Int { constant([Double](repeating: 0, count: shape.count), shape) }

    // MARK: - Queries

    public func shape(_ id: Int) -> Shape { nodes[id].shape }

    /// The constant values of a node, if it is a constant.
    public func constantValues(_ id: Int) -> [Double]? {
        if case .constant(let c) = nodes[id].op { return c.values }
        return nil
    }

    /// Whether the node is a constant whose every element equals `v`.
    public func isConstant(_ id: Int, equalTo v: Double) -> Bool {
        guard let c = constantValues(id) else { return false }
        return c.allSatisfy { $0 == v }
    }

    // MARK: - Errors

    /// Records the first error and returns a zero placeholder of the expected shape.
    @discardableResult
    public func fail(_ e: AutodiffError, _ shape: Shape) -> Int {
        if error == nil { error = e }
        let values = [Double](repeating: 0, count: shape.count)
        return append(Node(op: .constant(Constant(values)), args: [], shape: shape))
    }

    // MARK: - Finishing

    /// The graph with the given outputs. Throws the first error recorded while building.
    public func build(outputs: [Int]) throws -> Graph {
        if let error { throw error }
        return Graph(nodes: nodes, inputs: inputs, inputNodes: inputNodes, outputs: outputs)
    }

    /// Copies a graph's nodes into this builder, its inputs bound to the given nodes.
    /// Returns the new id of every node of `graph` (in order).
    public func inline(_ graph: Graph, inputs bound: [Int]) -> [Int] {
        var map = [Int](repeating: -1, count: graph.nodes.count)
        let live = graph.liveNodes()
        for (i, n) in graph.nodes.enumerated() {
            if case .input(let k) = n.op { map[i] = bound[k]; continue }
            guard live[i] else { continue }
            map[i] = add(n.op, n.args.map { map[$0] }, n.shape)
        }
        return map
    }

    // MARK: - The one entry point

    /// Adds a node (after simplification and CSE) and returns its id. Shapes must already be
    /// valid: the typed constructors check them.
    public func add(_ op: Op, _ args: [Int], _ shape: Shape) -> Int {
        if let s = simplify(op, args, shape) { return s }
        if args.allSatisfy({ constantValues($0) != nil }), isEager || shape.count <= GraphBuilder.foldLimit,
           !args.isEmpty {
            let values = Graph.evaluate(Node(op: op, args: args, shape: shape),
                                        args: args.map { constantValues($0) ?? [] },
                                        argShapes: args.map { nodes[$0].shape })
            return add(.constant(Constant(values)), [], shape)
        }
        return append(Node(op: op, args: args, shape: shape))
    }

    private func append(_ n: Node) -> Int {
        if case .input = n.op {
            nodes.append(n)
            return nodes.count - 1
        }
        // An eager builder makes a constant of every result: merging equal ones saves nothing
        // and hashing their values was a tenth of a small model's `gradient` in the language.
        if isEager, case .constant = n.op {
            nodes.append(n)
            return nodes.count - 1
        }
        if let existing = cse[n] { return existing }
        nodes.append(n)
        cse[n] = nodes.count - 1
        return nodes.count - 1
    }

    /// Whether the node is zero because a factor is a constant zero (nil: no such rule).
    private func structuralZero(_ op: Op, _ args: [Int]) -> Bool? {
        switch op {
        case .binary(.mul), .matmul, .dot:
            return args.contains { isConstant($0, equalTo: 0) } ? true : nil
        case .binary(.div):
            return isConstant(args[0], equalTo: 0) ? true : nil
        case .select:
            return isConstant(args[1], equalTo: 0) && isConstant(args[2], equalTo: 0) ? true : nil
        default:
            return nil
        }
    }

    /// The argument of a negation node.
    private func negated(_ id: Int) -> Int? {
        if case .unary(.neg) = nodes[id].op { return nodes[id].args[0] }
        return nil
    }

    /// Algebraic identities. Returns an existing or simpler node, or nil to add the node as is.
    private func simplify(_ op: Op, _ args: [Int], _ shape: Shape) -> Int? {
        func same(_ id: Int) -> Int? { nodes[id].shape == shape ? id : nil }
        if foldsZeroProducts, let zero = structuralZero(op, args) {
            return zero ? zeros(shape) : nil
        }
        switch op {
        case .binary(.add):
            if isConstant(args[1], equalTo: 0) { return same(args[0]) }
            if isConstant(args[0], equalTo: 0) { return same(args[1]) }
            // a + (-b) = a - b and (-a) + b = b - a: a negation folds into the subtraction.
            if let b = negated(args[1]) { return add(.binary(.sub), [args[0], b], shape) }
            if let a = negated(args[0]) { return add(.binary(.sub), [args[1], a], shape) }
        case .binary(.sub):
            if isConstant(args[1], equalTo: 0) { return same(args[0]) }
            if isConstant(args[0], equalTo: 0), nodes[args[1]].shape == shape { return add(.unary(.neg), [args[1]], shape) }
            if let b = negated(args[1]) { return add(.binary(.add), [args[0], b], shape) }
        case .binary(.mul):
            if isConstant(args[1], equalTo: 1) { return same(args[0]) }
            if isConstant(args[0], equalTo: 1) { return same(args[1]) }
            if isConstant(args[1], equalTo: -1), nodes[args[0]].shape == shape { return add(.unary(.neg), [args[0]], shape) }
            if isConstant(args[0], equalTo: -1), nodes[args[1]].shape == shape { return add(.unary(.neg), [args[1]], shape) }
            // (-a) * b = -(a * b), so that the negation can fold into a later sum.
            if let a = negated(args[0]) { return add(.unary(.neg), [add(.binary(.mul), [a, args[1]], shape)], shape) }
            if let b = negated(args[1]) { return add(.unary(.neg), [add(.binary(.mul), [args[0], b], shape)], shape) }
        case .binary(.div), .binary(.pow):
            if isConstant(args[1], equalTo: 1) { return same(args[0]) }
        case .unary(.neg):
            if case .unary(.neg) = nodes[args[0]].op { return nodes[args[0]].args[0] }
        case .reshape:
            if nodes[args[0]].shape == shape { return args[0] }
            if case .reshape = nodes[args[0]].op { return add(.reshape, nodes[args[0]].args, shape) }
        case .transpose:
            if case .transpose = nodes[args[0]].op, nodes[nodes[args[0]].args[0]].shape == shape {
                return nodes[args[0]].args[0]
            }
        case .broadcastTo, .reduceTo:
            if nodes[args[0]].shape == shape { return args[0] }
        case .sum:
            if nodes[args[0]].shape.count == 1 { return add(.reshape, args, shape) }
        case .slice(let start):
            return simplifySlice(args[0], start: start, shape: shape)
        case .gather(let idx):
            let v = idx.values
            if let first = v.first, v.enumerated().allSatisfy({ $0.element == first + $0.offset }) {
                return add(.slice(start: first), args, shape)
            }
        default: break
        }
        return nil
    }

    /// A slice of a whole value is the value; a slice of a slice is one slice; a slice that
    /// falls inside one part of a concatenation is a slice of that part.
    private func simplifySlice(_ x: Int, start: Int, shape: Shape) -> Int? {
        let src = nodes[x]
        if start == 0, src.shape.count == shape.count { return add(.reshape, [x], shape) }
        switch src.op {
        case .slice(let s0):
            return add(.slice(start: s0 + start), src.args, shape)
        case .reshape:
            return add(.slice(start: start), src.args, shape)
        case .concat:
            var offset = 0
            for a in src.args {
                let n = nodes[a].shape.count
                if start >= offset, start + shape.count <= offset + n {
                    return add(.slice(start: start - offset), [a], shape)
                }
                offset += n
            }
        default: break
        }
        return nil
    }
}
