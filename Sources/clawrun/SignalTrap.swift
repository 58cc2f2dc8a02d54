import ClawrunHost
import Foundation

/// SIGINT and SIGTERM during a run: the first stops starting new work and gives work in flight
/// `grace` seconds before the run ends with its record and recap written, exiting 130 (SIGINT) or
/// 143 (SIGTERM) as shells report a death by those signals; a second one ends the wait at once.
final class SignalTrap {
    private var sources: [DispatchSourceSignal] = []

    /// Starts handling both signals for `run`.
    init(run: WorkflowRun, grace: Double) {
        let count = Counter()
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let wait = count.next() == 1 ? grace : 0
                run.interrupt(grace: wait, reason: "received \(name)", exitCode: 128 + sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops handling the signals (they stay ignored while the provider shuts down).
    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// Counts signals from the handler's queue.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        n += 1
        return n
    }
}
