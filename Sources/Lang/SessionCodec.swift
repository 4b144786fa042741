import DiffEq
import Foundation
import Optimizers
import TextPlots

/// A value a session cannot keep, and why (named in the save and load messages).
struct Unsaveable: Error {
    let reason: String
}

/// A session document whose content does not make sense (the file's checksum was right,
/// so it was written that way, or by a different program).
struct SessionContentError: Error {
    let message: String
}

/// Language values as JSON and back. Every value is an object with one member naming its
/// kind: `{"float": 1.5}`, `{"array": {"shape": [2], "integer": false, "data": [1.0, 2.0]}}`,
/// `{"function": {"name": "f", "methods": ["f(x) = 2x"]}}`,
/// `{"call": {"name": "Dense", "arguments": [...], "keywords": [...]}}` (an engine object made
/// again by calling its builtin), `{"training": {...}}` (a finished result, never re-run),
/// `{"solution": {...}}` (the saved points, never solved again), `{"ensemble_solution": {"u": ...}}`
/// (the outputs, member solutions as their saved points), `{"complex": {...}}`,
/// `{"dict": {...}}` (entries in order), `{"struct": {"definition": source, "values": [...]}}`.
extension Interpreter {
    /// Deeper nesting is refused (and catches a list that contains itself).
    static let maximumSavedDepth = 64

    func encodeValue(_ value: Value, depth: Int = 0) throws -> JSON {
        guard depth < Interpreter.maximumSavedDepth else { throw Unsaveable(reason: "nested too deeply (or contains itself)") }
        let inner = { (value: Value) in try self.encodeValue(value, depth: depth + 1) }
        switch value {
        case .int(let n): return .object([("int", .int(n))])
        case .float(let x): return .object([("float", .double(x))])
        case .bool(let b): return .object([("bool", .bool(b))])
        case .string(let s): return .object([("string", .string(s))])
        case .symbol(let s): return .object([("symbol", .string(s))])
        case .nothing: return .object([("nothing", .null)])
        case .type(let name):
            // A struct type keeps its definition, so that loading defines it again.
            if let type = structTypes[name] { return .object([("struct_type", .string(type.source))]) }
            return .object([("type", .string(name))])
        case .complex(let z):
            return .object([("complex", .object([
                ("re", .double(z.re)), ("im", .double(z.im)), ("element", .string(z.typeName)),
            ]))])
        case .dict(let d):
            return .object([("dict", .object([
                ("key_type", .string(d.keyType)), ("value_type", .string(d.valueType)),
                ("keys", .array(try d.keys.map(inner))), ("values", .array(try d.values.map(inner))),
            ]))])
        case .object(let instance):
            return .object([("struct", .object([
                ("definition", .string(instance.type.source)), ("values", .array(try instance.values.map(inner))),
            ]))])
        case .array(let array):
            var members: [(String, JSON)] = [
                ("shape", .array(array.shape.map(JSON.int))),
                ("integer", .bool(array.isInteger)),
                ("data", .array(array.storage.map(JSON.double))),
            ]
            if let axes = array.axes {
                // A ComponentVector's named blocks: name, first offset, length, whether a number.
                members.append(("axes", .array(axes.blocks.map { block in
                    .array([.string(block.name), .int(block.range.lowerBound), .int(block.range.count), .bool(block.isScalar)])
                })))
            }
            return .object([("array", .object(members))])
        case .list(let list): return .object([("list", .array(try list.items.map(inner)))])
        case .range(let r):
            return .object([("range", .object([
                ("start", .double(r.start)), ("step", .double(r.step)), ("count", .int(r.count)),
                ("integer", .bool(r.isInteger)), ("last", .double(r.last)),
            ]))])
        case .tuple(let items): return .object([("tuple", .array(try items.map(inner)))])
        case .pair(let first, let second): return .object([("pair", .array([try inner(first), try inner(second)]))])
        case .namedTuple(let names, let values):
            return .object([("named_tuple", .object([
                ("names", .array(names.map(JSON.string))), ("values", .array(try values.map(inner))),
            ]))])
        case .function(let function): return try encodeFunction(function)
        case .engine(let object): return try encodeEngine(object, value, depth: depth)
        case .traced, .tracedOutput, .tape:
            throw Unsaveable(reason: "a value in the middle of tracing or differentiation")
        }
    }

