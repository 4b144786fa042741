import Autodiff
import DiffEq
import Foundation
import Sensitivity

/// A callback as the language holds it. `ContinuousCallback(condition, affect!)`: the language
/// functions, traced into graphs when a solve first uses them with a problem's sizes (so its
/// events can be differentiated). `DiscreteCallback`, `PresetTimeCallback`, `PeriodicCallback`:
/// conditions and affects called on numbers at step ends (not differentiated). `CallbackSet`.
public final class CallbackObject {
    enum Kind {
        case continuous
        case discrete
        case preset([Double])
        case periodic(Double)
        case set([CallbackObject])
    }
    let kind: Kind
    /// `condition(u, t, integrator)`, a number whose zero crossings are events.
    let condition: Value
    /// `affect!(integrator)` for upward crossings (condition going from negative to positive),
    /// and for downward ones; nil: that direction is not an event.
    let affect: Value?
    let affectNeg: Value?
    /// SciML's `save_positions`: save the state just before and just after an event (plain solves).
    let savePositions: (Bool, Bool)
    /// The traced events by (states, parameters, parameter kind).
    var traced: [String: [DifferentiableEvent]] = [:]
    /// A number no other callback of this process has: caches of differentiable solves key on it.
    let serial: Int
    private static let counter = NSLock()
    nonisolated(unsafe) private static var made = 0

    init(_ kind: Kind = .continuous, condition: Value, affect: Value?, affectNeg: Value?, savePositions: (Bool, Bool)) {
        self.kind = kind
        Self.counter.lock()
        Self.made += 1
        serial = Self.made
        Self.counter.unlock()
        self.condition = condition
        self.affect = affect
        self.affectNeg = affectNeg
        self.savePositions = savePositions
    }

    var summary: String {
        func name(_ value: Value?) -> String {
            guard let value else { return "nothing" }
            if case .function(let f) = value { return f.name }
            return value.repr
        }
        switch kind {
        case .continuous:
            return "ContinuousCallback(\(name(condition)), \(name(affect))"
                + (affectNeg.map { _ in "" } ?? "; affect_neg! = nothing") + ")"
        case .discrete: return "DiscreteCallback(\(name(condition)), \(name(affect)))"
        case .preset(let times): return "PresetTimeCallback(\(Value.floats(times).repr), \(name(affect)))"
        case .periodic(let interval): return "PeriodicCallback(\(name(affect)), \(Value.format(interval)))"
        case .set(let members): return "CallbackSet(" + members.map(\.summary).joined(separator: ", ") + ")"
        }
    }

    /// The continuous callbacks in it (itself, or a set's).
    var continuousMembers: [CallbackObject] {
        switch kind {
        case .continuous: return [self]
        case .set(let members): return members.flatMap(\.continuousMembers)
        default: return []
        }
    }

    /// Whether it holds a callback that is not a ContinuousCallback.
    var hasUndifferentiable: Bool {
        switch kind {
        case .continuous: return false
        case .set(let members): return members.contains(where: \.hasUndifferentiable)
        default: return true
        }
    }
}

