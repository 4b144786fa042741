/// An in-place right-hand side: writes f(u, p, t) into `du`. `u` and `p` are read-only and
/// `du` never aliases them. This is the form every solver calls; it allocates nothing.
public typealias RHSFunction = (_ du: UnsafeMutablePointer<Double>, _ u: UnsafePointer<Double>,
                                _ p: UnsafePointer<Double>, _ t: Double) -> Void

/// A dense Jacobian ∂f/∂u (or ∂f/∂p), written column-major into `J`.
public typealias JacobianFunction = (_ J: UnsafeMutablePointer<Double>, _ u: UnsafePointer<Double>,
                                     _ p: UnsafePointer<Double>, _ t: Double) -> Void

/// A sparse Jacobian ∂f/∂u: writes the values of the entries of `ODEFunction.sparsity`, in its
/// CSC order (SciML's `nzval`), into `nzval`.
public typealias SparseJacobianFunction = (_ nzval: UnsafeMutablePointer<Double>, _ u: UnsafePointer<Double>,
                                           _ p: UnsafePointer<Double>, _ t: Double) -> Void

/// A directional derivative: writes (∂f/∂u)·v (JVP) or (∂f/∂u)ᵀ·v (VJP) into `out`.
public typealias DirectionalDerivative = (_ out: UnsafeMutablePointer<Double>, _ v: UnsafePointer<Double>,
                                          _ u: UnsafePointer<Double>, _ p: UnsafePointer<Double>, _ t: Double) -> Void

/// A sparsity pattern in compressed sparse column form (0-based), as DiffEq receives it from
/// whoever built the function (Autodiff detects it from a traced graph).
public struct JacobianSparsity: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public let colPtr: [Int]
    public let rowIndex: [Int]
    public init(rows: Int, cols: Int, colPtr: [Int], rowIndex: [Int]) {
        self.rows = rows
        self.cols = cols
        self.colPtr = colPtr
        self.rowIndex = rowIndex
    }
}

/// The right-hand side of an ODE and what is known about its derivatives.
///
/// DiffEq knows nothing of Autodiff: whoever builds the function (a traced graph compiled by
/// Autodiff, the language, a Swift closure) fills in what it can. A solver that needs a
/// missing derivative falls back to finite differences and counts them in its stats.
public struct ODEFunction: @unchecked Sendable {
    public var f: RHSFunction
    public var jac: JacobianFunction?
    public var jvp: DirectionalDerivative?
    public var vjp: DirectionalDerivative?
    /// ∂f/∂p, column-major `n × count(p)`.
    public var paramJacobian: JacobianFunction?
    /// The structural nonzeros of ∂f/∂u (SciML's `jac_prototype`/`sparsity`): with it the
    /// implicit methods can factor W sparsely (`SolverOptions.linsolve`).
    public var sparsity: JacobianSparsity?
    /// ∂f/∂u's values on `sparsity` (nil: coloured finite differences, one f per colour).
    public var sparseJac: SparseJacobianFunction?
    /// A colour per column of `sparsity`, no two columns of a colour sharing a row (SciML's
    /// `colorvec`): the groups of columns one finite difference recovers together. nil: DiffEq
    /// colours greedily itself.
    public var colorvec: [Int]?
    /// The mass matrix M of M u′ = f, column-major; nil is the identity.
    public var massMatrix: [Double]?
    /// Makes a private copy for one integrator, when the closures share scratch memory (a
    /// compiled program's workspace): each integrator, and so each ensemble thread, then
    /// works in its own.
    public var perIntegrator: (@Sendable () -> ODEFunction)?

    public init(_ f: @escaping RHSFunction, jac: JacobianFunction? = nil, jvp: DirectionalDerivative? = nil,
                vjp: DirectionalDerivative? = nil, paramJacobian: JacobianFunction? = nil,
                sparsity: JacobianSparsity? = nil, sparseJac: SparseJacobianFunction? = nil,
                colorvec: [Int]? = nil, massMatrix: [Double]? = nil) {
        self.f = f
        self.sparseJac = sparseJac
        self.colorvec = colorvec
        self.jac = jac
        self.jvp = jvp
        self.vjp = vjp
        self.paramJacobian = paramJacobian
        self.sparsity = sparsity
        self.massMatrix = massMatrix
    }

    /// An out-of-place right-hand side `du = f(u, p, t)` on arrays. Convenient, but it copies
    /// and allocates on every call; prefer the in-place form where speed matters.
    public init(outOfPlace g: @escaping (_ u: [Double], _ p: [Double], _ t: Double) -> [Double], states n: Int, parameters m: Int) {
        self.init({ du, u, p, t in
            let y = g(Array(UnsafeBufferPointer(start: u, count: n)), Array(UnsafeBufferPointer(start: p, count: m)), t)
            for i in 0..<Swift.min(n, y.count) { du[i] = y[i] }
            for i in Swift.min(n, y.count)..<n { du[i] = .nan }  // a short result poisons the step, never reads garbage
        })
    }
}

/// An initial value problem u′ = f(u, p, t), u(t₀) = u₀, on `tspan` (which may run backwards).
public struct ODEProblem: Sendable {
    public var f: ODEFunction
    public var u0: [Double]
    public var tspan: (Double, Double)
    public var p: [Double]

    public init(_ f: ODEFunction, u0: [Double], tspan: (Double, Double), p: [Double] = []) {
        self.f = f
        self.u0 = u0
        self.tspan = tspan
        self.p = p
    }

    /// An in-place problem from a closure.
    public init(_ f: @escaping RHSFunction, u0: [Double], tspan: (Double, Double), p: [Double] = []) {
        self.init(ODEFunction(f), u0: u0, tspan: tspan, p: p)
    }

    /// An out-of-place problem from a closure on arrays (allocates per call).
    public init(outOfPlace g: @escaping (_ u: [Double], _ p: [Double], _ t: Double) -> [Double],
                u0: [Double], tspan: (Double, Double), p: [Double] = []) {
        self.init(ODEFunction(outOfPlace: g, states: u0.count, parameters: p.count), u0: u0, tspan: tspan, p: p)
    }
}
