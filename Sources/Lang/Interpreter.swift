import Foundation
import Autodiff
import TextPlots

/// What evaluating a text gave: the value of its last statement, or the errors.
public struct Evaluation: Sendable {
    /// The value of the last statement run (`nothing` for an empty text).
    public var value: Value
    /// Parse errors, or the run-time error that stopped the run; notes (such as `using`) too.
    public var diagnostics: [Diagnostic]
    /// The text, for rendering diagnostics.
    public var source: SourceFile
    /// The text ends with `;`: the REPL does not show the value.
    public var endsWithSemicolon: Bool

    /// Earlier texts that diagnostics may point into (a function defined in an earlier REPL entry).
    public var sources: [String: SourceFile] = [:]

    /// Whether the run failed.
    public var failed: Bool { diagnostics.contains { $0.severity == .error } }

    /// The diagnostics rendered with source excerpts and carets.
    public func renderedDiagnostics(useColor: Bool = false) -> String {
        diagnostics.map { diagnostic in
            let file = diagnostic.span.file == source.name ? source : sources[diagnostic.span.file] ?? source
            return DiagnosticRenderer(source: file, useColor: useColor).render(diagnostic) + "\n"
        }.joined()
    }
}

/// The tree-walking interpreter: global scope, builtins and the output sink.
///
/// `evaluate(source:file:)` parses, then runs the statements in order on a thread with a
/// large stack (`LargeStack`); the first run-time error stops the run and comes back as a
/// diagnostic. `interrupt()` may be called from any thread (a SIGINT handler, the UI);
/// loops and calls check the flag and stop with an "interrupted" error.
public final class Interpreter: @unchecked Sendable {
    /// The global scope.
    let globals: Environment
    /// The builtins, by name (also bound in `globals`, where users may shadow them).
    var builtins: [String: FunctionValue] = [:]
    /// The user's struct types, by name (`Structs.swift`).
    var structTypes: [String: StructType] = [:]
    /// Where `print` and `println` write.
    var output: (String) -> Void
    /// Nesting depth of broadcasts over traced values: operators there act elementwise.
    var tracingElementwise = 0
    /// The seeded generator behind `rand` and `randn`.
    var random: RandomSource
    /// Nested user calls, to refuse runaway recursion before the stack runs out.
    var callDepth = 0
    /// Deeper recursion is an error.
    public static let maxCallDepth = 100_000
    /// Stack the evaluation may use before a call is refused: the large stack less room
    /// for the deepest expression the parser accepts (about 12 MB in a debug build).
    static let stackBudget = UInt(evaluationStackSize - (16 << 20))
    /// The stack evaluation runs on: reserved, and committed only as deep recursion touches it.
    /// A debug build spends up to ~60 KB of it per nested language call.
    static let evaluationStackSize = 512 << 20
    /// Address of a local at the start of the statement being run (the stack grows down).
    var stackBase: UInt = 0
    /// The note about ignored `using` lines has been shown (it is shown once per session).
    var shownUsingNote = false
    /// Every text run so far, by file name, for rendering errors that point into them.
    var sources: [String: SourceFile] = [:]
    /// Lengths of the dimensions being indexed, innermost last: what `end` means.
    var indexBounds: [Int] = []
    /// Plots draw with Unicode braille (true) or plain ASCII (false, `--no-unicode`).
    public var unicode = true
    /// The plot `plot!` and `scatter!` add to when not given one: the last one made.
    var currentPlot: PlotObject?
    /// Called with a copy of every plot that `plot`, `scatter`, `plot!` or `scatter!` makes or
    /// changes, on the evaluating thread (the workbench shows plots live while a loop runs).
    public var plotted: ((Plot) -> Void)?
    /// When set, `train` reports its progress here (on the evaluating thread, at most ten
    /// times a second plus a final report) instead of printing throttled progress lines.
    public var trainingProgress: ((TrainingProgress) -> Void)?
    /// When set (the workbench), `train` starts a background job here and returns it at once
    /// (`Builtins+Jobs.swift`); scripts and the line REPL train synchronously.
    public var jobs: TrainingJobs?
    /// The job this interpreter trains for (a job's snapshot interpreter): its pause, resume
    /// and stop reach the training loop, which reports every iteration to it.
    var trainingJob: TrainingJob?
    /// The cells run so far and what saving a session needs (`SessionCell.swift`).
    public let session = SessionState()
    /// Set by `exit()`: the status the runner should exit with.
    public internal(set) var exitRequest: Int32?
    private let interruptLock = NSLock()
    private var interruptRequested = false

