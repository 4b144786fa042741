import Foundation

/// The plain front ends: running a script file and a line-by-line REPL without a terminal UI.
///
/// Both take their input and output as closures so tests can drive them; the `fluxion`
/// executable connects them to files, standard input and standard output.
public enum Runner {
    /// Runs a whole script as `fluxion run` does: only what the script prints is shown;
    /// the first error (parse or run time) is rendered with its caret to `errors` and the
    /// status is 1. `exit(n)` ends the script with status n.
    public static func runScript(_ text: String, file: String, interpreter: Interpreter,
                                 errors: (String) -> Void) -> Int32 {
        let evaluation = interpreter.evaluate(source: text, file: file)
        let rendered = evaluation.renderedDiagnostics()
        if !rendered.isEmpty { errors(rendered) }
        if let status = interpreter.exitRequest { return status }
        return evaluation.failed ? 1 : 0
    }

    /// A line REPL: reads lines until a complete input (more lines while the parse is
    /// incomplete), runs it, shows the value as Julia's REPL does (nothing for `nothing` or
    /// a trailing `;`), reports errors and carries on. Ends at end of input or `exit()`;
    /// returns the exit status.
    /// A line that is a colon command (`:save NAME`, `PlainCommands`) runs as one.
    public static func repl(interpreter: Interpreter, prompt: String? = nil, continuation: String? = nil,
                            readLine: () -> String?, write: (String) -> Void) -> Int32 {
        repl(interpreter: interpreter, prompt: prompt, continuation: continuation,
             readLineAfter: { marker in
                 if let marker { write(marker) }
                 return readLine()
             }, write: write)
    }

    /// The same REPL with a line editor that shows the prompt itself (readline):
    /// `readLineAfter` gets the prompt or continuation marker to show, nil for none.
    public static func repl(interpreter: Interpreter, prompt: String? = nil, continuation: String? = nil,
                            readLineAfter: (String?) -> String?, write: (String) -> Void) -> Int32 {
        var buffer: [String] = []
        var entry = 0
        let commands = PlainCommands(interpreter: interpreter)
        while true {
            guard let line = readLineAfter(buffer.isEmpty ? prompt : continuation) else {
                if !buffer.isEmpty { runEntry(buffer, entry + 1, interpreter, write) }
                return interpreter.exitRequest ?? 0
            }
            if buffer.isEmpty, let output = commands.run(line) {
                write(output)
                continue
            }
            buffer.append(line)
            let text = buffer.joined(separator: "\n")
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                buffer = []
                continue
            }
            if Syntax.parse(text).isIncomplete { continue }
            entry += 1
            // A Ctrl-C while the entry was typed was meant for no evaluation.
            interpreter.discardInterrupt()
            runEntry(buffer, entry, interpreter, write)
            buffer = []
            if let status = interpreter.exitRequest { return status }
        }
    }

    /// Runs one REPL entry and writes its diagnostics or value.
    static func runEntry(_ lines: [String], _ entry: Int, _ interpreter: Interpreter, _ write: (String) -> Void) {
        let evaluation = interpreter.evaluateCell(source: lines.joined(separator: "\n"), file: "REPL[\(entry)]")
        write(evaluation.renderedDiagnostics())
        if evaluation.failed || interpreter.exitRequest != nil { return }
        if let shown = shownValue(evaluation) { write(shown + "\n") }
    }

    /// What the REPL shows for an evaluation's value: nil for `nothing` or after a trailing `;`.
    public static func shownValue(_ evaluation: Evaluation) -> String? {
        if evaluation.endsWithSemicolon { return nil }
        if case .nothing = evaluation.value { return nil }
        return evaluation.value.display
    }
}
