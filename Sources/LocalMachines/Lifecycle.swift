/// Runs each machine's lifecycle operations (boot, stop) one after another, in the order asked,
/// and knows which machines have one in flight.
actor Lifecycle {
    private var tails: [String: Task<Void, Never>] = [:]
    private var pending: [String: Int] = [:]

    /// Queues `operation` after the machine's earlier ones.
    @discardableResult
    func enqueue(_ id: String, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let previous = tails[id]
        pending[id, default: 0] += 1
        let task = Task {
            await previous?.value
            await operation()
            self.finished(id)
        }
        tails[id] = task
        return task
    }

    /// Whether an operation of this process is moving the machine.
    func isBusy(_ id: String) -> Bool { pending[id] != nil }

    /// Waits until the machine's queued operations are done.
    func idle(_ id: String) async {
        while let tail = tails[id] { await tail.value }
    }

    /// Waits until every machine's queued operations are done.
    func drain() async {
        while let tail = tails.values.first { await tail.value }
    }

    private func finished(_ id: String) {
        let left = (pending[id] ?? 1) - 1
        if left == 0 {
            pending[id] = nil
            tails[id] = nil
        } else {
            pending[id] = left
        }
    }
}
