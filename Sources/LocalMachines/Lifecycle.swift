import ClawrunCore

/// Runs each machine's lifecycle operations (boot, stop) one after another, in the order asked,
/// and knows which machines have one in flight.
///
/// A lock, not an actor: every `get` asks whether its machine is busy, and a hop onto an actor
/// waits behind whatever else the cooperative pool has queued (with fifty machines booting, tens
/// of milliseconds per request).
final class Lifecycle: Sendable {
    private struct Queues {
        var tails: [String: Task<Void, Never>] = [:]
        var pending: [String: Int] = [:]
    }

    private let queues = Locked(Queues())

    /// Queues `operation` after the machine's earlier ones.
    @discardableResult
    func enqueue(_ id: String, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        queues.withLock { q in
            let previous = q.tails[id]
            q.pending[id, default: 0] += 1
            let task = Task {
                await previous?.value
                await operation()
                self.finished(id)
            }
            q.tails[id] = task
            return task
        }
    }

    /// Whether an operation of this process is moving the machine.
    func isBusy(_ id: String) -> Bool { queues.withLock { $0.pending[id] != nil } }

    /// Waits until the machine's queued operations are done.
    func idle(_ id: String) async {
        while let tail = queues.withLock({ $0.tails[id] }) { await tail.value }
    }

    /// Waits until every machine's queued operations are done.
    func drain() async {
        while let tail = queues.withLock({ $0.tails.values.first }) { await tail.value }
    }

    private func finished(_ id: String) {
        queues.withLock { q in
            let left = (q.pending[id] ?? 1) - 1
            if left == 0 {
                q.pending[id] = nil
                q.tails[id] = nil
            } else {
                q.pending[id] = left
            }
        }
    }
}
