import DiffEq
import Sensitivity
import Foundation
import TextPlots

/// The engine's objects as language values: what `Tsit5()`, `ODEProblem(...)`, `solve(...)`
/// and `plot(...)` return. Each prints usefully (`Value+Printing.swift`).
public enum EngineObject {
    /// An ODE method by its registry name (`Tsit5()`).
    case algorithm(String)
    /// `ODEProblem(f, u0, tspan, p)`.
    case problem(ProblemObject)
    /// What `solve` returns.
    case solution(SolutionObject)
    /// A plot; `plot!` and `scatter!` change it in place.
    case plot(PlotObject)
    /// An optimiser for `train` (`Adam(0.05)`, `LBFGS()`).
    case optimizer(OptimizerObject)
    /// What `train` returns.
    case training(TrainingObject)
    /// A background `train` in the workbench (`TrainingJob.swift`).
    case job(TrainingJob)
    /// A network layer (`Dense(2, 50, tanh)`, `Chain(...)`; `Builtins+Neural.swift`).
    case layer(LayerObject)
    /// `NeuralODE(model, tspan, alg; saveat)`; callable as `node(u0, θ)`.
    case neuralODE(NeuralODEObject)
    /// `ContinuousCallback(condition, affect!)` (`Builtins+Callbacks.swift`).
    case callback(CallbackObject)
    /// `ODEFunction(f!; mass_matrix = M)`: a right-hand side with its mass matrix.
    case odeFunction(ODEFunctionObject)
    /// `OptimizationFunction(f, adtype)` (no u0 yet) or `OptimizationProblem(optf, u0, p)`.
    case optimizationProblem(OptimizationProblemObject)
    /// An AD choice, `AutoZygote()` (`Builtins+Optimization.swift`).
    case adType(String)
    /// A package name (`Optimization`), whose members are the builtins (`Optimization.solve`).
    case module(String)
    /// A random generator, `Random.default_rng()` or `Xoshiro(seed)` (`Builtins+Lux.swift`).
    case rng(RNGObject)
    /// `EnsembleProblem(prob; prob_func, output_func)` (`Builtins+Ensemble.swift`).
    case ensembleProblem(EnsembleProblemObject)
    /// What `solve` of an ensemble returns.
    case ensembleSolution(EnsembleSolutionObject)
    /// `EnsembleSummary(sim)`.
    case ensembleSummary(EnsembleSummaryObject)

    /// Julia's type name.
    var typeName: String {
        switch self {
        case .algorithm(let name):
            if let split = Interpreter.splitLinsolve(name) { return split.method }
            return name.hasSuffix(")") ? "CompositeAlgorithm" : name
        case .problem: return "ODEProblem"
        case .solution: return "ODESolution"
        case .plot: return "Plot"
        case .optimizer(let object): return object.method.name
        case .training: return "TrainingResult"
        case .job: return "TrainingJob"
        case .layer(let object): return object.typeName
        case .neuralODE: return "NeuralODE"
        case .callback: return "ContinuousCallback"
        case .odeFunction: return "ODEFunction"
        case .optimizationProblem(let object):
            if case .nothing = object.u0 { return "OptimizationFunction" }
            return "OptimizationProblem"
        case .adType(let name): return name
        case .module: return "Module"
        case .rng(let object): return object.name == "default_rng" ? "TaskLocalRNG" : object.name
        case .ensembleProblem: return "EnsembleProblem"
        case .ensembleSolution: return "EnsembleSolution"
        case .ensembleSummary: return "EnsembleSummary"
        }
    }
}

/// An ODE problem as the language holds it: the language function and the numbers.
public final class ProblemObject {
    /// The right-hand side, a language function.
    let function: Value
    /// `f!(du, u, p, t)` (four parameters) rather than `f(u, p, t)` returning the derivative.
    let inPlace: Bool
    /// The initial state.
    let u0: [Double]
    /// Start and end time.
    let tspan: (Double, Double)
    /// The parameters as given (`nothing` when left out; a number or a numeric vector).
    let parameters: Value
    /// The right-hand side traced into the IR and compiled, when tracing succeeded.
    var compiled: CompiledRHS?
    /// How the right-hand side runs: `traced: N instructions` or `interpreted: <reason>`.
    var mode: String = "interpreted"
    /// Differentiable solves made by `gradient` through `solve`, by method, time span and options;
    /// shared with the problems `remake` makes from this one (same compiled right-hand side).
    var differentiable = DifferentiableSolves()
    /// Values being differentiated that u0 and p stand for: `remake(prob, p = θ)` inside
    /// `gradient`, so that solving this problem is `solve(prob, u0 = ..., p = θ)` on the tape.
    var differentiatedU0: Value?, differentiatedP: Value?
    /// Made with `trace = false`: interpreted on purpose, and so are the problems remade from it.
    var traceDisabled = false
    /// The mass matrix M of M u′ = f, column-major (nil: the identity).
    var massMatrix: [Double]?

    init(function: Value, inPlace: Bool, u0: [Double], tspan: (Double, Double), parameters: Value) {
        self.function = function
        self.inPlace = inPlace
        self.u0 = u0
        self.tspan = tspan
        self.parameters = parameters
    }

    /// The parameters as numbers for the solver (empty for `nothing`).
    var parameterNumbers: [Double] { ProblemObject.parameterNumbers(parameters) }

