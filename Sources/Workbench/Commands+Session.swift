import Foundation
import Lang

extension WorkbenchSession {
    /// `:save NAME`, `:open NAME`, `:autosave NAME|off`.
    static var sessionCommands: [ColonCommand] {
        [
            ColonCommand(name: "save", usage: ":save NAME",
                         summary: "save variables, cells and the plot to sessions/NAME.json (or a path)") { session, argument in
                guard !argument.isEmpty else { return session.reportCommandError(":save needs a name, e.g. :save spiral") }
                do {
                    session.reportCommandResult(try session.interpreter.saveSession(to: SessionFile.path(for: argument), plot: session.model.plot).message)
                } catch {
                    session.reportCommandError("\(error)")
                }
            },
            ColonCommand(name: "open", usage: ":open NAME",
                         summary: "restore a saved session (nothing is re-run)") { session, argument in
                guard !argument.isEmpty else { return session.reportCommandError(":open needs a name, e.g. :open spiral") }
                session.open(SessionFile.path(for: argument))
            },
            ColonCommand(name: "autosave", usage: ":autosave NAME|off",
                         summary: "train saves the session and its best parameters every \(SessionFile.autosaveEvery) iterations") { session, argument in
                switch argument {
                case "": session.reportCommandResult(session.interpreter.session.autosavePath.map { "autosave: \($0)" } ?? "autosave: off")
                case "off":
                    session.interpreter.session.autosavePath = nil
                    session.reportCommandResult("autosave: off")
                default:
                    let path = SessionFile.path(for: argument)
                    session.interpreter.session.autosavePath = path
                    session.reportCommandResult("autosave: train saves to \(path) every \(SessionFile.autosaveEvery) iterations (autosave_every=N changes it)")
                }
            },
        ]
    }

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
