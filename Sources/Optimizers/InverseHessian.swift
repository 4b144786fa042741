/// How a quasi-Newton method stores its approximation H ≈ ∇²f⁻¹: as a dense matrix (BFGS) or
/// as the last m pairs (s, y) (L-BFGS). Workspaces are allocated at construction.
protocol InverseHessianApproximation: AnyObject {
    /// Forgets all curvature: H = scale · I.
    func reset(scale: Double)
    /// Whether an update has happened since the last reset.
    var hasCurvature: Bool { get }
    /// p = −H g.
    func direction(gradient g: UnsafeMutableBufferPointer<Double>, into p: UnsafeMutableBufferPointer<Double>)
    /// Takes in the step s = x⁺ − x and gradient change y = g⁺ − g, with sᵀy > 0.
    func update(s: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>, sy: Double)
}

/// The dense BFGS inverse update H⁺ = (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/(sᵀy)
/// (Nocedal & Wright 2006, eq. 6.17), with H₀ rescaled to (sᵀy / yᵀy) I before the first
/// update (eq. 6.20). n² storage.
final class DenseInverseHessian: InverseHessianApproximation {
    let n: Int
    let h: UnsafeMutableBufferPointer<Double>
    let hy: UnsafeMutableBufferPointer<Double>
    private(set) var hasCurvature = false

    init(count n: Int) {
        self.n = n
        h = zeroedBuffer(n * n)
        hy = zeroedBuffer(n)
        reset(scale: 1)
    }

    deinit {
        freeBuffer(h)
        freeBuffer(hy)
    }

    func reset(scale: Double) {
        for i in h.indices { h[i] = 0 }
        for i in 0..<n { h[i * n + i] = scale }
        hasCurvature = false
    }

    func direction(gradient g: UnsafeMutableBufferPointer<Double>, into p: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<n {
            var s = 0.0
            for j in 0..<n { s += h[i * n + j] * g[j] }
            p[i] = -s
        }
    }

    func update(s: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>, sy: Double) {
        if !hasCurvature { reset(scale: sy / dot(y, y)) }
        for i in 0..<n {
            var t = 0.0
            for j in 0..<n { t += h[i * n + j] * y[j] }
            hy[i] = t
        }
        let rho = 1 / sy, yhy = dot(y, hy)
        let c = rho * rho * yhy + rho
        for i in 0..<n {
            for j in 0..<n {
                h[i * n + j] += c * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j])
            }
        }
        hasCurvature = true
    }
}

/// The L-BFGS two-loop recursion over the last m pairs, with H₀ = γ I, γ = sᵀy / yᵀy of the
/// newest pair (Nocedal & Wright 2006, Algorithm 7.4 and eq. 7.20). 2mn storage.
final class LimitedMemoryInverseHessian: InverseHessianApproximation {
    let n: Int, m: Int
    let s: UnsafeMutableBufferPointer<Double>
    let y: UnsafeMutableBufferPointer<Double>
    let rho: UnsafeMutableBufferPointer<Double>
    let alpha: UnsafeMutableBufferPointer<Double>
    /// Pairs stored, and the slot of the newest.
    var stored = 0, newest = -1
    var gamma = 1.0
    var hasCurvature: Bool { stored > 0 }

    init(count n: Int, memory m: Int) {
        self.n = n
        self.m = Swift.max(m, 1)
        s = zeroedBuffer(self.m * n)
        y = zeroedBuffer(self.m * n)
        rho = zeroedBuffer(self.m)
        alpha = zeroedBuffer(self.m)
    }

    deinit {
        freeBuffer(s)
        freeBuffer(y)
        freeBuffer(rho)
        freeBuffer(alpha)
    }

    func reset(scale: Double) {
        stored = 0
        newest = -1
        gamma = scale
    }

    func direction(gradient g: UnsafeMutableBufferPointer<Double>, into p: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<n { p[i] = g[i] }
        var k = newest
        for _ in 0..<stored {
            var a = 0.0
            for i in 0..<n { a += s[k * n + i] * p[i] }
            a *= rho[k]
            alpha[k] = a
            for i in 0..<n { p[i] -= a * y[k * n + i] }
            k = (k - 1 + m) % m
        }
        for i in 0..<n { p[i] *= gamma }
        k = (newest - stored + 1 + m) % m
        for _ in 0..<stored {
            var b = 0.0
            for i in 0..<n { b += y[k * n + i] * p[i] }
            b *= rho[k]
            let c = alpha[k] - b
            for i in 0..<n { p[i] += c * s[k * n + i] }
            k = (k + 1) % m
        }
        for i in 0..<n { p[i] = -p[i] }
    }

    func update(s sNew: UnsafeMutableBufferPointer<Double>, y yNew: UnsafeMutableBufferPointer<Double>, sy: Double) {
        newest = (newest + 1) % m
        for i in 0..<n {
            s[newest * n + i] = sNew[i]
            y[newest * n + i] = yNew[i]
        }
        rho[newest] = 1 / sy
        stored = Swift.min(stored + 1, m)
        gamma = sy / dot(yNew, yNew)
    }
}
