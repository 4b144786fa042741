import Foundation
import Lang

/// The workbench's colon commands (`:help`, `:save NAME`, `:tutorial NAME`, …): a table from
/// name to handler, consulted before a line goes to the language. The session owns one
/// (with `:help` and the session commands); the terminal workbench adds the tutorial player's.
///
/// A line is a command when it starts with `:` and a letter, unless the name is no
/// command and an operator follows (`:a == :b` stays the language's; a lone `:x` is a
/// Julia symbol nobody types at a prompt). A quoted argument (`:save "my run"`) loses its
/// quotes. Unknown names get an error that points at `:help`, which lists the table.
public final class ColonCommands {
    /// One command.
    public struct Command {
        /// The name without the colon.
        public var name: String
        /// What follows the name in usage lines (`NAME`), empty when nothing does.
        public var arguments: String
        /// One line of help.
        public var summary: String
        /// Runs the command with the text after the name (trimmed), on the UI thread, while
        /// nothing evaluates.
        public var run: (String) -> Void

        /// A command.
        public init(_ name: String, arguments: String = "", summary: String, run: @escaping (String) -> Void) {
            self.name = name
            self.arguments = arguments
            self.summary = summary
            self.run = run
        }
    }

    /// The session whose transcript shows the commands' output and errors (it owns the table).
    public unowned let session: WorkbenchSession
    /// The commands, in the order `:help` lists them.
    public private(set) var commands: [Command] = []

    /// A table holding only `:help`.
    public init(session: WorkbenchSession) {
        self.session = session
        register(Command("help", summary: "list the workbench commands") { [unowned self] _ in showHelp() })
    }

    /// Adds `command`, replacing one of the same name.
    public func register(_ command: Command) {
        if let index = commands.firstIndex(where: { $0.name == command.name }) {
            commands[index] = command
        } else {
            commands.append(command)
        }
    }

    /// The name and the argument text when `line` is a colon command, else nil (the syntax is
    /// the plain REPL's too: `ColonCommandSyntax`).
    public static func parse(_ line: String) -> (name: String, argument: String)? { ColonCommandSyntax.parse(line) }

    /// Runs `line` when it is a colon command (echoing it to the transcript); returns
    /// whether it was one. A partly typed multi-line input is never a command.
    @discardableResult
    public func handle(_ line: String) -> Bool {
        guard !session.isContinuing, let (name, argument) = ColonCommands.parse(line) else { return false }
        let command = commands.first { $0.name == name }
        // `:a == :b` and the like are language when `a` names no command.
        if ColonCommandSyntax.isLanguage(argument: argument, known: command != nil) { return false }
        session.model.append(.input, WorkbenchSession.prompt + line)
        session.model.scrollBack = 0
        session.model.error = nil
        guard let command else {
            fail("unknown command :\(name) — :help lists the commands")
            return true
        }
        command.run(argument)
        return true
    }

    /// Shows a command's error in the transcript and the status line.
    public func fail(_ message: String) {
        session.model.append(.error, "error: " + message)
        session.model.error = message
    }

    /// Shows a command's result in the transcript and the status line.
    public func report(_ message: String) {
        session.model.append(.info, message)
        session.model.lastResult = message
    }

    /// The `:help` text: one line per command.
    public var helpLines: [String] {
        let usages = commands.map { ":" + $0.name + ($0.arguments.isEmpty ? "" : " " + $0.arguments) }
        let width = usages.map(\.count).max() ?? 0
        return zip(usages, commands).map { "  " + $0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $1.summary }
    }

    private func showHelp() {
        session.model.append(.info, (["Workbench commands (?name for help on a function):"] + helpLines
            + ["Anything else runs as the language."]).joined(separator: "\n"))
        session.model.lastResult = "\(commands.count) commands"
    }
}
