import Foundation
import TextPlots

/// A variable a session did not keep or could not make again, and why.
public struct SkippedVariable: Sendable, Equatable {
    public let name: String
    public let reason: String
}

/// What a save wrote.
public struct SessionSaveReport: Sendable {
    /// The file written.
    public let path: String
    /// Variables saved.
    public let saved: [String]
    /// Variables left out, with why.
    public let skipped: [SkippedVariable]
    /// Cells saved.
    public let cells: Int

    /// `saved sessions/spiral.json: 9 variables, 12 cells; not saved: sol (solutions are …)`
    public var message: String {
        var text = "saved \(path): \(saved.count) variable\(saved.count == 1 ? "" : "s"), \(cells) cell\(cells == 1 ? "" : "s")"
        if !skipped.isEmpty { text += "; not saved: " + skipped.map { "\($0.name) (\($0.reason))" }.joined(separator: ", ") }
        return text
    }
}

/// What a load restored.
public struct SessionLoadReport: Sendable {
    /// The file read.
    public let path: String
    /// Variables restored.
    public let restored: [String]
    /// Variables the file names but that are not restored (left out when saved, or failing
    /// to be made again now), with why.
    public let skipped: [SkippedVariable]
    /// The cells read (the transcript to show again).
    public let cells: [Cell]
    /// The latest plot of the saved session.
    public let plot: Plot?
    /// The document's metadata (version, seed, created).
    public let metadata: [String: String]

    /// `opened sessions/spiral.json: 9 variables, 12 cells; not restored: sol (…)`
    public var message: String {
        var text = "opened \(path): \(restored.count) variable\(restored.count == 1 ? "" : "s") restored, "
            + "\(cells.count) cell\(cells.count == 1 ? "" : "s")"
        if !skipped.isEmpty { text += "; not restored: " + skipped.map { "\($0.name) (\($0.reason))" }.joined(separator: ", ") }
        return text
    }
}

extension SessionFile {
    /// The Fluxion version written into a session's metadata (the executable sets it).
    nonisolated(unsafe) public static var fluxionVersion = "unknown"
}

extension Interpreter {
    /// The prelude's bindings, to tell a user's globals from the builtins and constants.
    private static let preludeGlobals: [String: Value] = Interpreter(output: { _ in }).globals.values

    /// Whether `name` is still bound as the prelude binds it.
    private func isPrelude(_ name: String, _ value: Value) -> Bool {
        switch (Interpreter.preludeGlobals[name], value) {
        case (.function(let a)?, .function(let b)): return a.builtin != nil && b.builtin != nil && a.name == b.name
        case (.float(let a)?, .float(let b)): return a.bitPattern == b.bitPattern
        case (.type(let a)?, .type(let b)): return a == b
        case (.engine(.module(let a))?, .engine(.module(let b))): return a == b
        case (.complex(let a)?, .complex(let b)): return a == b
        default: return false
        }
    }

    /// The document of the current session: metadata, cells, the user's globals; with the
    /// variables left out and why. `extra` adds bindings (an autosave's best parameters);
    /// `plot` replaces the latest plot (the workbench saves what its plot pane shows).
    func sessionDocument(extra: [(String, Value)] = [], plot: Plot? = nil)
        -> (bytes: [UInt8], saved: [String], skipped: [SkippedVariable]) {
        var environment: [JSON] = [], saved: [String] = [], skipped: [SkippedVariable] = []
        let user = globals.values.filter { !isPrelude($0.key, $0.value) }.sorted { $0.key < $1.key }
        for (name, value) in user + extra {
            do {
                environment.append(.object([("name", .string(name)), ("value", try encodeValue(value))]))
                saved.append(name)
            } catch let error as Unsaveable {
                skipped.append(SkippedVariable(name: name, reason: error.reason))
            } catch {
                skipped.append(SkippedVariable(name: name, reason: "\(error)"))
            }
        }
        let formatter = ISO8601DateFormatter()
        let cells = session.cells.map { cell in
            JSON.object([
                ("cell_type", .string("code")), ("execution_count", .int(cell.executionCount)), ("source", .string(cell.source)),
                ("outputs", .array(cell.outputs.map { output in
                    .object([("type", .string(output.kind.rawValue)), ("name", .string(output.stream.rawValue)),
                             ("text", .string(output.text))])
                })),
            ])
        }
        var body: [(String, JSON)] = [
            ("metadata", .object([
                ("fluxion_version", .string(SessionFile.fluxionVersion)), ("seed", .number(String(session.seed))),
                ("created", .string(formatter.string(from: Date()))),
            ])),
            ("cells", .array(cells)),
            ("environment", .array(environment)),
            ("constants", .array(globals.constants.filter { saved.contains($0) }.sorted().map(JSON.string))),
            ("not_saved", .array(skipped.map { .object([("name", .string($0.name)), ("reason", .string($0.reason))]) })),
        ]
        if let plot = plot ?? session.latestPlot { body.append(("plot", Interpreter.encodePlot(plot))) }
        return (SessionFile.document(body: body), saved, skipped)
    }

