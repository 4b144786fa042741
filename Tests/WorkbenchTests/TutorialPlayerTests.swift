import XCTest
import Lang
import TextPlots
@testable import Workbench

/// The tutorial player and the colon commands, driven headlessly: what the transcript,
/// the status line and the input line show as cells run, fail, are edited or skipped.
final class TutorialPlayerTests: XCTestCase {
    static let text = """
        # # Three cells
        # Squares and a plot.
        function square(x)
            x^2
        end
        # Use it.
        y = square(3)
        # A plot for the plot pane.
        plot([square(i) for i in 1:20])
        # Done: squares grow.
        """

    func makePlayer() throws -> (WorkbenchSession, TutorialPlayer, ColonCommands) {
        let session = WorkbenchSession()
        let player = TutorialPlayer(session: session, library: nil)
        let commands = ColonCommands(session: session)
        commands.registerTutorials(player)
        player.begin(try Tutorial(name: "three", path: "three.flx", text: TutorialPlayerTests.text))
        return (session, player, commands)
    }

    func texts(_ session: WorkbenchSession, _ kind: TranscriptLine.Kind) -> [String] {
        session.model.transcript.filter { $0.kind == kind }.map(\.text)
    }

    func testBeginShowsNarrativeStatusAndOffersTheCell() throws {
        let (session, player, _) = try makePlayer()
        XCTAssertEqual(session.model.context, "tutorial three — cell 1/3")
        XCTAssertEqual(texts(session, .narrative), ["", "Squares and a plot."])
        XCTAssertTrue(texts(session, .info).contains("    function square(x)"), "a multi-line cell is listed")
        XCTAssertEqual(player.offer, "function square(x); x^2; end")
        XCTAssertEqual(player.takePrefill(), "function square(x); x^2; end")
        XCTAssertNil(player.takePrefill(), "the offer is handed out once")
        XCTAssertTrue(player.offerKept)
    }

    func testEnterRunsTheOfferedCellAndMovesOn() throws {
        let (session, player, _) = try makePlayer()
        _ = player.takePrefill()
        player.submit("function square(x); x^2; end")
        XCTAssertEqual(player.index, 1)
        XCTAssertEqual(session.model.context, "tutorial three — cell 2/3")
        // The cell is echoed as written, not as the one-line offer.
        XCTAssertEqual(Array(texts(session, .input).prefix(3)), ["fluxion> function square(x)", "       >     x^2", "       > end"])
        XCTAssertTrue(texts(session, .narrative).contains("Use it."))
        XCTAssertEqual(player.takePrefill(), "y = square(3)")
        player.submit("")   // an empty line runs the offered cell too
        XCTAssertEqual(session.interpreter.global("y")?.display, "9")
        XCTAssertEqual(session.model.context, "tutorial three — cell 3/3")
    }

    func testEditedCellRunsAsEditedAndMovesOn() throws {
        let (session, player, _) = try makePlayer()
        player.submit("")
        _ = player.takePrefill()
        player.submit("y = square(4)")
        XCTAssertEqual(session.interpreter.global("y")?.display, "16")
        XCTAssertEqual(player.index, 2)
    }

    func testOwnInputAfterClearingTheLineStaysOnTheCell() throws {
        let (session, player, _) = try makePlayer()
        player.submit("")
        _ = player.takePrefill()
        player.inputChanged("")   // the user emptied the line, then typed their own input
        player.submit("z = 100")
        XCTAssertEqual(session.interpreter.global("z")?.display, "100")
        XCTAssertNil(session.interpreter.global("y"))
        XCTAssertEqual(player.index, 1)
        XCTAssertEqual(session.model.context, "tutorial three — cell 2/3")
        XCTAssertNil(player.takePrefill(), "own input does not put the cell back on the line")
        player.submit("")
        XCTAssertEqual(session.interpreter.global("y")?.display, "9")
    }

    func testFailingCellStaysAndIsOfferedAgain() throws {
        let (session, player, _) = try makePlayer()
        player.submit("undefined_thing")  // own input that fails: the tutorial stays
        XCTAssertNotNil(session.model.error)
        XCTAssertEqual(player.index, 0)
        player.move(to: 1)      // cell 2 calls square, which was never defined
        player.submit("")
        XCTAssertEqual(player.index, 1)
        XCTAssertTrue(session.model.error?.contains("square") == true, session.model.error ?? "no error")
        XCTAssertTrue(texts(session, .info).last?.hasPrefix("[cell 2 failed") == true)
        XCTAssertEqual(player.takePrefill(), "y = square(3)")
        XCTAssertTrue(session.model.transcript.contains { $0.kind == .error && $0.text.contains("three.flx:7:") },
                      "the error names the tutorial's file and line")
    }

    func testColonCommandsNavigate() throws {
        let (session, player, commands) = try makePlayer()
        XCTAssertTrue(commands.handle(":next"))
        XCTAssertEqual(session.model.context, "tutorial three — cell 2/3")
        XCTAssertTrue(commands.handle(":next"))
        XCTAssertTrue(commands.handle(":next"))
        XCTAssertEqual(session.model.context, "tutorial three — done")
        XCTAssertTrue(texts(session, .narrative).contains("Done: squares grow."))
        XCTAssertNil(player.offer)
        XCTAssertTrue(commands.handle(":next"))
        XCTAssertEqual(player.index, 3, "clamped at the end")
        XCTAssertTrue(commands.handle(":prev"))
        XCTAssertEqual(session.model.context, "tutorial three — cell 3/3")
        XCTAssertTrue(commands.handle(" :restart "))
        XCTAssertEqual(player.index, 0)
        XCTAssertTrue(commands.handle(":prev"))
        XCTAssertEqual(player.index, 0, "clamped at the start")
        XCTAssertTrue(texts(session, .input).contains("fluxion> :prev"), "commands are echoed")
    }

