import Foundation

/// How an engine object was made: the builtin and the arguments it was called with. A
/// network, a neural ODE, a problem, an optimiser or a callback is cheap to make again but is not plain
/// data (it holds traced and compiled code), so a session saves its recipe and loading
/// calls the builtin again. Solves and training are never made again this way.
struct Recipe {
    /// The builtin's name (`NeuralODE`).
    let name: String
    /// Positional arguments, arrays copied when recorded (a later `x[1] = 0` must not change them).
    let arguments: [Value]
    /// Keyword arguments in call order.
    let keywords: [(String, Value)]
}

/// Recipes of the live engine objects, by identity. Entries hold the object weakly, so a
/// recipe never keeps a problem (and its compiled code) alive; dead entries are pruned as
/// the book grows.
final class RecipeBook {
    private struct Entry {
        weak var object: AnyObject?
        let recipe: Recipe
    }

    private var entries: [ObjectIdentifier: Entry] = [:]
    private var pruneAt = 64

    /// The object in an engine value that a recipe can describe.
    static func object(of value: Value) -> AnyObject? {
        switch value {
        case .engine(.layer(let object)): return object
        case .engine(.neuralODE(let object)): return object
        case .engine(.problem(let object)): return object
        case .engine(.optimizer(let object)): return object
        case .engine(.callback(let object)): return object
        case .engine(.odeFunction(let object)): return object
        case .engine(.optimizationProblem(let object)): return object
        case .engine(.ensembleProblem(let object)): return object
        default: return nil
        }
    }

    /// Remembers how `value` was made, if it is an engine object worth remembering.
    func record(_ value: Value, _ name: String, _ arguments: [Value], _ keywords: [(String, Value)]) {
        guard let object = RecipeBook.object(of: value) else { return }
        let recipe = Recipe(name: name, arguments: arguments.map(\.snapshot), keywords: keywords.map { ($0.0, $0.1.snapshot) })
        entries[ObjectIdentifier(object)] = Entry(object: object, recipe: recipe)
        if entries.count >= pruneAt {
            entries = entries.filter { $0.value.object != nil }
            pruneAt = max(64, entries.count * 2)
        }
    }

    /// The recipe of the object in `value`, if it was made by a builtin call.
    func recipe(of value: Value) -> Recipe? {
        guard let object = RecipeBook.object(of: value), let entry = entries[ObjectIdentifier(object)],
              entry.object === object else { return nil }
        return entry.recipe
    }
}

extension Value {
    /// A copy whose arrays share nothing with `self` (other values are immutable or engine objects).
    var snapshot: Value {
        switch self {
        case .array(let array): return .array(array.copy())
        case .list(let list): return .list(ValueList(list.items.map(\.snapshot)))
        case .tuple(let items): return .tuple(items.map(\.snapshot))
        case .namedTuple(let names, let values): return .namedTuple(names: names, values: values.map(\.snapshot))
        default: return self
        }
    }
}

extension Interpreter {
    /// Calls a builtin, remembering how an engine object it returns was made (`Recipe`).
    func callBuiltin(_ builtin: Builtin, _ call: BuiltinCall) throws -> Value {
        let value = try builtin.body(call)
        session.recipes.record(value, builtin.name, call.arguments, call.keywords)
        return value
    }
}
