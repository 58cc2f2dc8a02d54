import ClawrunCore
import ClawrunHost
import Foundation

/// The one way clawrun handles SIGINT and SIGTERM: while a trap lives, both are ignored by the
/// default action and reported, with how many have arrived so far, to a handler on a global queue.
final class SignalTrap {
    private var sources: [DispatchSourceSignal] = []

    /// Starts handling both signals; `handler` gets the signal's number, its name and how many
    /// signals (of either kind) arrived, this one included.
    init(_ handler: @escaping @Sendable (_ signal: Int32, _ name: String, _ count: Int) -> Void) {
        let count = Locked(0)
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                handler(sig, name, count.withLock { n in n += 1; return n })
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The trap of a run: the first signal stops starting new work and gives work in flight
    /// `grace` seconds before the run ends with its record and recap written, exiting 130 (SIGINT)
    /// or 143 (SIGTERM) as shells report a death by those signals; a second one ends the wait at once.
    convenience init(run: WorkflowRun, grace: Double) {
        let run = run.interrupter
        self.init { sig, name, count in
            run.interrupt(grace: count == 1 ? grace : 0, reason: "received \(name)", exitCode: 128 + sig)
        }
    }

    /// Stops handling the signals (they stay ignored while the provider shuts down).
    func cancel() {
        for source in sources { source.cancel() }
    }
}
