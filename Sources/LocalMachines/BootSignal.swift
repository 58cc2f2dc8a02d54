import ClawrunCore

/// When a booting sandbox is worth looking at again: its init said it is ready (a line on the
/// launcher's stdout) or the launcher ended. A boot waits on this instead of polling the
/// sandbox's state; with fifty machines booting at once, that polling cost a core.
final class BootSignal: ProcessSink, Sendable {
    private struct State {
        var fired = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Locked(State())

    /// Whether the init spoke or the launcher ended.
    var hasFired: Bool { state.withLock { $0.fired } }

    func received(_ bytes: UnsafeRawBufferPointer, stderr: Bool) { fire() }

    func ended(_ end: ProcessEnd) { fire() }

    /// Returns once the signal fired or `deadline` (monotonic seconds) passed.
    func wait(until deadline: Double) async {
        let timer = Task { [self] in
            try? await Task.sleep(nanoseconds: UInt64(max(0, deadline - monotonicNow()) * 1_000_000_000))
            fire()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let firedAlready = state.withLock { s -> Bool in
                if !s.fired { s.waiter = continuation }
                return s.fired
            }
            if firedAlready { continuation.resume() }
        }
        timer.cancel()
    }

    private func fire() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.fired = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}
