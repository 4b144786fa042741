import Foundation

/// The colon-command syntax shared by the workbench and the plain REPL: a line starting with
/// `:` and a letter, unless the name is no command and an operator follows (`:a == :b` stays
/// the language's). A quoted argument (`:save "my run"`) loses its quotes.
public enum ColonCommandSyntax {
    /// The name and the argument text when `line` is shaped like a command, else nil.
    public static func parse(_ line: String) -> (name: String, argument: String)? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix(":"), let first = text.dropFirst().first, first.isLetter else { return nil }
        let body = text.dropFirst()
        let name = body.prefix { !$0.isWhitespace }
        var rest = body.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        if rest.count >= 2, rest.hasPrefix("\""), rest.hasSuffix("\"") { rest = String(rest.dropFirst().dropLast()) }
        return (String(name), rest)
    }

    /// Whether a line shaped like `:name argument` is the language's after all: `name` is no
    /// command and an operator follows (`:a == :b`, `:x .+ 1`).
    public static func isLanguage(argument: String, known: Bool) -> Bool {
        guard !known, let next = argument.first else { return false }
        return "=([.,;+-*/^<>!&|?".contains(next)
    }
}

/// The colon commands of the plain REPL (`fluxion --plain`, piped input): the session
/// commands and the tutorial list, as in the workbench. Training runs in the foreground here,
/// so there are no jobs to list, pause or stop.
public struct PlainCommands {
    public let interpreter: Interpreter

    public init(interpreter: Interpreter) { self.interpreter = interpreter }

    static let usage: [(String, String)] = [
        (":help", "list the commands"),
        (":save NAME", "save variables and cells to sessions/NAME.json (or a path)"),
        (":open NAME", "restore a saved session (nothing is re-run)"),
        (":autosave NAME|off", "train saves the session and its best parameters as it goes"),
        (":tutorials", "list the tutorials (fluxion tutorial NAME plays one)"),
    ]
    static let names: Set<String> = ["help", "save", "open", "autosave", "tutorials", "jobs", "pause", "resume", "stop"]

    /// What the command prints when `line` is one (nil: the line is the language's).
    public func run(_ line: String) -> String? {
        guard let (name, argument) = ColonCommandSyntax.parse(line),
              !ColonCommandSyntax.isLanguage(argument: argument, known: Self.names.contains(name)) else { return nil }
        switch name {
        case "help":
            let width = Self.usage.map(\.0.count).max() ?? 0
            return (["Commands:"] + Self.usage.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
                + ["Anything else runs as the language."]).joined(separator: "\n") + "\n"
        case "save":
            guard !argument.isEmpty else { return "error: :save needs a name, e.g. :save spiral\n" }
            do { return try interpreter.saveSession(to: SessionFile.path(for: argument)).message + "\n" } catch {
                return "error: \(error)\n"
            }
        case "open":
            guard !argument.isEmpty else { return "error: :open needs a name, e.g. :open spiral\n" }
            do { return try interpreter.loadSession(from: SessionFile.path(for: argument)).message + "\n" } catch {
                return "error: \(error)\n"
            }
        case "autosave":
            switch argument {
            case "": return (interpreter.session.autosavePath.map { "autosave: \($0)" } ?? "autosave: off") + "\n"
            case "off":
                interpreter.session.autosavePath = nil
                return "autosave: off\n"
            default:
                let path = SessionFile.path(for: argument)
                interpreter.session.autosavePath = path
                return "autosave: train saves to \(path) every \(SessionFile.autosaveEvery) iterations\n"
            }
        case "tutorials":
            guard let library = TutorialLibrary.locate() else { return "error: no tutorials folder found\n" }
            return library.menu().joined(separator: "\n") + "\n"
        case "jobs", "pause", "resume", "stop":
            return "error: :\(name): train runs in the foreground in the plain REPL, so there are no jobs (the workbench runs them in the background)\n"
        default:
            return "error: unknown command :\(name) — :help lists the commands\n"
        }
    }
}
