import Foundation

/// Globally adaptive Gauss–Kronrod (7, 15) quadrature of a vector integrand, as QuadGK and
/// QUADPACK's QAG: every panel is integrated by the 15-point Kronrod rule, its error
/// estimated by the distance to the embedded 7-point Gauss rule, and the panel with the
/// largest error is bisected until the error is within tolerance or the panel budget is spent.
///
/// The error is controlled componentwise — every component's summed panel errors within
/// max(abstol, reltol |Iⱼ|) — not on the vector's norm as QuadGK does: the components of a
/// parameter gradient can differ by many orders of magnitude (Robertson's rate constants),
/// and a norm-wide tolerance would leave the small ones with no correct digit. The panel
/// bisected next is the one with the largest error relative to those tolerances.
///
/// The integrand writes its `m` values into the buffer it is given. Scratch memory is kept
/// between calls, so a quadrature allocates only when it needs more panels than ever before.
///
/// References: R. Piessens, E. de Doncker-Kapenga, C. W. Überhuber, D. K. Kahaner, "QUADPACK",
/// Springer 1983 (the qk15 nodes and weights); A. S. Kronrod, "Nodes and weights of quadrature
/// formulas", 1965.
final class AdaptiveQuadrature {
    /// Kronrod nodes on [−1, 1] (positive half, the centre last); those at odd indices (the
    /// centre included) and their negatives are the 7 Gauss nodes.
    static let kronrodNodes: [Double] = [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0,
    ]
    static let kronrodWeights: [Double] = [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ]
    /// Gauss weights of kronrodNodes[1], [3], [5] and [7].
    static let gaussWeights: [Double] = [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
    ]

    let m: Int
    /// Panels: ends, error, and integral at `integrals[i·m ..< (i+1)·m]`.
    var lower: [Double] = []
    var upper: [Double] = []
    /// Each panel's error scaled by the tolerances (refreshed as the integral settles), and its
    /// error per component at `componentErrors[i·m ..< (i+1)·m]`.
    var errors: [Double] = []
    var componentErrors: [Double] = []
    var integrals: [Double] = []
    /// Σ over panels of each component's error, and each component's tolerance.
    var errorSums: [Double]
    var tolerances: [Double]
    var value: [Double]
    var kronrod: [Double]
    var gauss: [Double]
    var total: [Double]
    /// Integrand evaluations of the last call.
    private(set) var evaluations = 0

    init(dimension m: Int) {
        self.m = m
        value = [Double](repeating: 0, count: max(m, 1))
        kronrod = value
        gauss = value
        total = value
        errorSums = value
        tolerances = value
    }

    /// Every component's tolerance from the current integral.
    private func updateTolerances(abstol: Double, reltol: Double) {
        for j in 0..<m { tolerances[j] = Swift.max(abstol, reltol * Swift.abs(total[j]), Double.leastNormalMagnitude) }
    }

    /// A panel's largest error relative to the tolerances.
    private func scaledError(_ i: Int) -> Double {
        var worst = 0.0
        for j in 0..<m { worst = Swift.max(worst, componentErrors[i * m + j] / tolerances[j]) }
        return worst
    }

    /// ∫ₐᵇ g(t) dt (oriented: b < a gives the negative) into `result` (m values); returns the
    /// error estimate. `breakpoints` strictly between a and b, in order from a to b, start
    /// the partition: features narrower than a panel's nodes (a boundary layer of the
    /// adjoint) are invisible to both rules of a panel that spans them, so panels must not.
    @discardableResult
    func integrate(from a: Double, to b: Double, abstol: Double, reltol: Double, maxPanels: Int,
                   breakpoints: ArraySlice<Double> = [],
                   into result: UnsafeMutablePointer<Double>,
                   _ g: (Double, UnsafeMutablePointer<Double>) -> Void) -> Double {
        lower.removeAll(keepingCapacity: true)
        upper.removeAll(keepingCapacity: true)
        errors.removeAll(keepingCapacity: true)
        componentErrors.removeAll(keepingCapacity: true)
        integrals.removeAll(keepingCapacity: true)
        evaluations = 0
        for j in 0..<m { total[j] = 0; errorSums[j] = 0 }
        updateTolerances(abstol: abstol, reltol: reltol)
        var start = a
        for point in breakpoints where point != start && point != b {
            panel(start, point, g)
            start = point
        }
        panel(start, b, g)
        for i in 0..<errors.count { errors[i] = scaledError(i) }
        var bisections = 0
        while true {
            updateTolerances(abstol: abstol, reltol: reltol)
            var converged = true
            for j in 0..<m where errorSums[j] > tolerances[j] { converged = false; break }
            if converged || lower.count >= Swift.max(maxPanels, 1) { break }
            // The scaled errors follow the tolerances, which move as the integral settles.
            if bisections % 16 == 0 { for i in 0..<errors.count { errors[i] = scaledError(i) } }
            // Bisect the worst panel: drop it (moved last), then append its two halves.
            var worst = 0
            for i in 1..<errors.count where errors[i] > errors[worst] { worst = i }
            let lo = lower[worst], hi = upper[worst], mid = 0.5 * (lo + hi)
            if !(Swift.abs(hi - lo) > 4 * Double.ulpOfOne * Swift.max(Swift.abs(lo), Swift.abs(hi))) { break }
            for j in 0..<m {
                total[j] -= integrals[worst * m + j]
                errorSums[j] -= componentErrors[worst * m + j]
            }
            removePanel(worst)
            panel(lo, mid, g)
            panel(mid, hi, g)
            bisections += 1
        }
        // The result summed afresh, so the running sums' rounding does not stay in it.
        for j in 0..<m { result[j] = 0 }
        for i in 0..<errors.count { for j in 0..<m { result[j] += integrals[i * m + j] } }
        var largest = 0.0
        for j in 0..<m { largest = Swift.max(largest, errorSums[j]) }
        return largest
    }

