extension Graph {
    /// Compiles the graph (after simplification and dead-code elimination) into a program.
    public func compile() throws -> Program {
        try Compiler(simplified()).compile()
    }
}

/// Where a value lives: base 0 is the workspace, 1 + k input k, 1 + inputs + k output k.
struct Loc: Equatable {
    var base: Int
    var off: Int
    func advanced(by k: Int) -> Loc { Loc(base: base, off: off + k) }
}

/// Lowers a graph to instructions in three passes: fusion (which nodes another absorbs),
/// placement (registers, views that alias their source, destinations inside concatenations
/// and outputs), and code generation.
final class Compiler {
    let g: Graph
    let nIn: Int
    var loc: [Loc?]
    var uses: [Int]
    var isOutput: [Bool]
    var absorbed: [Bool]
    let live: [Bool]
    var code: [Instr] = []
    var table: [Int32] = []
    var constants: [Double] = []
    var wsSize = 0
    var inputCopies: [RegisterCopy] = []
    var outputCopies: [RegisterCopy] = []

    /// Inputs and outputs up to this many elements are copied through workspace registers.
    static let registerLimit = 32

    init(_ g: Graph) {
        self.g = g
        nIn = g.inputs.count
        loc = Array(repeating: nil, count: g.nodes.count)
        uses = Array(repeating: 0, count: g.nodes.count)
        isOutput = Array(repeating: false, count: g.nodes.count)
        absorbed = Array(repeating: false, count: g.nodes.count)
        live = g.liveNodes()
        for (i, n) in g.nodes.enumerated() where live[i] { for a in n.args { uses[a] += 1 } }
        for o in g.outputs { isOutput[o] = true }
    }

    func node(_ i: Int) -> Node { g.nodes[i] }
    func shape(_ i: Int) -> Shape { g.nodes[i].shape }

    func allocate(_ count: Int) -> Loc {
        defer { wsSize += count }
        return Loc(base: 0, off: wsSize)
    }

    func compile() throws -> Program {
        placeLeaves()
        markFusions()
        placeOwned()
        placeViews()
        for i in g.nodes.indices where live[i] && isOwned(i) { emit(i) }
        emitOutputs()
        if wsSize > Int(Int32.max) || table.count > Int(Int32.max) {
            throw AutodiffError(.invalidArgument, "compile: the program is too large")
        }
        return Program(graph: g, code: code, table: table, constants: constants, workspaceSize: wsSize,
                       inputCopies: inputCopies, outputCopies: outputCopies)
    }

    // MARK: - Placement

    func isView(_ i: Int) -> Bool {
        switch node(i).op {
        case .reshape, .slice: return true
        default: return false
        }
    }

    /// A node that computes into storage of its own.
    func isOwned(_ i: Int) -> Bool {
        switch node(i).op {
        case .input, .constant, .reshape, .slice: return false
        default: return !absorbed[i]
        }
    }

    func placeLeaves() {
        // Constants first, so a workspace's constant prefix is filled once at creation.
        for (i, n) in g.nodes.enumerated() where live[i] {
            if case .constant(let c) = n.op {
                loc[i] = allocate(c.values.count)
                constants += c.values
            }
        }
        for (k, id) in g.inputNodes.enumerated() where live[id] {
            let count = g.inputs[k].shape.count
            if count <= Compiler.registerLimit {
                let r = allocate(count)
                loc[id] = r
                inputCopies.append(RegisterCopy(base: 1 + k, register: r.off, count: count))
            } else {
                loc[id] = Loc(base: 1 + k, off: 0)
            }
        }
    }

