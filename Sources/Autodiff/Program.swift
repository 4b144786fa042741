/// A compiled graph: a flat instruction list over one preallocated workspace.
///
/// `run` allocates nothing. A program is immutable and re-entrant: each thread (ensemble
/// member, training job) uses its own `Workspace`. Inputs and outputs are bound by pointer,
/// so callers pass their own buffers without copying:
/// ```swift
/// let ws = program.makeWorkspace()
/// program.run(ws, u, p, t, into: du)      // three inputs, one output
/// ```
/// Small inputs are copied into the workspace's registers at the start of a run and small
/// outputs copied out at its end; large ones are read and written in place.
public final class Program: @unchecked Sendable {
    /// The graph that was compiled (after simplification).
    public let graph: Graph
    public let inputShapes: [Shape]
    public let outputShapes: [Shape]
    /// Doubles in a workspace (constants, registers and temporaries).
    public let workspaceSize: Int
    /// The number of instructions a run executes.
    public var instructionCount: Int { codeCount }

    let code: UnsafeMutableBufferPointer<Instr>
    let table: UnsafeMutableBufferPointer<Int32>
    let constants: [Double]
    let inputCopies: [RegisterCopy]
    let outputCopies: [RegisterCopy]

    init(graph: Graph, code: [Instr], table: [Int32], constants: [Double], workspaceSize: Int,
         inputCopies: [RegisterCopy], outputCopies: [RegisterCopy]) {
        self.graph = graph
        self.inputShapes = graph.inputShapes
        self.outputShapes = graph.outputShapes
        self.workspaceSize = max(workspaceSize, 1)
        self.code = .allocate(capacity: max(code.count, 1))
        _ = self.code.initialize(from: code)
        self.table = .allocate(capacity: max(table.count, 1))
        _ = self.table.initialize(from: table)
        self.constants = constants
        self.inputCopies = inputCopies
        self.outputCopies = outputCopies
        codeCount = code.count
        inputCopyCount = inputCopies.count
        outputCopyCount = outputCopies.count
        copies = .allocate(capacity: max(inputCopies.count + outputCopies.count, 1))
        _ = copies.initialize(from: inputCopies + outputCopies)
    }

    let codeCount: Int
    let inputCopyCount: Int
    let outputCopyCount: Int
    /// Input copies followed by output copies, in one buffer the run loop reads without retains.
    let copies: UnsafeMutableBufferPointer<RegisterCopy>

    deinit {
        code.deallocate()
        table.deallocate()
        copies.deallocate()
    }

    /// A fresh workspace for this program, with its constants loaded.
    public func makeWorkspace() -> Workspace {
        let ws = Workspace(size: workspaceSize, inputs: inputShapes.count, outputs: outputShapes.count)
        for (i, c) in constants.enumerated() { ws.storage[i] = c }
        return ws
    }

    /// Runs the program on the inputs and outputs bound in `ws` (`bind(input:_:)`, `bind(output:_:)`).
    public func run(_ ws: Workspace) {
        let w = ws.storage
        let bases = ws.bases
        let copies = self.copies.baseAddress.unsafelyUnwrapped
        for q in 0..<inputCopyCount {
            let c = copies[q]
            let src = bases[c.base] + c.offset
            for j in 0..<c.count { w[c.register + j] = src[j] }
        }
        execute(w, bases)
        for q in inputCopyCount..<(inputCopyCount + outputCopyCount) {
            let c = copies[q]
            let dst = bases[c.base] + c.offset
            for j in 0..<c.count { dst[j] = w[c.register + j] }
        }
    }

    /// Binds the inputs and the output, then runs.
    @inline(__always)
    public func run(_ ws: Workspace, _ x0: UnsafePointer<Double>, into y0: UnsafeMutablePointer<Double>) {
        ws.bases[1] = UnsafeMutablePointer(mutating: x0)
        ws.bases[1 + ws.inputCount] = y0
        run(ws)
    }

    @inline(__always)
    public func run(_ ws: Workspace, _ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>,
                    into y0: UnsafeMutablePointer<Double>) {
        ws.bases[1] = UnsafeMutablePointer(mutating: x0)
        ws.bases[2] = UnsafeMutablePointer(mutating: x1)
        ws.bases[1 + ws.inputCount] = y0
        run(ws)
    }

