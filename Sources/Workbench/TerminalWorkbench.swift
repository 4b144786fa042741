import CCurses
import CReadline
import Dispatch
import Foundation
import Lang
import TextPlots

/// Signals seen since the UI last looked, and whether an evaluation is running.
///
/// Signals arrive through Dispatch sources on a background queue, never in a raw handler,
/// and never touch curses: they count, interrupt the running evaluation, and wake the UI
/// loop through a pipe (DESIGN.md: only the UI thread calls curses).
final class SignalMailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var interrupts = 0
    private var terminate = false
    private var evaluating = false
    private let interpreter: Interpreter
    private let wakeFD: Int32

    init(interpreter: Interpreter, wakeFD: Int32) {
        self.interpreter = interpreter
        self.wakeFD = wakeFD
    }

    /// Ctrl-C: interrupts the evaluation if one runs, otherwise tells the UI.
    func interrupt() {
        lock.lock()
        if evaluating { interpreter.interrupt() } else { interrupts += 1 }
        lock.unlock()
        wake()
    }

    /// SIGTERM, SIGHUP: stop any evaluation and quit.
    func requestTermination() {
        lock.lock()
        terminate = true
        if evaluating { interpreter.interrupt() }
        lock.unlock()
        wake()
    }

    func setEvaluating(_ value: Bool) {
        lock.lock()
        evaluating = value
        lock.unlock()
    }

    /// The Ctrl-Cs seen since the last call, and whether to quit.
    func take() -> (interrupts: Int, terminate: Bool) {
        lock.lock()
        defer { lock.unlock() }
        let result = (interrupts, terminate)
        interrupts = 0
        return result
    }

    /// Wakes the UI loop (from any thread).
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeFD, &byte, 1)
    }
}

/// The interactive workbench on a terminal: curses screen, readline input line, REPL.
///
/// The main loop polls standard input and a wake-up pipe; key bytes go into a queue that
/// readline's callback interface reads (`rl_getc_function` pops it, the availability hook
/// reports it), which keeps escape and multibyte sequences whole (notes/workbench.md A.5).
/// Frames come from `FrameRenderer` and reach the terminal through `FramePresenter`
/// (changed cells only). A complete input runs on the session's evaluation thread; its
/// output, plots and result arrive as events that the loop applies and draws at most 20
/// times a second, with the status ticking "evaluating 1.2 s". Typing goes on meanwhile;
/// Enter waits (with the rest of the typed-ahead keys) until the evaluation ends.
/// Ctrl-C cancels the line or interrupts the evaluation, never quits;
/// Ctrl-D on an empty line or `exit()` quits. The terminal is restored on every way out
/// that the process survives (quit, `exit()`, SIGTERM, SIGHUP).
@MainActor
public final class TerminalWorkbench {
    /// The running workbench, for readline's C callbacks (which cannot capture context).
    static var current: TerminalWorkbench?

    let session: WorkbenchSession
    let screen: CursesScreen
    let presenter = FramePresenter()
    let mailbox: SignalMailbox
    /// The colon commands and the tutorial player (`TerminalWorkbench+Tutorial.swift`).
    let commands: ColonCommands
    let tutorials: TutorialPlayer
    private let wakeRead: Int32, wakeWrite: Int32
    private var queue: [UInt8] = []
    private var queueStart = 0
    private var quitting = false
    private var sources: [DispatchSourceSignal] = []
    private var history: ReadlineHistory?
    /// Pages asked for by PageUp (+1) and PageDown (−1) since the loop last looked.
    private var pendingScroll = 0
    /// When the last frame was drawn: frames from events come at most 20 times a second.
    private var lastRender = Date.distantPast
    /// The minimum time between frames drawn for evaluation events and the ticking status.
    private static let frameInterval: TimeInterval = 0.05
    /// Enter was typed while an evaluation runs: it and what follows wait in the queue.
    private var holdingInput = false
    private static let busyNotice = "busy — Ctrl-C to interrupt"
    /// Ctrl-D was pressed once while a job runs: a second one quits.
    private var quitAsked = false

    private init(session: WorkbenchSession, screen: CursesScreen, wakeRead: Int32, wakeWrite: Int32) {
        self.session = session
        self.screen = screen
        self.wakeRead = wakeRead
        self.wakeWrite = wakeWrite
        mailbox = SignalMailbox(interpreter: session.interpreter, wakeFD: wakeWrite)
        tutorials = TutorialPlayer(session: session, library: TutorialLibrary.locate())
        commands = session.commands
        commands.registerTutorials(tutorials)
    }

    /// Whether the workbench can run here: stdin and stdout are terminals and TERM is set
    /// and not "dumb".
    public nonisolated static func terminalAvailable(environment: [String: String]) -> Bool {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else { return false }
        guard let term = environment["TERM"], !term.isEmpty, term != "dumb" else { return false }
        return true
    }

