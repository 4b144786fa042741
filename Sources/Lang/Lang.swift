// Lang: the Fluxion language, a small Julia-flavoured language for the workbench.
//
// Phases (shared/DESIGN.md, shared/LANGUAGE.md, shared/STYLE.md "Interpreters"):
// - front end (this session): `Lexer` -> tokens with spans, `Parser` (recursive descent
//   for statements, Pratt for expressions) -> `Expr` trees, `Diagnostic`s rendered by
//   `DiagnosticRenderer`; printers for canonical source and s-expressions;
// - interpreter core: `Value` (Value.swift, Value+Printing.swift), `Environment` (scopes),
//   `Interpreter` (Interpreter*.swift: evaluation, calls, assignment, indexing, loops,
//   arithmetic, broadcasting), `LangError` (run-time errors as diagnostics), the builtin
//   table (Builtin.swift, Builtins*.swift), and `Runner` (`fluxion run` and the plain REPL);
// - builtins binding the engine (ODEProblem, solve, Chain, train, ...): next.
//
// The front end imports nothing but Foundation, so it can be tested and fuzzed on its own;
// the interpreter uses Autodiff's seeded generator for `rand`.
import Foundation

/// The result of parsing a text: its statements, and what was wrong with it.
public struct ParseResult: Sendable {
    /// The top-level statements, in order. A statement that failed to parse is an `.error` node.
    public var statements: [Expr]
    /// Errors, warnings and notes, in source order; at most `Syntax.maxErrors` errors.
    public var diagnostics: [Diagnostic]
    /// The text that was parsed (for rendering diagnostics).
    public var source: SourceFile
    /// The text ends with `;` (comments aside): as in Julia's REPL, the value of the last
    /// statement is not shown.
    public var endsWithSemicolon: Bool

    /// Whether any diagnostic is an error (the statements must not run).
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The errors only.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    /// True when every error would go away with more input: an unclosed block, bracket,
    /// string or comment at the end. The REPL then reads another line.
    public var isIncomplete: Bool {
        let errors = self.errors
        return !errors.isEmpty && errors.allSatisfy(\.isIncompleteInput)
    }

    /// All diagnostics rendered with source excerpts.
    public func renderedDiagnostics(useColor: Bool = false) -> String {
        DiagnosticRenderer(source: source, useColor: useColor).render(diagnostics)
    }
}

/// Entry points of the front end.
public enum Syntax {
    /// At most this many errors are reported for one text.
    public static let maxErrors = Parser.maxErrors
    /// Deeper nesting is an error rather than a risk to the stack.
    public static let maxDepth = Parser.maxDepth

    /// Parses `text`, naming it `file` in diagnostics. Never traps, whatever the text.
    public static func parse(_ text: String, file: String = "<repl>") -> ParseResult {
        parse(bytes: Array(text.utf8), file: file)
    }

    /// Parses raw bytes, which may hold invalid UTF-8 (reported as errors).
    public static func parse(bytes: [UInt8], file: String = "<repl>") -> ParseResult {
        LargeStack.run { parseOnCurrentThread(bytes: bytes, file: file) }
    }

    /// `parse(bytes:file:)` on the caller's stack, for callers already on a large stack
    /// (`LargeStack.run`): at the nesting limit a debug build needs about 12 MB.
    public static func parseOnCurrentThread(bytes: [UInt8], file: String = "<repl>") -> ParseResult {
        let source = SourceFile(name: file, bytes: bytes)
        let (tokens, lexical) = Lexer.tokenize(bytes, file: file)
        let parser = Parser(tokens: tokens)
        let statements = parser.parseProgram()
        let last = tokens.count >= 2 ? tokens[tokens.count - 2].kind : .endOfInput
        return ParseResult(statements: statements, diagnostics: merge(lexical, parser.diagnostics), source: source,
                           endsWithSemicolon: last == .semicolon)
    }

    /// The tokens of `text` and the lexical errors (for tests and syntax colouring).
    public static func tokenize(_ text: String, file: String = "<repl>") -> (tokens: [Token], diagnostics: [Diagnostic]) {
        Lexer.tokenize(Array(text.utf8), file: file)
    }

    /// Lexer and parser diagnostics in source order, errors capped at `maxErrors`; when
    /// the parser met the same place as the lexer, the lexer's (more precise) error wins.
    static func merge(_ lexical: [Diagnostic], _ syntactic: [Diagnostic]) -> [Diagnostic] {
        let lexicalStarts = Set(lexical.map(\.span.start))
        let all = (lexical + syntactic.filter { $0.severity != .error || !lexicalStarts.contains($0.span.start) })
            .enumerated()
            .sorted { ($0.element.span.start, $0.offset) < ($1.element.span.start, $1.offset) }
            .map(\.element)
        var result: [Diagnostic] = []
        var errors = 0
        for diagnostic in all {
            if diagnostic.severity == .error {
                errors += 1
                if errors > maxErrors {
                    result.append(Diagnostic(severity: .note, message: "too many errors; stopped after \(maxErrors)",
                                             span: diagnostic.span))
                    break
                }
            }
            result.append(diagnostic)
        }
        return result
    }
}
