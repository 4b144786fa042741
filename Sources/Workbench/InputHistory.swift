import CReadline
import Foundation

/// Input history kept across sessions in a plain file (one entry a line, readline's
/// format), at most `maximumEntries` long.
///
/// The pure parts (where the file lives, which lines are recorded) are static functions
/// so that tests can call them without readline or a real environment. Reading or
/// writing the file never stops the workbench: a failure disables saving and is reported
/// once, as a message for the status line.
public enum InputHistory {
    /// Entries kept in memory and in the file.
    public static let maximumEntries = 1000

    /// The history file: `$FLUXION_HISTORY` if set, else `$XDG_STATE_HOME/fluxion/history`,
    /// else `~/.local/state/fluxion/history` (`home` is used when HOME is not set); nil
    /// when none of them is known. Empty variables count as unset; a relative
    /// XDG_STATE_HOME is ignored, as the XDG base-directory specification says.
    public static func path(environment: [String: String], home: String? = nil) -> String? {
        if let explicit = environment["FLUXION_HISTORY"], !explicit.isEmpty { return explicit }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return directory(state, appending: "fluxion/history")
        }
        if let home = environment["HOME"].flatMap({ $0.isEmpty ? nil : $0 }) ?? home, !home.isEmpty {
            return directory(home, appending: ".local/state/fluxion/history")
        }
        return nil
    }

    private static func directory(_ base: String, appending tail: String) -> String {
        (base.hasSuffix("/") ? base : base + "/") + tail
    }

    /// What to record for an entered `line` after `previous`: nil for a blank line or a
    /// repeat of the previous entry, otherwise the line without trailing whitespace (Tab
    /// completion leaves a space).
    public static func entry(for line: String, previous: String?) -> String? {
        var text = Substring(line)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        guard !text.isEmpty, !text.contains(where: \.isNewline) else { return nil }
        let entry = String(text)
        return entry == previous ? nil : entry
    }
}

/// readline's history list, loaded from and appended to `InputHistory`'s file. Only the
/// UI thread uses it (readline is not thread-safe).
@MainActor
final class ReadlineHistory {
    /// The file, nil once saving failed (or when no location is known).
    private(set) var path: String?
    private var previous: String?
    /// The message for the status line after a failure, handed out once by `takeProblem()`.
    private var problem: String?

    /// Loads the file at `path` (a missing file is an empty history), capped at the maximum.
    init(path: String?) {
        self.path = path
        using_history()
        stifle_history(Int32(InputHistory.maximumEntries))
        guard let path else { return }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                fail("cannot create \(directory)")
                return
            }
        }
        let status = read_history(path)
        if status != 0, status != ENOENT {
            fail("cannot read \(path): \(String(cString: strerror(status)))")
            return
        }
        if status == 0 { _ = history_truncate_file(path, Int32(InputHistory.maximumEntries)) }
        let count = Int(shim_history_length())
        if count > 0, let list = history_list(), let last = list[count - 1], let line = last.pointee.line {
            previous = String(cString: line)
        }
    }

    /// Records an entered line in memory and in the file (blank lines and repeats skipped).
    func record(_ line: String) {
        guard let entry = InputHistory.entry(for: line, previous: previous) else { return }
        previous = entry
        add_history(entry)
        guard let path else { return }
        let status = FileManager.default.fileExists(atPath: path) ? append_history(1, path) : write_history(path)
        if status != 0 {
            fail("cannot write \(path): \(String(cString: strerror(status)))")
            return
        }
        _ = history_truncate_file(path, Int32(InputHistory.maximumEntries))
    }

    /// The failure message, once.
    func takeProblem() -> String? {
        defer { problem = nil }
        return problem
    }

    private func fail(_ message: String) {
        path = nil
        problem = "history not saved: " + message
    }
}