    private func encodeFunction(_ function: FunctionValue) throws -> JSON {
        if let builtin = function.builtin { return .object([("builtin", .string(builtin.name))]) }
        let sources = try function.methods.map { method -> JSON in
            // Functions defined at the top level look names up in the globals when called,
            // so their text is all they need; a closure's captured locals are not kept.
            guard method.environment === globals else {
                throw Unsaveable(reason: "a closure over local variables (only top-level functions are saved)")
            }
            return .string(SourcePrinter.print(Expr(.function(method.definition), method.definition.body.first?.span
                ?? SourceSpan(file: "<session>", start: 0, end: 0, line: 1, column: 1))))
        }
        return .object([("function", .object([("name", .string(function.name)), ("methods", .array(sources))]))])
    }

    private func encodeEngine(_ object: EngineObject, _ value: Value, depth: Int) throws -> JSON {
        switch object {
        case .algorithm(let name): return .object([("algorithm", .string(name))])
        case .training(let training):
            let r = training.result
            return .object([("training", .object([
                ("method", .string(r.method)), ("retcode", .string(r.stopReason.rawValue)), ("message", .string(r.message)),
                ("minimum", .double(r.minimum)), ("best_iteration", .int(r.bestIteration)),
                ("iterations", .int(r.iterations)), ("evaluations", .int(r.evaluations)), ("elapsed", .double(r.elapsed)),
                ("minimizer", .array(r.minimizer.map(JSON.double))), ("losses", .array(r.losses.map(JSON.double))),
            ]))])
        case .plot(let plot):
            return .object([("plot", .object([
                ("plot", Interpreter.encodePlot(plot.plot)), ("width", .int(plot.width)), ("height", .int(plot.height)),
                ("style", .string(plot.style.rawValue)),
            ]))])
        case .solution(let object):
            // The saved points as data: opening never solves again. The dense interpolant is
            // not kept, so a restored `sol(t)` interpolates linearly between saved points.
            let s = object.solution
            var members: [(String, JSON)] = [
                ("algorithm", .string(object.algorithm)), ("retcode", .string(s.retcode.rawValue)),
                ("width", .int(s.width)), ("t", .array(s.t.map(JSON.double))), ("u", .array(s.values.map(JSON.double))),
                ("stats", .array([s.stats.nf, s.stats.naccept, s.stats.nreject, s.stats.njacs, s.stats.nfdjacs].map(JSON.int))),
            ]
            if let message = s.message { members.append(("message", .string(message))) }
            return .object([("solution", .object(members))])
        case .job(let job):
            // A finished job saves as its result; a running one has none yet.
            guard let object = job.finishedResult else { throw Unsaveable(reason: "a training job still running") }
            return try encodeEngine(.training(object), value, depth: depth)
        case .adType(let name):
            return .object([("call", .object([("name", .string(name)), ("arguments", .array([])), ("keywords", .array([]))]))])
        case .module:
            throw Unsaveable(reason: "a package name (it is there in every session)")
        case .rng(let object):
            return .object([("call", .object([("name", .string(object.name == "default_rng" ? "Xoshiro" : object.name)),
                                              ("arguments", .array([.object([("int", .int(Int(truncatingIfNeeded: object.seed)))])])),
                                              ("keywords", .array([]))]))])
        case .ensembleSolution(let sim):
            // The outputs as values (member solutions as their saved points): never solved again.
            return .object([("ensemble_solution", .object([
                ("u", try encodeValue(sim.u, depth: depth + 1)), ("method", .string(sim.method)),
                ("converged", .bool(sim.converged)), ("elapsed", .double(sim.elapsed)),
            ]))])
        case .ensembleSummary:
            throw Unsaveable(reason: "an ensemble summary (EnsembleSummary(sim) makes it again from the kept sim)")
        case .layer, .neuralODE, .problem, .optimizer, .callback, .odeFunction, .optimizationProblem, .ensembleProblem:
            guard let recipe = session.recipes.recipe(of: value) else {
                throw Unsaveable(reason: "made in a way a session cannot repeat")
            }
            let arguments = try recipe.arguments.map { try encodeValue($0, depth: depth + 1) }
            let keywords = try recipe.keywords.map { JSON.array([.string($0.0), try encodeValue($0.1, depth: depth + 1)]) }
            var members: [(String, JSON)] = [
                ("name", .string(recipe.name)), ("arguments", .array(arguments)), ("keywords", .array(keywords)),
            ]
            // An optimiser's moments from its last run (it continues from them).
            if case .optimizer(let optimizer) = object, let state = optimizer.savedState {
                members.append(("optimizer_state", .object([("count", .int(state.count)),
                                                            ("values", .array(state.values.map(JSON.double)))])))
            }
            return .object([("call", .object(members))])
        }
    }