    func placeOwned() {
        for (k, o) in g.outputs.enumerated() where shape(o).count > Compiler.registerLimit {
            var target = o
            while isView(target), case .reshape = node(target).op, uses[node(target).args[0]] == 1,
                  !isOutput[node(target).args[0]] {
                target = node(target).args[0]
            }
            if isOwned(target), loc[target] == nil { loc[target] = Loc(base: 1 + nIn + k, off: 0) }
        }
        for i in stride(from: g.nodes.count - 1, through: 0, by: -1) where live[i] && isOwned(i) {
            if loc[i] == nil { loc[i] = allocate(shape(i).count) }
            guard case .concat = node(i).op, let here = loc[i] else { continue }
            var offset = 0
            for a in node(i).args {
                // Compute a part straight into the concatenation (through reshapes, which are
                // views) unless it already has a home: an output, or a later concatenation.
                var target = a
                while case .reshape = node(target).op { target = node(target).args[0] }
                // Scalars stay in registers when the concatenation is not in the workspace:
                // they reach it by a register copy (see `emit`), keeping scalar code fast.
                let scalarOutsideWorkspace = here.base != 0 && shape(target).count == 1
                if isOwned(target), !isOutput[target], !isOutput[a], loc[target] == nil, !scalarOutsideWorkspace {
                    loc[target] = here.advanced(by: offset)
                }
                offset += shape(a).count
            }
        }
    }

    func placeViews() {
        for (i, n) in g.nodes.enumerated() where live[i] {
            switch n.op {
            case .reshape: loc[i] = loc[n.args[0]]
            case .slice(let start):
                guard let src = loc[n.args[0]] else { continue }
                let here = src.advanced(by: start)
                if n.shape.count == 1, here.base >= 1, here.base <= nIn {
                    // A single element of a large input: load it into a register at the start,
                    // so scalar code on it stays on the fast register path.
                    let r = allocate(1)
                    inputCopies.append(RegisterCopy(base: here.base, register: r.off, count: 1, offset: here.off))
                    loc[i] = r
                } else {
                    loc[i] = here
                }
            default: break
            }
        }
    }

    // MARK: - Fusion

    /// For each add/sub that absorbs a product, the product's node.
    var fusedProduct: [Int: Int] = [:]
    /// For each affine map (optionally followed by an activation), its matvec and bias.
    var fusedAffine: [Int: (matvec: Int, bias: Int, activation: UInt8)] = [:]

    func absorbable(_ i: Int) -> Bool { uses[i] == 1 && !isOutput[i] && !absorbed[i] }

    func markFusions() {
        for (i, n) in g.nodes.enumerated() where live[i] {
            switch n.op {
            case .binary(.add), .binary(.sub):
                let sameShape = n.args.allSatisfy { shape($0) == n.shape }
                guard sameShape else { continue }
                if case .binary(.add) = n.op, let (mv, bias) = matvecAndBias(n.args) {
                    absorbed[mv] = true
                    fusedAffine[i] = (mv, bias, noActivation)
                    continue
                }
                for a in n.args {
                    if case .binary(.mul) = node(a).op, absorbable(a),
                       node(a).args.allSatisfy({ shape($0) == n.shape }) {
                        absorbed[a] = true
                        fusedProduct[i] = a
                        break
                    }
                }
            case .unary(let u):
                let x = n.args[0]
                // Only one activation fits the fused kernel: a second unary (−abs2(Wx + b)) stays separate.
                if let f = fusedAffine[x], f.activation == noActivation, absorbable(x) {
                    absorbed[x] = true
                    fusedAffine[x] = nil
                    fusedAffine[i] = (f.matvec, f.bias, u.rawValue)
                }
            default: break
            }
        }
    }

    /// `A x + b` with a plain matrix–vector product used only here.
    func matvecAndBias(_ args: [Int]) -> (Int, Int)? {
        for (k, a) in args.enumerated() {
            guard case .matmul(false, false) = node(a).op, absorbable(a), shape(node(a).args[1]).cols == 1,
                  shape(a).count == shape(a).rows else { continue }
            return (a, args[1 - k])
        }
        return nil
    }

    // MARK: - Code generation

    func registers(_ ids: [Int]) -> [Int]? {
        var r: [Int] = []
        for id in ids {
            guard let l = loc[id], l.base == 0, shape(id).count == 1 else { return nil }
            r.append(l.off)
        }
        return r
    }

    func instr(_ c: Instr.Code, d: Int, _ ops: [Int] = [], n: Int = 0, m: Int = 0, k: Int = 0, t: Int = 0, op: UInt8 = 0) -> Instr {
        var i = Instr(c)
        i.op = op
        let dl = loc[d] ?? Loc(base: 0, off: 0)
        i.bd = UInt8(dl.base); i.d = Int32(dl.off)
        let ls = ops.map { loc[$0] ?? Loc(base: 0, off: 0) }
        if ls.count > 0 { i.ba = UInt8(ls[0].base); i.a = Int32(ls[0].off) }
        if ls.count > 1 { i.bb = UInt8(ls[1].base); i.b = Int32(ls[1].off) }
        if ls.count > 2 { i.bc = UInt8(ls[2].base); i.c = Int32(ls[2].off) }
        i.n = Int32(n); i.m = Int32(m); i.k = Int32(k); i.t = Int32(t)
        return i
    }

