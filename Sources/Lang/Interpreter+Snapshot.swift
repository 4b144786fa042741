import Foundation

/// Copies values from one interpreter into another that shares no mutable state with it:
/// what a background training job evaluates its loss in.
///
/// Arrays and lists are copied; user functions are rebound to copies of their scopes (the
/// globals become the target's globals), so a later REPL edit changes nothing the job
/// sees; builtins become the target's own. Engine objects with mutable state are copied or
/// made again: a problem loses its cache of differentiable solves (each holds integrators),
/// networks and neural ODEs are rebuilt from their recipes (they hold compiled programs
/// with workspaces, and language layers hold the interpreter that traces them), and so are
/// callbacks (their condition and affect are language functions); optimisers
/// and plots are copied. Solutions and training results are immutable and shared. Aliasing
/// is kept: a value reached twice is copied once.
final class SnapshotCopier {
    let source: Interpreter
    let target: Interpreter
    /// Where recipes are rebuilt (errors there point at the `train` call).
    let span: SourceSpan
    private var environments: [ObjectIdentifier: Environment] = [:]
    private var functions: [ObjectIdentifier: FunctionValue] = [:]
    private var arrays: [ObjectIdentifier: NumericArray] = [:]
    private var lists: [ObjectIdentifier: ValueList] = [:]
    private var engines: [ObjectIdentifier: EngineObject] = [:]
    private var dicts: [ObjectIdentifier: DictValue] = [:]
    private var objects: [ObjectIdentifier: StructInstance] = [:]

    init(from source: Interpreter, to target: Interpreter, span: SourceSpan) {
        self.source = source
        self.target = target
        self.span = span
        environments[ObjectIdentifier(source.globals)] = target.globals
    }

    /// Copies every global the user bound (the prelude's own bindings are the target's already).
    func copyGlobals() {
        let globals = source.globals
        for (name, value) in globals.values {
            if case .function(let function) = value, function.builtin != nil, source.builtins[name] === function { continue }
            target.globals.define(name, copy(value))
        }
        target.globals.constants = globals.constants
        target.globals.globals = globals.globals
        // Struct definitions are immutable; instances keep their types by identity.
        target.structTypes = source.structTypes
    }

    func copy(_ value: Value) -> Value {
        switch value {
        case .array(let array): return .array(copy(array))
        case .list(let list):
            if let done = lists[ObjectIdentifier(list)] { return .list(done) }
            let copied = ValueList([])
            lists[ObjectIdentifier(list)] = copied
            copied.items = list.items.map(copy)
            return .list(copied)
        case .tuple(let items): return .tuple(items.map(copy))
        case .pair(let first, let second): return .pair(copy(first), copy(second))
        case .namedTuple(let names, let values): return .namedTuple(names: names, values: values.map(copy))
        case .function(let function): return .function(copy(function))
        case .engine(let object): return .engine(copy(object))
        case .dict(let dict):
            if let done = dicts[ObjectIdentifier(dict)] { return .dict(done) }
            let copied = DictValue(keyType: dict.keyType, valueType: dict.valueType)
            dicts[ObjectIdentifier(dict)] = copied
            for (key, item) in zip(dict.keys, dict.values) {
                if let hashed = DictKey(key) { copied.set(hashed, copy(key), copy(item)) }
            }
            return .dict(copied)
        case .object(let instance):
            if let done = objects[ObjectIdentifier(instance)] { return .object(done) }
            let copied = StructInstance(type: instance.type, values: [])
            objects[ObjectIdentifier(instance)] = copied
            copied.values = instance.values.map(copy)
            return .object(copied)
        case .int, .float, .bool, .string, .symbol, .nothing, .range, .type, .traced, .tracedOutput, .tape, .complex:
            return value
        }
    }

    private func copy(_ array: NumericArray) -> NumericArray {
        if let done = arrays[ObjectIdentifier(array)] { return done }
        let copied = array.copy()
        arrays[ObjectIdentifier(array)] = copied
        return copied
    }

    private func copy(_ function: FunctionValue) -> FunctionValue {
        if let builtin = function.builtin { return target.builtins[builtin.name] ?? function }
        if let done = functions[ObjectIdentifier(function)] { return done }
        let copied = FunctionValue(name: function.name, methods: [])
        functions[ObjectIdentifier(function)] = copied
        copied.methods = function.methods.map { .init(definition: $0.definition, environment: copy($0.environment)) }
        return copied
    }

