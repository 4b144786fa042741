import Autodiff
import TestSupport
import XCTest

/// Gradient checks on randomly generated graphs: compositions the per-op tests do not cover,
/// exercising CSE, folding, fusion and placement in the compiler along the way.
final class RandomGraphTests: XCTestCase {
    /// Builds a random graph over a vector, a matrix and a scalar input.
    static func randomGraph(_ rng: inout Xoshiro256StarStar) throws -> Graph {
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        let inputs = [GraphInput("v", .vector(3)), GraphInput("M", .matrix(3, 3)), GraphInput("s", .scalar),
                      GraphInput("w", .vector(4))]
        let opCount = 4 + Int(rng.next() % 10)
        return try trace(inputs, outputs: { x in
            var pool = x
            for _ in 0..<opCount {
                let a = pick(pool), b = pick(pool)
                let kind = rng.next() % 12
                var y: Sym
                switch kind {
                case 0:
                    let f: [(Sym) -> Sym] = [tanh, sin, cos, sigmoid, softplus, swish, gelu, relu, abs, { x in -x },
                                             { exp(tanh($0)) }, { log(1.0 .+ abs2($0)) }, { sqrt(1.0 .+ abs2($0)) },
                                             { log1p(abs2($0)) }, { tan(0.5 .* tanh($0)) }]
                    y = pick(f)(a)
                case 1, 2:
                    guard Shape.broadcast(a.shape, b.shape) != nil else { y = a .* x[2]; break }
                    let f: [(Sym, Sym) -> Sym] = [{ $0 .+ $1 }, { $0 .- $1 }, { $0 .* $1 }, { $0 ./ (2.0 .+ cos($1)) }, max, min,
                                                  { pow(1.0 .+ abs2($0), tanh($1)) }]
                    y = pick(f)(a, b)
                case 3:
                    y = x[1] * (a.count == 3 ? a.reshaped(.vector(3)) : x[0])
                case 4:
                    y = x[1].transposed * x[1] .+ a[0]
                case 5:
                    y = pick([sum, mean, norm2])(a)
                case 6:
                    y = a.count == b.count ? dot(a, b.reshaped(a.shape)) : sum(a .* a)
                case 7:
                    y = a.count >= 2 ? a[1] * a[0] : a
                case 8:
                    y = vcat(a[0], b[b.count - 1], x[2])
                case 9:
                    guard Shape.broadcast(a.shape, b.shape) != nil else { y = a; break }
                    y = ifelse(a > 0.1, a .* b, b .- a)
                case 10:
                    y = a.shape.kind == .matrix ? a.transposed : a .* 2.0
                default:
                    y = a.count >= 3 ? a.reshaped(.vector(a.count))[1..<3] : a
                }
                pool.append(y)
            }
            let last = pool.suffix(3)
            return rng.next() % 2 == 0 ? [sum(pool[pool.count - 1])] : Array(last)
        })
    }

    func testTwoHundredRandomGraphs() throws {
        var rng = Xoshiro256StarStar(seed: 7)
        var checked = 0
        for trial in 0..<220 {
            let g = try RandomGraphTests.randomGraph(&rng)
            let x = g.inputShapes.map { randomValues($0.count, &rng, in: -1.2...1.2) }
            let compiled = try g.compile()(x)
            let reference = try g.evaluate(x)
            XCTAssertLessThan(maxRelativeDifference(compiled, reference), 1e-12, "trial \(trial): compiled ≠ reference\n\(g)")
            let (report, ok) = try GradientCheck().check(g, at: x, rng: &rng)
            XCTAssertTrue(ok, "trial \(trial): \(report)\n\(g)")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 200)
    }

    /// Hessian–vector products two ways (VJP of JVP, JVP of VJP) against finite differences
    /// of the gradient.
    func testSecondOrderCompositions() throws {
        var rng = Xoshiro256StarStar(seed: 11)
        let fs: [(String, ([Sym]) -> Sym)] = [
            ("tanh network", { x in sum(tanh(x[1] * tanh(x[0])) .* x[0]) }),
            ("rosenbrock-like", { x in sum(abs2(1.0 .- x[0])) + 100 * sum(abs2(x[0][1..<3] .- x[0][0..<2] .* x[0][0..<2])) }),
            ("softplus/gelu mix", { x in mean(softplus(x[0]) .* gelu(x[1] * x[0])) + norm2(x[0]) }),
        ]
        for (name, body) in fs {
            let f = try trace([GraphInput("x", .vector(3)), GraphInput("A", .matrix(3, 3))], body)
            let x = [randomValues(3, &rng), randomValues(9, &rng)]
            let u = [randomValues(3, &rng), randomValues(9, &rng)]
            let grad = try f.vjp().compile()
            // H u by finite differences of the gradient.
            let h = 1e-5
            let gp = try grad(zip(x, u).map { a, b in zip(a, b).map { $0 + h * $1 } } + [[1]])
            let gm = try grad(zip(x, u).map { a, b in zip(a, b).map { $0 - h * $1 } } + [[1]])
            let fd = zip(gp, gm).map { p, m in zip(p, m).map { ($0 - $1) / (2 * h) } }
            // VJP of JVP: ∇ₓ⟨∇f(x), u⟩ = H u.
            let vjpOfJvp = try f.jvp().vjp(wrt: [0, 1]).compile()
            let hv1 = try vjpOfJvp(x + u + [[1]])
            // JVP of VJP: the directional derivative of the gradient.
            let jvpOfVjp = try f.vjp().jvp(wrt: [0, 1]).compile()
            let hv2 = try jvpOfVjp(x + [[1]] + u)
            XCTAssertLessThan(maxRelativeDifference(hv1, fd), 1e-6, "\(name): vjp∘jvp vs fd")
            XCTAssertLessThan(maxRelativeDifference(hv2, fd), 1e-6, "\(name): jvp∘vjp vs fd")
            XCTAssertLessThan(maxRelativeDifference(hv1, hv2), 1e-12, "\(name): the two orders disagree")
        }
    }

    func testGradientCheckDetectsAWrongGradient() throws {
        // The checker must be able to fail: a graph whose "gradient" graph is wrong.
        var rng = Xoshiro256StarStar(seed: 3)
        let f = try trace([GraphInput("x", .vector(3))]) { x in sum(tanh(x[0])) }
        let wrong = try trace([GraphInput("x", .vector(3))]) { x in sum(tanh(x[0]) .* 1.001) }
        let x = [randomValues(3, &rng)]
        let back = try wrong.vjp().compile()
        let g = try back(x + [[1]])
        let h = 1e-6
        var fdv = [Double]()
        for j in 0..<3 {
            var xp = x[0], xm = x[0]
            xp[j] += h; xm[j] -= h
            fdv.append((try f.evaluate([xp])[0][0] - f.evaluate([xm])[0][0]) / (2 * h))
        }
        XCTAssertGreaterThan(maxRelativeDifference(g, [fdv]), 1e-4)
    }
}
