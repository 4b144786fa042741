import Foundation

/// A step-through tutorial: a script in Literate.jl style, split into narrative and code cells.
///
/// The format (`tutorials/NAME.flx`, readable and runnable as a plain script):
/// - the first line is `# # Title`;
/// - narrative (markdown) lines start with `# ` or are a lone `#`;
/// - a run of code lines between narrative blocks is one cell; a line `#-` splits two
///   adjacent code cells; blank lines at the edges of a run are not part of the cell;
/// - outcomes are checked with `@assert cond "message"` lines inside cells.
///
/// References: Fredrik Ekre, Literate.jl, "File format" (2018–).
public struct Tutorial: Sendable {
    /// One code cell and the narrative that leads up to it.
    public struct Cell: Sendable, Equatable {
        /// The markdown shown before the code, without the `# ` prefixes; paragraphs are
        /// separated by an empty line. Empty when the cell follows another (`#-`).
        public var narrative: String
        /// The code, as in the file.
        public var code: String
        /// The 1-based lines the code occupies in the file.
        public var lines: ClosedRange<Int>
    }

    /// The name: the file name without `.flx` (`getting-started`).
    public var name: String
    /// The file's path, as diagnostics name it.
    public var path: String
    /// The title from the first line.
    public var title: String
    /// The first paragraph of the narrative, on one line (what a tutorial list shows).
    public var summary: String
    /// The code cells, in order.
    public var cells: [Cell]
    /// Narrative after the last cell (shown when the tutorial is done).
    public var epilogue: String
    /// The whole file: every cell is parsed from it, so diagnostics quote the right lines.
    public let text: String

    /// Reads a tutorial from `text` (the contents of `path`).
    ///
    /// Throws a `TutorialError` naming the line when the title line is missing or there
    /// is no code cell.
    public init(name: String, path: String, text: String) throws {
        self.name = name
        self.path = path
        self.text = text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        guard let first = lines.first, first.hasPrefix("# # "),
              !first.dropFirst(4).trimmingCharacters(in: .whitespaces).isEmpty else {
            throw TutorialError(path: path, line: 1, message: "a tutorial starts with a title line `# # Title`")
        }
        title = first.dropFirst(4).trimmingCharacters(in: .whitespaces)
        var cells: [Cell] = []
        var narrative: [String] = []
        var code: [(line: Int, text: String)] = []
        func endCell() {
            while let last = code.last, last.text.trimmingCharacters(in: .whitespaces).isEmpty { code.removeLast() }
            while let head = code.first, head.text.trimmingCharacters(in: .whitespaces).isEmpty { code.removeFirst() }
            guard let head = code.first, let last = code.last else { return }
            cells.append(Cell(narrative: Tutorial.joinNarrative(narrative), code: code.map(\.text).joined(separator: "\n"),
                              lines: head.line...last.line))
            narrative = []
            code = []
        }
        for (offset, line) in lines.enumerated().dropFirst() {
            if line == "#-" {
                endCell()
            } else if let prose = Tutorial.narrativeText(line) {
                endCell()
                narrative.append(prose)
            } else {
                code.append((offset + 1, line))
            }
        }
        endCell()
        guard !cells.isEmpty else {
            let last = lines.last == "" ? lines.count - 1 : lines.count
            throw TutorialError(path: path, line: last, message: "a tutorial needs at least one code cell")
        }
        self.cells = cells
        epilogue = Tutorial.joinNarrative(narrative)
        let opening = cells[0].narrative.components(separatedBy: "\n\n").first ?? ""
        summary = opening.split(separator: "\n").joined(separator: " ")
    }

    /// Reads the tutorial file at `path`; its name is the file name without `.flx`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TutorialError(path: path, line: nil, message: "cannot read the file")
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        try self.init(name: name, path: path, text: String(decoding: data, as: UTF8.self))
    }

    /// The text of a narrative line (`# text` or a lone `#`), or nil for a code line.
    static func narrativeText(_ line: String) -> String? {
        if line == "#" { return "" }
        guard line.hasPrefix("# ") else { return nil }
        return String(line.dropFirst(2))
    }

    /// Narrative lines as text: blank lines at the edges dropped, runs of blank lines kept
    /// as one paragraph break.
    static func joinNarrative(_ lines: [String]) -> String {
        var paragraphs: [String] = []
        var current: [String] = []
        for line in lines {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
        return paragraphs.joined(separator: "\n\n")
    }

    /// Cell `index` parsed from the whole file, keeping only its own statements and
    /// diagnostics: errors then point at the file's real lines, and an error inside a
    /// function from an earlier cell still quotes the right source.
    public func parse(cell index: Int) -> ParseResult {
        let cell = cells[index]
        var parsed = Syntax.parse(text, file: path)
        parsed.statements = parsed.statements.filter { cell.lines.contains($0.span.line) }
        parsed.diagnostics = parsed.diagnostics.filter { cell.lines.contains($0.span.line) }
        parsed.endsWithSemicolon = Syntax.parse(cell.code, file: path).endsWithSemicolon
        return parsed
    }
}

/// A tutorial file that does not follow the format, or cannot be read.
public struct TutorialError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The 1-based line at fault, if one is.
    public var line: Int?
    /// What is wrong.
    public var message: String

    public var description: String {
        if path.isEmpty { return message }
        return (line.map { "\(path):\($0): " } ?? "\(path): ") + message
    }
}
