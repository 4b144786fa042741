import Autodiff
import Foundation

extension Interpreter {
    /// `jacobian(f, args...)`: reverse mode over one recording of `f` on a fresh tape, one
    /// pullback per output element. The Jacobian of f's output (a number or an array, taken in
    /// Julia's column-major order) with respect to each argument, always a tuple as Zygote's
    /// `jacobian` gives them (`jacobian(f, x)[1]`), as `gradient` does.
    static func jacobian(_ call: BuiltinCall) throws -> Value {
        let (tape, variables, result) = try recorded(call)
        guard var y = call.interpreter.tapeVariable(result, tape) else {
            throw call.error("jacobian: the function must return numbers, got \(result.typeName)")
        }
        // Rows follow Julia's column-major vec(y).
        if y.shape.kind == .matrix { y = y.transposed.reshaped(.vector(y.count)) }
        let rows = y.count
        var jacobians = variables.map { [Double](repeating: 0, count: rows * $0.count) }
        if y.isVariable || result.isTape {
            for i in 0..<rows {
                var seed = [Double](repeating: 0, count: rows)
                seed[i] = 1
                let grads: [[Double]]
                do {
                    grads = try tape.pullback(of: [y], cotangents: [seed], wrt: variables)
                } catch let error as LangError {
                    throw error
                } catch {
                    throw call.error("jacobian: \(error)")
                }
                for (k, (v, g)) in zip(variables, grads).enumerated() {
                    // Columns follow the argument's column-major order too.
                    let columns = v.shape.kind == .matrix ? columnMajor(g, v.shape) : g
                    for j in 0..<v.count { jacobians[k][i * v.count + j] = columns[j] }
                }
            }
        }
        return .tuple(zip(variables, jacobians).map { v, J in .array(NumericArray(J, shape: [rows, v.count])) })
    }

    /// A row-major matrix's elements in column-major order.
    static func columnMajor(_ values: [Double], _ shape: Shape) -> [Double] {
        (0..<values.count).map { k in values[(k % shape.rows) * shape.cols + k / shape.rows] }
    }

    /// `hessian(f, x)`: f traced once into the IR, then forward mode over its compiled reverse
    /// mode (the Jacobian of the gradient graph). f must be traceable (no control flow on x).
    static func hessian(_ call: BuiltinCall) throws -> Value {
        let interpreter = call.interpreter
        let f = call.arguments[0]
        guard case .function = f else { throw call.error("hessian needs a function first, got \(f.typeName)") }
        let x = call.arguments[1]
        let point: [Double] = x.isNumber ? [x.asDouble ?? .nan] : try numbers(x, "hessian: x", call)
        let builder = GraphBuilder()
        let input = Sym(builder, builder.input("x", x.isNumber ? .scalar : .vector(point.count)))
        let savedOutput = interpreter.output
        interpreter.output = { _ in }
        defer { interpreter.output = savedOutput }
        let result: Value
        do {
            result = try interpreter.apply(f, [.traced(TracedValue(input))], [], call.span)
        } catch var error as LangError where isControlFlowError(error) {
            let note = "raised while tracing f for hessian"
            error.hint = error.hint.map { $0 + "; " + note } ?? note
            throw error
        }
        guard let y = try interpreter.symbol(result, builder, call.span), y.count == 1 else {
            let count = (try? interpreter.symbol(result, builder, call.span))??.count
            throw call.error("hessian: the function must return a number, got " + (count.map { "an array of \($0) elements" } ?? result.typeName))
        }
        do {
            let graph = try builder.build(outputs: [y.id])
            let second = try DenseJacobian(graph.vjp(), output: 0, wrt: 0)
            let H = try second([point, [1]])
            return x.isNumber ? .float(H.first ?? .nan) : .array(NumericArray(H, shape: [point.count, point.count]))
        } catch let error as AutodiffError {
            throw call.error("hessian: " + error.message)
        }
    }
}
