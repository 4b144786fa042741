import LinearSolve

/// Memory of an implicit step, allocated with the integrator: the Jacobian and W in the
/// storage the linear solver needs (`NewtonMatrix`), ∂f/∂t, an intermediate derivative and a
/// right-hand side; for a Rosenbrock–Wanner method
/// of the transformed form its stage increments and constants, for a diagonally implicit
/// method its stages zᵢ, constants and Newton state (`ODEIntegrator+SDIRK.swift`).
final class ImplicitWork {
    /// The stepping routine, chosen once (the family's payload is not unpacked per step).
    enum Routine { case rosenbrock23, rosenbrock32, rosenbrock, sdirk, ndf }
    let routine: Routine
    /// ∂f/∂u and W = d·M − s·J, dense, sparse (KLU) or matrix-free (GMRES).
    let matrix: NewtonMatrix
    let dfdt: UnsafeMutablePointer<Double>
    let f1: UnsafeMutablePointer<Double>
    let rhs: UnsafeMutablePointer<Double>
    /// The known part u₀ + Σⱼ₍ⱼ<ᵢ₎ aᵢⱼ zⱼ of a diagonally implicit stage.
    let stageBase: UnsafeMutablePointer<Double>
    /// Stages of the transformed-form or diagonally implicit method (0 for Rosenbrock23).
    let stages: Int
    /// Dense-output rows of the transformed-form method.
    let denseRows: Int
    let gamma: Double
    /// Stage increments (Rosenbrock) or stages zᵢ = h f(Yᵢ) (SDIRK), `stages × n`.
    let increments: UnsafeMutablePointer<Double>
    /// Rosenbrock: a, C (row-major `stages × stages`), c, d, b, b̃ (`stages` each), H
    /// (`denseRows × stages`). SDIRK: a with its diagonal (`stages × stages`), c, b, b̃, and the
    /// predictor weights (`stages × stages`).
    let coefficients: UnsafeMutablePointer<Double>
    let newton = NewtonState()
    /// The difference table of the NDF family (nil for the others).
    let ndf: NDFState?
    /// The mass matrix M of M u′ = f (column-major), nil for the identity, and a product M x.
    let mass: UnsafeMutablePointer<Double>?
    let massProduct: UnsafeMutablePointer<Double>
    /// For a singular M: the algebraic equations (zero rows of M) and variables (zero
    /// columns), and the LU of their Jacobian block for the initialisation's Newton steps.
    let algebraicRows: [Int]
    let algebraicColumns: [Int]
    let initializationLU: DenseLU?

    init(n: Int, family: ButcherTableau.Family = .rosenbrock23, mass massMatrix: [Double]? = nil,
         linearSolver kind: NewtonMatrix.Kind = .dense, choice: LinearSolverChoice = .dense, function: ODEFunction? = nil) {
        matrix = NewtonMatrix(kind: kind, choice: choice, n: n, function: function, mass: massMatrix)
        dfdt = zeroedBuffer(n)
        f1 = zeroedBuffer(n)
        rhs = zeroedBuffer(n)
        stageBase = zeroedBuffer(n)
        var flat: [Double] = []
        switch family {
        case .rosenbrock(let r):
            routine = .rosenbrock
            stages = r.stages
            denseRows = r.h.count
            gamma = r.gamma
            flat = r.a + r.cMatrix + r.c + r.d + r.b + r.btilde + r.h.flatMap { $0 }
        case .sdirk(let r):
            routine = .sdirk
            stages = r.stages
            denseRows = 0
            gamma = r.gamma
            flat = r.a + r.c + r.b + r.btilde + r.predictor
        case .ndf:
            routine = .ndf
            stages = 0
            denseRows = 0
            gamma = 0
        case .rosenbrock32:
            routine = .rosenbrock32
            stages = 0
            denseRows = 0
            gamma = 0
        case .rosenbrock23, .explicit:
            routine = .rosenbrock23
            stages = 0
            denseRows = 0
            gamma = 0
        }
        if case .ndf(let maxOrder) = family { ndf = NDFState(n: n, maxOrder: maxOrder) } else { ndf = nil }
        increments = zeroedBuffer(stages * n)
        coefficients = zeroedBuffer(flat.count)
        for (i, v) in flat.enumerated() { coefficients[i] = v }
        massProduct = zeroedBuffer(n)
        if let massMatrix, massMatrix.count == n * n {
            let m = zeroedBuffer(n * n)
            m.update(from: massMatrix, count: n * n)
            mass = m
            algebraicRows = (0..<n).filter { i in (0..<n).allSatisfy { massMatrix[i + $0 * n] == 0 } }
            algebraicColumns = (0..<n).filter { j in (0..<n).allSatisfy { massMatrix[$0 + j * n] == 0 } }
            initializationLU = algebraicRows.isEmpty || algebraicRows.count != algebraicColumns.count
                ? nil : DenseLU(dimension: algebraicRows.count)
        } else {
            mass = nil
            algebraicRows = []
            algebraicColumns = []
            initializationLU = nil
        }
    }

    /// M x into `massProduct` (x itself when M is the identity).
    @inline(__always)
    func massTimes(_ x: UnsafePointer<Double>, _ n: Int) -> UnsafePointer<Double> {
        guard let mass else { return x }
        for i in 0..<n { massProduct[i] = 0 }
        for j in 0..<n {
            let xj = x[j]
            if xj == 0 { continue }
            let column = mass + j * n
            for i in 0..<n { massProduct[i] += column[i] * xj }
        }
        return UnsafePointer(massProduct)
    }

    /// M[i, j] (the identity's entry when there is no mass matrix).
    @inline(__always)
    func massEntry(_ i: Int, _ j: Int, _ n: Int) -> Double {
        guard let mass else { return i == j ? 1 : 0 }
        return mass[i + j * n]
    }

    deinit {
        dfdt.deallocate()
        f1.deallocate()
        rhs.deallocate()
        stageBase.deallocate()
        increments.deallocate()
        coefficients.deallocate()
        massProduct.deallocate()
        mass?.deallocate()
    }
}

/// What the simplified Newton iterations of the implicit families (SDIRK, NDF) carry from stage
/// to stage and from step to step: where the Jacobian was taken, which W was factored, and the
/// last convergence rate.
final class NewtonState {
    /// A Jacobian is held, and it was taken at this step's start (accepted-step count and t).
    var jacobianValid = false
    var jacobianAccepted = -1
    var jacobianT = Double.nan
    /// The last step converged slowly (or failed): take a new Jacobian before the next.
    var refreshJacobian = true
    /// The c of the factored W = I − cJ (0: no usable factorisation).
    var factoredC = 0.0
    /// Hairer's η = θ/(1 − θ) of the last converged iteration, the first iteration's guess.
    var eta = 1.0

    func reset() {
        jacobianValid = false
        jacobianAccepted = -1
        jacobianT = .nan
        refreshJacobian = true
        factoredC = 0
        eta = 1
    }
}

/// A buffer of `count` zeros (at least one element, so an empty problem still has a valid
/// pointer), for working memory allocated once per integrator.
func zeroedBuffer(_ count: Int) -> UnsafeMutablePointer<Double> {
    let p = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count, 1))
    p.initialize(repeating: 0, count: Swift.max(count, 1))
    return p
}
