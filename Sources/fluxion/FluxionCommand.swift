import ArgumentParser
import Foundation
import Lang

/// The `fluxion` command line.
///
/// `fluxion run FILE` runs a script; `fluxion --plain` (or any `fluxion` whose standard
/// input is not a terminal) reads the language line by line from standard input. With no
/// arguments at a terminal it prints a banner until the curses workbench lands.
struct FluxionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fluxion",
        abstract: "Universal differential equations in Swift.",
        discussion: """
            Fluxion fits differential equations whose unknown parts are neural networks \
            (universal differential equations) to data, by gradient-based training, in the \
            spirit of Julia's DiffEqFlux.jl.

            This build holds the numerical engine and the core of the Fluxion language: \
            `fluxion run FILE` runs a script, `fluxion --plain` reads the language line by \
            line from standard input (as does `fluxion` when standard input is not a \
            terminal). The engine's builtins (ODEProblem, solve, Chain, train, ...) and the \
            interactive curses workbench come next.
            """,
        version: "fluxion \(FluxionVersion.number)",
        subcommands: [RunCommand.self]
    )

    @Flag(name: .long, help: "Read the language line by line from standard input, without the terminal UI.")
    var plain = false

    func run() throws {
        let interactive = isatty(STDIN_FILENO) != 0
        guard plain || !interactive else {
            print(FluxionCommand.banner)
            return
        }
        let interpreter = Interpreter()
        SignalBridge.install(interpreter)
        let status = Runner.repl(interpreter: interpreter, prompt: interactive ? "fluxion> " : nil,
                                 continuation: interactive ? "       > " : nil,
                                 readLine: { Swift.readLine(strippingNewline: true) },
                                 write: { text in FileHandle.standardOutput.write(Data(text.utf8)) })
        if status != 0 { throw ExitCode(status) }
    }

    /// What `fluxion` prints with no arguments at a terminal until the workbench exists.
    static let banner = """
        Fluxion \(FluxionVersion.number): universal differential equations in Swift
        (neural networks inside differential equations, trained on data; the Swift answer
        to Julia's DiffEqFlux.jl).

        This build contains the numerical engine and the core of the Fluxion language
        (values, functions, loops, broadcasting, a math and collections prelude). Solver
        and training builtins and the interactive workbench (live plots of trajectories and
        the loss) come next.

        Try `fluxion run script.flx`, `fluxion --plain`, or `fluxion --help`.
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

    static func install(_ interpreter: Interpreter) {
        target = interpreter
        signal(SIGINT, SIG_IGN)
        let signalSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signalSource.setEventHandler { SignalBridge.target?.interrupt() }
        signalSource.resume()
        source = signalSource
    }
}
