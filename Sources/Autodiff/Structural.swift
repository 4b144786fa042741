// Structural operations: element picks, slices, gathers, scatters, concatenation, reshape and
// transpose. Slices and reshapes of contiguous data compile to views, not copies.

extension GraphBuilder {
    /// Element `i` (0-based, flat row-major index) as a scalar.
    public func element(_ x: Int, _ i: Int) -> Int {
        guard i >= 0, i < shape(x).count else {
            return fail(AutodiffError(.invalidArgument, "index \(i + 1) is out of bounds for \(shape(x)) (indices are 1-based in the language, 0-based in Swift)"), .scalar)
        }
        return add(.slice(start: i), [x], .scalar)
    }

    /// The contiguous run of `shape.count` elements starting at flat index `start`, in `shape`.
    public func slice(_ x: Int, start: Int, shape s: Shape) -> Int {
        guard start >= 0, start + s.count <= shape(x).count else {
            return fail(AutodiffError(.invalidArgument, "slice \(start)..<\(start + s.count) is out of bounds for \(shape(x))"), s)
        }
        return add(.slice(start: start), [x], s)
    }

    /// The elements at the given flat indices, in `shape` (a vector by default).
    public func gather(_ x: Int, _ indices: [Int], shape s: Shape? = nil) -> Int {
        let s = s ?? (indices.count == 1 ? .scalar : .vector(indices.count))
        let n = shape(x).count
        guard s.count == indices.count else {
            return fail(AutodiffError(.shapeMismatch, "gather: \(indices.count) indices for shape \(s)"), s)
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= n }) {
            return fail(AutodiffError(.invalidArgument, "index \(bad + 1) is out of bounds for \(shape(x))"), s)
        }
        return add(.gather(Indices(indices)), [x], s)
    }

    /// Zeros of `shape` plus, for each argument, its elements added at its index list.
    public func scatterAdd(_ xs: [Int], _ lists: [[Int]], shape s: Shape) -> Int {
        guard xs.count == lists.count, zip(xs, lists).allSatisfy({ shape($0).count == $1.count }),
              lists.allSatisfy({ $0.allSatisfy { $0 >= 0 && $0 < s.count } }) else {
            return fail(AutodiffError(.invalidArgument, "scatterAdd: index lists do not match the arguments or \(s)"), s)
        }
        if xs.isEmpty { return zeros(s) }
        // Arguments that fill the result exactly once, in order, are a concatenation.
        if lists.flatMap({ $0 }) == Array(0..<s.count) { return concat(xs, shape: s) }
        return add(.scatterAdd(IndexLists(lists)), xs, s)
    }

    /// The arguments' elements one after another, shaped as `shape` (a vector by default).
    public func concat(_ xs: [Int], shape s: Shape? = nil) -> Int {
        let n = xs.reduce(0) { $0 + shape($1).count }
        let s = s ?? .vector(n)
        guard s.count == n else {
            return fail(AutodiffError(.shapeMismatch, "concat: \(n) elements for shape \(s)"), s)
        }
        if xs.isEmpty { return zeros(s) }
        if xs.count == 1 { return reshape(xs[0], s) }
        if let whole = concatOfSlices(xs, s) { return whole }
        return add(.concat, xs, s)
    }

    /// `[x[0], x[1], ..., x[n-1]]` rebuilt from its own elements is `x`.
    private func concatOfSlices(_ xs: [Int], _ s: Shape) -> Int? {
        guard case .slice(let s0) = nodes[xs[0]].op, s0 == 0 else { return nil }
        let src = nodes[xs[0]].args[0]
        var offset = 0
        for x in xs {
            guard case .slice(let st) = nodes[x].op, nodes[x].args[0] == src, st == offset else { return nil }
            offset += shape(x).count
        }
        return offset == shape(src).count ? reshape(src, s) : nil
    }

    /// The same elements in another shape with the same count (row-major order).
    public func reshape(_ x: Int, _ s: Shape) -> Int {
        guard shape(x).count == s.count else {
            return fail(.shapes("reshape", shape(x), s), s)
        }
        return add(.reshape, [x], s)
    }

    /// The transpose: `r × c` becomes `c × r`; a vector becomes a `1 × n` row.
    public func transpose(_ x: Int) -> Int {
        let s = shape(x)
        if s.kind == .scalar { return x }
        let t: Shape = (s.kind == .matrix && s.rows == 1) ? .vector(s.cols) : .matrix(s.cols, s.rows)
        if s.kind == .vector || s.rows == 1 || s.cols == 1 { return reshape(x, t) }
        return add(.transpose, [x], t)
    }
}

/// A cotangent contribution to one argument: dense (of the argument's shape) or scattered
/// (values to add at flat indices), so picks of many single elements combine into one node.
enum Contribution {
    case dense(Int)
    case scattered([Int], Int)
}

// MARK: - Derivative rules

extension GraphBuilder {
    func vjpStructural(_ n: Node, x: [Int], y: Int, g: Int, wanted: [Bool]) -> [Contribution?] {
        switch n.op {
        case .slice(let start):
            return [.scattered(Array(start..<(start + n.shape.count)), g)]
        case .gather(let idx):
            return [.scattered(idx.values, g)]
        case .scatterAdd(let lists):
            return zip(x, lists.lists).enumerated().map { k, p in
                wanted[k] ? .dense(gather(g, p.1, shape: shape(p.0))) : nil
            }
        case .concat:
            var offset = 0
            return x.enumerated().map { k, a in
                defer { offset += shape(a).count }
                return wanted[k] ? .dense(slice(g, start: offset, shape: shape(a))) : nil
            }
        case .reshape:
            return [.dense(reshape(g, shape(x[0])))]
        case .transpose:
            return [.dense(reshape(transpose(g), shape(x[0])))]
        default: return []  // unreachable: dispatched by op family
        }
    }

    func jvpStructural(_ n: Node, x: [Int], y: Int, dx: [Int?]) -> Int? {
        switch n.op {
        case .slice(let start): return dx[0].map { slice($0, start: start, shape: n.shape) }
        case .gather(let idx): return dx[0].map { gather($0, idx.values, shape: n.shape) }
        case .scatterAdd(let lists):
            let live = dx.indices.filter { dx[$0] != nil }
            if live.isEmpty { return nil }
            return scatterAdd(live.compactMap { dx[$0] }, live.map { lists.lists[$0] }, shape: n.shape)
        case .concat:
            if dx.allSatisfy({ $0 == nil }) { return nil }
            return concat(zip(x, dx).map { a, d in d ?? zeros(shape(a)) }, shape: n.shape)
        case .reshape: return dx[0].map { reshape($0, n.shape) }
        case .transpose: return dx[0].map { transpose($0) }
        default: return nil  // unreachable: dispatched by op family
        }
    }
}
