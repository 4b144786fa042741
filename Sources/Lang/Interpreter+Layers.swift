import Autodiff
import Foundation
import NeuralNets

/// Compiled forms of a network for one input shape, built on first use: `U(x, θ)` outside a
/// traced function runs this program (on a tape inside `gradient` and `train`, where its
/// compiled VJP is the pullback). A lock guards the cache because a layer value may be shared.
final class LayerPrograms: @unchecked Sendable {
    private var programs: [Shape: DifferentiableProgram] = [:]
    private let lock = NSLock()

    /// The program for inputs of `shape`, built by `make` when missing.
    func program(for shape: Shape, _ make: () throws -> DifferentiableProgram) rethrows -> DifferentiableProgram {
        lock.lock()
        defer { lock.unlock() }
        if let cached = programs[shape] { return cached }
        let program = try make()
        programs[shape] = program
        return program
    }
}

/// A Dense layer whose activation is a language function (`rbf(x) = exp.(-(x.^2))` then
/// `Dense(2, 5, rbf)`): the affine map, then the function broadcast over its output, as Lux does.
struct LanguageActivationDense: Layer {
    let dense: Dense
    let activation: LanguageLayer

    var layout: ParameterLayout { dense.layout }
    var name: String { "Dense(\(dense.inputSize) => \(dense.outputSize), \(activation.name))" }
    func apply(_ x: Sym, _ theta: Sym?) -> Sym { activation.apply(dense.apply(x, theta), nil) }
    func initialParameters(_ rng: inout Xoshiro256StarStar) -> [Double] { dense.initialParameters(&rng) }
}

extension Interpreter {
    /// `U(x, θ)`, and Lux's `U(x, θ, st)` returning `(y, st)` so `U(x, θ, st)[1]` ports unchanged.
    /// Inside a traced right-hand side the network's IR joins the traced graph (so a universal
    /// differential equation compiles as one program); with tape values it is one primitive of
    /// the tape; with numbers it runs the compiled network.
    func callLayer(_ object: LayerObject, _ arguments: [Value], _ keywords: [(String, Value)],
                   _ span: SourceSpan) throws -> Value {
        guard (2...3).contains(arguments.count), keywords.isEmpty else {
            throw LangError("MethodError: call a network with its input and parameters, U(x, θ) (or Lux's U(x, θ, st))",
                            at: span, hint: "θ = initial_params(U)")
        }
        let y = try applyLayer(object, arguments[0], arguments[1], span)
        return arguments.count == 3 ? .tuple([y, arguments[2]]) : y
    }

    /// The network on `x` (a vector, or an `in × batch` matrix) with parameters `θ`.
    func applyLayer(_ object: LayerObject, _ x: Value, _ theta: Value, _ span: SourceSpan) throws -> Value {
        let layer = object.layer
        let m = layer.parameterCount
        func checkShapes(_ input: Shape, _ parameters: Int) throws {
            guard parameters == max(m, 1) || (m == 0 && parameters == 0) else {
                let block = theta.componentAxes?.blocks.first { $0.range.count == m }
                throw LangError("\(layer.name): θ has \(parameters) entries; the network has \(m) parameters", at: span,
                                hint: block.map { "pass the network's block of the ComponentVector, U(x, p.\($0.name))" }
                                    ?? "θ = initial_params(U)")
            }
            guard input.kind != .scalar || Interpreter.firstDenseInput(layer) ?? 1 == 1 else {
                throw LangError("\(layer.name): the input must be a vector, got a number", at: span)
            }
            if let n = Interpreter.firstDenseInput(layer), input.kind != .scalar, input.rows != n {
                throw LangError("\(layer.name): the input has \(input.rows) rows; the network takes \(n)", at: span)
            }
        }
        if x.isTraced || theta.isTraced {
            guard let builder = tracedBuilder([x, theta]), var xs = try symbol(x, builder, span),
                  var ps = try symbol(theta, builder, span) else {
                throw unsupported("calling \(layer.name) with \(x.typeName) and \(theta.typeName)", span)
            }
            try checkShapes(xs.shape, ps.count)
            if xs.shape.isScalar { xs = xs.reshaped(.vector(1)) }
            if ps.shape != .vector(ps.count) { ps = ps.reshaped(.vector(ps.count)) }
            let y = try withLanguageLayers(of: layer, span) { layer.apply(xs, m > 0 ? ps : nil) }
            if let error = builder.error { throw LangError(error.message, at: span) }
            return .traced(TracedValue(y))
        }
        let tape = tapeOf([x, theta]) ?? Tape()
        guard var xv = tapeVariable(x, tape), var pv = tapeVariable(theta, tape) else {
            throw LangError("\(layer.name): the input and θ must be numbers or numeric arrays, got "
                            + "\(x.typeName) and \(theta.typeName)", at: span)
        }
        try checkShapes(xv.shape, pv.count)
        if xv.shape.isScalar { xv = xv.reshaped(.vector(1)) }
        if m == 0 { pv = tape.constant([0]) }
        if pv.shape != .vector(pv.count) { pv = pv.reshaped(.vector(pv.count)) }
        let inputShape = xv.shape
        let program = try object.programs.program(for: inputShape) {
            try withLanguageLayers(of: layer, span) {
                do {
                    return try DifferentiableProgram(layer.graph(input: inputShape))
                } catch let error as AutodiffError {
                    throw LangError("\(layer.name): " + error.message, at: span)
                }
            }
        }
        let y: Variable
        do {
            y = try tape.call(program, [xv, pv])[0]
        } catch let error as AutodiffError {
            throw LangError("\(layer.name): " + error.message, at: span)
        }
        let value = try taped(y, span)
        return tapeOf([x, theta]) == nil ? value.untaped : value
    }

    /// Runs `body`, which traces `layer`, and raises the first error of its language function
    /// layers (layers cannot throw, so they keep it).
    func withLanguageLayers<T>(of layer: any Layer, _ span: SourceSpan, _ body: () throws -> T) throws -> T {
        let languageLayers = Interpreter.languageLayers(layer)
        for layer in languageLayers { layer.failure.error = nil }
        let result = try body()
        if let error = languageLayers.lazy.compactMap({ $0.failure.error }).first {
            throw LangError("\(layer.name): a function layer could not be traced: " + error.message, at: span,
                            hint: "function layers and activations must use operations tracing supports (for example x -> x.^3)")
        }
        return result
    }
}
