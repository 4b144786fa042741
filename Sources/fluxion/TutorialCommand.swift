import ArgumentParser
import Foundation
import Lang
import Workbench

/// `fluxion tutorial [NAME]`: lists the tutorials, or plays one.
struct TutorialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tutorial",
        abstract: "List the step-through tutorials, or play one.",
        discussion: """
            Without NAME, lists the tutorials (from $FLUXION_TUTORIALS, ./tutorials, or the \
            tutorials folder of the build's repository). With NAME, plays it in the workbench \
            at a terminal: Enter runs the offered cell, :next and :prev move between cells. \
            Without a terminal, or with --batch, runs it as a script, printing the narrative \
            and each cell's result; a failed @assert exits with status 1.
            """
    )

    @Argument(help: "The tutorial to play: a name from the list, or the path of a .flx file.")
    var name: String?

    @Flag(name: .long, help: "Run the tutorial as a script even at a terminal.")
    var batch = false

    @Flag(name: .long, help: "Draw plots with ASCII characters instead of Unicode braille.")
    var noUnicode = false

    func run() throws {
        let library = TutorialLibrary.locate()
        guard let name else {
            guard let library else {
                FileHandle.standardError.write(Data("fluxion: \(TutorialLibrary.notFound)\n".utf8))
                throw ExitCode(2)
            }
            print("Tutorials in \(library.directory):")
            for line in library.menu() { print(line) }
            print("`fluxion tutorial NAME` plays one (`:tutorial NAME` in the workbench).")
            return
        }
        let tutorial: Tutorial
        do {
            tutorial = try TutorialLibrary.tutorial(name, in: library)
        } catch {
            FileHandle.standardError.write(Data("fluxion: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if !batch, TerminalWorkbench.terminalAvailable(environment: ProcessInfo.processInfo.environment) {
            let unicode = !noUnicode
            let status = MainActor.assumeIsolated { TerminalWorkbench.run(unicode: unicode, tutorial: tutorial) }
            if let status {
                if status != 0 { throw ExitCode(status) }
                return
            }
            FileHandle.standardError.write(Data("fluxion: cannot start the terminal UI; running the tutorial as a script\n".utf8))
        }
        let interpreter = Interpreter()
        interpreter.unicode = !noUnicode
        SignalBridge.install(interpreter)
        let status = Runner.runTutorial(tutorial, interpreter: interpreter,
                                        write: { FileHandle.standardOutput.write(Data($0.utf8)) },
                                        errors: { FileHandle.standardError.write(Data($0.utf8)) })
        if status != 0 { throw ExitCode(status) }
    }
}
