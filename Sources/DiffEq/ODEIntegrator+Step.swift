extension ODEIntegrator {
    /// `out[j] = base[j] + h Σᵣ coefᵣ k[offsetᵣ + j]` over the nonzero entries of tableau row `row`,
    /// summed in the order the method is written (as Hairer's codes do).
    /// Rows of up to seven terms are unrolled with their coefficients and slot pointers
    /// hoisted out of the loop over components: the same sums in the same order, without
    /// reloading the row's structure for every component.
    @inline(__always)
    func combine(row: Int, h: Double, base: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let start = rowStart[row], end = rowStart[row + 1]
        let n = self.n
        @inline(__always) func c(_ r: Int) -> Double { rowCoef[start + r] }
        @inline(__always) func s(_ r: Int) -> UnsafeMutablePointer<Double> { k + rowOffset[start + r] }
        switch end - start {
        case 0:
            for j in 0..<n { out[j] = base[j] }
        case 1:
            let (c0, k0) = (c(0), s(0))
            for j in 0..<n { out[j] = base[j] + h * (c0 * k0[j]) }
        case 2:
            let (c0, k0, c1, k1) = (c(0), s(0), c(1), s(1))
            for j in 0..<n { out[j] = base[j] + h * (c0 * k0[j] + c1 * k1[j]) }
        case 3:
            let (c0, k0, c1, k1, c2, k2) = (c(0), s(0), c(1), s(1), c(2), s(2))
            for j in 0..<n { out[j] = base[j] + h * (c0 * k0[j] + c1 * k1[j] + c2 * k2[j]) }
        case 4:
            let (c0, k0, c1, k1, c2, k2, c3, k3) = (c(0), s(0), c(1), s(1), c(2), s(2), c(3), s(3))
            for j in 0..<n { out[j] = base[j] + h * (c0 * k0[j] + c1 * k1[j] + c2 * k2[j] + c3 * k3[j]) }
        case 5:
            let (c0, k0, c1, k1, c2, k2, c3, k3) = (c(0), s(0), c(1), s(1), c(2), s(2), c(3), s(3))
            let (c4, k4) = (c(4), s(4))
            for j in 0..<n {
                out[j] = base[j] + h * (c0 * k0[j] + c1 * k1[j] + c2 * k2[j] + c3 * k3[j] + c4 * k4[j])
            }
        case 6:
            let (c0, k0, c1, k1, c2, k2, c3, k3) = (c(0), s(0), c(1), s(1), c(2), s(2), c(3), s(3))
            let (c4, k4, c5, k5) = (c(4), s(4), c(5), s(5))
            for j in 0..<n {
                out[j] = base[j] + h * (c0 * k0[j] + c1 * k1[j] + c2 * k2[j] + c3 * k3[j] + c4 * k4[j] + c5 * k5[j])
            }
        default:
            for j in 0..<n {
                var acc = 0.0
                for r in start..<end { acc += rowCoef[r] * k[rowOffset[r] &+ j] }
                out[j] = base[j] + h * acc
            }
        }
    }

    /// One explicit RK step of size `h` from (t, uprev) with slot 0 = f(t, uprev).
    /// Leaves the trial state in `u` and returns the scaled error estimate (0 without one).
    @inline(__always)
    func performStep(_ h: Double) -> Double {
        if let work = implicitWork {
            switch work.routine {
            case .rosenbrock23: return performRosenbrock23Step(h, work)
            case .rosenbrock32: return performRosenbrock23Step(h, work, thirdOrder: true)
            case .rosenbrock: return performRosenbrockStep(h, work)
            case .sdirk: return performSDIRKStep(h, work)
            case .ndf: return work.ndf.map { performNDFStep(h, work, $0) } ?? .nan
            }
        }
        let s = tableau.stages
        let fsal = tableau.fsal
        for i in 1..<s {
            // The FSAL method's last stage is evaluated at u₁ itself: build it in `u`.
            let target = (fsal && i == s - 1) ? u : tmp
            combine(row: i, h: h, base: uprev, into: target)
            rhs(slot(i), target, p, t + cs[i] * h)
        }
        stats.nf += s - 1
        if !fsal { combine(row: bRow, h: h, base: uprev, into: u) }
        endDerivativeValid = fsal
        guard adaptive else { return 0 }
        if errorUsesEnd {
            rhs(slot(s), u, p, t + h)
            stats.nf += 1
            endDerivativeValid = true
        }
        let start = rowStart[eRow], end = rowStart[eRow + 1]
        var acc = 0.0
        for j in 0..<n {
            var e = 0.0
            for r in start..<end { e += rowCoef[r] * k[rowOffset[r] &+ j] }
            let scaled = h * e / (abstols[j] + reltols[j] * Swift.max(Swift.abs(uprev[j]), Swift.abs(u[j])))
            err[j] = scaled
            acc += scaled * scaled
        }
        if let norm = internalnorm {
            return norm(UnsafeBufferPointer(start: err, count: n), t)
        }
        return (acc / Double(Swift.max(n, 1))).squareRoot()
    }

    /// Makes slot `stages` (or the FSAL stage) hold f(t, u) for the accepted state.
    @inline(__always)
    func ensureEndDerivative() {
        if !endDerivativeValid {
            rhs(slot(tableau.endSlot), u, p, t)
            stats.nf += 1
            endDerivativeValid = true
        }
    }

    /// Evaluates the lazy interpolation stages for the step (tprev, uprev) → (t, u) of size h.
    func computeExtraStages(tprev: Double, h: Double) {
        // The stages' c are read from `cs` (after the stages' own): iterating the tableau's
        // array of tuples allocates in unoptimised builds.
        let s = tableau.stages
        for e in 0..<extraStageCount {
            combine(row: s + e, h: h, base: uprev, into: tmp)
            rhs(slot(s + 1 + e), tmp, p, tprev + cs[s + e] * h)
            stats.nf += 1
        }
    }

    /// u(tprev + θh) from the current step's stages, into `out` (all n components).
    func interpolate(theta: Double, h: Double, into out: UnsafeMutablePointer<Double>) {
        // The weights bᵢ(θ) first (Horner: Σₘ row[m] θ^(m+1) = θ(row[0] + θ(row[1] + ...))),
        // then one pass over the components.
        let degree = denseDegree
        let slots = denseSlotCount
        for q in 0..<slots {
            let row = denseCoef + denseSlots[q] * degree
            var bi = 0.0
            var m = degree - 1
            while m >= 0 { bi = bi * theta + row[m]; m -= 1 }
            denseWeights[q] = h * bi * theta
        }
        for j in 0..<n {
            var acc = 0.0
            for q in 0..<slots { acc += denseWeights[q] * k[denseSlots[q] &* n &+ j] }
            out[j] = uprev[j] + acc
        }
    }
}