    // MARK: reading

    /// The value a JSON value describes. Engine objects are made again by calling their
    /// builtin (which may trace user functions, so the globals they use must be bound).
    func decodeValue(_ json: JSON, depth: Int = 0) throws -> Value {
        func bad(_ what: String) -> SessionContentError { SessionContentError(message: "malformed \(what)") }
        guard depth < Interpreter.maximumSavedDepth else { throw bad("value (nested too deeply)") }
        guard case .object(let members) = json, members.count == 1, let (kind, body) = members.first else {
            throw bad("value (expected an object with one member naming its kind)")
        }
        let inner = { (json: JSON) in try self.decodeValue(json, depth: depth + 1) }
        switch kind {
        case "int": guard let n = body.intValue else { throw bad("int") }; return .int(n)
        case "float": guard let x = body.doubleValue else { throw bad("float") }; return .float(x)
        case "bool": guard let b = body.boolValue else { throw bad("bool") }; return .bool(b)
        case "string": guard let s = body.stringValue else { throw bad("string") }; return .string(s)
        case "symbol": guard let s = body.stringValue else { throw bad("symbol") }; return .symbol(s)
        case "nothing": return .nothing
        case "type": guard let s = body.stringValue else { throw bad("type") }; return .type(s)
        case "struct_type":
            guard let source = body.stringValue else { throw bad("struct type") }
            return .type(try structType(savedAs: source, binds: true).name)
        case "struct":
            guard let source = body["definition"]?.stringValue, let values = body["values"]?.arrayValue else { throw bad("struct") }
            let type = try structType(savedAs: source, binds: false)
            guard values.count == type.fieldNames.count else { throw bad("struct (\(type.name) has \(type.fieldNames.count) fields)") }
            return .object(StructInstance(type: type, values: try values.map(inner)))
        case "complex":
            let elements: [String: ComplexNumber.Element] = ["ComplexF64": .float, "Complex{Int64}": .int, "Complex{Bool}": .bool]
            guard let re = body["re"]?.doubleValue, let im = body["im"]?.doubleValue,
                  let element = body["element"]?.stringValue.flatMap({ elements[$0] }) else { throw bad("complex number") }
            return .complex(ComplexNumber(re: re, im: im, element: element))
        case "dict":
            guard let keyType = body["key_type"]?.stringValue, let valueType = body["value_type"]?.stringValue,
                  let keys = body["keys"]?.arrayValue, let values = body["values"]?.arrayValue, keys.count == values.count else {
                throw bad("Dict")
            }
            let d = DictValue(keyType: keyType, valueType: valueType)
            for (key, value) in zip(keys, values) {
                let k = try inner(key)
                guard let hashed = DictKey(k) else { throw bad("Dict (a key of type \(k.typeName))") }
                d.set(hashed, k, try inner(value))
            }
            return .dict(d)
        case "array":
            guard let shape = body["shape"]?.arrayValue?.compactMap(\.intValue), let integer = body["integer"]?.boolValue,
                  let items = body["data"]?.arrayValue, (1...2).contains(shape.count), shape.allSatisfy({ $0 >= 0 }) else {
                throw bad("array")
            }
            let data = items.compactMap(\.doubleValue)
            guard data.count == items.count, data.count == shape.reduce(1, *) else { throw bad("array (data does not fit its shape)") }
            let array = NumericArray(data, shape: shape, isInteger: integer)
            if let blocks = body["axes"]?.arrayValue {
                var parsed: [ComponentAxes.Block] = []
                for block in blocks {
                    guard let parts = block.arrayValue, parts.count == 4, let name = parts[0].stringValue,
                          let start = parts[1].intValue, let length = parts[2].intValue, let scalar = parts[3].boolValue,
                          start >= 0, length >= 0, start + length <= data.count, shape.count == 1 else {
                        throw bad("array (its component axes)")
                    }
                    parsed.append(ComponentAxes.Block(name: name, range: start..<(start + length), isScalar: scalar))
                }
                array.axes = ComponentAxes(blocks: parsed)
            }
            return .array(array)
        case "list": guard let items = body.arrayValue else { throw bad("list") }; return .list(ValueList(try items.map(inner)))
        case "tuple": guard let items = body.arrayValue else { throw bad("tuple") }; return .tuple(try items.map(inner))
        case "pair":
            guard let items = body.arrayValue, items.count == 2 else { throw bad("pair") }
            return .pair(try inner(items[0]), try inner(items[1]))
        case "named_tuple":
            guard let names = body["names"]?.arrayValue?.compactMap(\.stringValue), let values = body["values"]?.arrayValue,
                  names.count == values.count else { throw bad("named tuple") }
            return .namedTuple(names: names, values: try values.map(inner))
        case "range":
            guard let start = body["start"]?.doubleValue, let step = body["step"]?.doubleValue, let count = body["count"]?.intValue,
                  let integer = body["integer"]?.boolValue, let last = body["last"]?.doubleValue, count >= 0 else { throw bad("range") }
            var range = RangeValue(start: start, stop: last, length: count)
            range.step = step
            range.isInteger = integer
            range.last = last
            return .range(range)
        case "builtin":
            guard let name = body.stringValue, let function = builtins[name] else {
                throw SessionContentError(message: "unknown builtin \(body.stringValue ?? "?")")
            }
            return .function(function)
        case "function": return try decodeFunction(body)
        case "algorithm": guard let s = body.stringValue else { throw bad("algorithm") }; return .engine(.algorithm(s))
        case "training": return try decodeTraining(body)
        case "plot":
            guard let plot = Interpreter.decodePlot(body["plot"] ?? .null), let width = body["width"]?.intValue,
                  let height = body["height"]?.intValue, let style = body["style"]?.stringValue.flatMap(CanvasStyle.init) else {
                throw bad("plot")
            }
            return .engine(.plot(PlotObject(plot: plot, width: width, height: height, style: style)))
        case "call": return try decodeCall(body, depth: depth)
        case "solution": return try decodeSolution(body)
        case "ensemble_solution":
            guard let u = body["u"], let method = body["method"]?.stringValue, Interpreter.ensembleMethods.contains(method),
                  let converged = body["converged"]?.boolValue, let elapsed = body["elapsed"]?.doubleValue else {
                throw bad("ensemble solution")
            }
            return .engine(.ensembleSolution(EnsembleSolutionObject(u: try inner(u), elapsed: elapsed, converged: converged, method: method)))
        default: throw SessionContentError(message: "unknown kind of value \"\(kind)\"")
        }
    }

