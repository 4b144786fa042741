import Foundation

extension Runner {
    /// Runs a tutorial as a script (`fluxion tutorial NAME` without a terminal): writes the
    /// title, each cell's narrative, its code after the REPL prompt and its result as the
    /// REPL shows it. The first error (a failed `@assert` included) is rendered to `errors`
    /// with the cell's number, and the run stops with status 1.
    public static func runTutorial(_ tutorial: Tutorial, interpreter: Interpreter,
                                   write: (String) -> Void, errors: (String) -> Void) -> Int32 {
        write("# \(tutorial.title)\n")
        let count = tutorial.cells.count
        for (index, cell) in tutorial.cells.enumerated() {
            if !cell.narrative.isEmpty { write("\n" + cell.narrative + "\n") }
            write("\n" + echo(cell.code) + "\n")
            let evaluation = interpreter.run(tutorial.parse(cell: index))
            let rendered = evaluation.renderedDiagnostics()
            if evaluation.failed {
                errors(rendered)
                errors("tutorial \(tutorial.name): cell \(index + 1)/\(count) (line \(cell.lines.lowerBound)) failed\n")
                return 1
            }
            write(rendered)
            if let status = interpreter.exitRequest { return status }
            if let shown = shownValue(evaluation) { write(shown + "\n") }
        }
        if !tutorial.epilogue.isEmpty { write("\n" + tutorial.epilogue + "\n") }
        write("\ntutorial \(tutorial.name): all \(count) cells ran\n")
        return 0
    }

    /// Code as the REPL echoes it: the prompt before the first line, the continuation
    /// prompt before the others.
    public static func echo(_ code: String, prompt: String = "fluxion> ", continuation: String = "       > ") -> String {
        code.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { ($0.offset == 0 ? prompt : continuation) + $0.element }
            .joined(separator: "\n")
    }
}
