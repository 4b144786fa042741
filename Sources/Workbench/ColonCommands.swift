import Lang

/// A workbench command: a line starting with `:` (`:save spiral`), handled by the workbench
/// itself rather than the language.
public struct ColonCommand {
    /// The word after the colon.
    public let name: String
    /// How it is called, for `:help` (`:save NAME`).
    public let usage: String
    /// What it does, in a line.
    public let summary: String
    /// Runs it with the rest of the line (trimmed) on the UI thread, while nothing evaluates.
    public let run: (WorkbenchSession, String) -> Void

    public init(name: String, usage: String, summary: String, run: @escaping (WorkbenchSession, String) -> Void) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.run = run
    }
}

extension WorkbenchSession {
    /// Every colon command, in the order `:help` lists them.
    public static var colonCommands: [ColonCommand] {
        [ColonCommand(name: "help", usage: ":help", summary: "list the workbench commands") { session, _ in
            session.showHelp()
        }] + sessionCommands
    }

    /// `:name rest` → (name, rest) when `line` is a colon command: a colon and a word, alone
    /// or followed by an argument that starts like a name or a path. `:x` alone is a command
    /// here, not the symbol; `:a == :b` and `:x + 1` stay expressions.
    static func colonCommand(_ line: String) -> (name: String, argument: String)? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix(":") else { return nil }
        let rest = trimmed.dropFirst()
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard let first = name.first, first.isLetter else { return nil }
        let after = rest.dropFirst(name.count)
        guard after.isEmpty || after.first == " " || after.first == "\t" else { return nil }
        let argument = after.trimmingCharacters(in: .whitespaces)
        if let start = argument.first, !(start.isLetter || start.isNumber || "/._~\"".contains(start)) { return nil }
        // `:save "my run"`: a quoted argument is taken without its quotes.
        if argument.count >= 2, argument.hasPrefix("\""), argument.hasSuffix("\"") {
            return (String(name), String(argument.dropFirst().dropLast()))
        }
        return (String(name), argument)
    }

    /// Runs `line` if it is a colon command (echoing it); returns whether it was one.
    func runColonCommand(_ line: String) -> Bool {
        guard !isContinuing, let (name, argument) = WorkbenchSession.colonCommand(line) else { return false }
        model.append(.input, WorkbenchSession.prompt + line)
        model.scrollBack = 0
        guard let command = WorkbenchSession.colonCommands.first(where: { $0.name == name }) else {
            reportCommandError("unknown command :\(name) — :help lists the commands")
            return true
        }
        model.error = nil
        command.run(self, argument)
        return true
    }

    /// Shows a command's failure in the transcript and the status line.
    func reportCommandError(_ message: String) {
        model.append(.error, "error: " + message)
        model.error = message
    }

    /// Shows a command's result in the transcript and the status line.
    func reportCommandResult(_ message: String) {
        model.append(.info, message)
        model.lastResult = message
    }

    private func showHelp() {
        let commands = WorkbenchSession.colonCommands
        let width = commands.map(\.usage.count).max() ?? 0
        let lines = commands.map { $0.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary }
        model.append(.info, (["workbench commands (?name for help on a function):"] + lines).joined(separator: "\n"))
        model.lastResult = "\(commands.count) commands"
    }
}