    /// Runs the workbench until the user quits, playing `tutorial` if given (else the
    /// first screen lists the tutorials); returns the exit status, or nil when curses
    /// could not start (the caller then falls back to the line REPL). `open` names a
    /// session file to load first (`fluxion open FILE`).
    public static func run(unicode: Bool, open path: String? = nil, tutorial: Tutorial? = nil) -> Int32? {
        let environment = ProcessInfo.processInfo.environment
        var unicode = unicode
        setlocale(LC_ALL, "")
        if !codesetIsUTF8() {
            setlocale(LC_CTYPE, "C.UTF-8")
            if !codesetIsUTF8() { unicode = false }
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        defer {
            close(fds[0])
            close(fds[1])
        }
        guard let screen = CursesScreen(colors: StyledText.colorsEnabled(environment: environment)) else {
            return nil
        }
        let app = TerminalWorkbench(session: WorkbenchSession(unicode: unicode, backgroundTraining: true), screen: screen,
                                    wakeRead: fds[0], wakeWrite: fds[1])
        current = app
        if let path { app.session.open(path) }
        defer {
            app.shutdown()
            current = nil
        }
        if let tutorial { app.tutorials.begin(tutorial) } else { app.tutorials.welcome() }
        app.start()
        app.loop()
        return app.session.exitRequest ?? 0
    }

    private static func codesetIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    // MARK: set-up and shutdown

    private func start() {
        // After newterm, so ncurses keeps its own SIGWINCH handler.
        sources = TerminalWorkbench.signalSources(mailbox)
        let mailbox = self.mailbox
        // On the evaluation thread, as soon as an evaluation returns: a later Ctrl-C no
        // longer interrupts it (and so cannot leak into the next input).
        session.setDidEvaluate { mailbox.setEvaluating(false) }
        session.jobs?.wake = { mailbox.wake() }
        shim_rl_setup_for_curses(
            { _ in MainActor.assumeIsolated { TerminalWorkbench.current?.popByte() ?? -1 } },
            { MainActor.assumeIsolated { TerminalWorkbench.current?.inputPending == true ? 1 : 0 } },
            { MainActor.assumeIsolated { TerminalWorkbench.current?.readlineRedisplay() } })
        if let null = fopen("/dev/null", "w") { shim_rl_set_outstream(null) }
        rl_variable_bind("bell-style", "none")
        rl_variable_bind("revert-all-at-newline", "on")
        // Tab completes the interpreter's names (read between evaluations, never during one).
        shim_rl_set_completion({ text, state in
            let word = text.map { String(cString: $0) } ?? ""
            // The match crosses the actor boundary as an address (pointers are not Sendable).
            let address = MainActor.assumeIsolated {
                TerminalWorkbench.current?.complete(word, state).map { UInt(bitPattern: $0) } ?? 0
            }
            return UnsafeMutablePointer<CChar>(bitPattern: address)
        }, { matches, count, _ in
            guard let matches else { return }
            var names: [String] = []
            if count > 0 {
                for n in 1...Int(count) { if let match = matches[n] { names.append(String(cString: match)) } }
            }
            let list = names.joined(separator: "  ")
            MainActor.assumeIsolated { TerminalWorkbench.current?.showCompletions(list) }
        })
        history = ReadlineHistory(path: InputHistory.path(environment: ProcessInfo.processInfo.environment,
                                                          home: NSHomeDirectory()))
        reportHistoryProblem()
        render()
        rl_callback_handler_install(WorkbenchSession.prompt, { line in
            var text: String?
            if let line {
                text = String(cString: line)
                free(line)
            }
            let input = text
            MainActor.assumeIsolated { TerminalWorkbench.current?.acceptLine(input) }
        })
        // After the handler install, which reads inputrc once: these bindings win.
        // The commands only note the request; the loop scrolls and redraws.
        rl_bind_keyseq("\\e[5~", { _, _ in
            MainActor.assumeIsolated { TerminalWorkbench.current?.pendingScroll += 1 }
            return 0
        })
        rl_bind_keyseq("\\e[6~", { _, _ in
            MainActor.assumeIsolated { TerminalWorkbench.current?.pendingScroll -= 1 }
            return 0
        })
        // Ctrl-O and F6 move the focus (the pane PageUp/PageDown scroll).
        for keys in ["\\C-o", "\\e[17~"] {
            rl_bind_keyseq(keys, { _, _ in
                MainActor.assumeIsolated { TerminalWorkbench.current?.cycleFocus() }
                return 0
            })
        }
    }

    /// Shows a history read or write failure once, in the transcript and the status line.
    private func reportHistoryProblem() {
        guard let problem = history?.takeProblem() else { return }
        session.model.append(.info, problem)
        session.model.lastResult = problem
    }

    /// Dispatch sources for SIGINT, SIGTERM and SIGHUP. Nonisolated: the handlers run on a
    /// background queue and must not inherit the main actor's isolation.
    private nonisolated static func signalSources(_ mailbox: SignalMailbox) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if number == SIGINT { mailbox.interrupt() } else { mailbox.requestTermination() }
            }
            source.resume()
            return source
        }
    }

    private func shutdown() {
        session.jobs?.stopAll()
        if session.isEvaluating {
            mailbox.requestTermination()
        }
        // An evaluation that ignores the interrupt (a long builtin) does not keep us here.
        session.stopEvaluating(timeout: 2)
        rl_callback_handler_remove()
        screen.end()
        for source in sources { source.cancel() }
        for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_DFL) }
    }

    // MARK: the loop

    private func loop() {
        while !quitting {
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            // A bounded wait: a resize (SIGWINCH, handled by ncurses) shows up as KEY_RESIZE
            // from the next wgetch even when poll was not interrupted on this thread.
            _ = poll(&fds, 2, pollTimeout())
            var drain = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &drain, drain.count) > 0 {}
            let (interrupts, terminate) = mailbox.take()
            if terminate { return }
            if interrupts > 0 { cancelInput() }
            readKeys()
            feedReadline()
            applyScroll()
            showEvaluation()
            showJobs()
            // After the evaluation ended and before more keys are read: typed keys then
            // edit the offered cell rather than race it.
            offerTutorialCell()
            if !session.isEvaluating, session.exitRequest != nil { return }
        }
    }

    /// How long poll may wait, in whole milliseconds rounded up: until the next frame may
    /// be drawn when events wait, the next status tick while evaluating, else 100 ms.
    private func pollTimeout() -> Int32 {
        if jobsNeedRefresh { return 50 }
        guard session.isEvaluating || session.hasEvents else { return 100 }
        let sinceFrame = Date().timeIntervalSince(lastRender)
        let untilFrame = TerminalWorkbench.frameInterval - sinceFrame
        if session.hasEvents { return Int32(max(0, (untilFrame * 1000).rounded(.up))) }
        return Int32(max(untilFrame * 1000, 100).rounded(.up))
    }

    /// Applies evaluation events and ticks the "evaluating" status, drawing at most 20
    /// frames a second and only when something changed. When the evaluation ends, held
    /// typeahead goes on to readline.
    private func showEvaluation() {
        guard session.isEvaluating || session.hasEvents else { return }
        guard Date().timeIntervalSince(lastRender) >= TerminalWorkbench.frameInterval else { return }
        var changed = session.applyEvents()
        if session.isEvaluating {
            let mode = session.evaluatingMode()
            if mode != session.model.mode {
                session.model.mode = mode
                changed = true
            }
        } else if changed {
            finishEvaluation()
        }
        if changed { render() }
    }

    /// Whether a job is active, or the panes still show one as active (its end is yet to be shown).
    private var jobsNeedRefresh: Bool { session.hasActiveJobs || session.model.job?.state.isActive == true }

    /// Redraws from the jobs' latest snapshots when they changed, no sooner than 50 ms after
    /// the last frame of any kind (at most 20 frames a second; the training thread never
    /// touches the screen).
    private func showJobs() {
        guard jobsNeedRefresh, Date().timeIntervalSince(lastRender) >= TerminalWorkbench.frameInterval else { return }
        if session.refreshJobs() { render() }
    }

    /// Ctrl-O, F6: the next pane takes PageUp/PageDown.
    func cycleFocus() {
        session.model.cycleFocus(screen: screen.size)
        render()
    }

    /// After an evaluation ended: the status, the prompt, and typed-ahead input.
    private func finishEvaluation() {
        if holdingInput {
            holdingInput = false
            if session.model.lastResult == TerminalWorkbench.busyNotice { session.model.lastResult = nil }
        }
        reportHistoryProblem()
        tutorials.evaluationEnded()
        rl_set_prompt(session.model.prompt)
        if session.exitRequest != nil {
            quitting = true
            return
        }
        feedReadline()
    }

    private func readKeys() {
        while let code = screen.nextKey() {
            if code == KEY_RESIZE {
                presenter.invalidate()
                render()
            } else if code == 12 {
                // Ctrl-L: repaint everything.
                screen.repaintAll()
                presenter.invalidate()
                render()
            } else if code >= 0, code < 256 {
                queue.append(UInt8(code))
            }
        }
    }

    private func feedReadline() {
        while hasQueuedBytes, !quitting {
            // While an evaluation runs, Enter and what follows wait: the line stays editable.
            if session.isEvaluating, queue[queueStart] == 13 || queue[queueStart] == 10 {
                if !holdingInput {
                    holdingInput = true
                    session.model.lastResult = TerminalWorkbench.busyNotice
                    render()
                }
                return
            }
            let before = queue.count - queueStart
            rl_callback_read_char()
            if queue.count - queueStart == before { break }
        }
        if !hasQueuedBytes {
            queue.removeAll(keepingCapacity: true)
            queueStart = 0
        }
    }

    var hasQueuedBytes: Bool { queueStart < queue.count }

    /// Scrolls the transcript by the pages PageUp/PageDown asked for, and redraws.
    private func applyScroll() {
        guard pendingScroll != 0 else { return }
        if session.model.focus == .parameters {
            // PageDown (−1) goes down the table.
            session.model.scrollParameters(-pendingScroll, screen: screen.size)
        } else {
            session.model.scrollPages(pendingScroll, screen: screen.size)
        }
        pendingScroll = 0
        render()
    }

    /// What readline's availability hook reports: queued bytes, but only inside an escape
    /// or multibyte sequence (after ESC or a non-ASCII byte), where readline asks in order
    /// to keep the sequence whole. Reporting plain typed-ahead ASCII makes readline's
    /// self-insert batch it and push the following key (Enter) back as pending input, which
    /// the callback interface only acts on at the next call: a pasted `end⏎` was lost.
    var inputPending: Bool { hasQueuedBytes && (lastPopped == 0x1B || lastPopped >= 0x80) }
    private var lastPopped: UInt8 = 0
    /// Tab completion: the names last read from the interpreter, and the current matches.
    private var completionNames: [String] = []
    private var completionMatches: [String] = []
    private var completionIndex = 0

    func popByte() -> Int32 {
        guard hasQueuedBytes else { return -1 }
        let byte = queue[queueStart]
        queueStart += 1
        lastPopped = byte
        return Int32(byte)
    }

    // MARK: readline callbacks

    func readlineRedisplay() {
        let prompt = shim_rl_display_prompt().map { String(cString: $0) } ?? session.model.prompt
        var text = "", cursor = 0
        if let buffer = shim_rl_line_buffer() {
            let count = Int(shim_rl_end()), point = Int(shim_rl_point())
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self),
                                            count: max(0, count))
            text = String(decoding: bytes, as: UTF8.self)
            cursor = String(decoding: bytes.prefix(max(0, point)), as: UTF8.self).count
        }
        session.model.prompt = prompt
        tutorials.inputChanged(text)
        session.model.inputText = text
        session.model.inputCursor = cursor
        render()
    }

    func acceptLine(_ line: String?) {
        guard let line else {
            // Ctrl-D on an empty line while a job trains asks first; a second one quits.
            if session.hasActiveJobs, !quitAsked {
                quitAsked = true
                let notice = "a training job is running — Ctrl-D again quits and stops it"
                session.model.notice = notice
                session.model.append(.info, notice)
                render()
                return
            }
            // Ctrl-D on an empty line: interrupt a running evaluation, then quit.
            if session.isEvaluating { mailbox.requestTermination() }
            quitting = true
            return
        }
        history?.record(line)
        quitAsked = false
        session.model.notice = nil
        session.model.inputText = ""
        session.model.inputCursor = 0
        if commands.handle(line) {
            render()
            return
        }
        mailbox.setEvaluating(true)
        let mailbox = self.mailbox
        let wake: @Sendable () -> Void = { mailbox.wake() }
        if (tutorials.start(line, wake: wake) ?? session.start(line, wake: wake)) != .evaluating {
            mailbox.setEvaluating(false)
        }
        pendingScroll = 0
        reportHistoryProblem()
        rl_set_prompt(session.model.prompt)
        render()
    }

    /// readline's generator: the names starting with `text`, one per call (state 0 starts a
    /// new completion), each a malloc'd copy readline frees.
    func complete(_ text: String, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
        if state == 0 {
            if !session.isEvaluating { completionNames = session.interpreter.completionNames() }
            completionMatches = completionNames.filter { $0.hasPrefix(text) }
            completionIndex = 0
        }
        guard completionIndex < completionMatches.count else { return nil }
        defer { completionIndex += 1 }
        return strdup(completionMatches[completionIndex])
    }

    func showCompletions(_ list: String) {
        session.model.append(.info, list)
        render()
    }

    private func cancelInput() {
        if shim_rl_end() > 0 || session.isContinuing {
            session.cancelPending()
            session.model.append(.info, "^C")
            rl_set_prompt(session.model.prompt)
            shim_rl_cancel_line()
        } else if session.pauseRunningJob() == nil {
            session.model.lastResult = "Ctrl-D or exit() quits"
        }
        render()
    }

    // MARK: drawing

    /// Draws the current model; only changed cells reach the terminal.
    func render() {
        lastRender = Date()
        presenter.present(FrameRenderer.render(session.model, size: screen.size), on: screen)
    }
}