    private func decodeFunction(_ body: JSON) throws -> Value {
        guard let name = body["name"]?.stringValue, let sources = body["methods"]?.arrayValue?.compactMap(\.stringValue),
              !sources.isEmpty else { throw SessionContentError(message: "malformed function") }
        let methods = try sources.map { source -> FunctionValue.Method in
            let parsed = Syntax.parse(source, file: "<session: \(name)>")
            guard !parsed.hasErrors, parsed.statements.count == 1, case .function(let definition) = parsed.statements[0].kind else {
                throw SessionContentError(message: "the function \(name) does not parse: \(source)")
            }
            self.sources[parsed.source.name] = parsed.source
            return FunctionValue.Method(definition: definition, environment: globals)
        }
        return .function(FunctionValue(name: name, methods: methods))
    }

    private func decodeTraining(_ body: JSON) throws -> Value {
        guard let method = body["method"]?.stringValue, let code = body["retcode"]?.stringValue,
              let reason = StopReason(rawValue: code), let message = body["message"]?.stringValue,
              let minimum = body["minimum"]?.doubleValue, let best = body["best_iteration"]?.intValue,
              let iterations = body["iterations"]?.intValue, let evaluations = body["evaluations"]?.intValue,
              let elapsed = body["elapsed"]?.doubleValue, let u = body["minimizer"]?.arrayValue,
              let losses = body["losses"]?.arrayValue else { throw SessionContentError(message: "malformed training result") }
        let minimizer = u.compactMap(\.doubleValue), history = losses.compactMap(\.doubleValue)
        guard minimizer.count == u.count, history.count == losses.count else {
            throw SessionContentError(message: "malformed training result (non-numbers in its vectors)")
        }
        return .engine(.training(TrainingObject(TrainingResult(
            restoring: minimizer, minimum: minimum, bestIteration: best, losses: history, iterations: iterations,
            evaluations: evaluations, elapsed: elapsed, stopReason: reason, message: message, method: method))))
    }