    /// Saves the session to `path` atomically; `plot` is saved as the latest plot when given.
    public func saveSession(to path: String, plot: Plot? = nil) throws -> SessionSaveReport {
        let document = sessionDocument(plot: plot)
        try SessionFile.writeAtomically(document.bytes, to: path)
        return SessionSaveReport(path: path, saved: document.saved, skipped: document.skipped, cells: session.cells.count)
    }

    /// Loads a session: its variables join the globals (replacing those of the same name),
    /// its cells become the record, its latest plot the current one. Nothing runs again but
    /// the cheap constructors of engine objects (networks, neural ODEs, problems, optimisers).
    /// A damaged, truncated or newer file is refused and the interpreter is left as it was;
    /// a variable that cannot be made again is named in the report, never dropped silently.
    public func loadSession(from path: String) throws -> SessionLoadReport {
        let json = try SessionFile.read(path)
        func malformed(_ what: String) -> SessionFileError { SessionFileError(path: path, problem: "malformed session: \(what)") }
        // Everything that does not need the interpreter is checked before anything changes.
        guard let cellItems = json["cells"]?.arrayValue else { throw malformed("no cells") }
        let cells = try cellItems.map { item -> Cell in
            guard let count = item["execution_count"]?.intValue, let source = item["source"]?.stringValue,
                  let outputs = item["outputs"]?.arrayValue else { throw malformed("a cell lacks its count, source or outputs") }
            return Cell(executionCount: count, source: source, outputs: try outputs.map { output in
                guard let kind = output["type"]?.stringValue.flatMap(CellOutput.Kind.init),
                      let stream = output["name"]?.stringValue.flatMap(CellOutput.Stream.init),
                      let text = output["text"]?.stringValue else { throw malformed("a cell output is not text or plot") }
                return CellOutput(kind: kind, stream: stream, text: text)
            })
        }
        guard let entries = json["environment"]?.arrayValue else { throw malformed("no environment") }
        let variables = try entries.map { entry -> (String, JSON) in
            guard let name = entry["name"]?.stringValue, let value = entry["value"] else { throw malformed("an environment entry lacks its name or value") }
            return (name, value)
        }
        var skipped = try (json["not_saved"]?.arrayValue ?? []).map { item -> SkippedVariable in
            guard let name = item["name"]?.stringValue, let reason = item["reason"]?.stringValue else { throw malformed("not_saved") }
            return SkippedVariable(name: name, reason: reason)
        }
        var plot: Plot?
        if let saved = json["plot"] {
            guard let decoded = Interpreter.decodePlot(saved) else { throw malformed("the latest plot") }
            plot = decoded
        }
        let constants = json["constants"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var metadata: [String: String] = [:]
        if case .object(let members)? = json["metadata"] {
            for (key, value) in members { metadata[key] = value.stringValue ?? (value.intValue.map(String.init) ?? value.serialized()) }
        }
        // Plain values and functions decode without the interpreter's state; engine objects
        // are made again afterwards, since making them may call the user's functions.
        var plain: [(String, Value)] = [], calls: [(String, JSON)] = []
        for (name, value) in variables {
            if Interpreter.containsCall(value) {
                calls.append((name, value))
                continue
            }
            do {
                plain.append((name, try decodeValue(value)))
            } catch let error as SessionContentError {
                throw malformed("variable \(name): \(error.message)")
            }
        }
        let before = (globals.values, globals.constants)
        var restored: [String] = []
        for (name, value) in plain {
            globals.define(name, value)
            restored.append(name)
        }
        for (name, value) in calls {
            do {
                globals.define(name, try decodeValue(value))
                restored.append(name)
            } catch let error as SessionContentError {
                skipped.append(SkippedVariable(name: name, reason: error.message))
            } catch {
                // Anything else is a bug in a builtin; the session stays as it was.
                (globals.values, globals.constants) = before
                throw SessionFileError(path: path, problem: "variable \(name) could not be made again: \(error)")
            }
        }
        globals.constants.formUnion(constants.filter { restored.contains($0) })
        session.cells = cells
        session.latestPlot = plot
        return SessionLoadReport(path: path, restored: restored, skipped: skipped, cells: cells, plot: plot, metadata: metadata)
    }

    /// Whether a saved value is made again by calling a builtin somewhere inside.
    static func containsCall(_ json: JSON) -> Bool {
        switch json {
        case .object(let members): return members.contains { $0.0 == "call" || containsCall($0.1) }
        case .array(let items): return items.contains(where: containsCall)
        default: return false
        }
    }
}
