/// One instruction of a compiled program.
///
/// Scalar instructions (`s...`) address workspace registers only, so they cost one dispatch
/// and a few loads: a scalar right-hand side like Lotka–Volterra runs as a handful of them.
/// Array instructions address `(base, offset)` pairs, where base 0 is the workspace and the
/// others are the bound inputs and outputs.
struct Instr {
    enum Code: UInt8 {
        // Scalar, registers only.
        case sAdd, sSub, sMul, sDiv, sNeg, sMulAdd, sMulSub, sNegMulAdd, sUnary, sBinary, sSelect, sCopy
        // Arrays.
        case copy, unary, binary, binaryScalarLeft, binaryScalarRight, binary2D, select2D, mulAdd
        case sum, dot, reduceTo, broadcastTo, matvec, matvecT, matmul, affine, gather, zero, scatterAdd, transpose
    }

    var code: Code
    var op: UInt8 = 0
    var bd: UInt8 = 0, ba: UInt8 = 0, bb: UInt8 = 0, bc: UInt8 = 0
    var d: Int32 = 0, a: Int32 = 0, b: Int32 = 0, c: Int32 = 0
    /// Counts and dimensions; `t` is an offset into the program's integer table.
    var n: Int32 = 0, m: Int32 = 0, k: Int32 = 0, t: Int32 = 0

    init(_ code: Code) { self.code = code }
}

/// "No activation" in an `affine` instruction.
let noActivation: UInt8 = 255

extension Program {
    /// The interpreter loop. Kernels are small loops the optimiser vectorises.
    @inline(__always)
    func execute(_ w: UnsafeMutablePointer<Double>, _ bases: UnsafeMutablePointer<UnsafeMutablePointer<Double>>) {
        let code = self.code.baseAddress.unsafelyUnwrapped
        let table = self.table.baseAddress.unsafelyUnwrapped
        var ip = code
        let end = code + codeCount
        while ip < end {
            // Fields are read through the pointer: copying the whole instruction per dispatch
            // cost more than the arithmetic of a scalar instruction.
            switch ip.pointee.code {
            case .sAdd: w[Int(ip.pointee.d)] = w[Int(ip.pointee.a)] + w[Int(ip.pointee.b)]
            case .sSub: w[Int(ip.pointee.d)] = w[Int(ip.pointee.a)] - w[Int(ip.pointee.b)]
            case .sMul: w[Int(ip.pointee.d)] = w[Int(ip.pointee.a)] * w[Int(ip.pointee.b)]
            case .sDiv: w[Int(ip.pointee.d)] = w[Int(ip.pointee.a)] / w[Int(ip.pointee.b)]
            case .sNeg: w[Int(ip.pointee.d)] = -w[Int(ip.pointee.a)]
            case .sMulAdd: w[Int(ip.pointee.d)] = w[Int(ip.pointee.a)] * w[Int(ip.pointee.b)] + w[Int(ip.pointee.c)]
            case .sMulSub: w[Int(ip.pointee.d)] = w[Int(ip.pointee.a)] * w[Int(ip.pointee.b)] - w[Int(ip.pointee.c)]
            case .sNegMulAdd: w[Int(ip.pointee.d)] = w[Int(ip.pointee.c)] - w[Int(ip.pointee.a)] * w[Int(ip.pointee.b)]
            case .sUnary: w[Int(ip.pointee.d)] = UnaryOp(rawValue: ip.pointee.op).unsafelyUnwrapped.apply(w[Int(ip.pointee.a)])
            case .sBinary:
                w[Int(ip.pointee.d)] = BinaryOp(rawValue: ip.pointee.op).unsafelyUnwrapped.apply(w[Int(ip.pointee.a)], w[Int(ip.pointee.b)])
            case .sSelect: w[Int(ip.pointee.d)] = w[Int(ip.pointee.a)] != 0 ? w[Int(ip.pointee.b)] : w[Int(ip.pointee.c)]
            case .sCopy: w[Int(ip.pointee.d)] = w[Int(ip.pointee.a)]
            default:
                executeArray(ip.pointee, bases, table)
            }
            ip += 1
        }
    }