    private func copy(_ environment: Environment) -> Environment {
        if let done = environments[ObjectIdentifier(environment)] { return done }
        let copied = Environment(parent: environment.parent.map(copy), isFunction: environment.isFunction)
        environments[ObjectIdentifier(environment)] = copied
        copied.globals = environment.globals
        copied.constants = environment.constants
        for (name, value) in environment.values { copied.values[name] = copy(value) }
        return copied
    }

    private func copy(_ object: EngineObject) -> EngineObject {
        guard let identity = SnapshotCopier.identity(object) else { return object }
        if let done = engines[identity] { return done }
        let copied: EngineObject
        switch object {
        case .problem(let problem):
            let fresh = ProblemObject(function: copy(problem.function), inPlace: problem.inPlace, u0: problem.u0,
                                      tspan: problem.tspan, parameters: copy(problem.parameters))
            // The compiled right-hand side is re-entrant (each integrator has its own workspace).
            fresh.compiled = problem.compiled
            fresh.mode = problem.mode
            fresh.massMatrix = problem.massMatrix
            copied = .problem(fresh)
        case .layer(let layer):
            copied = rebuilt(.engine(object)).flatMap(\.engineObject) ?? .layer(LayerObject(layer.layer))
        case .neuralODE, .callback:
            // A callback's condition and affect are language functions: rebuilt, they are the copies.
            copied = rebuilt(.engine(object)).flatMap(\.engineObject) ?? object
        case .optimizer(let optimizer):
            let fresh = OptimizerObject(optimizer.method, optimizer.text)
            if let state = optimizer.savedState { fresh.remember(state.values, count: state.count) }
            copied = .optimizer(fresh)
        case .plot(let plot):
            copied = .plot(PlotObject(plot: plot.plot, width: plot.width, height: plot.height, style: plot.style))
        case .odeFunction(let function):
            copied = .odeFunction(ODEFunctionObject(function: copy(function.function), massMatrix: function.massMatrix))
        case .optimizationProblem(let problem):
            copied = .optimizationProblem(OptimizationProblemObject(function: copy(problem.function), adType: problem.adType,
                                                                    u0: copy(problem.u0), parameters: copy(problem.parameters)))
        case .rng(let rng):
            copied = .rng(RNGObject(seed: rng.seed, name: rng.name))
        default:
            copied = object
        }
        engines[identity] = copied
        return copied
    }

    /// The object behind an engine value that may need copying.
    private static func identity(_ object: EngineObject) -> ObjectIdentifier? {
        switch object {
        case .problem(let o): return ObjectIdentifier(o)
        case .layer(let o): return ObjectIdentifier(o)
        case .neuralODE(let o): return ObjectIdentifier(o)
        case .callback(let o): return ObjectIdentifier(o)
        case .optimizer(let o): return ObjectIdentifier(o)
        case .plot(let o): return ObjectIdentifier(o)
        case .odeFunction(let o): return ObjectIdentifier(o)
        case .optimizationProblem(let o): return ObjectIdentifier(o)
        case .rng(let o): return ObjectIdentifier(o)
        default: return nil
        }
    }

    /// `value` made again in the target by calling its builtin with copied arguments; nil
    /// without a recipe or when the call fails (the object is then shared).
    private func rebuilt(_ value: Value) -> Value? {
        guard let recipe = source.session.recipes.recipe(of: value), let builtin = target.builtins[recipe.name]?.builtin else {
            return nil
        }
        let call = BuiltinCall(interpreter: target, name: builtin.name, signature: builtin.signature,
                               arguments: recipe.arguments.map(copy), keywords: recipe.keywords.map { ($0.0, copy($0.1)) },
                               span: span)
        return try? target.callBuiltin(builtin, call)
    }
}

extension Value {
    /// The engine object inside, if any.
    var engineObject: EngineObject? {
        if case .engine(let object) = self { return object }
        return nil
    }
}

extension Interpreter {
    /// A fresh interpreter holding a copy of this one's globals (`SnapshotCopier`), with the
    /// same random state, plot style and autosave path; its output goes to `output`.
    func snapshot(span: SourceSpan, output: @escaping (String) -> Void) -> (Interpreter, SnapshotCopier) {
        let copy = Interpreter(output: output)
        copy.random = random
        copy.unicode = unicode
        copy.session.autosavePath = session.autosavePath
        let copier = SnapshotCopier(from: self, to: copy, span: span)
        copier.copyGlobals()
        return (copy, copier)
    }

    /// Runs `body` as a top-level statement on the current thread (a job's thread, whose stack
    /// is as large as the evaluation thread's): the call depth and stack checks start here.
    func runAsStatement<T>(_ body: () throws -> T) rethrows -> T {
        callDepth = 0
        var marker = 0
        stackBase = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        return try body()
    }
}
