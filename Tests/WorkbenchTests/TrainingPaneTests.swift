import Foundation
import Lang
import TextPlots
import XCTest
@testable import Workbench

/// The training panes (loss, parameters, job status), the training layout, and the jobs
/// as the session shows them.
final class TrainingPaneTests: XCTestCase {
    /// A job halfway through: three parameters, losses falling by decades.
    func fixedJob(state: TrainingJobState = .running) -> TrainingJobSnapshot {
        TrainingJobSnapshot(id: 1, optimizer: "Adam(0.05)", state: state, iteration: 150, maxiters: 300, loss: 0.01,
                            bestLoss: 0.009, losses: (1...150).map { 100 * Foundation.pow(0.94, Double($0)) },
                            parameters: [0.5, -1.25, 3e-5], gradient: [0.001, -2.5, 12345],
                            names: ["θ[1]", "θ[2]", "θ[3]"], elapsed: 3)
    }

    func testTrainingLayoutSplitsTheScreen() throws {
        for (w, h) in [(120, 40), (70, 20), (60, 16)] {
            let layout = Layout(size: ScreenSize(width: w, height: h), kind: .training)
            let plot = try XCTUnwrap(layout.plot), loss = try XCTUnwrap(layout.loss)
            let table = try XCTUnwrap(layout.parameters)
            XCTAssertEqual(plot.row, 0)
            XCTAssertEqual(loss.row, 0)
            XCTAssertEqual(plot.column + plot.width, loss.column, "plot and loss side by side")
            XCTAssertEqual(loss.column + loss.width, w)
            XCTAssertEqual(table.row, plot.height)
            XCTAssertEqual(layout.transcript.row, plot.height)
            XCTAssertEqual(table.width, layout.transcript.column)
            XCTAssertEqual(layout.transcript.column + layout.transcript.width, w)
            XCTAssertEqual(table.height + plot.height, h - 2, "the panes fill the body above status and input")
            XCTAssertGreaterThanOrEqual(layout.transcript.height, 5)
            XCTAssertGreaterThanOrEqual(table.width, 24)
            XCTAssertLessThanOrEqual(table.width, 40)
        }
        let small = Layout(size: ScreenSize(width: 50, height: 14), kind: .training)
        XCTAssertTrue(small.isCompact)
        XCTAssertNil(small.loss)
        XCTAssertNil(small.parameters)
        XCTAssertNil(Layout(size: ScreenSize(width: 120, height: 40)).loss, "the REPL layout has no loss pane")
    }

    func testParameterTableSnapshot() {
        let pane = ParameterPane(job: fixedJob(), scroll: 0, unicode: true)
        XCTAssertEqual(pane.render(width: 30, height: 6).plainString, [
            "── Parameters (3) ───────────│",
            "name       value     gradient│",
            "θ[1]         0.5        0.001│",
            "θ[2]       -1.25         -2.5│",
            "θ[3]       3e-05    1.234e+04│",
            "                             │",
        ].joined(separator: "\n"))
    }

    func testParameterTableScrollsAndShowsWhere() {
        var job = fixedJob()
        job.parameters = (1...50).map(Double.init)
        job.names = (1...50).map { "θ[\($0)]" }
        job.gradient = []
        let text = ParameterPane(job: job, scroll: 10, unicode: false).render(width: 30, height: 6).plainString
        let rows = text.components(separatedBy: "\n")
        XCTAssertTrue(rows[0].hasPrefix("-- Parameters 11–14/50 "), rows[0])
        XCTAssertTrue(rows[2].hasPrefix("θ[11]"), rows[2])
        XCTAssertTrue(rows[5].hasPrefix("θ[14]"), rows[5])
        XCTAssertTrue(rows[2].contains("—"), "no gradient yet: a dash")
        // Scrolling is clamped to the table.
        var model = WorkbenchModel()
        model.layout = .training
        model.job = job
        let size = ScreenSize(width: 80, height: 24)
        model.scrollParameters(100, screen: size)
        let rowsShown = ParameterPane.bodyRows(height: Layout(size: size, kind: .training).parameters?.height ?? 0)
        XCTAssertEqual(model.parameterScroll, 50 - rowsShown)
        model.scrollParameters(-100, screen: size)
        XCTAssertEqual(model.parameterScroll, 0)
    }

