import Autodiff
import DiffEq
import Foundation
import NeuralDE
import NeuralNets
import Optimizers
import Sensitivity

// fluxion-examples: the training workflows of DiffEqFlux's tutorials, run from Swift.
//
//   fluxion-examples spiral           the spiral neural ODE: Adam(0.05) × 300, then LBFGS
//   fluxion-examples missing-physics  Lotka–Volterra with its interaction terms learned by a network
//   fluxion-examples lv-fit           Lotka–Volterra parameters recovered with LBFGS
//
// Each prints what it measured; `make examples` runs them all (release build).

func elapsed(since start: Date) -> String { String(format: "%.2f s", Date().timeIntervalSince(start)) }

/// DiffEqFlux's first tutorial: u0 = [2, 0] on (0, 1.5), 30 points, the true field
/// ((u.^3)ᵀ A)ᵀ, learned by Chain(x -> x.^3, Dense(2, 50, tanh), Dense(50, 2)).
func spiral(seed: UInt64 = 0) throws -> Double {
    let start = Date()
    let times = (0..<30).map { 1.5 * Double($0) / 29 }
    let truth = ODEProblem({ du, u, p, t in
        let a = u[0] * u[0] * u[0], b = u[1] * u[1] * u[1]
        du[0] = -0.1 * a - 2 * b
        du[1] = 2 * a - 0.1 * b
    }, u0: [2, 0], tspan: (0, 1.5))
    var o = SolverOptions()
    o.reltol = 1e-10; o.abstol = 1e-10; o.saveat = .times(times)
    let data = solve(truth, try .tsit5(), options: o).values
    let net = Chain(FunctionLayer("x -> x.^3") { pow($0, 3.0) }, Dense(2, 50, .tanh), Dense(50, 2))
    var fit = SolverOptions()
    fit.reltol = 1e-6; fit.abstol = 1e-6
    let node = try NeuralODE(net, tspan: (0, 1.5), try .tsit5(), saveat: .times(times), options: fit, states: 2)
    let loss = Losses.sumOfSquares(data)
    let objective = Objective(arrays: { theta in
        let g = try node.gradient([2, 0], theta, loss: loss)
        return (g.value, g.dtheta)
    })
    let theta0 = node.initialParameters(seed: seed)
    let adam = train(objective, theta0, Adam(0.05), maxiters: 300)
    print("spiral: Adam(0.05) × \(adam.iterations): loss \(adam.losses.first ?? .nan) → \(adam.minimum) (\(elapsed(since: start)))")
    let refined = train(objective, adam.minimizer, LBFGS(), maxiters: 100)
    print("spiral: then LBFGS × \(refined.iterations): loss \(refined.minimum), \(refined.stopReason) (\(elapsed(since: start)))")
    return refined.minimum
}

