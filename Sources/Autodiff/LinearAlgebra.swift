// Matrix products. Vectors act as columns; `matmul(x, y, transposeA: true)` of two vectors is
// their inner product as a scalar, and a matrix times a vector is a vector.

extension GraphBuilder {
    /// The shape of `op(a) · op(b)`, or nil when the inner dimensions differ.
    static func matmulShape(_ a: Shape, _ ta: Bool, _ b: Shape, _ tb: Bool) -> Shape? {
        let (ar, ac) = ta ? (a.cols, a.rows) : (a.rows, a.cols)
        let (br, bc) = tb ? (b.cols, b.rows) : (b.rows, b.cols)
        guard ac == br else { return nil }
        if ar == 1, bc == 1, a.kind != .matrix || b.kind != .matrix { return .scalar }
        if bc == 1, b.kind != .matrix, !tb { return .vector(ar) }
        return .matrix(ar, bc)
    }

    /// The matrix product `op(a) · op(b)`.
    public func matmul(_ a: Int, _ b: Int, transposeA: Bool = false, transposeB: Bool = false) -> Int {
        guard let s = GraphBuilder.matmulShape(shape(a), transposeA, shape(b), transposeB) else {
            let sa = transposeA ? Shape.matrix(shape(a).cols, shape(a).rows) : shape(a)
            let sb = transposeB ? Shape.matrix(shape(b).cols, shape(b).rows) : shape(b)
            return fail(.shapes("matrix product (*)", sa, sb), shape(a))
        }
        return add(.matmul(transposeA: transposeA, transposeB: transposeB), [a, b], s)
    }

    func vjpLinearAlgebra(_ n: Node, x: [Int], y: Int, g: Int, wanted: [Bool]) -> [Int?] {
        guard case .matmul(let ta, let tb) = n.op else { return [] }  // unreachable: dispatched by family
        let a = x[0], b = x[1]
        // C = op(A) op(B). With G = ∂L/∂C: ∂L/∂op(A) = G op(B)ᵀ and ∂L/∂op(B) = op(A)ᵀ G.
        let gm = reshape(g, n.shape.kind == .scalar ? .matrix(1, 1) : .matrix(n.shape.rows, n.shape.cols))
        var da: Int? = nil, db: Int? = nil
        if wanted[0] {
            let r = ta ? matmul(b, gm, transposeA: tb, transposeB: true)   // (G op(B)ᵀ)ᵀ = op(B) Gᵀ
                       : matmul(gm, b, transposeA: false, transposeB: !tb)
            da = reshape(r, shape(a))
        }
        if wanted[1] {
            let r = tb ? matmul(gm, a, transposeA: true, transposeB: ta)   // (op(A)ᵀ G)ᵀ = Gᵀ op(A)
                       : matmul(a, gm, transposeA: !ta, transposeB: false)
            db = reshape(r, shape(b))
        }
        return [da, db]
    }

    func jvpLinearAlgebra(_ n: Node, x: [Int], y: Int, dx: [Int?]) -> Int? {
        guard case .matmul(let ta, let tb) = n.op else { return nil }  // unreachable: dispatched by family
        let l = dx[0].map { matmul($0, x[1], transposeA: ta, transposeB: tb) }
        let r = dx[1].map { matmul(x[0], $0, transposeA: ta, transposeB: tb) }
        return sumTangents(l, r, n.shape)
    }
}

/// Reference matrix product on row-major data.
func matmulReference(_ a: [Double], _ sa: Shape, _ ta: Bool, _ b: [Double], _ sb: Shape, _ tb: Bool) -> [Double] {
    let (m, k) = ta ? (sa.cols, sa.rows) : (sa.rows, sa.cols)
    let n = tb ? sb.rows : sb.cols
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for l in 0..<k {
                let av = ta ? a[l * sa.cols + i] : a[i * sa.cols + l]
                let bv = tb ? b[j * sb.cols + l] : b[l * sb.cols + j]
                s += av * bv
            }
            c[i * n + j] = s
        }
    }
    return c
}
