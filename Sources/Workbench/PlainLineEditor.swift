import CReadline
import Foundation
import Lang

/// The line editor of the plain REPL at a terminal (`fluxion --plain`, or when curses cannot
/// start): GNU readline through its callback interface, with the workbench's history file and
/// Tab completion of the interpreter's names. Ctrl-C discards the line being typed and gives a
/// fresh prompt, as Julia's REPL does; during an evaluation it interrupts the evaluation (the
/// caller's SIGINT handler calls `interrupt()` on both).
@MainActor
public final class PlainLineEditor {
    private let interpreter: Interpreter
    private let history: ReadlineHistory
    /// A self-pipe: the SIGINT handler writes a byte, the read loop wakes and cancels the line.
    private let pipeRead: Int32, pipeWrite: Int32

    /// What the line handler received (readline calls it with a C function pointer, so it
    /// cannot capture this object).
    nonisolated(unsafe) private static var finished = false
    nonisolated(unsafe) private static var received: String?
    /// The interpreter's names, read before each line (no evaluation runs while one is read).
    nonisolated(unsafe) private static var names: [String] = []
    nonisolated(unsafe) private static var matches: [String] = []
    nonisolated(unsafe) private static var matchIndex = 0

    /// nil when the pipe cannot be made (the caller falls back to plain reading).
    public init?(interpreter: Interpreter, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        pipeRead = fds[0]
        pipeWrite = fds[1]
        _ = fcntl(pipeRead, F_SETFL, O_NONBLOCK)
        _ = fcntl(pipeWrite, F_SETFL, O_NONBLOCK)
        self.interpreter = interpreter
        history = ReadlineHistory(path: InputHistory.path(environment: environment))
        shim_rl_setup_plain()
        rl_variable_bind("revert-all-at-newline", "on")
        // With bracketed paste on, leaving the line writes "\r", which puts Ctrl-C's "^C" over
        // the prompt; pasted lines are read one by one, so nothing is lost without it.
        rl_variable_bind("enable-bracketed-paste", "off")
        shim_rl_set_completion({ text, state in
            let word = text.map { String(cString: $0) } ?? ""
            if state == 0 {
                PlainLineEditor.matches = PlainLineEditor.names.filter { $0.hasPrefix(word) }
                PlainLineEditor.matchIndex = 0
            }
            guard PlainLineEditor.matchIndex < PlainLineEditor.matches.count else { return nil }
            defer { PlainLineEditor.matchIndex += 1 }
            return strdup(PlainLineEditor.matches[PlainLineEditor.matchIndex])
        }, nil)
    }

    /// Called from the SIGINT handler's queue: wakes a pending `readLine` to cancel its line.
    nonisolated public func interrupt() {
        var byte: UInt8 = 1
        _ = write(pipeWrite, &byte, 1)
    }

    /// One line typed after `prompt` (recorded in the history), or nil at end of input (Ctrl-D
    /// on an empty line).
    public func readLine(prompt: String) -> String? {
        if let problem = history.takeProblem() { print(problem) }
        drainPipe()
        Self.names = interpreter.completionNames()
        Self.finished = false
        Self.received = nil
        rl_callback_handler_install(prompt, lineHandler)
        while !Self.finished {
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: pipeRead, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                drainPipe()
                // Ctrl-C: the typed line is dropped and a fresh prompt shown; the request meant
                // for an evaluation must not stop the next one.
                interpreter.discardInterrupt()
                rl_replace_line("", 0)
                rl_callback_handler_remove()
                // readline writes through stdio: its text must reach the terminal before ours.
                fflush(nil)
                FileHandle.standardOutput.write(Data("^C\n".utf8))
                rl_callback_handler_install(prompt, lineHandler)
                continue
            }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { rl_callback_read_char() }
        }
        fflush(nil)
        if let line = Self.received { history.record(line) }
        return Self.received
    }

    nonisolated static func accept(_ line: String?) {
        finished = true
        received = line
    }

    private func drainPipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(pipeRead, &buffer, buffer.count) > 0 {}
    }
}

/// readline's line handler: records the line (nil at end of input) and frees readline's copy.
/// The handler is removed here, inside readline's call, so readline does not draw the next
/// prompt before the entry's output.
private func lineHandler(_ line: UnsafeMutablePointer<CChar>?) {
    rl_callback_handler_remove()
    PlainLineEditor.accept(line.map { String(cString: $0) })
    free(line)
}