    func scalarInstr(_ c: Instr.Code, _ regs: [Int], op: UInt8 = 0) -> Instr {
        var i = Instr(c)
        i.op = op
        i.d = Int32(regs[0])
        if regs.count > 1 { i.a = Int32(regs[1]) }
        if regs.count > 2 { i.b = Int32(regs[2]) }
        if regs.count > 3 { i.c = Int32(regs[3]) }
        return i
    }

    /// Broadcast strides (row, column) of an argument of shape `s` inside a result of `rows × cols`.
    func strides(_ s: Shape) -> [Int32] {
        [Int32(s.rows == 1 ? 0 : s.cols), Int32(s.cols == 1 ? 0 : 1)]
    }

    func addTable(_ values: [Int32]) -> Int {
        defer { table += values }
        return table.count
    }

    func emit(_ i: Int) {
        let n = node(i)
        let count = n.shape.count
        switch n.op {
        case .unary(let u):
            if let f = fusedAffine[i] {
                emitAffine(i, f)
            } else if let r = registers([i] + n.args) {
                code.append(u == .neg ? scalarInstr(.sNeg, r) : scalarInstr(.sUnary, r, op: u.rawValue))
            } else {
                code.append(instr(.unary, d: i, n.args, n: count, op: u.rawValue))
            }
        case .binary(let b):
            if let f = fusedAffine[i] { emitAffine(i, f); return }
            if let p = fusedProduct[i] { emitMulAdd(i, product: p, b); return }
            emitBinary(i, b, n.args[0], n.args[1])
        case .select:
            if let r = registers([i] + n.args) { code.append(scalarInstr(.sSelect, r)); return }
            let t = addTable(n.args.flatMap { strides(shape($0)) })
            code.append(instr(.select2D, d: i, n.args, n: n.shape.rows, m: n.shape.cols, t: t))
        case .sum:
            code.append(instr(.sum, d: i, n.args, n: shape(n.args[0]).count))
        case .dot:
            code.append(instr(.dot, d: i, n.args, n: shape(n.args[0]).count))
        case .reduceTo:
            let s = shape(n.args[0])
            let t = addTable(strides(n.shape))
            code.append(instr(.reduceTo, d: i, n.args, n: s.rows, m: s.cols, k: count, t: t))
        case .broadcastTo:
            let t = addTable(strides(shape(n.args[0])))
            code.append(instr(.broadcastTo, d: i, n.args, n: n.shape.rows, m: n.shape.cols, t: t))
        case .matmul(let ta, let tb):
            emitMatmul(i, ta, tb)
        case .gather(let idx):
            let t = addTable(idx.values.map { Int32($0) })
            code.append(instr(.gather, d: i, n.args, n: count, t: t))
        case .scatterAdd(let lists):
            code.append(instr(.zero, d: i, n: count))
            for (a, list) in zip(n.args, lists.lists) {
                let t = addTable(list.map { Int32($0) })
                code.append(instr(.scatterAdd, d: i, [a], n: list.count, t: t))
            }
        case .concat:
            var offset = 0
            let here = loc[i] ?? Loc(base: 0, off: 0)
            for a in n.args {
                let c = shape(a).count
                defer { offset += c }
                if loc[a] == here.advanced(by: offset) { continue }  // computed in place
                if here.base > nIn, uses[i] == 0, let l = loc[a], l.base == 0 {
                    // Only read as an output: fill it from registers after the run.
                    outputCopies.append(RegisterCopy(base: here.base, register: l.off, count: c, offset: here.off + offset))
                    continue
                }
                var ins = instr(.copy, d: i, [a], n: c)
                ins.d += Int32(offset)
                if ins.bd == 0, ins.ba == 0, c == 1 {
                    ins = scalarInstr(.sCopy, [Int(ins.d), Int(ins.a)])
                }
                code.append(ins)
            }
        case .transpose:
            let s = shape(n.args[0])
            code.append(instr(.transpose, d: i, n.args, n: s.rows, m: s.cols))
        case .input, .constant, .reshape, .slice:
            break  // unreachable: not owned
        }
    }

