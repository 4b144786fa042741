// Compiled programs as tape primitives: the forward program runs on the tape's values and the
// compiled reverse-mode program (`Graph.vjp`) is its pullback.

/// A compiled program together with its compiled reverse mode, both built once.
///
/// Immutable and re-entrant (each call makes its own workspace), so one instance can be
/// shared by tapes on several threads: a right-hand side's VJP for the Sensitivity adjoints,
/// a network called inside a loss, a function defined in the language.
public final class DifferentiableProgram: Sendable {
    /// The program computing the outputs.
    public let forward: Program
    /// The compiled VJP: takes the forward inputs followed by one cotangent per output and
    /// returns one cotangent per input.
    public let reverse: Program

    public var inputShapes: [Shape] { forward.inputShapes }
    public var outputShapes: [Shape] { forward.outputShapes }

    /// Compiles `program`'s reverse mode. Throws the errors of `Graph.vjp` and `compile`.
    public init(_ program: Program) throws {
        forward = program
        reverse = try program.graph.vjp().compile()
    }

    /// Compiles `graph` and its reverse mode.
    public convenience init(_ graph: Graph) throws {
        try self.init(graph.compile())
    }

    /// The outputs at `inputs` (one array per input, of its shape's count).
    public func callAsFunction(_ inputs: [[Double]]) throws -> [[Double]] {
        try forward(inputs)
    }

    /// ∂⟨ȳ, y⟩/∂x for each input x, where y are the outputs at `inputs` and ȳ the `cotangents`.
    public func pullback(at inputs: [[Double]], cotangents: [[Double]]) throws -> [[Double]] {
        guard cotangents.count == outputShapes.count else {
            throw AutodiffError(.invalidArgument,
                                "program pullback: expected \(outputShapes.count) cotangents, got \(cotangents.count)")
        }
        for (k, (c, s)) in zip(cotangents, outputShapes).enumerated() where c.count != s.count {
            throw AutodiffError(.shapeMismatch,
                                "program pullback: cotangent \(k) has \(c.count) values but output \(k) has shape \(s)")
        }
        return try reverse(inputs + cotangents)
    }
}

extension Tape {
    /// Runs a compiled program on tape variables and records it as a primitive whose pullback
    /// is the program's compiled VJP.
    ///
    /// Throws the tape's recorded error, an input count or shape that differs from the
    /// program's (naming both shapes), and the program's own errors.
    public func call(_ program: DifferentiableProgram, _ inputs: [Variable]) throws -> [Variable] {
        try check()
        guard inputs.count == program.inputShapes.count else {
            throw AutodiffError(.invalidArgument,
                                "call: the program takes \(program.inputShapes.count) inputs but \(inputs.count) were given")
        }
        for (k, (x, s)) in zip(inputs, program.inputShapes).enumerated() where x.shape != s {
            throw AutodiffError(.shapeMismatch, "call: input \(k) has shape \(x.shape) but the program expects \(s)")
        }
        return try primitive(inputs, outputShapes: program.outputShapes, name: "program") { x in
            let y = try program(x)
            return (y, { ct in try program.pullback(at: x, cotangents: ct).map { Optional($0) } })
        }
    }

    /// Runs a compiled program on tape variables, compiling its VJP on first use on this tape.
    /// A program used on many tapes (every training iteration) should be wrapped once in a
    /// `DifferentiableProgram` and passed as such, so that its VJP is compiled only once.
    public func call(_ program: Program, _ inputs: [Variable]) throws -> [Variable] {
        try check()
        // The cache holds the program, so its identifier cannot be reused while cached.
        let key = ObjectIdentifier(program)
        let differentiable: DifferentiableProgram
        if let cached = programCache[key] {
            differentiable = cached
        } else {
            differentiable = try DifferentiableProgram(program)
            programCache[key] = differentiable
        }
        return try call(differentiable, inputs)
    }
}