    @inline(never)
    func executeArray(_ i: Instr, _ bases: UnsafeMutablePointer<UnsafeMutablePointer<Double>>,
                      _ table: UnsafeMutablePointer<Int32>) {
        let d = bases[Int(i.bd)] + Int(i.d)
        let a = UnsafePointer(bases[Int(i.ba)] + Int(i.a))
        let b = UnsafePointer(bases[Int(i.bb)] + Int(i.b))
        let c = UnsafePointer(bases[Int(i.bc)] + Int(i.c))
        let n = Int(i.n)
        switch i.code {
        case .copy:
            for j in 0..<n { d[j] = a[j] }
        case .zero:
            for j in 0..<n { d[j] = 0 }
        case .unary:
            Kernels.unary(UnaryOp(rawValue: i.op).unsafelyUnwrapped, d, a, n)
        case .binary:
            Kernels.binary(BinaryOp(rawValue: i.op).unsafelyUnwrapped, d, a, b, n)
        case .binaryScalarLeft:
            Kernels.binaryScalarLeft(BinaryOp(rawValue: i.op).unsafelyUnwrapped, d, a[0], b, n)
        case .binaryScalarRight:
            Kernels.binaryScalarRight(BinaryOp(rawValue: i.op).unsafelyUnwrapped, d, a, b[0], n)
        case .mulAdd:
            for j in 0..<n { d[j] = a[j] * b[j] + c[j] }
        case .binary2D:
            let s = table + Int(i.t)
            let op = BinaryOp(rawValue: i.op).unsafelyUnwrapped
            let rows = Int(i.n), cols = Int(i.m)
            let (ars, acs, brs, bcs) = (Int(s[0]), Int(s[1]), Int(s[2]), Int(s[3]))
            for r in 0..<rows {
                for q in 0..<cols { d[r * cols + q] = op.apply(a[r * ars + q * acs], b[r * brs + q * bcs]) }
            }
        case .select2D:
            let s = table + Int(i.t)
            let rows = Int(i.n), cols = Int(i.m)
            for r in 0..<rows {
                for q in 0..<cols {
                    let cond = a[r * Int(s[0]) + q * Int(s[1])]
                    d[r * cols + q] = cond != 0 ? b[r * Int(s[2]) + q * Int(s[3])] : c[r * Int(s[4]) + q * Int(s[5])]
                }
            }
        case .sum:
            var acc = 0.0
            for j in 0..<n { acc += a[j] }
            d[0] = acc
        case .dot:
            var acc = 0.0
            for j in 0..<n { acc += a[j] * b[j] }
            d[0] = acc
        case .reduceTo:
            // a is rows×cols, d is the target; strides in the table map (r, q) to the target.
            let s = table + Int(i.t)
            let rows = Int(i.n), cols = Int(i.m)
            for j in 0..<Int(i.k) { d[j] = 0 }
            for r in 0..<rows { for q in 0..<cols { d[r * Int(s[0]) + q * Int(s[1])] += a[r * cols + q] } }
        case .broadcastTo:
            let s = table + Int(i.t)
            let rows = Int(i.n), cols = Int(i.m)
            for r in 0..<rows { for q in 0..<cols { d[r * cols + q] = a[r * Int(s[0]) + q * Int(s[1])] } }
        case .matvec:
            Kernels.matvec(d, a, b, rows: n, cols: Int(i.m))
        case .matvecT:
            Kernels.matvecT(d, a, b, rows: n, cols: Int(i.m))
        case .affine:
            Kernels.affine(d, a, b, c, rows: n, cols: Int(i.m))
            if i.op != noActivation { Kernels.unary(UnaryOp(rawValue: i.op).unsafelyUnwrapped, d, UnsafePointer(d), n) }
        case .matmul:
            Kernels.matmul(d, a, b, m: n, k: Int(i.k), n: Int(i.m), ta: i.op & 1 != 0, tb: i.op & 2 != 0)
        case .gather:
            let idx = table + Int(i.t)
            for j in 0..<n { d[j] = a[Int(idx[j])] }
        case .scatterAdd:
            let idx = table + Int(i.t)
            for j in 0..<n { d[Int(idx[j])] += a[j] }
        case .transpose:
            let rows = Int(i.n), cols = Int(i.m)
            for r in 0..<rows { for q in 0..<cols { d[q * rows + r] = a[r * cols + q] } }
        default:
            break  // unreachable: scalar codes are handled by `execute`
        }
    }
}

/// Array kernels: plain loops over pointers, written so the optimiser can vectorise them.
enum Kernels {
    @inline(__always)
    static func unary(_ op: UnaryOp, _ d: UnsafeMutablePointer<Double>, _ a: UnsafePointer<Double>, _ n: Int) {
        switch op {
        case .tanh: FastMath.tanh(d, a, n)
        case .neg: for j in 0..<n { d[j] = -a[j] }
        case .abs2: for j in 0..<n { d[j] = a[j] * a[j] }
        case .relu: for j in 0..<n { d[j] = a[j] > 0 ? a[j] : 0 }
        default: for j in 0..<n { d[j] = op.apply(a[j]) }
        }
    }

    @inline(__always)
    static func binary(_ op: BinaryOp, _ d: UnsafeMutablePointer<Double>, _ a: UnsafePointer<Double>,
                       _ b: UnsafePointer<Double>, _ n: Int) {
        switch op {
        case .add: for j in 0..<n { d[j] = a[j] + b[j] }
        case .sub: for j in 0..<n { d[j] = a[j] - b[j] }
        case .mul: for j in 0..<n { d[j] = a[j] * b[j] }
        case .div: for j in 0..<n { d[j] = a[j] / b[j] }
        default: for j in 0..<n { d[j] = op.apply(a[j], b[j]) }
        }
    }