extension Interpreter {
    /// `ContinuousCallback` (SciML's signature: `condition(u, t, integrator)`, `affect!(integrator)`
    /// writing `integrator.u`, `affect_neg!` defaulting to `affect!`, `save_positions`).
    static var callbackBuiltins: [Builtin] {
        [
            Builtin(name: "ContinuousCallback", signature: "ContinuousCallback(condition, affect!; affect_neg! = affect!, save_positions = (true, true))") { call in
                try call.expect(2...3)
                try call.allowKeywords(["affect_neg!", "save_positions", "rootfind", "interp_points", "abstol", "reltol"])
                func function(_ value: Value, _ what: String) throws -> Value? {
                    if case .nothing = value { return nil }
                    // Builtins are allowed: DiscreteCallback(condition, terminate!) is a common idiom.
        guard case .function = value else {
                        throw call.error("ContinuousCallback: \(what) must be a function or nothing, got \(value.typeName)",
                                         hint: "condition(u, t, integrator) = u[1]; affect!(integrator) = (integrator.u[2] = -integrator.u[2])")
                    }
                    return value
                }
                guard let condition = try function(call.arguments[0], "the condition") else {
                    throw call.error("ContinuousCallback needs a condition function, got nothing")
                }
                let affect = try function(call.arguments[1], "affect!")
                var affectNeg = affect
                if call.arguments.count == 3 { affectNeg = try function(call.arguments[2], "affect_neg!") }
                if let value = call.keyword("affect_neg!") { affectNeg = try function(value, "affect_neg!") }
                guard affect != nil || affectNeg != nil else {
                    throw call.error("ContinuousCallback: affect! and affect_neg! are both nothing, so no crossing does anything")
                }
                return .engine(.callback(CallbackObject(condition: condition, affect: affect, affectNeg: affectNeg,
                                                        savePositions: try savePositions(call))))
            },
            Builtin(name: "DiscreteCallback", signature: "DiscreteCallback(condition, affect!; save_positions = (true, true))") { call in
                try call.expect(2)
                try call.allowKeywords(["save_positions"])
                let condition = try userFunction(call.arguments[0], "DiscreteCallback's condition", call)
                let affect = try userFunction(call.arguments[1], "DiscreteCallback's affect!", call)
                return .engine(.callback(CallbackObject(.discrete, condition: condition, affect: affect, affectNeg: nil,
                                                        savePositions: try savePositions(call))))
            },
            Builtin(name: "PresetTimeCallback", signature: "PresetTimeCallback(tstops, affect!; save_positions = (true, true))") { call in
                try call.expect(2)
                try call.allowKeywords(["save_positions"])
                let times = call.arguments[0].isNumber ? [call.arguments[0].asDouble ?? .nan] : try numbers(call.arguments[0], "tstops", call)
                guard times.allSatisfy(\.isFinite) else { throw call.error("PresetTimeCallback: the times must be finite numbers") }
                let affect = try userFunction(call.arguments[1], "PresetTimeCallback's affect!", call)
                return .engine(.callback(CallbackObject(.preset(times), condition: .nothing, affect: affect, affectNeg: nil,
                                                        savePositions: try savePositions(call))))
            },
            Builtin(name: "PeriodicCallback", signature: "PeriodicCallback(affect!, Δt; save_positions = (true, true))") { call in
                try call.expect(2)
                try call.allowKeywords(["save_positions"])
                let affect = try userFunction(call.arguments[0], "PeriodicCallback's affect!", call)
                guard let interval = call.arguments[1].asDouble, call.arguments[1].isNumber, interval != 0, interval.isFinite else {
                    throw call.error("PeriodicCallback: the period must be a nonzero number, got \(call.arguments[1].repr)")
                }
                return .engine(.callback(CallbackObject(.periodic(interval), condition: .nothing, affect: affect, affectNeg: nil,
                                                        savePositions: try savePositions(call))))
            },
            Builtin(name: "CallbackSet", signature: "CallbackSet(callbacks...)") { call in
                try call.allowKeywords([])
                let members = try call.arguments.compactMap { value -> CallbackObject? in
                    switch value {
                    case .nothing: return nil
                    case .engine(.callback(let object)): return object
                    default: throw call.error("CallbackSet takes callbacks, got \(value.typeName)")
                    }
                }
                return .engine(.callback(CallbackObject(.set(members), condition: .nothing, affect: nil, affectNeg: nil,
                                                        savePositions: (true, true))))
            },
            Builtin(name: "terminate!", signature: "terminate!(integrator)") { call in
                try call.expect(1)
                guard let integrator = CallbackContext.current else {
                    // A ContinuousCallback's affect! is traced into the solver's IR, which has no way to stop the solve.
                    if case .namedTuple(_, let values) = call.arguments[0],
                       values.contains(where: { if case .tracedOutput = $0 { return true } else { return false } }) {
                        throw call.error("terminate! is not supported in a ContinuousCallback's affect!, which is compiled into the solver",
                                         hint: "stop with a DiscreteCallback instead, e.g. DiscreteCallback((u, t, integrator) -> u[1] <= 0, terminate!)")
                    }
                    throw call.error("terminate! stops a solve from inside a callback's affect!; no callback is running")
                }
                integrator.terminate()
                return .nothing
            },
        ]
    }

    /// A user function for a callback, or an error naming `what`.
    static func userFunction(_ value: Value, _ what: String, _ call: BuiltinCall) throws -> Value {
        // Builtins are allowed: DiscreteCallback(condition, terminate!) is a common idiom.
        guard case .function = value else {
            throw call.error("\(what) must be a function, got \(value.typeName)")
        }
        return value
    }

