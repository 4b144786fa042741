/// An error raised while building, transforming or compiling a graph. Every message names
/// the operation and the shapes involved, so a user can find the line that caused it.
public struct AutodiffError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case shapeMismatch
        case invalidArgument
        case tracedControlFlow
        case foreignValue
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func shapes(_ op: String, _ shapes: Shape...) -> AutodiffError {
        AutodiffError(.shapeMismatch,
                      "\(op): incompatible shapes " + shapes.map(\.description).joined(separator: " and "))
    }

    /// The message given when a traced value is asked to decide Swift or language control flow.
    public static let controlFlow = AutodiffError(
        .tracedControlFlow,
        "a traced value cannot decide control flow (if/while/&&/||): the branch would be fixed at trace time. " +
        "Use ifelse(condition, a, b) to select between values instead.")
}
