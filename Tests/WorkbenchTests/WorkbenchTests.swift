import XCTest
import Lang
import TextPlots
@testable import Workbench

/// Headless frames of the workbench: layout, panes, diffing, scrolling, errors.
final class WorkbenchTests: XCTestCase {
    /// Presents the session's model on a fresh headless screen and returns it.
    func screen(for session: WorkbenchSession, width: Int, height: Int) -> HeadlessScreen {
        let screen = HeadlessScreen(width: width, height: height)
        FramePresenter().present(FrameRenderer.render(session.model, size: screen.size), on: screen)
        return screen
    }

    func testFullLayoutShowsTranscriptAndPlot() {
        let session = WorkbenchSession()
        session.submit("x = 1 + 2")
        session.submit("plot([1,4,9])")
        let screen = screen(for: session, width: 100, height: 30)
        let rows = screen.rendered.components(separatedBy: "\n")
        let layout = Layout(size: screen.size)
        guard let plotRect = layout.plot else { return XCTFail("expected a plot pane at 100x30") }
        let plotRows = rows[plotRect.row..<min(rows.count, plotRect.row + plotRect.height)].joined(separator: "\n")
        let transcriptRows = rows[layout.transcript.row..<layout.transcript.row + layout.transcript.height]
            .joined(separator: "\n")
        XCTAssertTrue(plotRows.hasPrefix("── Plot"), plotRows)
        XCTAssertTrue(plotRows.contains("┌") && plotRows.contains("┘"), "plot frame in the plot pane:\n" + plotRows)
        XCTAssertTrue(plotRows.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "braille dots")
        XCTAssertTrue(transcriptRows.contains("fluxion> x = 1 + 2"), transcriptRows)
        XCTAssertTrue(transcriptRows.contains("\n3"), transcriptRows)
        XCTAssertTrue(transcriptRows.contains("fluxion> plot([1,4,9])"), transcriptRows)
        XCTAssertFalse(transcriptRows.contains("┌"), "the plot is not printed into the transcript")
        XCTAssertTrue(rows[28].contains("ready"), rows[28])
        XCTAssertTrue(rows[28].contains("^D quit"), rows[28])
        XCTAssertEqual(rows[29], "fluxion>")
        XCTAssertEqual(screen.cursor.row, 29)
        XCTAssertEqual(screen.cursor.column, 9)
    }

    func testNoUnicodeDrawsASCIIPlot() {
        let session = WorkbenchSession(unicode: false)
        session.submit("plot([1,4,9])")
        let text = screen(for: session, width: 80, height: 24).rendered
        XCTAssertFalse(text.unicodeScalars.contains { $0.value > 0x7F && $0.value != 0x2026 }, text)
        XCTAssertTrue(text.contains("-- Plot"), text)
    }

    func testSmallTerminalFallbackShowsTranscriptOnly() {
        let session = WorkbenchSession()
        session.submit("x = 1 + 2")
        session.submit("plot([1,4,9])")
        let screen = screen(for: session, width: 40, height: 10)
        XCTAssertTrue(Layout(size: screen.size).isCompact)
        let text = screen.rendered
        let rows = text.components(separatedBy: "\n")
        XCTAssertEqual(rows.count, 10)
        XCTAssertFalse(text.contains("Plot"), text)
        XCTAssertFalse(text.contains("┌"), text)
        XCTAssertTrue(text.contains("fluxion> x = 1 + 2"), text)
        XCTAssertTrue(text.contains("fluxion> plot([1,4,9])"), text)
        XCTAssertTrue(rows[8].hasPrefix(" ready"), rows[8])
        XCTAssertEqual(rows[9], "fluxion>")
    }