    func testSmoothedLossIsADebiasedMovingAverageOnTheLogScale() {
        XCTAssertEqual(LossPane.smoothed([3, 3, 3]).map { ($0 * 1e9).rounded() / 1e9 }, [3, 3, 3])
        let s = LossPane.smoothed([10, 1, .nan, 0])
        XCTAssertEqual(s[0], 10, accuracy: 1e-12, "debiased: the first point is the first loss")
        XCTAssertEqual(s[1], Foundation.pow(10, 0.09 / 0.19), accuracy: 1e-12)
        XCTAssertTrue(s[2].isNaN && s[3].isNaN, "non-finite and non-positive losses are skipped")
    }

    func testLossPaneDrawsBothCurvesOnALogAxis() throws {
        let pane = LossPane(job: fixedJob(), style: .braille)
        let plot = try XCTUnwrap(pane.plot)
        XCTAssertEqual(plot.yScale, .log10)
        XCTAssertEqual(plot.series.map(\.name), ["loss", "smoothed"])
        let text = pane.render(width: 50, height: 12).plainString
        XCTAssertTrue(text.hasPrefix("── Loss (log10) — job #1 Adam(0.05) ─"), text)
        XCTAssertTrue(text.contains(" 10² ┤") && text.contains("10⁻² ┤"), "log ticks: \(text)")
        XCTAssertTrue(text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "braille curve: \(text)")
        let empty = LossPane(job: nil, style: .ascii).render(width: 50, height: 6).plainString
        XCTAssertTrue(empty.contains("no training yet"), empty)
    }

    func testJobStatusText() {
        XCTAssertEqual(JobStatus.text(fixedJob(), unicode: true),
                       "job #1 running ▕█████     ▏ 150/300  50 it/s  loss 1.0e-02  ETA 3 s")
        XCTAssertEqual(JobStatus.text(fixedJob(state: .paused), unicode: false),
                       "job #1 paused [#####-----] 150/300  loss 1.0e-02")
        XCTAssertEqual(JobStatus.text(fixedJob(state: .done), unicode: false),
                       "job #1 done [#####-----] 150/300  best 9.0e-03  3 s")
        XCTAssertEqual(JobStatus.bar(0.5625, width: 2, unicode: true), "▕█▏▏")
        XCTAssertEqual(JobStatus.hints(fixedJob(state: .paused)), ":resume  :stop")
    }

    func testTrainingFrameAt80x24() {
        var model = WorkbenchModel()
        model.layout = .training
        model.job = fixedJob()
        model.append(.input, "fluxion> job = train(loss, θ, Adam(0.05), maxiters=300)")
        let frame = FrameRenderer.render(model, size: ScreenSize(width: 80, height: 24))
        let rows = frame.text.plainString.components(separatedBy: "\n")
        XCTAssertEqual(rows.count, 24)
        XCTAssertTrue(rows[0].hasPrefix("── Plot ─"), rows[0])
        XCTAssertTrue(rows[0].contains("── Loss (log10) — job #1 Adam(0.05) ─"), rows[0])
        let layout = Layout(size: ScreenSize(width: 80, height: 24), kind: .training)
        let tableRow = layout.parameters?.row ?? 0
        XCTAssertTrue(rows[tableRow].hasPrefix("── Parameters (3) ─"), rows[tableRow])
        XCTAssertTrue(rows[tableRow].contains("── ▸ REPL ─"), "the transcript has the focus: \(rows[tableRow])")
        XCTAssertTrue(rows[tableRow + 2].hasPrefix("θ[1]"), rows[tableRow + 2])
        XCTAssertTrue(rows[22].hasPrefix(" ready  job #1 running ▕█████     ▏ 150/300  50 it/s"), rows[22])
        XCTAssertTrue(rows[22].hasSuffix("^C pause  :jobs"), rows[22])
        // An error outranks the job's progress in the status line.
        model.error = "UndefVarError: x not defined"
        let failed = FrameRenderer.render(model, size: ScreenSize(width: 80, height: 24)).text.plainString
        XCTAssertTrue(failed.components(separatedBy: "\n")[22].contains("error: UndefVarError"))
        // Focus moves to the table and back.
        model.cycleFocus(screen: ScreenSize(width: 80, height: 24))
        XCTAssertEqual(model.focus, .parameters)
        let focused = FrameRenderer.render(model, size: ScreenSize(width: 80, height: 24)).text.plainString
        XCTAssertTrue(focused.components(separatedBy: "\n")[tableRow].hasPrefix("── ▸ Parameters (3) ─"))
        model.cycleFocus(screen: ScreenSize(width: 80, height: 24))
        XCTAssertEqual(model.focus, .transcript)
        model.layout = .repl
        model.cycleFocus(screen: ScreenSize(width: 80, height: 24))
        XCTAssertEqual(model.focus, .transcript, "the REPL layout has only the transcript to scroll")
    }