    func emitBinary(_ i: Int, _ b: BinaryOp, _ x: Int, _ y: Int) {
        let s = shape(i), sa = shape(x), sb = shape(y)
        if let r = registers([i, x, y]) {
            let c: Instr.Code? = [.add: .sAdd, .sub: .sSub, .mul: .sMul, .div: .sDiv][b]
            code.append(scalarInstr(c ?? .sBinary, r, op: b.rawValue))
        } else if sa.count == s.count, sb.count == s.count {
            code.append(instr(.binary, d: i, [x, y], n: s.count, op: b.rawValue))
        } else if sa.count == 1, sb.count == s.count {
            code.append(instr(.binaryScalarLeft, d: i, [x, y], n: s.count, op: b.rawValue))
        } else if sb.count == 1, sa.count == s.count {
            code.append(instr(.binaryScalarRight, d: i, [x, y], n: s.count, op: b.rawValue))
        } else {
            let t = addTable(strides(sa) + strides(sb))
            code.append(instr(.binary2D, d: i, [x, y], n: s.rows, m: s.cols, t: t, op: b.rawValue))
        }
    }

    /// `x*y + c`, `x*y - c` or `c - x*y`, with the product never stored.
    func emitMulAdd(_ i: Int, product p: Int, _ b: BinaryOp) {
        let n = node(i)
        let (x, y) = (node(p).args[0], node(p).args[1])
        let other = n.args[0] == p ? n.args[1] : n.args[0]
        let productFirst = n.args[0] == p
        if let r = registers([i, x, y, other]) {
            let c: Instr.Code = b == .add ? .sMulAdd : (productFirst ? .sMulSub : .sNegMulAdd)
            code.append(scalarInstr(c, r))
            return
        }
        if b == .add {
            code.append(instr(.mulAdd, d: i, [x, y, other], n: n.shape.count))
        } else {
            // Rare on arrays: compute the product into the result, then subtract.
            code.append(instr(.binary, d: i, [x, y], n: n.shape.count, op: BinaryOp.mul.rawValue))
            if productFirst {
                code.append(instr(.binary, d: i, [i, other], n: n.shape.count, op: BinaryOp.sub.rawValue))
            } else {
                code.append(instr(.binary, d: i, [other, i], n: n.shape.count, op: BinaryOp.sub.rawValue))
            }
        }
    }

    func emitAffine(_ i: Int, _ f: (matvec: Int, bias: Int, activation: UInt8)) {
        let mv = node(f.matvec)
        let A = shape(mv.args[0])
        code.append(instr(.affine, d: i, [mv.args[0], mv.args[1], f.bias], n: A.rows, m: A.cols, op: f.activation))
    }

    func emitMatmul(_ i: Int, _ ta: Bool, _ tb: Bool) {
        let n = node(i)
        let (a, b) = (n.args[0], n.args[1])
        let sa = shape(a), sb = shape(b)
        let m = ta ? sa.cols : sa.rows, k = ta ? sa.rows : sa.cols
        let cols = tb ? sb.rows : sb.cols
        if cols == 1, !tb {
            code.append(instr(ta ? .matvecT : .matvec, d: i, [a, b], n: sa.rows, m: sa.cols))
        } else {
            code.append(instr(.matmul, d: i, [a, b], n: m, m: cols, k: k, op: (ta ? 1 : 0) | (tb ? 2 : 0)))
        }
    }

    func emitOutputs() {
        for (k, o) in g.outputs.enumerated() {
            guard let l = loc[o] else { continue }
            let target = Loc(base: 1 + nIn + k, off: 0)
            if l == target { continue }
            if l.base == 0 {
                outputCopies.append(RegisterCopy(base: 1 + nIn + k, register: l.off, count: shape(o).count))
            } else {
                var ins = Instr(.copy)
                ins.bd = UInt8(target.base); ins.d = 0
                ins.ba = UInt8(l.base); ins.a = Int32(l.off)
                ins.n = Int32(shape(o).count)
                code.append(ins)
            }
        }
    }
}
