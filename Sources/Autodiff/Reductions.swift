// Reductions and their adjoint partner, broadcasting: sum, dot, reduceTo, broadcastTo;
// mean and norm2 are built from them.

extension GraphBuilder {
    /// The sum of all elements.
    public func sum(_ x: Int) -> Int { add(.sum, [x], .scalar) }

    /// The mean of all elements.
    public func mean(_ x: Int) -> Int {
        binary(.mul, sum(x), scalar(1 / Double(shape(x).count)))
    }

    /// `dot(a, b)`: the sum of the elementwise product. The arguments must have the same number
    /// of elements (a vector and an `n × 1` matrix may meet).
    public func dot(_ a: Int, _ b: Int) -> Int {
        guard shape(a).count == shape(b).count else {
            return fail(.shapes("dot", shape(a), shape(b)), .scalar)
        }
        return add(.dot, [a, reshape(b, shape(a))], .scalar)
    }

    /// The Euclidean norm, √(x·x).
    public func norm2(_ x: Int) -> Int { unary(.sqrt, dot(x, x)) }

    /// Sums `x` down to `target`, the reverse of broadcasting `target` to `x`'s shape.
    public func reduceTo(_ x: Int, _ target: Shape) -> Int {
        let s = shape(x)
        if s == target { return x }
        if s.count == target.count { return reshape(x, target) }
        guard Shape.broadcast(target, s).map({ $0.rows == s.rows && $0.cols == s.cols }) == true else {
            return fail(.shapes("reduceTo", s, target), target)
        }
        if target.count == 1 { return reshape(sum(x), target) }
        return add(.reduceTo, [x], target)
    }

    /// Repeats `x` up to `target` by broadcasting.
    public func broadcastTo(_ x: Int, _ target: Shape) -> Int {
        let s = shape(x)
        if s == target { return x }
        if s.count == target.count { return reshape(x, target) }
        guard Shape.broadcast(s, target).map({ $0.rows == target.rows && $0.cols == target.cols }) == true else {
            return fail(.shapes("broadcast", s, target), target)
        }
        return add(.broadcastTo, [x], target)
    }
}

// MARK: - Derivative rules

extension GraphBuilder {
    func vjpReduction(_ n: Node, x: [Int], y: Int, g: Int, wanted: [Bool]) -> [Int?] {
        switch n.op {
        case .sum, .reduceTo:
            return [broadcastTo(g, shape(x[0]))]
        case .broadcastTo:
            return [reduceTo(g, shape(x[0]))]
        case .dot:
            return [wanted[0] ? binary(.mul, g, x[1]) : nil, wanted[1] ? binary(.mul, g, x[0]) : nil]
        default: return []  // unreachable: dispatched by op family
        }
    }

    func jvpReduction(_ n: Node, x: [Int], y: Int, dx: [Int?]) -> Int? {
        switch n.op {
        case .sum: return dx[0].map { sum($0) }
        case .reduceTo: return dx[0].map { reduceTo($0, n.shape) }
        case .broadcastTo: return dx[0].map { broadcastTo($0, n.shape) }
        case .dot:
            return sumTangents(dx[0].map { dot($0, x[1]) }, dx[1].map { dot(x[0], $0) }, .scalar)
        default: return nil  // unreachable: dispatched by op family
        }
    }
}
