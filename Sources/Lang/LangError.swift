import Foundation

/// A run-time error: a message, where it happened, and what to do about it.
///
/// Errors are values: evaluation returns them, the process never traps. They render
/// through `DiagnosticRenderer` like parse errors (file:line:column, the line, a caret).
public struct LangError: Error, Sendable, Equatable {
    /// One line, lower case: "BoundsError: attempt to access 3-element Vector{Float64} at index [4]".
    public var message: String
    /// The expression that failed.
    public var span: SourceSpan
    /// What to do about it.
    public var hint: String?

    /// An error from its parts.
    public init(_ message: String, at span: SourceSpan, hint: String? = nil) {
        self.message = message
        self.span = span
        self.hint = hint
    }

    /// The error as a diagnostic.
    public var diagnostic: Diagnostic { Diagnostic(severity: .error, message: message, span: span, hint: hint) }
}

/// Non-local exits; they travel as Swift errors to the loop or call that handles them.
enum ControlFlow: Error {
    case breakLoop
    case continueLoop
    case returnValue(Value)
    /// `exit()`: the interpreter's `exitRequest` holds the status.
    case exit
}

/// Edit distance, for "did you mean" hints.
enum Spelling {
    /// Levenshtein distance between `a` and `b`, by characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[y.count]
    }

    /// The closest of `candidates` to `name`, if close enough to be a likely typo.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        // Every one-letter name is one edit from every other (x → π): no useful guess there.
        guard name.count > 1 else { return nil }
        let limit = max(1, min(2, name.count / 3))
        let scored = Set(candidates).filter { $0 != name }.map { ($0, distance(name.lowercased(), $0.lowercased())) }
            .filter { $0.1 <= limit }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        return scored.first?.0
    }
}