    /// The `save_positions` keyword (default (true, true)).
    static func savePositions(_ call: BuiltinCall) throws -> (Bool, Bool) {
        guard let value = call.keyword("save_positions") else { return (true, true) }
        let items = (try? call.interpreter.elements(value, call.span)) ?? []
        guard items.count == 2, case .bool(let before) = items[0], case .bool(let after) = items[1] else {
            throw call.error("save_positions must be a pair of booleans, got \(value.repr)", hint: "save_positions = (false, false)")
        }
        return (before, after)
    }

    /// The callback the `callback` keyword names, if any.
    static func callbackObject(_ call: BuiltinCall) throws -> CallbackObject? {
        guard let value = call.keyword("callback") else { return nil }
        switch value {
        case .nothing: return nil
        case .engine(.callback(let object)): return object
        default:
            throw call.error("callback must be a callback (ContinuousCallback, DiscreteCallback, PresetTimeCallback, CallbackSet), got \(value.typeName)",
                             hint: "cb = ContinuousCallback(condition, affect!); solve(prob, Tsit5(), callback = cb)")
        }
    }

    /// The callback's condition and affects traced into the IR for `problem`: one event per
    /// direction with an affect (one event for both when they are the same function).
    static func differentiableEvents(_ callback: CallbackObject, _ problem: ProblemObject, _ call: BuiltinCall) throws
        -> [DifferentiableEvent] {
        if callback.hasUndifferentiable {
            throw call.error("gradient: only ContinuousCallback events are differentiated; \(callback.summary) holds a DiscreteCallback, PresetTimeCallback or PeriodicCallback",
                             hint: "write the event as a ContinuousCallback on a condition that crosses zero")
        }
        if case .set = callback.kind {
            return try callback.continuousMembers.flatMap { try differentiableEvents($0, problem, call) }
        }
        let n = problem.u0.count, m = max(problem.parameterNumbers.count, 1)
        let key = "\(n),\(m),\(parameterKind(problem.parameters))"
        if let events = callback.traced[key] { return events }
        let condition = try traceEventPart(callback.condition, problem, call, what: "condition") { interpreter, f, u, p, t, integrator, span in
            try interpreter.apply(f, [u, t, integrator], [], span)
        }
        func affectGraph(_ f: Value) throws -> Graph {
            try traceEventPart(f, problem, call, what: "affect!", writesState: true) { interpreter, f, _, _, _, integrator, span in
                try interpreter.apply(f, [integrator], [], span)
            }
        }
        var events: [DifferentiableEvent] = []
        do {
            switch (callback.affect, callback.affectNeg) {
            case let (up?, down?) where sameFunction(up, down):
                events = [try DifferentiableEvent(condition: condition, affect: try affectGraph(up), direction: .both)]
            case let (up, down):
                if let up { events.append(try DifferentiableEvent(condition: condition, affect: try affectGraph(up), direction: .up)) }
                if let down { events.append(try DifferentiableEvent(condition: condition, affect: try affectGraph(down), direction: .down)) }
            }
        } catch let error as AutodiffError {
            throw call.error("callback: " + error.message)
        }
        callback.traced[key] = events
        return events
    }

    static func sameFunction(_ a: Value, _ b: Value) -> Bool {
        if case .function(let f) = a, case .function(let g) = b { return f === g }
        return false
    }

    /// Traces one part of an event: the condition (a scalar of u, p, t) or an affect (the state
    /// after it, from what it writes into `integrator.u`).
    static func traceEventPart(_ function: Value, _ problem: ProblemObject, _ call: BuiltinCall, what: String,
                               writesState: Bool = false,
                               _ body: (Interpreter, Value, Value, Value, Value, Value, SourceSpan) throws -> Value) throws -> Graph {
        let interpreter = call.interpreter
        let n = problem.u0.count
        let (builder, u, t, pValue) = problem.tracedInputs()
        let state = TracedOutput(builder, count: n)
        for i in 0..<n { state.parts[i] = u[i] }
        let integrator = Value.namedTuple(names: ["u", "p", "t"],
                                          values: [.tracedOutput(state), pValue, .traced(TracedValue(t))])
        let name: String
        if case .function(let f) = function { name = f.name } else { name = what }
        let result: Value
        do {
            result = try body(interpreter, function, .traced(TracedValue(u)), pValue, .traced(TracedValue(t)), integrator, call.span)
        } catch var error as LangError {
            let note = "raised while tracing the callback's \(what) \(name)"
            error.hint = error.hint.map { $0 + "; " + note } ?? note
            throw error
        }
        let output: Sym
        if writesState {
            output = Sym(builder, builder.concat(state.parts.map { $0!.id }, shape: .vector(n)))
        } else {
            guard let value = try? interpreter.symbol(result, builder, call.span), value.count == 1 else {
                throw call.error("the callback's condition \(name) returned \(result.typeName); it must return a number (zero at the event)")
            }
            output = value.shape.isScalar ? value : value.reshaped(.scalar)
        }
        do {
            return try builder.build(outputs: [output.id])
        } catch {
            throw call.error("the callback's \(what) \(name) cannot be compiled: \(error)")
        }
    }