    @inline(__always)
    public func run(_ ws: Workspace, _ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>,
                    _ x2: UnsafePointer<Double>, into y0: UnsafeMutablePointer<Double>) {
        ws.bases[1] = UnsafeMutablePointer(mutating: x0)
        ws.bases[2] = UnsafeMutablePointer(mutating: x1)
        ws.bases[3] = UnsafeMutablePointer(mutating: x2)
        ws.bases[1 + ws.inputCount] = y0
        run(ws)
    }

    /// Evaluates on arrays, allocating the results: for tests, tapes and one-off calls.
    public func callAsFunction(_ inputs: [[Double]]) throws -> [[Double]] {
        guard inputs.count == inputShapes.count else {
            throw AutodiffError(.invalidArgument, "program: expected \(inputShapes.count) inputs, got \(inputs.count)")
        }
        for (k, x) in inputs.enumerated() where x.count != inputShapes[k].count {
            throw AutodiffError(.shapeMismatch, "program: input \(k) has shape \(inputShapes[k]) but \(x.count) values were given")
        }
        let ws = makeWorkspace()
        var outs = outputShapes.map { [Double](repeating: 0, count: $0.count) }
        let inBufs = inputs.map { x -> UnsafeMutablePointer<Double> in
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(x.count, 1))
            p.initialize(from: x, count: x.count)
            return p
        }
        let outBufs = outputShapes.map { UnsafeMutablePointer<Double>.allocate(capacity: max($0.count, 1)) }
        defer { inBufs.forEach { $0.deallocate() }; outBufs.forEach { $0.deallocate() } }
        for (k, p) in inBufs.enumerated() { ws.bind(input: k, p) }
        for (k, p) in outBufs.enumerated() { ws.bind(output: k, p) }
        run(ws)
        for k in outs.indices { outs[k] = Array(UnsafeBufferPointer(start: outBufs[k], count: outputShapes[k].count)) }
        return outs
    }
}

/// The scratch memory of one running program: registers, temporaries and bound pointers.
public final class Workspace: @unchecked Sendable {
    let storage: UnsafeMutablePointer<Double>
    /// Base pointers: the workspace itself, then one per input, then one per output.
    let bases: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
    let size: Int
    let inputCount: Int
    let outputCount: Int

    init(size: Int, inputs: Int, outputs: Int) {
        self.size = size
        storage = .allocate(capacity: size)
        storage.initialize(repeating: 0, count: size)
        inputCount = inputs
        outputCount = outputs
        bases = .allocate(capacity: 1 + inputs + outputs)
        bases.initialize(repeating: storage, count: 1 + inputs + outputs)
    }

    deinit {
        storage.deallocate()
        bases.deallocate()
    }

    /// Binds input `k` to caller memory holding at least the input's count of doubles.
    @inline(__always)
    public func bind(input k: Int, _ p: UnsafePointer<Double>) {
        precondition(k >= 0 && k < inputCount, "bind(input:): no input \(k)")
        bases[1 + k] = UnsafeMutablePointer(mutating: p)
    }

    /// Binds output `k` to caller memory with room for the output's count of doubles.
    @inline(__always)
    public func bind(output k: Int, _ p: UnsafeMutablePointer<Double>) {
        precondition(k >= 0 && k < outputCount, "bind(output:): no output \(k)")
        bases[1 + inputCount + k] = p
    }
}

/// A copy between a bound pointer (from `offset` on) and workspace registers.
struct RegisterCopy {
    let base: Int
    let register: Int
    let count: Int
    var offset: Int = 0
}

extension Program {
    /// A readable listing of the instructions, for debugging and documentation.
    public var listing: String {
        var lines: [String] = []
        for c in inputCopies { lines.append("load r\(c.register)..<\(c.register + c.count) <- base\(c.base)") }
        for pc in 0..<codeCount {
            let i = code[pc]
            lines.append("\(i.code) op=\(i.op) d=\(i.bd):\(i.d) a=\(i.ba):\(i.a) b=\(i.bb):\(i.b) c=\(i.bc):\(i.c) n=\(i.n) m=\(i.m) k=\(i.k)")
        }
        for c in outputCopies { lines.append("store base\(c.base) <- r\(c.register)..<\(c.register + c.count)") }
        return lines.joined(separator: "\n")
    }
}
