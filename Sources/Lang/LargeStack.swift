import Foundation
import Synchronization

/// Runs deeply recursive work on a thread with a stack large enough for it.
///
/// The parser recurses once per nesting level and refuses more than `Syntax.maxDepth`
/// levels, but in a debug build one level costs up to ~25 KB of stack: 500 levels need
/// ~12 MB, more than the 8 MB of a main thread and far more than the 512 KB of a
/// secondary thread on macOS. Running on a thread with a 64 MB stack (reserved, and only
/// touched pages committed; such threads are parked and reused) makes the limit, not the
/// caller's thread, decide.
/// The interpreter can use the same helper for evaluating deep trees.
public enum LargeStack {
    /// Stack size of the worker thread.
    public static let size = 64 << 20

    /// The value of `body`, computed on a thread with a `size`-byte stack; the caller waits.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        run(stackSize: size, body)
    }

    /// The value of `body`, computed on a thread with a `stackSize`-byte stack; the caller waits.
    ///
    /// The threads are kept and reused: starting one (and mapping its stack) costs ~100 µs,
    /// more than a whole `gradient` of a small model, and every top-level statement comes here.
    /// Both sides spin briefly before sleeping: waking a sleeping thread on an idle virtual
    /// machine took tens of microseconds a statement.
    public static func run<T: Sendable>(stackSize: Int, _ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let handoff = Handoff()
        let worker = StackWorker.take(stackSize: stackSize)
        worker.submit({ box.value = body() }, done: handoff)
        handoff.wait()
        // The worker always stores a value before signalling; computing here again is only a
        // fallback that cannot be reached.
        return box.value ?? body()
    }
}

/// A one-way signal between two threads: `wait` spins for up to `spinLimit` before sleeping
/// on a semaphore; `signal` sets the flag and posts the semaphore (a post nobody waits for
/// is consumed by the next `wait` without sleeping).
final class Handoff: @unchecked Sendable {
    /// How long a waiter polls the flag before it sleeps.
    static let spinLimit: UInt64 = 50_000
    private let flag = Atomic<Int>(0)
    private let semaphore = DispatchSemaphore(value: 0)

    func signal() {
        flag.store(1, ordering: .releasing)
        semaphore.signal()
    }

    func wait() {
        let start = DispatchTime.now().uptimeNanoseconds
        while flag.load(ordering: .acquiring) == 0 {
            if DispatchTime.now().uptimeNanoseconds - start > Handoff.spinLimit { break }
        }
        semaphore.wait()
        flag.store(0, ordering: .relaxed)
    }
}

/// A parked thread with a large stack that runs one closure at a time. Nested calls (work on
/// a worker that itself calls `LargeStack.run`) take another idle worker or start one, so
/// reuse never deadlocks.
private final class StackWorker: @unchecked Sendable {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var idle: [StackWorker] = []
    /// At most this many parked threads are kept (each reserves its stack's address space).
    private static let maxIdle = 4

    let stackSize: Int
    private let wake = Handoff()
    private var work: (@Sendable () -> Void)?
    private var done: Handoff?

    private init(stackSize: Int) {
        self.stackSize = stackSize
        let thread = Thread { [self] in loop() }
        thread.stackSize = stackSize
        thread.start()
    }

    /// An idle worker with at least `stackSize` bytes of stack, or a new one.
    static func take(stackSize: Int) -> StackWorker {
        lock.lock()
        if let i = idle.lastIndex(where: { $0.stackSize >= stackSize }) {
            let worker = idle.remove(at: i)
            lock.unlock()
            return worker
        }
        lock.unlock()
        return StackWorker(stackSize: stackSize)
    }

    /// Runs `body` on this worker's thread, then signals `done`.
    func submit(_ body: @escaping @Sendable () -> Void, done: Handoff) {
        work = body
        self.done = done
        wake.signal()
    }

    private func loop() {
        while true {
            wake.wait()
            let body = work, done = self.done
            work = nil
            self.done = nil
            body?()
            // Parked before the caller is released, so its next call finds this worker idle
            // (the semaphore keeps a wake-up that comes before the wait). Over the limit, it ends.
            Self.lock.lock()
            let keep = Self.idle.count < Self.maxIdle
            if keep { Self.idle.append(self) }
            Self.lock.unlock()
            done?.signal()
            if !keep { return }
        }
    }
}

/// Carries a result from the worker thread; the hand-off orders the write before the read.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
