#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a figure could not be saved.
public struct PlotFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path that was being written.
    public var path: String
    /// What went wrong (the system's message where there is one).
    public var reason: String

    /// "cannot save figure to <path>: <reason>".
    public var description: String { "cannot save figure to \(path): \(reason)" }
}

extension PlotRenderable {
    /// Writes the figure to `path`: plain text (the `render()` output and a final newline) when
    /// the path ends in `.txt`, otherwise an SVG document of `width` × `height` pixels.
    ///
    /// The write is atomic: the bytes go to a new temporary file in the same directory, which
    /// is flushed to disk and then renamed over `path`, so a reader sees either the old file or
    /// the complete new one. On failure the temporary file is removed and a `PlotFileError`
    /// names the path and the reason.
    public func savefig(path: String, width: Int = 720, height: Int = 450) throws {
        let contents: String
        if path.lowercased().hasSuffix(".txt") {
            contents = render().plainString + "\n"
        } else {
            contents = svg(width: width, height: height)
        }
        try AtomicFile.write(Array(contents.utf8), to: path)
    }
}

/// Atomic replacement of a file: temporary file in the same directory, fsync, rename.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        guard !path.isEmpty else { throw PlotFileError(path: path, reason: "the path is empty") }
        let directory: String
        let name: String
        if let slash = path.lastIndex(of: "/") {
            directory = String(path[..<slash])
            name = String(path[path.index(after: slash)...])
        } else {
            directory = ""
            name = path
        }
        guard !name.isEmpty, name != ".", name != ".." else {
            throw PlotFileError(path: path, reason: "the path names a directory, not a file")
        }
        var descriptor: Int32 = -1
        var temporary = ""
        for attempt in 0..<100 {
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
            temporary = (path.hasPrefix("/") || !directory.isEmpty ? directory + "/" : "")
                + ".\(name).\(getpid()).\(suffix).tmp"
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if descriptor >= 0 { break }
            if errno != EEXIST || attempt == 99 {
                throw PlotFileError(path: path, reason: systemMessage())
            }
        }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let n = systemWrite(descriptor, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = systemMessage()
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = systemMessage() }
        if close(descriptor) != 0, failure == nil { failure = systemMessage() }
        if failure == nil, rename(temporary, path) != 0 { failure = systemMessage() }
        if let failure {
            unlink(temporary)
            throw PlotFileError(path: path, reason: failure)
        }
    }

    /// The message for the current `errno`.
    static func systemMessage() -> String {
        let code = errno
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

/// The C `write`, under a name that does not clash with Swift's.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
