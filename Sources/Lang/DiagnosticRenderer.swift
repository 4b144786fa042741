import Foundation

/// Renders diagnostics as text: a located header, the source line, a caret underline and a hint.
///
/// ```
/// model.flx:3:12: error: unexpected ')'
///   3 | x = (1 + 2))
///     |            ^
///     = hint: remove it, or add the '(' it should close
/// ```
///
/// The underline is placed by display width, not bytes: `θ` takes one column, a CJK
/// character or an emoji two, and a tab in the source is copied into the underline so the
/// caret lines up in any terminal. Lines with invalid UTF-8 show U+FFFD for each bad byte.
public struct DiagnosticRenderer: Sendable {
    /// The text the diagnostics refer to.
    public let source: SourceFile
    /// Wrap severities and the underline in ANSI colour codes.
    public var useColor: Bool

    /// A renderer for diagnostics about `source`.
    public init(source: SourceFile, useColor: Bool = false) {
        self.source = source
        self.useColor = useColor
    }

    /// All diagnostics, each followed by a newline.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map { render($0) + "\n" }.joined()
    }

    /// One diagnostic, without a trailing newline.
    public func render(_ diagnostic: Diagnostic) -> String {
        let gutter = String(max(diagnostic.span.line, diagnostic.related.map(\.span.line).max() ?? 0)).count
        var lines = [header(diagnostic.span, diagnostic.severity.rawValue, diagnostic.message)]
        lines += excerpt(diagnostic.span, gutter: gutter)
        if let hint = diagnostic.hint {
            lines.append(String(repeating: " ", count: gutter + 3) + "= " + paint("hint:", "1") + " " + hint)
        }
        for related in diagnostic.related {
            lines.append(header(related.span, "note", related.message))
            lines += excerpt(related.span, gutter: gutter)
        }
        return lines.joined(separator: "\n")
    }

    private func header(_ span: SourceSpan, _ severity: String, _ message: String) -> String {
        let code = severity == "error" ? "1;31" : severity == "warning" ? "1;33" : "1;36"
        return paint("\(span):", "1") + " " + paint(severity + ":", code) + " " + message
    }

    /// The source line of `span` and its underline; nothing if the line does not exist.
    private func excerpt(_ span: SourceSpan, gutter: Int) -> [String] {
        guard span.line >= 1, span.line <= source.lineCount else { return [] }
        let range = source.lineRange(span.line)
        let start = min(max(span.start, range.lowerBound), range.upperBound)
        let end = min(max(span.end, start), range.upperBound)
        let text = String(decoding: source.bytes[range], as: UTF8.self)
        let prefix = String(decoding: source.bytes[range.lowerBound..<start], as: UTF8.self)
        let marked = String(decoding: source.bytes[start..<end], as: UTF8.self)
        var pad = ""
        for character in prefix {
            pad += character == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of(character))
        }
        let width = marked.reduce(0) { $0 + ($1 == "\t" ? 1 : DisplayWidth.of($1)) }
        let underline = "^" + String(repeating: "~", count: max(0, width - 1))
        let number = String(span.line)
        let lineGutter = String(repeating: " ", count: gutter - number.count) + number
        let blank = String(repeating: " ", count: gutter)
        return ["  \(lineGutter) | \(text)", "  \(blank) | \(pad)" + paint(underline, "1;32")]
    }

    private func paint(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// Terminal display width of characters, for placing carets.
enum DisplayWidth {
    /// Columns `character` takes in a monospaced terminal: 0 for controls, 2 for East Asian
    /// wide characters and emoji, otherwise 1 (a base letter with combining marks is one
    /// `Character`, hence 1).
    static func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        if scalar.properties.isEmojiPresentation { return 2 }
        return isWide(value) ? 2 : 1
    }

    /// East Asian Wide and Fullwidth blocks (an approximation of UAX #11 that covers CJK,
    /// Hangul, fullwidth forms and the emoji planes).
    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