    @inline(__always)
    static func binaryScalarLeft(_ op: BinaryOp, _ d: UnsafeMutablePointer<Double>, _ a: Double,
                                 _ b: UnsafePointer<Double>, _ n: Int) {
        switch op {
        case .add: for j in 0..<n { d[j] = a + b[j] }
        case .sub: for j in 0..<n { d[j] = a - b[j] }
        case .mul: for j in 0..<n { d[j] = a * b[j] }
        case .div: for j in 0..<n { d[j] = a / b[j] }
        default: for j in 0..<n { d[j] = op.apply(a, b[j]) }
        }
    }

    @inline(__always)
    static func binaryScalarRight(_ op: BinaryOp, _ d: UnsafeMutablePointer<Double>, _ a: UnsafePointer<Double>,
                                  _ b: Double, _ n: Int) {
        switch op {
        case .add: for j in 0..<n { d[j] = a[j] + b }
        case .sub: for j in 0..<n { d[j] = a[j] - b }
        case .mul: for j in 0..<n { d[j] = a[j] * b }
        case .div: for j in 0..<n { d[j] = a[j] / b }
        case .pow where b == 2: for j in 0..<n { d[j] = a[j] * a[j] }
        case .pow where b == 3: for j in 0..<n { d[j] = a[j] * a[j] * a[j] }
        default: for j in 0..<n { d[j] = op.apply(a[j], b) }
        }
    }

    /// y = A x for a row-major `rows × cols` matrix.
    @inline(__always)
    static func matvec(_ y: UnsafeMutablePointer<Double>, _ A: UnsafePointer<Double>, _ x: UnsafePointer<Double>,
                       rows: Int, cols: Int) {
        if cols == 2 {
            let x0 = x[0], x1 = x[1]
            for r in 0..<rows { y[r] = A[2 * r] * x0 + A[2 * r + 1] * x1 }
            return
        }
        for r in 0..<rows {
            let row = A + r * cols
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var q = 0
            while q + 4 <= cols {
                s0 += row[q] * x[q]; s1 += row[q + 1] * x[q + 1]
                s2 += row[q + 2] * x[q + 2]; s3 += row[q + 3] * x[q + 3]
                q += 4
            }
            while q < cols { s0 += row[q] * x[q]; q += 1 }
            y[r] = (s0 + s1) + (s2 + s3)
        }
    }

    /// y = A x + b for a row-major `rows × cols` matrix: a dense layer before its activation.
    @inline(__always)
    static func affine(_ y: UnsafeMutablePointer<Double>, _ A: UnsafePointer<Double>, _ x: UnsafePointer<Double>,
                       _ b: UnsafePointer<Double>, rows: Int, cols: Int) {
        if cols == 2 {
            let x0 = x[0], x1 = x[1]
            for r in 0..<rows { y[r] = A[2 * r] * x0 + A[2 * r + 1] * x1 + b[r] }
            return
        }
        matvec(y, A, x, rows: rows, cols: cols)
        for r in 0..<rows { y[r] += b[r] }
    }

    /// y = Aᵀ x for a row-major `rows × cols` matrix A (y has `cols` elements).
    @inline(__always)
    static func matvecT(_ y: UnsafeMutablePointer<Double>, _ A: UnsafePointer<Double>, _ x: UnsafePointer<Double>,
                        rows: Int, cols: Int) {
        if cols == 2 {
            var s0 = 0.0, s1 = 0.0
            for r in 0..<rows { s0 += x[r] * A[2 * r]; s1 += x[r] * A[2 * r + 1] }
            y[0] = s0; y[1] = s1
            return
        }
        for q in 0..<cols { y[q] = 0 }
        for r in 0..<rows {
            let xr = x[r], row = A + r * cols
            for q in 0..<cols { y[q] += xr * row[q] }
        }
    }

    /// C (m×n) = op(A) op(B), all row-major; op(A) is m×k.
    static func matmul(_ C: UnsafeMutablePointer<Double>, _ A: UnsafePointer<Double>, _ B: UnsafePointer<Double>,
                       m: Int, k: Int, n: Int, ta: Bool, tb: Bool) {
        if k == 1 {
            // An outer product: both layouts of a k = 1 operand are the same vector.
            for i in 0..<m {
                let ai = A[i]
                for j in 0..<n { C[i * n + j] = ai * B[j] }
            }
            return
        }
        for j in 0..<(m * n) { C[j] = 0 }
        // Row-major A is m×k (lda = k), or k×m when transposed (lda = m); likewise B.
        for i in 0..<m {
            let crow = C + i * n
            for l in 0..<k {
                let aval = ta ? A[l * m + i] : A[i * k + l]
                if tb {
                    for j in 0..<n { crow[j] += aval * B[j * k + l] }
                } else {
                    let brow = B + l * n
                    for j in 0..<n { crow[j] += aval * brow[j] }
                }
            }
        }
    }
}