    func testUnchangedFramesAreNotSentOrFlushed() {
        var model = WorkbenchModel()
        model.layout = .training
        model.job = fixedJob()
        let screen = HeadlessScreen(width: 80, height: 24)
        let presenter = FramePresenter()
        presenter.present(FrameRenderer.render(model, size: screen.size), on: screen)
        screen.resetCounters()
        XCTAssertEqual(presenter.present(FrameRenderer.render(model, size: screen.size), on: screen), 0)
        XCTAssertEqual(screen.flushes, 0, "an unchanged frame is skipped")
        model.job?.iteration = 151
        XCTAssertGreaterThan(presenter.present(FrameRenderer.render(model, size: screen.size), on: screen), 0)
        XCTAssertEqual(screen.flushes, 1)
    }

    /// Steps the session until `condition` holds (or 30 s pass).
    func run(_ session: WorkbenchSession, until condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline {
            session.applyEvents()
            session.refreshJobs()
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    func testSessionShowsJobsAndTheirCommands() throws {
        let session = WorkbenchSession(backgroundTraining: true)
        defer { session.jobs?.stopAll(); session.stopEvaluating(timeout: 5) }
        XCTAssertEqual(session.model.layout, .repl)
        XCTAssertEqual(session.start("p = ComponentVector(w = [1.0, 2.0], b = 0.5); "
                                     + "job = train(q -> (println(\"at \", q.b); sum(abs2, q)), p, Adam(0.1), maxiters=20, "
                                     + "callback = (s, l) -> (plot([1.0, l], title = \"from the callback\"); false))"), .evaluating)
        XCTAssertTrue(run(session) { !session.isEvaluating && session.model.job?.state == .done })
        XCTAssertTrue(session.model.transcript.last { $0.kind == .output && $0.text.hasPrefix("TrainingJob #1: Adam(0.1), 20 iterations") } != nil,
                      "\(session.model.transcript)")
        XCTAssertEqual(session.model.layout, .training, "a job brings up the training layout")
        let job = try XCTUnwrap(session.model.job)
        XCTAssertEqual(job.names, ["w[1]", "w[2]", "b"])
        XCTAssertEqual(job.losses.count, 20)
        XCTAssertEqual(job.gradient.count, 3)
        XCTAssertTrue(session.model.transcript.contains { $0.text.hasPrefix("[job 1] at ") }, "tagged output")
        XCTAssertEqual(session.model.plot?.title, "from the callback", "a job's plots reach the plot pane")
        XCTAssertTrue(session.model.transcript.contains { $0.kind == .info && $0.text.hasPrefix("job #1 done: ") })
        session.submit(":jobs")
        XCTAssertTrue(session.model.transcript.last?.text.contains("#1   done") ?? false, session.model.transcript.last?.text ?? "")
        session.submit(":pause")
        XCTAssertEqual(session.model.error, "job #1 has already ended (done)")
        session.submit(":stop 9")
        XCTAssertEqual(session.model.error, "no job #9 (:jobs lists them)")
        session.submit(":layout repl")
        XCTAssertEqual(session.model.layout, .repl)
        session.submit(":layout")
        XCTAssertTrue(session.model.transcript.suffix(3).contains { $0.text == "  repl      plot over the REPL  (shown)" },
                      "\(session.model.transcript.suffix(3))")
        session.submit(":layout mosaic")
        XCTAssertEqual(session.model.error, "no layout 'mosaic' — :layout lists them")
        // With the layout chosen, a new job keeps it; Ctrl-C (no evaluation) pauses it.
        XCTAssertEqual(session.start("job2 = train(q -> sum(abs2, q), [1.0], Descent(1e-9), maxiters=100000000)"), .evaluating)
        XCTAssertTrue(run(session) { !session.isEvaluating && session.model.job?.id == 2 && session.model.job?.state == .running })
        XCTAssertEqual(session.model.layout, .repl)
        let notice = try XCTUnwrap(session.pauseRunningJob())
        XCTAssertEqual(notice, "job #2 paused (Ctrl-C) — :resume 2 goes on, :stop 2 ends it")
        XCTAssertTrue(run(session) { session.model.job?.state == .paused })
        session.submit(":resume")
        XCTAssertTrue(run(session) { session.model.job?.state == .running })
        session.submit(":stop")
        XCTAssertTrue(run(session) { session.model.job?.state == .stopped })
        XCTAssertNil(session.pauseRunningJob(), "nothing runs: Ctrl-C has no job to pause")
    }
}
