import Autodiff
import DiffEq

/// A right-hand side compiled from a traced graph `(u, p, t) -> du`, with every derivative
/// DiffEq can use: f, the JVP and VJP in u, the dense Jacobians ∂f/∂u and ∂f/∂p, the
/// sparsity pattern of ∂f/∂u with its column colouring, and ∂f/∂u on that pattern (one JVP
/// run per colour), so the implicit methods can factor W with KLU. Each integrator gets its own workspaces (`perIntegrator`),
/// so ensembles on several threads share the compiled programs safely.
public final class CompiledRHS: @unchecked Sendable {
    public let graph: Graph
    public let states: Int
    public let parameters: Int
    let f: Program
    let jvp: Program
    let vjp: Program
    let sparsity: SparsityPattern
    /// (u, p, t, v) -> (∂f/∂u)ᵀv, (∂f/∂p)ᵀv: the adjoints' workhorse.
    let vjpUP: Program
    /// (u, p, t, du, dp) -> (∂f/∂u)du + (∂f/∂p)dp: forward sensitivities.
    let jvpUP: Program
    /// Prototypes of the Jacobian evaluators; each instance takes a copy sharing their programs.
    let jacobianU: DenseJacobian
    /// ∂f/∂u compressed by colouring; its pattern is `sparsity`. Only for patterns sparse
    /// enough for a sparse W (colouring costs Σ rows' entries² a pass, cubic for a dense one);
    /// denser ones leave DiffEq its own coloured differences.
    let sparseJacobianU: SparseJacobian?
    let jacobianP: DenseJacobian?

    /// Compiles `graph`, whose inputs must be u (a vector), p (a vector) and t (a scalar),
    /// and whose one output has u's shape.
    public init(_ graph: Graph) throws {
        guard graph.inputs.count == 3, graph.outputs.count == 1,
              graph.inputs[2].shape == .scalar, graph.inputs[0].shape.count == graph.outputShapes[0].count else {
            throw AutodiffError(.invalidArgument,
                                "a right-hand side takes (u, p, t) with t a scalar and returns du of u's shape; got inputs "
                                + graph.inputs.map { "\($0.name): \($0.shape)" }.joined(separator: ", ")
                                + " and outputs " + graph.outputShapes.map(\.description).joined(separator: ", "))
        }
        self.graph = graph
        states = graph.inputs[0].shape.count
        parameters = graph.inputs[1].shape.count
        f = try graph.compile()
        jvp = try graph.jvp(wrt: [0]).compile()
        vjp = try graph.vjp(wrt: [0]).compile()
        let pattern = try graph.sparsity(output: 0, wrt: 0)
        sparseJacobianU = pattern.nnz <= LinearSolverChoice.sparseMaximumEntriesPerColumn * states
            ? try SparseJacobian(graph, output: 0, wrt: 0) : nil
        // The evaluator writes its own pattern's entries: the one handed over with it.
        sparsity = sparseJacobianU?.pattern ?? pattern
        vjpUP = try graph.vjp(wrt: [0, 1]).compile()
        jvpUP = try graph.jvp(wrt: [0, 1]).compile()
        jacobianU = try DenseJacobian(graph, output: 0, wrt: 0)
        jacobianP = parameters > 0 ? try DenseJacobian(graph, output: 0, wrt: 1) : nil
    }

    /// The DiffEq function: its closures run the compiled programs in workspaces private to
    /// each integrator.
    public func odeFunction() throws -> ODEFunction {
        var fn = try instance()
        let make: @Sendable () -> ODEFunction = { [self] in (try? self.instance()) ?? ODEFunction({ du, _, _, _ in du[0] = .nan }) }
        fn.perIntegrator = make
        return fn
    }

    /// One set of closures with their own workspaces and Jacobian evaluators.
    func instance() throws -> ODEFunction {
        let fWS = f.makeWorkspace(), jvpWS = jvp.makeWorkspace(), vjpWS = vjp.makeWorkspace()
        let time = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        let holder = ScratchOwner(time)
        let jacU = jacobianU.makeCopy()
        let jacP = jacobianP?.makeCopy()
        let sparseJacU = sparseJacobianU?.makeCopy()
        let nnz = sparsity.nnz
        let n = states, m = parameters
        let f = self.f, jvp = self.jvp, vjp = self.vjp
        let rhs: RHSFunction = { du, u, p, t in
            holder.time[0] = t
            f.run(fWS, u, p, holder.time, into: du)
        }
        let jvpFunction: DirectionalDerivative = { out, v, u, p, t in
            holder.time[0] = t
            jvpWS.bind(input: 0, u); jvpWS.bind(input: 1, p); jvpWS.bind(input: 2, holder.time); jvpWS.bind(input: 3, v)
            jvpWS.bind(output: 0, out)
            jvp.run(jvpWS)
        }
        let vjpFunction: DirectionalDerivative = { out, v, u, p, t in
            holder.time[0] = t
            vjpWS.bind(input: 0, u); vjpWS.bind(input: 1, p); vjpWS.bind(input: 2, holder.time); vjpWS.bind(input: 3, v)
            vjpWS.bind(output: 0, out)
            vjp.run(vjpWS)
        }
        let jac: JacobianFunction = { J, u, p, t in
            holder.time[0] = t
            try? jacU.evaluate(UnsafeBufferPointer(start: u, count: n), UnsafeBufferPointer(start: p, count: m),
                               UnsafeBufferPointer(start: holder.time, count: 1),
                               into: UnsafeMutableBufferPointer(start: J, count: n * n))
        }
        var sparseJac: SparseJacobianFunction? = nil
        if let sparseJacU {
            sparseJac = { nzval, u, p, t in
                holder.time[0] = t
                try? sparseJacU.evaluate(UnsafeBufferPointer(start: u, count: n), UnsafeBufferPointer(start: p, count: m),
                                         UnsafeBufferPointer(start: holder.time, count: 1),
                                         into: UnsafeMutableBufferPointer(start: nzval, count: nnz))
            }
        }
        var paramJac: JacobianFunction? = nil
        if let jacP {
            paramJac = { J, u, p, t in
                holder.time[0] = t
                try? jacP.evaluate(UnsafeBufferPointer(start: u, count: n), UnsafeBufferPointer(start: p, count: m),
                                   UnsafeBufferPointer(start: holder.time, count: 1),
                                   into: UnsafeMutableBufferPointer(start: J, count: n * m))
            }
        }
        return ODEFunction(rhs, jac: jac, jvp: jvpFunction, vjp: vjpFunction, paramJacobian: paramJac,
                           sparsity: JacobianSparsity(rows: sparsity.rows, cols: sparsity.cols,
                                                      colPtr: sparsity.colPtr, rowIndex: sparsity.rowIndex),
                           sparseJac: sparseJac, colorvec: sparseJacobianU?.coloring.colors)
    }
}

/// Owns a closure set's scalar scratch (the time passed to programs as a pointer).
final class ScratchOwner: @unchecked Sendable {
    let time: UnsafeMutablePointer<Double>
    init(_ time: UnsafeMutablePointer<Double>) {
        self.time = time
        time.initialize(to: 0)
    }
    deinit { time.deallocate() }
}
