import Foundation

/// A value guarded by a lock, for state shared between tasks, event loops and threads: the one
/// lock type of clawrun.
///
/// Unchecked Sendable, because `value` is read and written only inside `withLock`, under `lock`.
/// What a caller takes out of `withLock` is its own affair: hold Sendable values (or values
/// that only the lock's users touch), as every user in clawrun does.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// Makes a lock around `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
