import Autodiff
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Hand-written right-hand sides and their reverse-mode VJPs: the denominators of the
// `rhs_*` cases. Written the fast way (pointers in, pointers out, no allocation, no
// bounds checks) and kept behind `@inline(never)`, because a compiled Autodiff Program
// is also reached through a call; inlining the natives into the timing loop would
// compare a call against no call.

/// Lotka-Volterra, p = (α, β, δ, γ) 0-based:
/// du₁ = p₀u₁ − p₁u₁u₂, du₂ = −p₂u₂ + p₃u₁u₂. `u`, `du`: 2 values; `p`: 4. `t` is unused.
@inline(never)
func nativeLV(_ u: UnsafePointer<Double>, _ p: UnsafePointer<Double>, _ t: Double,
              _ du: UnsafeMutablePointer<Double>) {
    let u1 = u[0], u2 = u[1]
    let u12 = u1 * u2
    du[0] = p[0] * u1 - p[1] * u12
    du[1] = -p[2] * u2 + p[3] * u12
}

/// The VJP of `nativeLV`: given the cotangent `v` of `du`, writes (overwrites)
/// `vjpU = (∂du/∂u)ᵀv` (2 values) and `vjpP = (∂du/∂p)ᵀv` (4 values).
@inline(never)
func nativeLVVJP(_ u: UnsafePointer<Double>, _ p: UnsafePointer<Double>, _ t: Double,
                 _ v: UnsafePointer<Double>, _ vjpU: UnsafeMutablePointer<Double>,
                 _ vjpP: UnsafeMutablePointer<Double>) {
    let u1 = u[0], u2 = u[1]
    let v1 = v[0], v2 = v[1]
    let u12 = u1 * u2
    vjpU[0] = v1 * (p[0] - p[1] * u2) + v2 * (p[3] * u2)
    vjpU[1] = v1 * (-p[1] * u1) + v2 * (p[3] * u1 - p[2])
    vjpP[0] = v1 * u1
    vjpP[1] = -v1 * u12
    vjpP[2] = -v2 * u2
    vjpP[3] = v2 * u12
}

/// The layout of the spiral network's 252 parameters (shared/BENCHMARKS.md):
/// W1 (50×2, row-major), b1 (50), W2 (2×50, row-major), b2 (2).
enum SpiralLayout {
    static let states = 2
    static let hidden = 50
    static let w1 = 0
    static let b1 = w1 + hidden * states
    static let w2 = b1 + hidden
    static let b2 = w2 + states * hidden
    static let count = b2 + states
    /// Doubles of scratch space `nativeSpiral` and `nativeSpiralVJP` need.
    static let scratchCount = hidden
}

/// The spiral neural ODE's right-hand side: z = u.^3, h = tanh.(W1 z + b1),
/// du = W2 h + b2. `u`, `du`: 2 values; `p`: 252 (`SpiralLayout`); `scratch`: 50.
/// `t` is unused. tanh is the C library's (glibc's scalar `tanh`), or with `fastTanh`
/// Autodiff's vectorised `FastMath.tanh`, the one compiled programs use.
@inline(never)
func nativeSpiral(_ u: UnsafePointer<Double>, _ p: UnsafePointer<Double>, _ t: Double,
                  _ du: UnsafeMutablePointer<Double>, _ scratch: UnsafeMutablePointer<Double>,
                  fastTanh: Bool = false) {
    let z0 = u[0] * u[0] * u[0]
    let z1 = u[1] * u[1] * u[1]
    let w1 = p + SpiralLayout.w1, b1 = p + SpiralLayout.b1
    let h = scratch
    spiralHidden(h, w1, b1, z0, z1, fastTanh: fastTanh)
    let w2 = p + SpiralLayout.w2
    let w2row1 = w2 + SpiralLayout.hidden
    var s0 = p[SpiralLayout.b2], s1 = p[SpiralLayout.b2 + 1]
    for j in 0..<SpiralLayout.hidden {
        s0 += w2[j] * h[j]
        s1 += w2row1[j] * h[j]
    }
    du[0] = s0
    du[1] = s1
}

/// The VJP of `nativeSpiral`: given the cotangent `v` of `du` (2 values), writes
/// (overwrites) `vjpU` (2 values) and `vjpP` (252, in `SpiralLayout` order). Recomputes
/// the forward pass into `scratch` (50 values).
///
/// With a = W1 z + b1 and h = tanh(a): ḃ2 = v, Ẇ2 = v hᵀ, ȧ = (W2ᵀv) ⊙ (1 − h²),
/// ḃ1 = ȧ, Ẇ1 = ȧ zᵀ, ū = (W1ᵀȧ) ⊙ 3u².
@inline(never)
func nativeSpiralVJP(_ u: UnsafePointer<Double>, _ p: UnsafePointer<Double>, _ t: Double,
                     _ v: UnsafePointer<Double>, _ vjpU: UnsafeMutablePointer<Double>,
                     _ vjpP: UnsafeMutablePointer<Double>,
                     _ scratch: UnsafeMutablePointer<Double>, fastTanh: Bool = false) {
    let u0 = u[0], u1 = u[1]
    let z0 = u0 * u0 * u0
    let z1 = u1 * u1 * u1
    let v0 = v[0], v1 = v[1]
    let w1 = p + SpiralLayout.w1, b1 = p + SpiralLayout.b1
    let w2 = p + SpiralLayout.w2
    let w2row1 = w2 + SpiralLayout.hidden
    let h = scratch
    spiralHidden(h, w1, b1, z0, z1, fastTanh: fastTanh)
    let gw1 = vjpP + SpiralLayout.w1, gb1 = vjpP + SpiralLayout.b1
    let gw2 = vjpP + SpiralLayout.w2
    let gw2row1 = gw2 + SpiralLayout.hidden
    var gz0 = 0.0, gz1 = 0.0
    for j in 0..<SpiralLayout.hidden {
        let hj = h[j]
        gw2[j] = v0 * hj
        gw2row1[j] = v1 * hj
        let ga = (w2[j] * v0 + w2row1[j] * v1) * (1 - hj * hj)
        gb1[j] = ga
        gw1[2 * j] = ga * z0
        gw1[2 * j + 1] = ga * z1
        gz0 += w1[2 * j] * ga
        gz1 += w1[2 * j + 1] * ga
    }
    vjpP[SpiralLayout.b2] = v0
    vjpP[SpiralLayout.b2 + 1] = v1
    vjpU[0] = gz0 * 3 * u0 * u0
    vjpU[1] = gz1 * 3 * u1 * u1
}

/// h = tanh.(W1 z + b1) for the spiral's 50 hidden units.
@inline(__always)
func spiralHidden(_ h: UnsafeMutablePointer<Double>, _ w1: UnsafePointer<Double>, _ b1: UnsafePointer<Double>,
                  _ z0: Double, _ z1: Double, fastTanh: Bool) {
    for j in 0..<SpiralLayout.hidden {
        h[j] = w1[2 * j] * z0 + w1[2 * j + 1] * z1 + b1[j]
    }
    if fastTanh {
        FastMath.tanh(h, UnsafePointer(h), SpiralLayout.hidden)
    } else {
        for j in 0..<SpiralLayout.hidden { h[j] = tanh(h[j]) }
    }
}
