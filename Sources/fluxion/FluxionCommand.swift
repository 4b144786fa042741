import ArgumentParser
import Foundation
import Lang
import Workbench

/// The `fluxion` command line.
///
/// `fluxion run FILE` runs a script; `fluxion` reads the language line by line (with a
/// prompt at a terminal, after a short banner). At a terminal (stdin and stdout are TTYs,
/// TERM set and not "dumb") it starts the curses workbench instead; `--plain` keeps the
/// line interface.
struct FluxionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fluxion",
        abstract: "Universal differential equations in Swift.",
        discussion: """
            Fluxion fits differential equations whose unknown parts are neural networks \
            (universal differential equations) to data, by gradient-based training, in the \
            spirit of Julia's DiffEqFlux.jl.

            `fluxion` opens the workbench at a terminal (its first screen lists the \
            tutorials) and reads the language line by line elsewhere; `fluxion run FILE` \
            runs a script; `fluxion tutorial [NAME]` lists the step-through tutorials or \
            plays one.
            """,
        version: "fluxion \(FluxionVersion.number)",
        subcommands: [RunCommand.self, OpenCommand.self, TutorialCommand.self]
    )

    @Flag(name: .long, help: "Read the language line by line from standard input, without the terminal UI.")
    var plain = false

    @Flag(name: .long, help: "Draw plots with ASCII characters instead of Unicode braille.")
    var noUnicode = false

    func run() throws {
        if !plain, try FluxionCommand.runWorkbench(unicode: !noUnicode) { return }
        let interactive = isatty(STDIN_FILENO) != 0
        if interactive && !plain { print(FluxionCommand.banner) }
        let interpreter = Interpreter()
        interpreter.unicode = !noUnicode
        try FluxionCommand.lineREPL(interpreter)
    }

    /// Runs the curses workbench at a terminal (after opening the session at `path`);
    /// returns false when there is none, or curses cannot start, and the line REPL should run.
    static func runWorkbench(unicode: Bool, open path: String? = nil) throws -> Bool {
        guard TerminalWorkbench.terminalAvailable(environment: ProcessInfo.processInfo.environment) else { return false }
        let status = MainActor.assumeIsolated { TerminalWorkbench.run(unicode: unicode, open: path) }
        guard let status else {
            FileHandle.standardError.write(Data("fluxion: cannot start the terminal UI; using the line REPL\n".utf8))
            return false
        }
        if status != 0 { throw ExitCode(status) }
        return true
    }

    /// The line REPL on standard input and output, with prompts at a terminal.
    static func lineREPL(_ interpreter: Interpreter) throws {
        let interactive = isatty(STDIN_FILENO) != 0
        let write: (String) -> Void = { text in FileHandle.standardOutput.write(Data(text.utf8)) }
        // At a terminal the lines are edited with readline (history, Tab completion, Ctrl-C
        // drops the line); piped input is read as it comes.
        let editor = interactive && isatty(STDOUT_FILENO) != 0
            ? MainActor.assumeIsolated { PlainLineEditor(interpreter: interpreter) } : nil
        SignalBridge.install(interpreter, editor: editor)
        let status: Int32
        if let editor {
            status = Runner.repl(interpreter: interpreter, prompt: "fluxion> ", continuation: "       > ",
                                 readLineAfter: { marker in
                                     MainActor.assumeIsolated { editor.readLine(prompt: marker ?? "") }
                                 }, write: write)
        } else {
            status = Runner.repl(interpreter: interpreter, prompt: interactive ? "fluxion> " : nil,
                                 continuation: interactive ? "       > " : nil,
                                 readLine: { Swift.readLine(strippingNewline: true) }, write: write)
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// What `fluxion` prints before its prompt at a terminal, until the workbench exists.
    static let banner = """
        Fluxion \(FluxionVersion.number): universal differential equations in Swift.
        The plain REPL: ODEProblem, solve(prob, Tsit5()), plot(sol), ... (`fluxion` without
        --plain opens the workbench). Tab completes, ↑ recalls, Ctrl-C interrupts, Ctrl-D or exit() quits.
        """
}

/// `fluxion run FILE`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Fluxion script; only what it prints is shown. Errors exit with status 1."
    )

    @Argument(help: "The script to run.")
    var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            FileHandle.standardError.write(Data("fluxion: cannot read \(file)\n".utf8))
            throw ExitCode(2)
        }
        let interpreter = Interpreter()
        SignalBridge.install(interpreter)
        let status = Runner.runScript(String(decoding: data, as: UTF8.self), file: file, interpreter: interpreter,
                                      errors: { FileHandle.standardError.write(Data($0.utf8)) })
        if status != 0 { throw ExitCode(status) }
    }
}

/// Ctrl-C interrupts the running evaluation, never the program.
enum SignalBridge {
    nonisolated(unsafe) private static var target: Interpreter?
    nonisolated(unsafe) private static var source: DispatchSourceSignal?
    /// The plain REPL's line editor, whose line Ctrl-C cancels at the prompt.
    nonisolated(unsafe) private static var editor: PlainLineEditor?

    static func install(_ interpreter: Interpreter, editor lineEditor: PlainLineEditor? = nil) {
        target = interpreter
        editor = lineEditor
        signal(SIGINT, SIG_IGN)
        let signalSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signalSource.setEventHandler {
            SignalBridge.target?.interrupt()
            SignalBridge.editor?.interrupt()
        }
        signalSource.resume()
        source = signalSource
    }
}
