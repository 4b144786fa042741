import Foundation

/// The history of a variable-order numerical differentiation formula: backward differences of
/// the solution on a grid of equal steps (rescaled when the step changes), the order, and the
/// step the differences are spaced for.
final class NDFState {
    let n: Int
    let maxOrder: Int
    /// Backward differences ∇ʲu, j = 0 ... maxOrder + 2, row after row (`(maxOrder + 3) × n`).
    let differences: UnsafeMutablePointer<Double>
    /// The last step's Newton correction u₁ − u_pred, the prediction, ψ, and scratch for rescaling.
    let correction: UnsafeMutablePointer<Double>
    let prediction: UnsafeMutablePointer<Double>
    let psi: UnsafeMutablePointer<Double>
    let scratch: UnsafeMutablePointer<Double>
    /// (maxOrder + 1)² matrices for the rescaling R·U.
    let r: UnsafeMutablePointer<Double>
    let u: UnsafeMutablePointer<Double>
    let ru: UnsafeMutablePointer<Double>
    var order = 1
    /// The step the differences are spaced for (0: no history; the next step starts at order 1).
    var spacing = 0.0
    var equalSteps = 0
    /// Newton iterations of the last step, and the step the method asks for next.
    var iterations = 0
    var proposedStep = 0.0

    // Shampine and Reichelt's NDF constants (κ) and the BDF sums γₖ = Σⱼ₌₁ᵏ 1/j.
    static let kappa: [Double] = [0, -0.1850, -1.0 / 9, -0.0823, -0.0415, 0]
    static let gammas: [Double] = (0...5).map { k in (0..<k).reduce(0.0) { $0 + 1 / Double($1 + 1) } }
    let alpha: UnsafeMutablePointer<Double>
    let gamma: UnsafeMutablePointer<Double>
    let errorConstant: UnsafeMutablePointer<Double>

    init(n: Int, maxOrder: Int) {
        self.n = n
        self.maxOrder = maxOrder
        differences = zeroedBuffer((maxOrder + 3) * n)
        correction = zeroedBuffer(n)
        prediction = zeroedBuffer(n)
        psi = zeroedBuffer(n)
        scratch = zeroedBuffer((maxOrder + 1) * n)
        let m = (maxOrder + 1) * (maxOrder + 1)
        r = zeroedBuffer(m)
        u = zeroedBuffer(m)
        ru = zeroedBuffer(m)
        alpha = zeroedBuffer(7)
        gamma = zeroedBuffer(7)
        errorConstant = zeroedBuffer(7)
        for k in 0...5 {
            gamma[k] = Self.gammas[k]
            alpha[k] = (1 - Self.kappa[k]) * Self.gammas[k]
            errorConstant[k] = Self.kappa[k] * Self.gammas[k] + 1 / Double(k + 1)
        }
        gamma[6] = Self.gammas[5] + 1.0 / 6
        errorConstant[6] = 1.0 / 7
    }

    deinit {
        for p in [differences, correction, prediction, psi, scratch, r, u, ru, alpha, gamma, errorConstant] { p.deallocate() }
    }

    func reset() {
        spacing = 0
        order = 1
        equalSteps = 0
        proposedStep = 0
    }

    @inline(__always) func row(_ j: Int) -> UnsafeMutablePointer<Double> { differences + j * n }

    /// The accepted step's correction d = u₁ − u_pred updates the table: ∇ᵏ⁺²u = d − ∇ᵏ⁺¹u,
    /// ∇ᵏ⁺¹u = d, then ∇ʲu += ∇ʲ⁺¹u for j = k ... 0 (the differences now end at u₁).
    func pushCorrection() {
        let d = correction
        let top = row(order + 2), next = row(order + 1)
        for j in 0..<n { top[j] = d[j] - next[j]; next[j] = d[j] }
        for i in stride(from: order, through: 0, by: -1) {
            let ri = row(i), ri1 = row(i + 1)
            for j in 0..<n { ri[j] += ri1[j] }
        }
        equalSteps += 1
    }

    /// R(order, factor): Rᵢⱼ = Πₘ₌₁ⁱ (m − 1 − factor·j)/m, R₀ⱼ = 1 (into `out`, (order+1)²).
    func rescalingMatrix(order: Int, factor: Double, into out: UnsafeMutablePointer<Double>) {
        let m = order + 1
        for j in 0..<m { out[j] = 1 }
        for i in 1..<m {
            for j in 0..<m {
                let step = j == 0 ? 0 : (Double(i) - 1 - factor * Double(j)) / Double(i)
                out[i * m + j] = out[(i - 1) * m + j] * step
            }
        }
    }

    /// Re-spaces the differences from step h to factor·h: D ← (R·U)ᵀ D over rows 0 ... order.
    func rescale(by factor: Double) {
        let m = order + 1
        rescalingMatrix(order: order, factor: factor, into: r)
        rescalingMatrix(order: order, factor: 1, into: u)
        for i in 0..<m {
            for j in 0..<m {
                var s = 0.0
                for k in 0..<m { s += r[i * m + k] * u[k * m + j] }
                ru[i * m + j] = s
            }
        }
        for idx in 0..<(m * n) { scratch[idx] = differences[idx] }
        for i in 0..<m {
            let out = row(i)
            for c in 0..<n { out[c] = 0 }
            for j in 0..<m {
                let w = ru[j * m + i]
                if w == 0 { continue }
                let src = scratch + j * n
                for c in 0..<n { out[c] += w * src[c] }
            }
        }
    }
}
