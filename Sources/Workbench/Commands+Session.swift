import Foundation
import Lang

extension WorkbenchSession {
    /// Registers `:save NAME`, `:open NAME` and `:autosave NAME|off` in `commands`.
    func registerSessionCommands(_ commands: ColonCommands) {
        commands.register(.init("save", arguments: "NAME",
                                summary: "save variables, cells and the plot to sessions/NAME.json (or a path)") { [unowned self] argument in
            guard !argument.isEmpty else { return reportCommandError(":save needs a name, e.g. :save spiral") }
            do {
                reportCommandResult(try interpreter.saveSession(to: SessionFile.path(for: argument), plot: model.plot).message)
            } catch {
                reportCommandError("\(error)")
            }
        })
        commands.register(.init("open", arguments: "NAME", summary: "restore a saved session (nothing is re-run)") { [unowned self] argument in
            guard !argument.isEmpty else { return reportCommandError(":open needs a name, e.g. :open spiral") }
            open(SessionFile.path(for: argument))
        })
        commands.register(.init("autosave", arguments: "NAME|off",
                                summary: "train saves the session and its best parameters every \(SessionFile.autosaveEvery) iterations") { [unowned self] argument in
            switch argument {
            case "": reportCommandResult(interpreter.session.autosavePath.map { "autosave: \($0)" } ?? "autosave: off")
            case "off":
                interpreter.session.autosavePath = nil
                reportCommandResult("autosave: off")
            default:
                let path = SessionFile.path(for: argument)
                interpreter.session.autosavePath = path
                reportCommandResult("autosave: train saves to \(path) every \(SessionFile.autosaveEvery) iterations (autosave_every=N changes it)")
            }
        })
    }

    /// Shows a command's failure in the transcript and the status line.
    func reportCommandError(_ message: String) { commands.fail(message) }

    /// Shows a command's result in the transcript and the status line.
    func reportCommandResult(_ message: String) { commands.report(message) }

    /// Loads a session file: variables into the interpreter, its cells into the transcript,
    /// its latest plot into the plot pane. A refused file changes nothing and says why.
    public func open(_ path: String) {
        let report: SessionLoadReport
        do {
            report = try interpreter.loadSession(from: path)
        } catch {
            reportCommandError("\(error)")
            return
        }
        model.transcript = []
        for cell in report.cells {
            let lines = cell.source.split(separator: "\n", omittingEmptySubsequences: false)
            for (i, line) in lines.enumerated() {
                model.append(.input, (i == 0 ? WorkbenchSession.prompt : WorkbenchSession.continuationPrompt) + line)
            }
            for output in cell.outputs {
                let text = output.text.hasSuffix("\n") ? String(output.text.dropLast()) : output.text
                switch (output.kind, output.stream) {
                case (.plot, _): model.append(.info, "[plot: shown in the plot pane]")
                case (_, .error): model.append(.error, text)
                default: model.append(.output, text)
                }
            }
        }
        if let plot = report.plot { model.plot = plot }
        model.scrollBack = 0
        reportCommandResult(report.message)
    }
}