    /// An interpreter whose output goes to `output` (standard output by default).
    public init(seed: UInt64 = 42, output: @escaping (String) -> Void = { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }) {
        self.globals = Environment(parent: nil)
        self.output = output
        self.random = RandomSource(seed: seed)
        session.seed = seed
        installPrelude()
    }

    /// Asks the running evaluation to stop at the next loop iteration or call.
    public func interrupt() {
        interruptLock.lock()
        interruptRequested = true
        interruptLock.unlock()
    }

    /// Throws "interrupted" if `interrupt()` was called since the last check.
    func checkInterrupt(_ span: SourceSpan) throws {
        interruptLock.lock()
        let requested = interruptRequested
        interruptRequested = false
        interruptLock.unlock()
        if requested { throw LangError("interrupted", at: span) }
    }

    /// Drops a pending `interrupt()` (one that came while no evaluation ran, e.g. Ctrl-C at the
    /// prompt), so that it does not stop the next evaluation.
    public func discardInterrupt() { _ = interruptPending() }

    /// Whether `interrupt()` was called since the last check; clears the request.
    func interruptPending() -> Bool {
        interruptLock.lock()
        defer { interruptLock.unlock() }
        let requested = interruptRequested
        interruptRequested = false
        return requested
    }

    /// Parses and runs `text`; never traps.
    public func evaluate(source text: String, file: String = "<repl>") -> Evaluation {
        // `?name` is Julia's help mode, a prompt command rather than an expression.
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("?"), !line.contains("\n") {
            output(help(String(line.dropFirst())) + "\n")
            return Evaluation(value: .nothing, diagnostics: [], source: SourceFile(name: file, text: text), endsWithSemicolon: true)
        }
        let parsed = Syntax.parse(text, file: file)
        return run(parsed)
    }

    /// Runs parsed statements in order; parse errors stop before anything runs.
    public func run(_ parsed: ParseResult) -> Evaluation {
        var diagnostics: [Diagnostic] = []
        for diagnostic in parsed.diagnostics {
            if diagnostic.severity == .note && diagnostic.message.contains("is ignored") {
                if shownUsingNote { continue }
                shownUsingNote = true
            }
            diagnostics.append(diagnostic)
        }
        var evaluation = Evaluation(value: .nothing, diagnostics: diagnostics,
                                    source: parsed.source, endsWithSemicolon: parsed.endsWithSemicolon)
        sources[parsed.source.name] = parsed.source
        evaluation.sources = sources
        if parsed.hasErrors { return evaluation }
        for statement in parsed.statements {
            switch execute(statement) {
            case .success(let value):
                evaluation.value = value
                if exitRequest != nil { return evaluation }
            case .failure(let error):
                evaluation.diagnostics.append(error.diagnostic)
                return evaluation
            }
        }
        return evaluation
    }

    /// Runs one top-level statement on a large stack.
    public func execute(_ statement: Expr) -> Result<Value, LangError> {
        let box = StatementBox(statement)
        return LargeStack.run(stackSize: Interpreter.evaluationStackSize) { [self] in box.run(self) }.result
    }

    /// Runs one statement on the current thread.
    func executeHere(_ statement: Expr) -> Result<Value, LangError> {
        callDepth = 0
        var marker = 0
        stackBase = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        do {
            return .success(try eval(statement, globals))
        } catch let error as LangError {
            return .failure(error)
        } catch ControlFlow.returnValue(let value) {
            return .success(value)
        } catch ControlFlow.exit {
            return .success(.nothing)
        } catch ControlFlow.breakLoop {
            return .failure(LangError("break outside a loop", at: statement.span))
        } catch ControlFlow.continueLoop {
            return .failure(LangError("continue outside a loop", at: statement.span))
        } catch {
            return .failure(LangError("internal error: \(error)", at: statement.span))
        }
    }

    /// The value bound to a global name (for tests and the workbench).
    public func global(_ name: String) -> Value? { globals.lookup(name) }
}

/// Carries a statement to the large-stack thread and the result back.
private final class StatementBox: @unchecked Sendable {
    let statement: Expr
    var result: Result<Value, LangError> = .success(.nothing)
    init(_ statement: Expr) { self.statement = statement }
    func run(_ interpreter: Interpreter) -> StatementBox {
        result = interpreter.executeHere(statement)
        return self
    }
}

/// The language's random numbers: seeded xoshiro256** from Autodiff.
struct RandomSource {
    var generator: Xoshiro256StarStar
    init(seed: UInt64) { generator = Xoshiro256StarStar(seed: seed) }
    mutating func uniform() -> Double { generator.uniform() }
    mutating func normal() -> Double { generator.normal() }
}