    private func decodeSolution(_ body: JSON) throws -> Value {
        guard let algorithm = body["algorithm"]?.stringValue, let code = body["retcode"]?.stringValue.flatMap(ReturnCode.init),
              let width = body["width"]?.intValue, let ts = body["t"]?.arrayValue, let us = body["u"]?.arrayValue,
              let counts = body["stats"]?.arrayValue?.compactMap(\.intValue), counts.count == 5 else {
            throw SessionContentError(message: "malformed solution")
        }
        let t = ts.compactMap(\.doubleValue), values = us.compactMap(\.doubleValue)
        guard t.count == ts.count, values.count == us.count, width > 0, values.count == width * t.count else {
            throw SessionContentError(message: "malformed solution (its states do not fit its times)")
        }
        var stats = SolverStats()
        (stats.nf, stats.naccept, stats.nreject, stats.njacs, stats.nfdjacs) = (counts[0], counts[1], counts[2], counts[3], counts[4])
        let solution = ODESolution(t: t, values: values, width: width, retcode: code, stats: stats,
                                   message: body["message"]?.stringValue)
        return .engine(.solution(SolutionObject(solution: solution, algorithm: algorithm)))
    }

    private func decodeCall(_ body: JSON, depth: Int) throws -> Value {
        guard let name = body["name"]?.stringValue, let arguments = body["arguments"]?.arrayValue,
              let keywords = body["keywords"]?.arrayValue else { throw SessionContentError(message: "malformed call") }
        guard let function = builtins[name], let builtin = function.builtin else {
            throw SessionContentError(message: "\(name) is not a builtin of this Fluxion")
        }
        // Only constructors (capitalised, as Julia's types: Dense, NeuralODE, ODEProblem,
        // Adam) are called: a file never makes `train`, `solve` or `save_session` run.
        guard name.first?.isUppercase == true else {
            throw SessionContentError(message: "\(name) is not a constructor; a session does not call it")
        }
        let values = try arguments.map { try decodeValue($0, depth: depth + 1) }
        let pairs = try keywords.map { pair -> (String, Value) in
            guard let items = pair.arrayValue, items.count == 2, let key = items[0].stringValue else {
                throw SessionContentError(message: "malformed keyword of \(name)")
            }
            return (key, try decodeValue(items[1], depth: depth + 1))
        }
        let span = SourceSpan(file: "<session>", start: 0, end: 0, line: 1, column: 1)
        let call = BuiltinCall(interpreter: self, name: name, signature: builtin.signature, arguments: values,
                               keywords: pairs, span: span)
        do {
            let made = try callBuiltin(builtin, call)
            if let state = body["optimizer_state"], case .engine(.optimizer(let optimizer)) = made {
                guard let count = state["count"]?.intValue, let items = state["values"]?.arrayValue else {
                    throw SessionContentError(message: "malformed optimizer state of \(name)")
                }
                let values = items.compactMap(\.doubleValue)
                guard values.count == items.count else { throw SessionContentError(message: "malformed optimizer state of \(name)") }
                optimizer.remember(values, count: count)
            }
            return made
        } catch let error as LangError {
            throw SessionContentError(message: "\(name)(...) failed again: \(error.message)")
        }
    }
}