/// SciML's "missing physics" tutorial without noise: Lotka–Volterra p = [1.3, 0.9, 0.8, 1.8]
/// on (0, 5), saved every 0.25; the known terms αx and −δy, the interaction left to a network
/// 2 → 5 → 5 → 5 → 2 with rbf activations; Adam(0.03) × 5000, then LBFGS × 4000.
func missingPhysics(seed: UInt64 = 0) throws -> (lossRatio: Double, termError: Double) {
    let start = Date()
    let p: [Double] = [1.3, 0.9, 0.8, 1.8]
    let u0: [Double] = [0.44249296, 4.6280594]
    let truth = ODEProblem({ du, u, p, t in
        du[0] = p[0] * u[0] - p[1] * u[0] * u[1]
        du[1] = p[2] * u[0] * u[1] - p[3] * u[1]
    }, u0: u0, tspan: (0, 5), p: p)
    var o = SolverOptions()
    o.reltol = 1e-10; o.abstol = 1e-10; o.saveat = .every(0.25)
    let dataSolution = solve(truth, try .vern7(), options: o)
    let data = dataSolution.values
    let net = Chain(Dense(2, 5, .rbf), Dense(5, 5, .rbf), Dense(5, 5, .rbf), Dense(5, 2))
    var fit = SolverOptions()
    fit.reltol = 1e-6; fit.abstol = 1e-6
    let ude = try UniversalODE(network: net, physics: 0, states: 2, tspan: (0, 5), try .vern7(),
                               saveat: .every(0.25), sensealg: .discreteAdjoint, options: fit) { u, _, t, nn in
        let r = nn(u)
        return [1.3 * u[0] + r[0], -1.8 * u[1] + r[1]]
    }
    let loss = Losses.sumOfSquares(data)
    let objective = Objective(arrays: { theta in
        let g = try ude.problem.gradient(u0: u0, p: theta, loss: loss)
        return (g.value, g.dp)
    })
    let theta0 = ude.initialParameters(physics: [], seed: seed)
    let adam = train(objective, theta0, Adam(0.03), maxiters: 5000)
    print("missing physics: Adam(0.03) × \(adam.iterations): loss \(adam.losses.first ?? .nan) → \(adam.minimum) (\(elapsed(since: start)))")
    let refined = train(objective, adam.minimizer, LBFGS(), maxiters: 4000)
    let initial = adam.losses.first ?? .nan
    print("missing physics: then LBFGS × \(refined.iterations): loss \(refined.minimum), \(refined.stopReason) (\(elapsed(since: start)))")
    // The learned terms against the true interaction (−βxy, γxy) along the true trajectory.
    let g = try net.graph(input: .vector(2)).compile()
    var worst = 0.0, scale = 0.0, sumSq = 0.0, count = 0.0
    for s in 0..<dataSolution.t.count {
        let x = data[2 * s], y = data[2 * s + 1]
        let learned = try g([[x, y], refined.minimizer])[0]
        let e0 = learned[0] + 0.9 * x * y, e1 = learned[1] - 0.8 * x * y
        if ProcessInfo.processInfo.environment["VERBOSE"] != nil {
            print(String(format: "  t=%.2f x=%.3f y=%.3f  learned=(%.4f, %.4f) true=(%.4f, %.4f)", dataSolution.t[s], x, y,
                         learned[0], learned[1], -0.9 * x * y, 0.8 * x * y))
        }
        worst = max(worst, abs(e0), abs(e1))
        sumSq += e0 * e0 + e1 * e1; count += 2
        scale = max(scale, abs(0.9 * x * y), abs(0.8 * x * y))
    }
    print(String(format: "missing physics: learned interaction RMS error %.3g", (sumSq / count).squareRoot()))
    let ratio = initial / refined.minimum
    print(String(format: "missing physics: loss lowered %.3g-fold; learned interaction max error %.3g (%.2g%% of its range)",
                 ratio, worst, 100 * worst / scale))
    return (ratio, worst / scale)
}

/// Lotka–Volterra parameters from p0 = [1.2, 0.8, 2.8, 0.8] with LBFGS.
func lvFit() throws -> [Double] {
    let start = Date()
    let f = try trace(.vector(2), .vector(4)) { u, p, t in
        [p[0] * u[0] - p[1] * u[0] * u[1], -p[2] * u[1] + p[3] * u[0] * u[1]]
    }
    var o = SolverOptions()
    o.reltol = 1e-10; o.abstol = 1e-10; o.saveat = .every(0.1)
    let problem = try DifferentiableSolve(CompiledRHS(f), tspan: (0, 10), tableau: .tsit5(), options: o)
    let data = try problem.solve(u0: [1, 1], p: [1.5, 1, 3, 1]).values
    let loss = Losses.sumOfSquares(data)
    let result = train({ p in
        let g = try problem.gradient(u0: [1, 1], p: p, loss: loss)
        return (g.value, g.dp)
    }, [1.2, 0.8, 2.8, 0.8], LBFGS(), maxiters: 200)
    let error = zip(result.minimizer, [1.5, 1, 3, 1]).map { abs($0 - $1) }.max() ?? .nan
    print("lv-fit: LBFGS × \(result.iterations): p = \(result.minimizer), max error \(error), loss \(result.minimum) (\(elapsed(since: start)))")
    return result.minimizer
}

let which = CommandLine.arguments.dropFirst().first ?? "all"
do {
    switch which {
    case "spiral": _ = try spiral()
    case "missing-physics": _ = try missingPhysics()
    case "lv-fit": _ = try lvFit()
    case "all":
        _ = try lvFit()
        _ = try spiral()
        _ = try missingPhysics()
    default:
        FileHandle.standardError.write(Data("usage: fluxion-examples [spiral | missing-physics | lv-fit | all]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("fluxion-examples: \(error)\n".utf8))
    exit(1)
}
