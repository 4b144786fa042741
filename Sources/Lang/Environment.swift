import Foundation

/// A lexical scope: the global scope, a function call, a `let` block or one loop iteration.
///
/// Julia's rules, simplified: assignment updates the nearest existing binding, except that
/// inside a function an assignment to a name bound only globally creates a local (unless
/// the function declared it `global`); otherwise it creates the name in the current scope.
public final class Environment {
    /// The names bound here.
    var values: [String: Value] = [:]
    /// The enclosing scope; nil for the global scope.
    let parent: Environment?
    /// A function call's scope (a hard scope: globals are read, not assigned).
    let isFunction: Bool
    /// Names declared `global` in this scope.
    var globals: Set<String> = []
    /// Names declared `const`.
    var constants: Set<String> = []

    init(parent: Environment?, isFunction: Bool = false) {
        self.parent = parent
        self.isFunction = isFunction
    }

    /// The global scope at the root of the chain.
    var root: Environment {
        var scope = self
        while let parent = scope.parent { scope = parent }
        return scope
    }

    /// The value bound to `name` here or in an enclosing scope.
    func lookup(_ name: String) -> Value? {
        var scope: Environment? = self
        while let current = scope {
            if let value = current.values[name] { return value }
            scope = current.parent
        }
        return nil
    }

    /// The scope in which assigning `name` binds it (see the type's rules).
    func target(for name: String) -> Environment {
        var scope: Environment? = self
        var crossedFunction = false
        while let current = scope {
            if current.globals.contains(name) { return root }
            if current.values[name] != nil {
                if current.parent == nil && crossedFunction { return self }
                return current
            }
            if current.isFunction { crossedFunction = true }
            scope = current.parent
        }
        return self
    }

    /// Binds `name` in this scope.
    func define(_ name: String, _ value: Value) { values[name] = value }

    /// Every name visible from here (for "did you mean" hints).
    var visibleNames: [String] {
        var names: [String] = []
        var scope: Environment? = self
        while let current = scope {
            names += current.values.keys
            scope = current.parent
        }
        return names
    }
}