    func testFrameDiffDrawsOnlyChangedCells() {
        let session = WorkbenchSession()
        let screen = HeadlessScreen(width: 100, height: 30)
        let presenter = FramePresenter()
        XCTAssertEqual(presenter.present(FrameRenderer.render(session.model, size: screen.size), on: screen), 3000)
        XCTAssertEqual(screen.clears, 1)
        screen.resetCounters()
        // The same frame again: nothing is sent.
        XCTAssertEqual(presenter.present(FrameRenderer.render(session.model, size: screen.size), on: screen), 0)
        XCTAssertEqual(screen.cellsDrawn, 0)
        // Typing one character changes one cell of the input line.
        session.model.inputText = "x"
        session.model.inputCursor = 1
        XCTAssertEqual(presenter.present(FrameRenderer.render(session.model, size: screen.size), on: screen), 1)
        XCTAssertEqual(screen.cellsDrawn, 1)
        XCTAssertEqual(screen.clears, 0)
        XCTAssertEqual(screen.cursor.column, 10)
        // The screen matches a full render of the same model.
        let fresh = HeadlessScreen(width: 100, height: 30)
        FramePresenter().present(FrameRenderer.render(session.model, size: fresh.size), on: fresh)
        XCTAssertEqual(screen.cells, fresh.cells)
        // A resize redraws in full.
        screen.resize(width: 80, height: 24)
        screen.resetCounters()
        XCTAssertEqual(presenter.present(FrameRenderer.render(session.model, size: screen.size), on: screen), 80 * 24)
        XCTAssertEqual(screen.clears, 1)
    }

    func testDiffRuns() {
        var a = StyledText(width: 10, height: 2)
        var b = a
        b.write("ab", row: 0, column: 3)
        b.write("z", row: 1, column: 9)
        let runs = FramePresenter.diff(from: a, to: b)
        XCTAssertEqual(runs.map(\.row), [0, 1])
        XCTAssertEqual(runs.map(\.column), [3, 9])
        XCTAssertEqual(runs.map(\.cells.count), [2, 1])
        a.write("q", row: 0, column: 0)
        XCTAssertEqual(FramePresenter.diff(from: nil, to: a).count, 2)
    }

    func testLongTranscriptScrolls() {
        let session = WorkbenchSession()
        for n in 1...40 { session.submit("y\(n) = \(n * 1000)") }
        let text = screen(for: session, width: 40, height: 10).rendered
        XCTAssertTrue(text.contains("fluxion> y40 = 40000"), text)
        XCTAssertTrue(text.contains("40000"), text)
        XCTAssertFalse(text.contains("y1 = 1000"), text)
        XCTAssertFalse(text.contains("y30 = "), text)
        // Scrolling back shows older lines.
        session.model.scrollBack = 20
        let back = screen(for: session, width: 40, height: 10).rendered
        XCTAssertFalse(back.contains("y40 = 40000"), back)
        XCTAssertTrue(back.contains("y30 = 30000"), back)
    }

    func testLongLinesWrap() {
        let session = WorkbenchSession()
        session.submit("s = \"" + String(repeating: "abcdefghij", count: 6) + "\"")
        let rows = screen(for: session, width: 30, height: 12).rendered.components(separatedBy: "\n")
        XCTAssertTrue(rows.contains("fluxion> s = \"abcdefghijabcdef"), rows.joined(separator: "\n"))
        XCTAssertTrue(rows.contains("ghijabcdefghijabcdefghijabcdef"), rows.joined(separator: "\n"))
    }

    func testErrorShowsInStatusLine() {
        let session = WorkbenchSession()
        session.submit("undefined_name + 1")
        XCTAssertNotNil(session.model.error)
        let rows = screen(for: session, width: 100, height: 30).rendered.components(separatedBy: "\n")
        XCTAssertTrue(rows[28].contains("error:"), rows[28])
        XCTAssertTrue(rows[28].contains("undefined_name"), rows[28])
        // A later good input clears it.
        session.submit("1 + 1")
        XCTAssertNil(session.model.error)
        let after = screen(for: session, width: 100, height: 30).rendered.components(separatedBy: "\n")
        XCTAssertFalse(after[28].contains("error:"), after[28])
        XCTAssertTrue(after[28].contains("2"), after[28])
    }

    func testIncompleteInputAccumulates() {
        let session = WorkbenchSession()
        session.submit("function f(x)")
        XCTAssertTrue(session.isContinuing)
        XCTAssertEqual(session.model.prompt, WorkbenchSession.continuationPrompt)
        session.submit("  2x")
        session.submit("end")
        XCTAssertFalse(session.isContinuing)
        session.submit("f(21)")
        XCTAssertEqual(session.model.lastResult, "42")
        XCTAssertTrue(session.model.transcript.contains(TranscriptLine(.input, "       >   2x")))
    }

