import Foundation
import Lang

/// What the session remembers about background jobs between refreshes.
struct JobBook {
    /// Jobs whose end has been announced in the transcript.
    var announced: Set<Int> = []
    /// The user picked a layout with `:layout`: a new job no longer switches to the training one.
    var layoutChosen = false
    /// Printed text after the last newline, per job.
    var partialOutput: [Int: String] = [:]
}

extension WorkbenchSession {
    /// The background jobs (nil unless the session trains in the background).
    public var jobs: TrainingJobs? { interpreter.jobs }

    /// Whether a job is queued, running or paused.
    public var hasActiveJobs: Bool { jobs?.hasActive ?? false }

    /// Brings the model up to date with the jobs: their printed output (tagged `[job N]`),
    /// the plots their loss or callback made, the shown job's snapshot, and a line in the
    /// transcript for each job that ended. Returns whether the model changed.
    @discardableResult
    public func refreshJobs() -> Bool {
        guard let jobs else { return false }
        var changed = false
        for (id, text) in jobs.takeOutput() {
            let pending = (jobBook.partialOutput[id] ?? "") + text
            guard let last = pending.lastIndex(of: "\n") else {
                jobBook.partialOutput[id] = pending
                continue
            }
            for line in pending[..<last].split(separator: "\n", omittingEmptySubsequences: false) {
                model.append(.output, "[job \(id)] " + line)
            }
            jobBook.partialOutput[id] = String(pending[pending.index(after: last)...])
            changed = true
        }
        if let plot = jobs.takePlot() {
            model.plot = plot
            changed = true
        }
        let all = jobs.all
        for job in all where !jobBook.announced.contains(job.id) && !job.currentState.isActive {
            jobBook.announced.insert(job.id)
            let snapshot = job.snapshot
            let line = "job #\(job.id) \(snapshot.state.rawValue): " + (snapshot.message ?? "")
            model.append(snapshot.state == .failed ? .error : .info, line)
            model.lastResult = line
            changed = true
        }
        let shown = (all.last { $0.currentState.isActive } ?? all.last)?.snapshot
        if shown != model.job {
            if shown?.id != model.job?.id {
                model.parameterScroll = 0
                if !jobBook.layoutChosen, shown != nil { model.layout = .training }
            }
            model.job = shown
            changed = true
        }
        return changed
    }

    /// The job a command names (`:pause 2`), or by default the newest one `accepts`.
    func job(named argument: String, accepts: (TrainingJobState) -> Bool) throws -> TrainingJob {
        guard let jobs, let latest = jobs.latest else { throw JobCommandError("no training jobs yet") }
        if argument.isEmpty {
            return jobs.all.last { accepts($0.currentState) } ?? latest
        }
        let digits = argument.hasPrefix("#") ? String(argument.dropFirst()) : argument
        guard let id = Int(digits) else { throw JobCommandError("'\(argument)' is not a job number (:jobs lists them)") }
        guard let job = jobs.job(id) else { throw JobCommandError("no job #\(id) (:jobs lists them)") }
        return job
    }

    /// Ctrl-C with no evaluation running: pauses the newest running job; returns the line
    /// added to the transcript, or nil when no job runs. The status line then shows the job
    /// as paused, with `:resume  :stop` as its key hints.
    public func pauseRunningJob() -> String? {
        guard let job = jobs?.all.last(where: { $0.currentState == .running }), job.pause() else { return nil }
        let notice = "job #\(job.id) paused (Ctrl-C) — :resume \(job.id) goes on, :stop \(job.id) ends it"
        model.append(.info, notice)
        refreshJobs()
        return notice
    }

    /// Registers `:jobs`, `:pause`, `:resume`, `:stop` and `:layout`.
    func registerJobCommands(_ commands: ColonCommands) {
        commands.register(.init("jobs", summary: "list the training jobs (they run one at a time, in order)") { [unowned self] _ in
            guard let all = jobs?.all, !all.isEmpty else { return reportCommandResult("no training jobs yet") }
            func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
                let room = String(repeating: " ", count: max(0, width - text.count))
                return left ? room + text : text + room
            }
            let rows = all.map { job -> String in
                let s = job.snapshot
                return "  " + pad("#\(s.id)", 5) + pad(s.state.rawValue, 8) + pad("\(s.iteration)/\(s.maxiters)", 13, left: true)
                    + pad(TrainingProgress.short(s.bestLoss), 11, left: true) + pad("\(Int(s.rate.rounded())) it/s", 11, left: true)
                    + pad(String(format: "%.1f s", s.elapsed), 10, left: true) + "  " + s.optimizer
            }
            let header = "  " + pad("job", 5) + pad("state", 8) + pad("iteration", 13, left: true) + pad("best loss", 11, left: true)
                + pad("rate", 11, left: true) + pad("elapsed", 10, left: true) + "  method"
            model.append(.info, ([header] + rows).joined(separator: "\n"))
            model.lastResult = "\(all.count) job\(all.count == 1 ? "" : "s"), \(all.filter { $0.currentState.isActive }.count) active"
        })
        func control(_ name: String, _ summary: String, accepts: @escaping (TrainingJobState) -> Bool,
                     _ act: @escaping (TrainingJob) -> Bool, _ done: String) {
            commands.register(.init(name, arguments: "[N]", summary: summary) { [unowned self] argument in
                do {
                    let job = try job(named: argument, accepts: accepts)
                    guard act(job) else {
                        return reportCommandError("job #\(job.id) has already ended (\(job.currentState.rawValue))")
                    }
                    model.notice = nil
                    reportCommandResult("job #\(job.id) \(done)")
                    refreshJobs()
                } catch {
                    reportCommandError("\(error)")
                }
            })
        }
        control("pause", "pause a training job (default: the newest running one)", accepts: { $0 == .running },
                { $0.pause() }, "paused (:resume goes on)")
        control("resume", "resume a paused job (default: the newest paused one)", accepts: { $0 == .paused },
                { $0.resume() }, "resumed")
        control("stop", "stop a job; it keeps its best parameters as its result", accepts: { $0.isActive },
                { $0.stop() }, "stopped; its result holds the best parameters seen")
        commands.register(.init("layout", arguments: "[NAME]", summary: "switch the panes: training or repl; alone, list them") { [unowned self] argument in
            guard !argument.isEmpty else {
                let lines = LayoutKind.allCases.map {
                    "  \($0.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \($0.summary)"
                        + ($0 == model.layout ? "  (shown)" : "")
                }
                model.append(.info, (["Layouts (:layout NAME; Ctrl-O or F6 moves the focus, PgUp/PgDn scroll it):"] + lines)
                    .joined(separator: "\n"))
                model.lastResult = "layout: \(model.layout.rawValue)"
                return
            }
            guard let kind = LayoutKind(rawValue: argument) else {
                return reportCommandError("no layout '\(argument)' — :layout lists them")
            }
            model.layout = kind
            model.focus = .transcript
            jobBook.layoutChosen = true
            reportCommandResult("layout: \(kind.rawValue)")
        })
    }
}

/// A colon command's refusal, worded for the status line.
struct JobCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
