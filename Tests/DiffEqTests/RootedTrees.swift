import DiffEq

/// All rooted trees up to a given order, with their densities, for the Runge–Kutta order conditions.
///
/// A tree is the multiset of its root's subtrees. Trees are numbered as they are generated, order
/// by order, so a tree's children are a non-increasing list of earlier numbers and each tree
/// appears exactly once: 1, 1, 2, 4, 9, 20, 48, 115, 286 trees of orders 1...9.
///
/// References: J. C. Butcher, "Numerical Methods for Ordinary Differential Equations", 3rd ed.,
/// Wiley 2016, §30 (trees, γ(t), elementary weights Φ(t)).
struct RootedTrees {
    /// Children of tree k, as non-increasing tree numbers.
    private(set) var children: [[Int]] = []
    /// Number of vertices |t|.
    private(set) var order: [Int] = []
    /// Density γ(t) = |t| Π γ(children).
    private(set) var gamma: [Double] = []

    var count: Int { order.count }

    init(maxOrder: Int) {
        guard maxOrder >= 1 else { return }
        append(children: [])
        for n in stride(from: 2, through: maxOrder, by: 1) {
            let known = count
            for forest in forests(total: n - 1, below: known) { append(children: forest) }
        }
    }

    /// Numbers of the trees of order n.
    func trees(ofOrder n: Int) -> [Int] { (0..<count).filter { order[$0] == n } }

    private mutating func append(children kids: [Int]) {
        children.append(kids)
        let n = 1 + kids.reduce(0) { $0 + order[$1] }
        order.append(n)
        gamma.append(Double(n) * kids.reduce(1.0) { $0 * gamma[$1] })
    }

    /// Multisets of existing trees with orders summing to `total`, as non-increasing lists of
    /// tree numbers below `below`.
    private func forests(total: Int, below: Int) -> [[Int]] {
        if total == 0 { return [[]] }
        var result: [[Int]] = []
        for k in stride(from: below - 1, through: 0, by: -1) where order[k] <= total {
            for rest in forests(total: total - order[k], below: k + 1) { result.append([k] + rest) }
        }
        return result
    }
}

/// A tableau's coefficients over all its slots, the form in which order conditions are checked.
///
/// Slots are the stages, the end slot f(t + h, u₁) (a stage with row b and c = 1; for an FSAL
/// method it repeats the last stage) and the interpolation stages, whose rows run over all
/// earlier slots.
struct SlotTableau {
    let slots: Int
    /// Row-major `slots × slots`, strictly lower triangular.
    let a: [Double]
    let c: [Double]

    init(_ t: ButcherTableau) {
        let s = t.stages
        slots = t.slots
        var a = [Double](repeating: 0, count: slots * slots)
        var c = [Double](repeating: 0, count: slots)
        for i in 0..<s {
            for j in 0..<i { a[i * slots + j] = t.a[i * s + j] }
            c[i] = t.c[i]
        }
        for j in 0..<s { a[s * slots + j] = t.b[j] }
        c[s] = 1
        for (k, stage) in t.extraStages.enumerated() {
            let i = s + 1 + k
            for (j, v) in stage.a.enumerated() { a[i * slots + j] = v }
            c[i] = stage.c
        }
        self.a = a
        self.c = c
    }

    /// Φᵢ(t) for every tree t and slot i: Φ(•) = 1 and Φ([t₁...tₘ]) = Πₖ (A Φ(tₖ)) elementwise.
    func elementaryWeights(_ trees: RootedTrees) -> [[Double]] {
        var phi: [[Double]] = []
        var aPhi: [[Double]] = []
        for k in 0..<trees.count {
            var v = [Double](repeating: 1, count: slots)
            for child in trees.children[k] {
                for i in 0..<slots { v[i] *= aPhi[child][i] }
            }
            phi.append(v)
            aPhi.append((0..<slots).map { i in (0..<i).reduce(0.0) { $0 + a[i * slots + $1] * v[$1] } })
        }
        return phi
    }
}
