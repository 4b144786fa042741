import Foundation

extension Interpreter {
    /// `target = value` under the scope rules of `Environment.target(for:)`.
    func assign(_ target: Expr, _ value: Value, _ scope: Environment) throws {
        try store(target, value, scope) { name, value in
            let destination = scope.target(for: name)
            if destination.constants.contains(name), destination.values[name] != nil {
                throw LangError("invalid redefinition of constant \(name)", at: target.span)
            }
            destination.define(name, value)
        }
    }

    /// Binds names in `scope` itself (loop variables, `let` and `local`).
    func bind(_ target: Expr, _ value: Value, _ scope: Environment) throws {
        try store(target, value, scope) { name, value in scope.define(name, value) }
    }

    /// Destructures `value` into `target`; names go through `define`.
    private func store(_ target: Expr, _ value: Value, _ scope: Environment,
                       _ define: (String, Value) throws -> Void) throws {
        switch target.kind {
        case .identifier(let name):
            try define(name, value)
        case .typed(let inner, _):
            try store(inner, value, scope, define)
        case .tuple(var targets):
            let items = try elements(value, target.span)
            // `head, tail... = v`: the splatted last name takes the rest (a tuple from a tuple, else a vector).
            if case .splat(let rest)? = targets.last?.kind {
                targets.removeLast()
                guard items.count >= targets.count else {
                    throw LangError("BoundsError: cannot destructure \(items.count) values into \(targets.count) names and a rest",
                                    at: target.span)
                }
                let remaining = Array(items[targets.count...])
                if case .tuple = value { try store(rest, .tuple(remaining), scope, define) } else { try store(rest, .vector(remaining), scope, define) }
            }
            guard items.count >= targets.count else {
                throw LangError("BoundsError: cannot destructure \(items.count) values into \(targets.count) names",
                                at: target.span)
            }
            for (item, value) in zip(targets, items) { try store(item, value, scope, define) }
        case .namedTuple(let fields):
            // `(; a, b) = x` binds a = x.a and b = x.b.
            for field in fields { try define(field.name, try self.field(value, field.name, field.span)) }
        case .index(let base, let indices):
            let container = try eval(base, scope)
            if case .dict(let d) = container {
                let keys = try evalList(indices, scope)
                try store(in: d, keys.count == 1 ? keys[0] : .tuple(keys), value, target.span)
                return
            }
            try setIndex(container, try evalIndices(indices, container, scope), value, target.span)
        case .field(let base, let name):
            try setObjectField(try eval(base, scope), name, value, target.span)
        default:
            throw LangError("cannot assign to this expression", at: target.span)
        }
    }

    /// `target .= value`: overwrite an existing array's elements (or an indexed part of it).
    func assignInPlace(_ target: Expr, _ value: Value, _ span: SourceSpan, _ scope: Environment) throws {
        switch target.kind {
        case .index(let base, let indices):
            let container = try eval(base, scope)
            try setIndex(container, try evalIndices(indices, container, scope), value, target.span)
        case .identifier(let name):
            guard let existing = scope.lookup(name) else {
                throw LangError("UndefVarError: `\(name)` not defined", at: target.span, hint: "`.=` writes into an existing array; use `=` to create one")
            }
            let all = [IndexSpec.many(Array(0..<count(existing)))]
            try setIndex(existing, all, value, span)
        default:
            throw LangError("`.=` needs an array or an indexed part of one on the left", at: target.span)
        }
    }
}