    /// The engine callback of a plain solve: the traced condition and affects, compiled.
    static func engineCallback(_ callback: CallbackObject, _ problem: ProblemObject, _ call: BuiltinCall,
                               failure: RHSFailure) throws -> CallbackSet {
        switch callback.kind {
        case .continuous: break
        case .set(let members):
            var set = CallbackSet()
            for member in members {
                let part = try engineCallback(member, problem, call, failure: failure)
                set.continuous += part.continuous
                set.vector += part.vector
                set.discrete += part.discrete
            }
            return set
        case .discrete:
            let condition = interpretedCondition(callback.condition, problem, call, failure: failure)
            let affect = interpretedAffect(callback.affect ?? .nothing, problem, call, failure: failure)
            return CallbackSet(DiffEq.DiscreteCallback(condition: condition, affect: affect, savePositions: callback.savePositions))
        case .preset(let times):
            let affect = interpretedAffect(callback.affect ?? .nothing, problem, call, failure: failure)
            return CallbackSet(DiffEq.PresetTimeCallback(times, savePositions: callback.savePositions, affect: affect))
        case .periodic(let interval):
            let affect = interpretedAffect(callback.affect ?? .nothing, problem, call, failure: failure)
            return CallbackSet(DiffEq.PeriodicCallback(interval, savePositions: callback.savePositions, affect: affect))
        }
        let events = try differentiableEvents(callback, problem, call)
        var set = CallbackSet()
        for event in events {
            let condition = try event.condition.compile(), affect = try event.affect.compile()
            let n = problem.u0.count
            let scratch = CallbackScratch(n: n)
            let conditionWS = condition.makeWorkspace(), affectWS = affect.makeWorkspace()
            let jump: EventAffect = { integrator in
                let s = scratch
                s.time[0] = integrator.t
                for j in 0..<n { s.state[j] = integrator.u[j] }
                affect.run(affectWS, UnsafePointer(s.state), UnsafePointer(integrator.p), UnsafePointer(s.time), into: integrator.u)
                integrator.uModified()
            }
            set.continuous.append(ContinuousCallback(
                condition: { u, t, integrator in
                    scratch.time[0] = t
                    var out = 0.0
                    withUnsafeMutablePointer(to: &out) { o in
                        condition.run(conditionWS, u.baseAddress.unsafelyUnwrapped, UnsafePointer(integrator.p),
                                      UnsafePointer(scratch.time), into: o)
                    }
                    return out
                },
                affect: event.direction == .down ? nil : jump,
                affectNeg: event.direction == .up ? nil : jump,
                savePositions: callback.savePositions))
        }
        return set
    }
}

extension Interpreter {
    /// The integrator as a discrete callback's functions see it: `integrator.u` (a vector the
    /// affect may change), `integrator.p` (likewise when p is a vector), `integrator.t`.
    static func integratorValue(_ integrator: ODEIntegrator, _ problem: ProblemObject) -> (Value, NumericArray, NumericArray?) {
        let u = NumericArray(vector: Array(integrator.state))
        var p: NumericArray? = nil
        let pValue: Value
        switch problem.parameters {
        case .nothing: pValue = .nothing
        case .int, .float, .bool: pValue = .float(integrator.p[0])
        default:
            let array = NumericArray(vector: Array(integrator.parameters))
            array.axes = problem.parameters.componentAxes
            p = array
            pValue = .array(array)
        }
        return (.namedTuple(names: ["u", "p", "t"], values: [.array(u), pValue, .float(integrator.t)]), u, p)
    }

    /// Records the first error a callback raised (the solve reports it) and stops the solve.
    static func callbackFailed(_ error: Error, _ name: String, _ integrator: ODEIntegrator, _ call: BuiltinCall,
                               _ failure: RHSFailure) {
        var langError = (error as? LangError) ?? LangError("\(error) inside the callback \(name)", at: call.span)
        let note = "raised in \(name) while solving, at t = \(Value.format(integrator.t))"
        langError.hint = langError.hint.map { $0 + "; " + note } ?? note
        if failure.error == nil { failure.error = langError }
        integrator.terminate()
    }

