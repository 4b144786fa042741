import Autodiff
import DiffEq
import Foundation
import Sensitivity

/// `ContinuousCallback(condition, affect!)` as the language holds it: the language functions,
/// traced into graphs when a solve first uses them with a problem's sizes.
public final class CallbackObject {
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

    init(condition: Value, affect: Value?, affectNeg: Value?, savePositions: (Bool, Bool)) {
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
        return "ContinuousCallback(\(name(condition)), \(name(affect))"
            + (affectNeg.map { _ in "" } ?? "; affect_neg! = nothing") + ")"
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
                    guard case .function(let f) = value, f.builtin == nil else {
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
                var positions = (true, true)
                if let value = call.keyword("save_positions") {
                    let items = (try? call.interpreter.elements(value, call.span)) ?? []
                    guard items.count == 2, case .bool(let before) = items[0], case .bool(let after) = items[1] else {
                        throw call.error("save_positions must be a pair of booleans, got \(value.repr)", hint: "save_positions = (false, false)")
                    }
                    positions = (before, after)
                }
                return .engine(.callback(CallbackObject(condition: condition, affect: affect, affectNeg: affectNeg,
                                                        savePositions: positions)))
            },
        ]
    }

    /// The callback the `callback` keyword names, if any.
    static func callbackObject(_ call: BuiltinCall) throws -> CallbackObject? {
        guard let value = call.keyword("callback") else { return nil }
        switch value {
        case .nothing: return nil
        case .engine(.callback(let object)): return object
        default:
            throw call.error("callback must be a ContinuousCallback, got \(value.typeName)",
                             hint: "cb = ContinuousCallback(condition, affect!); solve(prob, Tsit5(), callback = cb)")
        }
    }

    /// The callback's condition and affects traced into the IR for `problem`: one event per
    /// direction with an affect (one event for both when they are the same function).
    static func differentiableEvents(_ callback: CallbackObject, _ problem: ProblemObject, _ call: BuiltinCall) throws
        -> [DifferentiableEvent] {
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
    static func engineCallback(_ callback: CallbackObject, _ problem: ProblemObject, _ call: BuiltinCall) throws -> CallbackSet {
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
