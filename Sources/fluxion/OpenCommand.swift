import ArgumentParser
import Foundation
import Lang
import Workbench

/// `fluxion open FILE`: the workbench (or the line REPL) with a saved session restored.
struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open a saved session: its variables, transcript and latest plot, without re-running anything.",
        discussion: "A NAME without / or extension means sessions/NAME.json. A damaged, truncated or newer file is refused with a message."
    )

    @Argument(help: "The session file, or a NAME in sessions/.")
    var file: String

    @Flag(name: .long, help: "Read the language line by line from standard input, without the terminal UI.")
    var plain = false

    @Flag(name: .long, help: "Draw plots with ASCII characters instead of Unicode braille.")
    var noUnicode = false

    func run() throws {
        let path = SessionFile.path(for: file)
        if !plain, try FluxionCommand.runWorkbench(unicode: !noUnicode, open: path) { return }
        let interpreter = Interpreter()
        interpreter.unicode = !noUnicode
        do {
            FileHandle.standardOutput.write(Data((try interpreter.loadSession(from: path).message + "\n").utf8))
        } catch {
            FileHandle.standardError.write(Data("fluxion: \(error)\n".utf8))
            throw ExitCode(1)
        }
        try FluxionCommand.lineREPL(interpreter)
    }
}