    /// Parameters (`nothing`, a number or a numeric vector) as numbers for the solver.
    static func parameterNumbers(_ parameters: Value) -> [Double] {
        switch parameters {
        case .array(let array): return array.storage
        case .int, .float, .bool: return parameters.asDouble.map { [$0] } ?? []
        default: return []
        }
    }
}

/// The differentiable solves of a problem and of the problems remade from it.
final class DifferentiableSolves {
    var solves: [String: DifferentiableSolve] = [:]
}

/// `ODEFunction(f; mass_matrix = M)`: the language function and its mass matrix (column-major).
public final class ODEFunctionObject {
    let function: Value
    let massMatrix: [Double]?
    init(function: Value, massMatrix: [Double]?) {
        self.function = function
        self.massMatrix = massMatrix
    }
}

/// A solve's result, with the problem and method that made it.
public final class SolutionObject {
    /// The engine's solution.
    public let solution: ODESolution
    /// The method's name (`Tsit5`).
    public let algorithm: String

    init(solution: ODESolution, algorithm: String) {
        self.solution = solution
        self.algorithm = algorithm
    }

    /// Saved state `j` (0-based) as a vector.
    func state(_ j: Int) -> Value { .floats(Array(solution[j])) }

    /// `Array(sol)`: the states as columns of an n × count matrix, as Julia.
    var matrix: NumericArray {
        let n = solution.width, m = solution.t.count
        var storage = [Double](repeating: 0, count: n * m)
        for j in 0..<m {
            for i in 0..<n { storage[i * m + j] = solution.values[j * n + i] }
        }
        return NumericArray(storage, shape: [n, m])
    }
}

/// A plot value. A reference, so that `plot!(p, ...)` changes `p` as in Plots.jl.
public final class PlotObject {
    /// The plot.
    public var plot: Plot
    /// The size and canvas its text rendering uses.
    public var width: Int, height: Int
    /// Braille, or ASCII when the interpreter was asked for no Unicode.
    public var style: CanvasStyle

    init(plot: Plot, width: Int = 80, height: Int = 20, style: CanvasStyle) {
        self.plot = plot
        self.width = width
        self.height = height
        self.style = style
    }

    /// The plot as plain text.
    public var text: String { plot.render(width: width, height: height, style: style).plainString }
}

extension EngineObject {
    /// The compact form: `Tsit5()`, `ODEProblem with u0 = [1.0, 1.0], tspan = (0.0, 10.0)`;
    /// a plot is its text rendering (so `println(p)` draws it).
    var repr: String {
        switch self {
        case .algorithm(let name): return name.hasSuffix(")") ? name : name + "()"
        case .problem(let problem):
            return "ODEProblem with u0 = \(Value.floats(problem.u0).repr), tspan = "
                + "(\(Value.format(problem.tspan.0)), \(Value.format(problem.tspan.1)))"
        case .solution(let object):
            let solution = object.solution
            let span = solution.t.isEmpty ? "" : ", t = \(Value.format(solution.t[0])) … \(Value.format(solution.t[solution.t.count - 1]))"
            return "ODESolution(retcode = :\(solution.retcode), \(solution.t.count) points\(span))"
        case .plot(let plot): return plot.text
        case .optimizer(let object): return object.text
        case .training(let object): return object.summary
        case .job(let job): return job.summary
        case .layer(let object): return object.layer.name
        case .neuralODE(let object): return object.summary
        case .callback(let object): return object.summary
        case .odeFunction(let object):
            let name: String
            if case .function(let f) = object.function { name = f.name } else { name = object.function.repr }
            return "ODEFunction(\(name)" + (object.massMatrix.map { "; mass_matrix = \(Int(Double($0.count).squareRoot()))×\(Int(Double($0.count).squareRoot()))" } ?? "") + ")"
        case .optimizationProblem(let object):
            let name: String
            if case .function(let f) = object.function { name = f.name } else { name = object.function.repr }
            if case .nothing = object.u0 { return "OptimizationFunction(\(name)\(object.adType.map { ", \($0)()" } ?? ""))" }
            return "OptimizationProblem(\(name), u0 = \(object.u0.repr))"
        case .adType(let name): return name + "()"
        case .module(let name): return name
        case .rng(let object): return object.name == "default_rng" ? "TaskLocalRNG()" : "\(object.name)(\(object.seed))"
        case .ensembleProblem(let object): return object.summary
        case .ensembleSolution(let object): return object.summary
        case .ensembleSummary(let object): return object.summary
        }
    }

    /// What the REPL shows: a short summary of a problem or solution.
    var display: String {
        switch self {
        case .problem(let problem):
            let name: String
            if case .function(let function) = problem.function { name = function.name } else { name = problem.function.repr }
            return repr + "\n  f = \(name) (\(problem.inPlace ? "in-place" : "out-of-place"); \(problem.mode)), p = \(problem.parameters.limitedRepr)"
        case .solution(let object):
            let solution = object.solution
            var lines = ["retcode: \(solution.retcode)",
                         "method: \(EngineObject.algorithm(object.algorithm).repr), \(solution.t.count) saved points"
                            + (solution.hasDenseOutput ? ", dense output" : "")]
            if let first = solution.t.first, let last = solution.t.last {
                lines.append("t: \(Value.format(first)) … \(Value.format(last))")
                lines.append("u(t_end) = " + object.state(solution.t.count - 1).repr)
            }
            lines.append("stats: \(solution.stats)")
            if let message = solution.message { lines.append("message: " + message) }
            return lines.joined(separator: "\n")
        case .training(let object): return object.display
        default: return repr
        }
    }
}
