import Foundation

/// One problem found in source text: an error that stops the program running, a warning,
/// or a note (such as "`using` is ignored").
///
/// Every phase reports through this one type, so the REPL, `fluxion run` and the tests show
/// errors the same way (`DiagnosticRenderer`).
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    /// How bad it is.
    public enum Severity: String, Sendable, Equatable {
        /// The input cannot run.
        case error
        /// The input runs, but probably not as meant.
        case warning
        /// Information, such as a line that is accepted and ignored.
        case note
    }

    /// A second location that explains the first, e.g. the `function` a missing `end` belongs to.
    public struct Related: Sendable, Equatable {
        /// What this location is, e.g. "'(' opened here".
        public var message: String
        /// Where.
        public var span: SourceSpan

        /// A related location from its parts.
        public init(message: String, span: SourceSpan) {
            self.message = message
            self.span = span
        }
    }

    /// How bad it is.
    public var severity: Severity
    /// One line, lower case, no final period: "expected ')' to close '('".
    public var message: String
    /// Where; the caret goes under it.
    public var span: SourceSpan
    /// What to do about it, if there is something useful to say.
    public var hint: String?
    /// Other locations that explain this one.
    public var related: [Related]
    /// True when more input could fix it (an unclosed bracket, block, string or comment at
    /// the end of the text): the REPL then reads another line instead of reporting.
    public var isIncompleteInput: Bool

    /// A diagnostic from its parts.
    public init(severity: Severity = .error, message: String, span: SourceSpan, hint: String? = nil,
                related: [Related] = [], isIncompleteInput: Bool = false) {
        self.severity = severity
        self.message = message
        self.span = span
        self.hint = hint
        self.related = related
        self.isIncompleteInput = isIncompleteInput
    }

    /// `file:line:column: severity: message`, without the source excerpt.
    public var description: String { "\(span): \(severity.rawValue): \(message)" }
}