    func testCommandErrorsAndHelp() throws {
        let session = WorkbenchSession()
        let player = TutorialPlayer(session: session, library: nil)
        let commands = ColonCommands(session: session)
        commands.registerTutorials(player)
        XCTAssertTrue(commands.handle(":foo"))
        XCTAssertEqual(session.model.error, "unknown command :foo — :help lists the commands")
        XCTAssertTrue(commands.handle(":next"))
        XCTAssertEqual(session.model.error, "no tutorial is running — :tutorial NAME starts one")
        XCTAssertTrue(commands.handle(":tutorial nope"))
        XCTAssertEqual(session.model.error, TutorialLibrary.notFound)
        XCTAssertTrue(commands.handle(":help"))
        XCTAssertNil(session.model.error, "a good command clears the error")
        let help = texts(session, .info).joined(separator: "\n")
        for name in [":help", ":tutorials", ":tutorial NAME", ":next", ":prev", ":restart"] {
            XCTAssertTrue(help.contains("  " + name + " "), "\(name) missing from :help:\n" + help)
        }
        // Symbols and expressions that start with a colon stay the language's.
        XCTAssertFalse(commands.handle(":a == :b"))
        XCTAssertFalse(commands.handle(":x .+ 1"))
        XCTAssertNil(ColonCommands.parse(":(1 + 2)"))
        XCTAssertNil(ColonCommands.parse("x = :next"))
        XCTAssertEqual(ColonCommands.parse(":tutorial  neural-ode ")?.argument, "neural-ode")
        session.submit("x = 1 +")
        XCTAssertFalse(commands.handle(":next"), "a continuation line is not a command")
    }

    func testTutorialCommandStartsFromTheLibrary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("player-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try TutorialPlayerTests.text.write(to: folder.appendingPathComponent("three.flx"), atomically: true, encoding: .utf8)
        let session = WorkbenchSession()
        let player = TutorialPlayer(session: session, library: TutorialLibrary(directory: folder.path))
        let commands = ColonCommands(session: session)
        commands.registerTutorials(player)
        player.welcome()
        let first = texts(session, .info).joined(separator: "\n")
        XCTAssertTrue(first.contains("Tutorials — :tutorial NAME starts one:\n  three  Three cells"), first)
        XCTAssertTrue(commands.handle(":tutorial three"))
        XCTAssertEqual(session.model.context, "tutorial three — cell 1/3")
        XCTAssertTrue(commands.handle(":tutorial nope"))
        XCTAssertTrue(session.model.error?.contains("no tutorial named 'nope' (known: three)") == true,
                      session.model.error ?? "no error")
        // A path plays that file, wherever it is.
        XCTAssertTrue(commands.handle(":tutorial " + folder.appendingPathComponent("three.flx").path))
        XCTAssertNil(session.model.error)
        XCTAssertEqual(session.model.context, "tutorial three — cell 1/3")
    }

    func testOneLineFormsOnlyWhenTheyParseTheSame() {
        XCTAssertEqual(TutorialPlayer.oneLine("a = 1\n\nb = 2"), "a = 1; b = 2")
        XCTAssertEqual(TutorialPlayer.oneLine("for i in 1:2\n    println(i)\nend"), "for i in 1:2; println(i); end")
        XCTAssertNil(TutorialPlayer.oneLine("a = 1  # a comment\nb = 2"))
        XCTAssertNil(TutorialPlayer.oneLine("v = [1,\n     2]"))
    }

    /// The screen while a tutorial runs (100×30): prose and results in the transcript, the
    /// plot in the plot pane, the cell on the input line, the tutorial in the status line.
    func testScreenWhileATutorialRuns() throws {
        let (session, player, _) = try makePlayer()
        player.submit("")
        player.submit("")
        player.submit("")
        XCTAssertEqual(session.model.context, "tutorial three — done")
        player.move(to: 1)
        session.model.inputText = player.takePrefill() ?? ""
        session.model.inputCursor = session.model.inputText.count
        let screen = HeadlessScreen(width: 100, height: 30)
        FramePresenter().present(FrameRenderer.render(session.model, size: screen.size), on: screen)
        let rows = screen.rendered.components(separatedBy: "\n")
        XCTAssertTrue(rows[0].hasPrefix("── Plot"), rows[0])
        XCTAssertTrue(screen.rendered.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "braille plot")
        XCTAssertTrue(rows[28].hasPrefix(" ready  tutorial three — cell 2/3"), rows[28])
        XCTAssertEqual(rows[29], "fluxion> y = square(3)")
        XCTAssertTrue(screen.rendered.contains("[plot: shown in the plot pane]"), screen.rendered)
        XCTAssertTrue(screen.rendered.contains("Use it."), screen.rendered)
    }

    /// On the evaluation thread, as the terminal runs it: the cell starts, its result
    /// arrives as events, then `evaluationEnded` moves on.
    func testAsyncCellRun() throws {
        let (session, player, _) = try makePlayer()
        defer { session.stopEvaluating(timeout: 5) }
        _ = player.takePrefill()
        XCTAssertEqual(player.start("function square(x); x^2; end"), .evaluating)
        XCTAssertNil(player.start(":whatever"), "busy: the player does not take own input")
        let deadline = Date(timeIntervalSinceNow: 20)
        while session.isEvaluating && Date() < deadline {
            session.applyEvents()
            Thread.sleep(forTimeInterval: 0.005)
        }
        XCTAssertFalse(session.isEvaluating)
        player.evaluationEnded()
        XCTAssertEqual(player.index, 1)
        XCTAssertEqual(player.takePrefill(), "y = square(3)")
    }
}
