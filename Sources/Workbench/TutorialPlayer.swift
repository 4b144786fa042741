import Foundation
import Lang

/// Plays a tutorial in the workbench, cell by cell.
///
/// Moving to a cell shows its narrative in the transcript and offers its code on the
/// input line (the terminal puts `takePrefill()` there; a multi-line cell is offered
/// joined with `; ` when that parses to the same program, else listed in the transcript).
/// Enter runs what is on the line as the cell, edited or not; an empty line runs the
/// offered cell. Once the user empties the line the offer is withdrawn and what they type
/// is their own input, which leaves the tutorial where it is. A cell that succeeds moves
/// the tutorial on; one that fails stays, offered again. The status line shows
/// `tutorial NAME — cell 3/9`.
public final class TutorialPlayer {
    /// What an entered line runs as.
    enum Prepared {
        /// The current cell as written: its code (echoed) and the parse from its file.
        case cell(code: String, parsed: ParseResult)
        /// The current cell as the user edited it.
        case edited(String)
    }

    /// The session the tutorial runs in.
    public let session: WorkbenchSession
    /// Where `:tutorial NAME` looks.
    public let library: TutorialLibrary?
    /// The tutorial being played.
    public private(set) var tutorial: Tutorial?
    /// The current cell, 0-based; equal to the cell count once the tutorial is done.
    public private(set) var index = 0
    /// The current cell's code as offered on the input line, nil when it has no one-line form.
    public private(set) var offer: String?
    /// Whether the input line still holds the offer, possibly edited.
    public private(set) var offerKept = false
    /// Text for the input line, taken by the terminal outside readline's line handler.
    private var prefill: String?
    /// The cell the running input is, nil for the user's own input.
    private var runningCell: Int?

    /// A player for `session`, finding tutorials in `library`.
    public init(session: WorkbenchSession, library: TutorialLibrary?) {
        self.session = session
        self.library = library
    }

    // MARK: navigation

    /// Starts `tutorial` at its first cell.
    public func begin(_ tutorial: Tutorial) {
        self.tutorial = tutorial
        runningCell = nil
        session.model.append(.info, "── tutorial \(tutorial.name): \(tutorial.title) ──")
        move(to: 0)
    }

    /// Starts the tutorial called `name` from the library (or the file at path `name`);
    /// errors go to `fail`.
    public func begin(named name: String, fail: (String) -> Void) {
        do {
            begin(try TutorialLibrary.tutorial(name, in: library))
        } catch {
            fail("\(error)")
        }
    }

    /// Moves to cell `target` (clamped), showing its narrative and offering its code.
    public func move(to target: Int) {
        guard let tutorial else { return }
        index = min(max(0, target), tutorial.cells.count)
        showCell()
    }

    /// `:next`, `:prev`, `:restart`: moves by `step` cells, or to the first with `nil`.
    func navigate(by step: Int?, fail: (String) -> Void) {
        guard tutorial != nil else { return fail("no tutorial is running — :tutorial NAME starts one") }
        move(to: step.map { index + $0 } ?? 0)
    }

    /// The status-line context: `tutorial NAME — cell 3/9`, or `— done`.
    public var status: String? {
        guard let tutorial else { return nil }
        let count = tutorial.cells.count
        return "tutorial \(tutorial.name) — " + (index < count ? "cell \(index + 1)/\(count)" : "done")
    }

