import Foundation

/// Runs deeply recursive work on a thread with a stack large enough for it.
///
/// The parser recurses once per nesting level and refuses more than `Syntax.maxDepth`
/// levels, but in a debug build one level costs up to ~25 KB of stack: 500 levels need
/// ~12 MB, more than the 8 MB of a main thread and far more than the 512 KB of a
/// secondary thread on macOS. Running on a fresh thread with a 64 MB stack (reserved, and
/// only touched pages committed) makes the limit, not the caller's thread, decide.
/// The interpreter can use the same helper for evaluating deep trees.
public enum LargeStack {
    /// Stack size of the worker thread.
    public static let size = 64 << 20

    /// The value of `body`, computed on a thread with a `size`-byte stack; the caller waits.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        run(stackSize: size, body)
    }

    /// The value of `body`, computed on a thread with a `stackSize`-byte stack; the caller waits.
    public static func run<T: Sendable>(stackSize: Int, _ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = body()
            done.signal()
        }
        thread.stackSize = stackSize
        thread.start()
        done.wait()
        // The thread always stores a value before signalling; computing here again is only a
        // fallback that cannot be reached.
        return box.value ?? body()
    }
}

/// Carries a result from the worker thread; the semaphore orders the write before the read.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
