import Foundation

/// A stretch of source text: where a token or a syntax node came from.
///
/// Offsets are UTF-8 byte offsets into the file (`start` inclusive, `end` exclusive), so a
/// span can be sliced out of the bytes without decoding. `line` and `column` locate the
/// first byte for people: both are 1-based and `column` counts characters, not bytes, so
/// `θ = 1` puts `=` at column 3.
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
    /// The file (or `<repl>`) the text came from, as shown in diagnostics.
    public var file: String
    /// Byte offset of the first byte.
    public var start: Int
    /// Byte offset one past the last byte; equal to `start` for an empty span (end of input).
    public var end: Int
    /// 1-based line of `start`.
    public var line: Int
    /// 1-based column of `start`, in characters.
    public var column: Int

    /// A span from its parts.
    public init(file: String, start: Int, end: Int, line: Int, column: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
        self.line = line
        self.column = column
    }

    /// The span from the start of `self` to the end of `other` (which should not come first).
    public func through(_ other: SourceSpan) -> SourceSpan {
        if other.end <= start { return self }
        return SourceSpan(file: file, start: start, end: max(end, other.end), line: line, column: column)
    }

    /// An empty span at the end of `self`, for "expected ... here" messages.
    public var endPoint: SourceSpan {
        SourceSpan(file: file, start: end, end: end, line: line, column: column)
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// The text being parsed, with a line index for diagnostics.
///
/// Holds the raw bytes, which need not be valid UTF-8: the lexer reports bad bytes and the
/// renderer shows them as U+FFFD, but nothing here traps on them.
public struct SourceFile: Sendable {
    /// The name shown in diagnostics.
    public let name: String
    /// The text as UTF-8 bytes.
    public let bytes: [UInt8]
    /// Byte offset of the first byte of each line; `lineStarts[0] == 0`.
    let lineStarts: [Int]

    /// A source file from a string.
    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }

    /// A source file from raw bytes, which may hold invalid UTF-8.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    /// Number of lines (a file without a trailing newline still counts its last line).
    public var lineCount: Int { lineStarts.count }

    /// Byte range of 1-based `line` without its line terminator; empty past the end.
    public func lineRange(_ line: Int) -> Range<Int> {
        guard line >= 1, line <= lineStarts.count else { return bytes.count..<bytes.count }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return start..<max(start, end)
    }

    /// The 1-based line holding byte `offset` (offsets past the end map to the last line).
    public func line(containing offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    /// The text of 1-based `line`, invalid bytes shown as U+FFFD.
    public func lineText(_ line: Int) -> String {
        String(decoding: bytes[lineRange(line)], as: UTF8.self)
    }
}