    /// Integrates one panel with the (7, 15) pair and appends it.
    private func panel(_ a: Double, _ b: Double, _ g: (Double, UnsafeMutablePointer<Double>) -> Void) {
        let centre = 0.5 * (a + b), half = 0.5 * (b - a)
        for j in 0..<m { kronrod[j] = 0; gauss[j] = 0 }
        value.withUnsafeMutableBufferPointer { v in
            let f = v.baseAddress.unsafelyUnwrapped
            for i in 0..<8 {
                let x = Self.kronrodNodes[i], wk = Self.kronrodWeights[i]
                let wg = i % 2 == 1 ? Self.gaussWeights[i / 2] : 0
                for side in 0..<(i == 7 ? 1 : 2) {
                    g(centre + (side == 0 ? half : -half) * x, f)
                    evaluations += 1
                    for j in 0..<m {
                        kronrod[j] += wk * f[j]
                        gauss[j] += wg * f[j]
                    }
                }
            }
        }
        for j in 0..<m {
            let d = Swift.abs(half * (kronrod[j] - gauss[j]))
            componentErrors.append(d)
            errorSums[j] += d
            let integral = half * kronrod[j]
            integrals.append(integral)
            total[j] += integral
        }
        lower.append(a)
        upper.append(b)
        errors.append(scaledError(errors.count))
    }

    /// Removes panel i (swapping the last panel into its place).
    private func removePanel(_ i: Int) {
        let last = errors.count - 1
        if i != last {
            lower.swapAt(i, last)
            upper.swapAt(i, last)
            errors.swapAt(i, last)
            for c in 0..<m {
                integrals.swapAt(i * m + c, last * m + c)
                componentErrors.swapAt(i * m + c, last * m + c)
            }
        }
        lower.removeLast()
        upper.removeLast()
        errors.removeLast()
        integrals.removeLast(m)
        componentErrors.removeLast(m)
    }
}

/// Gauss–Legendre rules on [−1, 1], exact for polynomials of degree 2k − 1 with k points.
enum GaussLegendre {
    /// The k nodes (ascending) and weights, by Newton's method on the Legendre polynomial
    /// from Tricomi's initial guesses.
    /// References: G. H. Golub, J. H. Welsch, "Calculation of Gauss quadrature rules", Math.
    /// Comp. 23, 1969; W. H. Press et al., "Numerical Recipes", §4.6 (gauleg).
    static func rule(points k: Int) -> (nodes: [Double], weights: [Double]) {
        let k = Swift.max(k, 1)
        var nodes = [Double](repeating: 0, count: k), weights = nodes
        for i in 0..<((k + 1) / 2) {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(k) + 0.5))
            var derivative = 1.0
            for _ in 0..<100 {
                // P_k(x) and P_{k−1}(x) by the three-term recurrence.
                var previous = 1.0, current = x
                if k >= 2 {
                    for j in 2...k {
                        let next = (Double(2 * j - 1) * x * current - Double(j - 1) * previous) / Double(j)
                        previous = current
                        current = next
                    }
                }
                derivative = Double(k) * (x * current - previous) / (x * x - 1)
                let dx = current / derivative
                x -= dx
                if Swift.abs(dx) <= 1e-15 * Swift.max(Swift.abs(x), 1e-3) { break }
            }
            nodes[i] = -x
            nodes[k - 1 - i] = x
            let w = 2 / ((1 - x * x) * derivative * derivative)
            weights[i] = w
            weights[k - 1 - i] = w
        }
        return (nodes, weights)
    }
}