    static func functionName(_ value: Value) -> String {
        if case .function(let f) = value { return f.name }
        return "callback"
    }

    /// `condition(u, t, integrator)` called on numbers; it must return true or false.
    static func interpretedCondition(_ condition: Value, _ problem: ProblemObject, _ call: BuiltinCall,
                                     failure: RHSFailure) -> DiscreteCondition {
        let interpreter = call.interpreter, name = functionName(condition)
        return { _, t, integrator in
            if failure.error != nil { return false }
            let (value, u, _) = integratorValue(integrator, problem)
            do {
                let result = try interpreter.apply(condition, [.array(u), .float(t), value], [], call.span)
                guard case .bool(let flag) = result else {
                    throw LangError("the condition \(name) returned \(result.typeName); a DiscreteCallback's condition returns true or false",
                                    at: call.span)
                }
                return flag
            } catch {
                callbackFailed(error, name, integrator, call, failure)
                return false
            }
        }
    }

    /// `affect!(integrator)` called on numbers; what it writes into `integrator.u` (and a
    /// vector `integrator.p`) goes back into the solve.
    static func interpretedAffect(_ affect: Value, _ problem: ProblemObject, _ call: BuiltinCall,
                                  failure: RHSFailure) -> EventAffect {
        let interpreter = call.interpreter, name = functionName(affect)
        return { integrator in
            if failure.error != nil { return }
            let (value, u, p) = integratorValue(integrator, problem)
            CallbackContext.push(integrator)
            defer { CallbackContext.pop() }
            do {
                _ = try interpreter.apply(affect, [value], [], call.span)
            } catch {
                callbackFailed(error, name, integrator, call, failure)
                return
            }
            let n = integrator.n
            guard u.storage.count == n else {
                callbackFailed(LangError("\(name) changed the length of integrator.u", at: call.span), name, integrator, call, failure)
                return
            }
            for j in 0..<n { integrator.u[j] = u.storage[j] }
            if let p { for j in 0..<Swift.min(p.storage.count, integrator.parameterCount) { integrator.p[j] = p.storage[j] } }
            integrator.uModified()
        }
    }
}

/// The integrators whose callbacks are running on this thread, innermost last, for `terminate!`.
enum CallbackContext {
    private static let key = "fluxion.callbackIntegrators"
    static var current: ODEIntegrator? { (Thread.current.threadDictionary[key] as? [ODEIntegrator])?.last }
    static func push(_ integrator: ODEIntegrator) {
        var stack = Thread.current.threadDictionary[key] as? [ODEIntegrator] ?? []
        stack.append(integrator)
        Thread.current.threadDictionary[key] = stack
    }
    static func pop() {
        var stack = Thread.current.threadDictionary[key] as? [ODEIntegrator] ?? []
        if !stack.isEmpty { stack.removeLast() }
        Thread.current.threadDictionary[key] = stack
    }
}

/// Scratch of a compiled language callback: the time and a copy of the state (the affect
/// writes the state it reads).
final class CallbackScratch: @unchecked Sendable {
    let time: UnsafeMutablePointer<Double>
    let state: UnsafeMutablePointer<Double>
    init(n: Int) {
        time = .allocate(capacity: 1)
        time.initialize(to: 0)
        state = .allocate(capacity: max(n, 1))
        state.initialize(repeating: 0, count: max(n, 1))
    }
    deinit {
        time.deallocate()
        state.deallocate()
    }
}

extension ProblemObject {
    /// A graph builder with the inputs every function traced for this problem takes — u (a
    /// vector), p (a vector of at least one entry) and t — and p as the traced function sees
    /// it: nothing, the first parameter as a number, or the vector, as the problem was given.
    func tracedInputs() -> (GraphBuilder, u: Sym, t: Sym, p: Value) {
        let builder = GraphBuilder()
        let u = Sym(builder, builder.input("u", .vector(u0.count)))
        let p = Sym(builder, builder.input("p", .vector(max(parameterNumbers.count, 1))))
        let t = Sym(builder, builder.input("t", .scalar))
        switch parameters {
        case .nothing: return (builder, u, t, .nothing)
        case .int, .float, .bool: return (builder, u, t, .traced(TracedValue(p[0])))
        default: return (builder, u, t, .traced(TracedValue(p, axes: parameters.componentAxes)))
        }
    }
}
