import Foundation
import Optimizers

extension Interpreter {
    /// `save_session(path)`, `load_session(path)`.
    static var sessionBuiltins: [Builtin] {
        func path(_ call: BuiltinCall) throws -> String {
            try call.expect(1)
            try call.allowKeywords([])
            guard case .string(let name) = call.arguments[0], !name.isEmpty else {
                throw call.error("\(call.name) needs a file name (a string), got \(call.arguments[0].repr)",
                                 hint: "a name without / or extension means sessions/NAME.json")
            }
            return SessionFile.path(for: name)
        }
        return [
            Builtin(name: "save_session",
                    signature: "save_session(path) — NAME alone means sessions/NAME.json; written atomically") { call in
                let file = try path(call)
                do {
                    call.interpreter.output(try call.interpreter.saveSession(to: file).message + "\n")
                } catch let error as SessionFileError {
                    throw call.error(error.description)
                }
                return .nothing
            },
            Builtin(name: "load_session",
                    signature: "load_session(path) — restores the saved variables without re-running anything") { call in
                let file = try path(call)
                do {
                    call.interpreter.output(try call.interpreter.loadSession(from: file).message + "\n")
                } catch let error as SessionFileError {
                    throw call.error(error.description, hint: "the current session is unchanged")
                }
                return .nothing
            },
        ]
    }
}

/// `train(...; autosave=path, autosave_every=N)`: every N iterations the session is saved
/// with the best parameters so far bound to `autosave` (a named tuple of `u`, `loss`,
/// `iteration`, `method`, `losses`), so a crash loses at most N iterations.
struct Autosaver {
    let path: String
    let every: Int
    let interpreter: Interpreter
    private var best: [Double] = []
    private var bestLoss = Double.infinity
    private var reported = false

    /// The autosave a `train` call asks for (or the interpreter's default), if any.
    init?(_ call: BuiltinCall) throws {
        var every = SessionFile.autosaveEvery
        if let value = call.keyword("autosave_every") {
            guard let n = value.asInt, value.isNumber, n > 0 else {
                throw call.error("train: autosave_every must be a positive integer, got \(value.repr)")
            }
            every = n
        }
        let target: String
        switch call.keyword("autosave") {
        case .string(let name)? where !name.isEmpty: target = SessionFile.path(for: name)
        case let value?: throw call.error("train: autosave must be a file name (a string), got \(value.repr)")
        case nil:
            guard let path = call.interpreter.session.autosavePath else { return nil }
            target = path
        }
        self.path = target
        self.every = every
        self.interpreter = call.interpreter
    }

    /// Notes an iteration; saves on every `every`-th. A failed save is reported once and
    /// training goes on.
    mutating func observe(_ event: TrainingEvent, losses: [Double]) {
        if event.loss.isFinite, event.loss < bestLoss {
            bestLoss = event.loss
            best = event.parameters
        }
        guard event.iteration % every == 0, !best.isEmpty else { return }
        let snapshot = Value.namedTuple(names: ["u", "loss", "iteration", "method", "losses"],
                                        values: [.floats(best), .float(bestLoss), .int(event.iteration),
                                                 .string(event.method), .floats(losses)])
        do {
            try SessionFile.writeAtomically(interpreter.sessionDocument(extra: [("autosave", snapshot)]).bytes, to: path)
        } catch {
            if !reported { interpreter.output("train: autosave failed: \(error)\n") }
            reported = true
        }
    }
}