    private func showCell() {
        guard let tutorial else { return }
        session.model.context = status
        session.model.scrollBack = 0
        guard index < tutorial.cells.count else {
            offer = nil
            prefill = nil
            if !tutorial.epilogue.isEmpty { session.model.append(.narrative, "\n" + tutorial.epilogue) }
            session.model.append(.info, "[tutorial \(tutorial.name) done — :restart plays it again, :tutorials lists the others]")
            return
        }
        let cell = tutorial.cells[index]
        // A blank line sets the prose apart from the output above it.
        if !cell.narrative.isEmpty { session.model.append(.narrative, "\n" + cell.narrative) }
        offer = TutorialPlayer.oneLine(cell.code)
        // The input line shows one line of a long cell at a time: list the cell as written.
        if cell.code.contains("\n") {
            session.model.append(.info, cell.code.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        }
        let onLine = offer == nil ? "" : index == 0 ? " (it is on the input line: edit it first if you like)" : ""
        session.model.append(.info, "[cell \(index + 1)/\(tutorial.cells.count): Enter runs it\(onLine) · :next skips · :prev goes back]")
        prefill = offer
        offerKept = false
    }

    // MARK: input

    /// The offer to put on the input line now, once; the line then holds the offer.
    public func takePrefill() -> String? {
        guard let text = prefill else { return nil }
        prefill = nil
        offerKept = true
        return text
    }

    /// Drops a pending offer (the line already holds typed text).
    public func dropPrefill() { prefill = nil }

    /// Follows the input line: emptying it withdraws the offer.
    public func inputChanged(_ text: String) {
        if text.isEmpty { offerKept = false }
    }

    /// What an entered line runs as; nil when it is the user's own input (or no cell is current).
    func prepare(_ line: String) -> Prepared? {
        // The later lines of an incomplete input belong to whatever its first line was;
        // a busy session takes no input.
        if session.isContinuing || session.isEvaluating { return nil }
        runningCell = nil
        guard let tutorial, index < tutorial.cells.count else { return nil }
        let text = line.trimmingCharacters(in: .whitespaces)
        let cell = tutorial.cells[index]
        if text.isEmpty || (offerKept && text == offer) {
            runningCell = index
            return .cell(code: cell.code, parsed: tutorial.parse(cell: index))
        }
        guard offerKept else { return nil }
        runningCell = index
        return .edited(line)
    }

    /// Starts an entered line on the evaluation thread when it is a tutorial cell;
    /// nil when it is the user's own input (the caller starts it).
    public func start(_ line: String, wake: (@Sendable () -> Void)? = nil) -> WorkbenchSession.Submission? {
        switch prepare(line) {
        case .cell(let code, let parsed)?: return session.start(echoing: code, parsed: parsed, wake: wake)
        case .edited(let text)?: return session.start(text, wake: wake)
        case nil: return nil
        }
    }

    /// Runs an entered line synchronously (cell or own input) and then `evaluationEnded()`.
    public func submit(_ line: String) {
        switch prepare(line) {
        case .cell(let code, let parsed)?: session.submit(echoing: code, parsed: parsed)
        case .edited(let text)?: session.submit(text)
        case nil: session.submit(line)
        }
        evaluationEnded()
    }

    /// After an input ended: a cell that succeeded moves the tutorial on; one that failed
    /// is offered again.
    public func evaluationEnded() {
        guard let cell = runningCell, cell == index, !session.isEvaluating, !session.isContinuing else { return }
        runningCell = nil
        if session.model.error == nil {
            move(to: index + 1)
        } else {
            session.model.append(.info, "[cell \(index + 1) failed: edit it and Enter to retry, or :next skips]")
            prefill = offer
        }
    }

    /// `code` on one line, its lines joined with `; `, when that parses to the same
    /// program; nil otherwise (a comment or an open bracket at a line end).
    static func oneLine(_ code: String) -> String? {
        let lines = code.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count > 1 else { return lines.first }
        let joined = lines.joined(separator: "; ")
        let original = Syntax.parse(code), flat = Syntax.parse(joined)
        guard !original.hasErrors, !flat.hasErrors,
              SExpressionPrinter.print(original.statements) == SExpressionPrinter.print(flat.statements) else { return nil }
        return joined
    }

    // MARK: lists

    /// The first screen of the workbench: what it is and the tutorials to start.
    public func welcome() {
        session.model.append(.info, "Fluxion: universal differential equations. Type code to run it; :help lists the commands.")
        showList()
    }

    /// The tutorials, one a line, and how to start one.
    func showList() {
        guard let library else {
            session.model.append(.info, "Tutorials: " + TutorialLibrary.notFound + ".")
            return
        }
        session.model.append(.info, "Tutorials — :tutorial NAME starts one:\n" + library.menu(summaries: false).joined(separator: "\n"))
    }
}