    func testPrintedOutputGoesToTranscript() {
        let session = WorkbenchSession()
        session.submit("println(\"hello\")")
        XCTAssertTrue(session.model.transcript.contains(TranscriptLine(.output, "hello")))
    }

    func testInputLineScrollsToCursor() {
        let text = String(repeating: "x", count: 50)
        let (line, column) = FrameRenderer.inputLine(prompt: "fluxion> ", text: text, cursor: 50, width: 30)
        XCTAssertEqual(line.width, 30)
        XCTAssertEqual(column, 29)
        XCTAssertTrue(line.plainString.hasPrefix("fluxion> …x"), line.plainString)
    }

    // MARK: PageUp / PageDown scrolling

    func testScrollPagesByPaneHeightAndClamps() {
        let session = WorkbenchSession()
        for n in 1...40 { session.submit("y\(n) = \(n * 1000)") }
        let size = ScreenSize(width: 59, height: 10)
        // Compact layout: 8 transcript rows, so a page is 7 rows; 80 rows in all.
        XCTAssertEqual(WorkbenchModel.transcriptRows(screen: size), 8)
        XCTAssertEqual(session.model.maximumScrollBack(screen: size), 72)
        session.model.scrollPages(1, screen: size)
        XCTAssertEqual(session.model.scrollBack, 7)
        let rows = screen(for: session, width: 59, height: 10).rendered.components(separatedBy: "\n")
        // The top 7 rows are the ones just above the old view; its old top row is now at the bottom.
        XCTAssertEqual(rows[7], "fluxion> y37 = 37000", rows.joined(separator: "\n"))
        XCTAssertEqual(rows[0], "33000", rows.joined(separator: "\n"))
        XCTAssertTrue(rows[8].contains("scrolled back 7 lines — PgDn to return"), rows[8])
        // Far past the top: clamped to the oldest row.
        session.model.scrollPages(100, screen: size)
        XCTAssertEqual(session.model.scrollBack, 72)
        let top = screen(for: session, width: 59, height: 10).rendered.components(separatedBy: "\n")
        XCTAssertEqual(top[0], "fluxion> y1 = 1000", top.joined(separator: "\n"))
        XCTAssertTrue(top[8].contains("scrolled back 72 lines"), top[8])
        // PageDown comes back, and never below the bottom.
        session.model.scrollPages(-1, screen: size)
        XCTAssertEqual(session.model.scrollBack, 65)
        session.model.scrollPages(-100, screen: size)
        XCTAssertEqual(session.model.scrollBack, 0)
        let bottom = screen(for: session, width: 59, height: 10).rendered.components(separatedBy: "\n")
        XCTAssertFalse(bottom[8].contains("scrolled back"), bottom[8])
        XCTAssertTrue(bottom[8].contains("ready"), bottom[8])
        XCTAssertEqual(bottom[7], "40000")
    }

    func testScrollInFullLayoutAndShortTranscript() {
        let session = WorkbenchSession()
        session.submit("1 + 1")
        let size = ScreenSize(width: 100, height: 30)
        // Everything fits: PageUp does nothing and the status line is unchanged.
        session.model.scrollPages(1, screen: size)
        XCTAssertEqual(session.model.scrollBack, 0)
        XCTAssertNil(WorkbenchModel.scrollNotice(0))
        for n in 1...30 { session.submit("z\(n) = \(n)") }
        // Full layout: the transcript pane's title bar is not a text row.
        let layout = Layout(size: size)
        let rows = WorkbenchModel.transcriptRows(screen: size)
        XCTAssertEqual(rows, layout.transcript.height - 1)
        session.model.scrollPages(1, screen: size)
        XCTAssertEqual(session.model.scrollBack, rows - 1)
        let status = screen(for: session, width: 100, height: 30).rendered.components(separatedBy: "\n")[28]
        XCTAssertTrue(status.contains("scrolled back \(rows - 1) lines — PgDn to return"), status)
        XCTAssertEqual(WorkbenchModel.scrollNotice(1), "scrolled back 1 line — PgDn to return")
    }

