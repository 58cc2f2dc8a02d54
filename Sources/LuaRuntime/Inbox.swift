import ClawrunCore
import Foundation

/// The thread-safe queue through which async work hands results back to the scheduler's thread.
///
/// Unchecked Sendable: every field is read and written only while `condition` is locked. It is a
/// condition rather than `Locked` because the scheduler's thread sleeps on it until work arrives.
final class Inbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [(Int, Resumption)] = []
    private var interrupted = false

    func post(_ coroutine: Int, _ resumption: Resumption) {
        condition.lock()
        items.append((coroutine, resumption))
        condition.signal()
        condition.unlock()
    }

    /// Wakes the scheduler without a result (used to deliver an interruption).
    func interrupt() {
        condition.lock()
        interrupted = true
        condition.signal()
        condition.unlock()
    }

    /// Takes everything posted, waiting until `deadline` (monotonic seconds) when there is nothing yet.
    func take(waitUntil deadline: Double?) -> (items: [(Int, Resumption)], interrupted: Bool) {
        condition.lock()
        defer { condition.unlock() }
        if items.isEmpty && !interrupted {
            if let deadline {
                // At most a day a wait (the loop waits again): Foundation traps on far dates.
                let wait = min(deadline - monotonicNow(), 86_400)
                if wait > 0 { _ = condition.wait(until: Date(timeIntervalSinceNow: wait)) }
            } else {
                condition.wait()
            }
        }
        let taken = items
        items.removeAll(keepingCapacity: true)
        let wasInterrupted = interrupted
        interrupted = false
        return (taken, wasInterrupted)
    }
}