    func testEnteredLineSnapsBackToBottom() {
        let session = WorkbenchSession()
        for n in 1...40 { session.submit("y\(n) = \(n)") }
        let size = ScreenSize(width: 59, height: 10)
        session.model.scrollPages(2, screen: size)
        XCTAssertEqual(session.model.scrollBack, 14)
        session.submit("6 * 7")
        XCTAssertEqual(session.model.scrollBack, 0)
        let rows = screen(for: session, width: 59, height: 10).rendered.components(separatedBy: "\n")
        XCTAssertEqual(rows[7], "42")
        XCTAssertFalse(rows[8].contains("scrolled back"), rows[8])
        // An empty Enter snaps back too.
        session.model.scrollPages(1, screen: size)
        session.submit("")
        XCTAssertEqual(session.model.scrollBack, 0)
    }

    func testScrollBackClampedAfterResize() {
        let session = WorkbenchSession()
        for n in 1...10 { session.submit("w\(n) = \(n)") }
        session.model.scrollPages(100, screen: ScreenSize(width: 59, height: 10))
        XCTAssertEqual(session.model.scrollBack, 12)
        // Taller now: less to scroll over; the frame and the status line show the clamped value.
        let rows = screen(for: session, width: 59, height: 15).rendered.components(separatedBy: "\n")
        XCTAssertEqual(rows[0], "fluxion> w1 = 1", rows.joined(separator: "\n"))
        XCTAssertTrue(rows[13].contains("scrolled back 7 lines"), rows[13])
    }

    func testWrappedRowCount() {
        let lines = [TranscriptLine(.input, ""), TranscriptLine(.output, String(repeating: "a", count: 10)),
                     TranscriptLine(.output, String(repeating: "b", count: 11))]
        XCTAssertEqual(TranscriptPane.rowCount(lines, width: 10), 1 + 1 + 2)
        XCTAssertEqual(TranscriptPane.rowCount(lines, width: 0), 0)
    }

    // MARK: input history

    func testHistoryPathResolution() {
        XCTAssertEqual(InputHistory.path(environment: ["FLUXION_HISTORY": "/tmp/h", "XDG_STATE_HOME": "/s",
                                                       "HOME": "/home/u"]), "/tmp/h")
        XCTAssertEqual(InputHistory.path(environment: ["XDG_STATE_HOME": "/s", "HOME": "/home/u"]),
                       "/s/fluxion/history")
        XCTAssertEqual(InputHistory.path(environment: ["XDG_STATE_HOME": "/s/", "HOME": "/home/u"]),
                       "/s/fluxion/history")
        XCTAssertEqual(InputHistory.path(environment: ["HOME": "/home/u"]), "/home/u/.local/state/fluxion/history")
        // Empty or relative values do not count.
        XCTAssertEqual(InputHistory.path(environment: ["FLUXION_HISTORY": "", "XDG_STATE_HOME": "",
                                                       "HOME": "/home/u"]), "/home/u/.local/state/fluxion/history")
        XCTAssertEqual(InputHistory.path(environment: ["XDG_STATE_HOME": "state", "HOME": "/home/u"]),
                       "/home/u/.local/state/fluxion/history")
        // No HOME: the fallback home, else nothing.
        XCTAssertEqual(InputHistory.path(environment: [:], home: "/root"), "/root/.local/state/fluxion/history")
        XCTAssertNil(InputHistory.path(environment: [:]))
        XCTAssertNil(InputHistory.path(environment: ["HOME": ""], home: nil))
    }

    func testHistoryEntryPolicy() {
        XCTAssertNil(InputHistory.entry(for: "", previous: nil))
        XCTAssertNil(InputHistory.entry(for: "   \t", previous: "x"))
        XCTAssertEqual(InputHistory.entry(for: "40+2", previous: nil), "40+2")
        XCTAssertEqual(InputHistory.entry(for: "plot(x) ", previous: nil), "plot(x)")
        XCTAssertNil(InputHistory.entry(for: "40+2", previous: "40+2"))
        XCTAssertNil(InputHistory.entry(for: "40+2  ", previous: "40+2"))
        XCTAssertEqual(InputHistory.entry(for: "40+2", previous: "1+1"), "40+2")
        XCTAssertEqual(InputHistory.entry(for: "  2x", previous: nil), "  2x")
    }
}

