import ClawrunCore
import Foundation

/// Sends a run's events to its sinks with every known secret redacted first, and remembers what
/// the exit code must say (a failed step or target, a breached threshold).
public final class Reporter: Sendable {
    public let redactor: SecretRedactor
    private let sinks: [any EventSink]
    private let exit = Locked<(failures: Int, requestedExit: Int32?, failedExit: Int32?)>((0, nil, nil))

    /// Makes a reporter over sinks.
    public init(redactor: SecretRedactor, sinks: [any EventSink]) {
        self.redactor = redactor
        self.sinks = sinks
    }

    /// Redacts and emits an event.
    public func emit(_ event: RunEvent) {
        var e = event
        e.fields = e.fields.map { ($0.0, redactor.redact($0.1)) }
        for sink in sinks { sink.emit(e) }
    }

    /// Emits a log line.
    public func log(_ level: String, _ message: String, step: String? = nil, machine: String? = nil) {
        emit(RunEvent("log", step: step, machine: machine,
                      fields: [("level", .string(level)), ("message", .string(message))]))
    }

    /// Counts a failure (a step, a target, a parallel item): the run will exit 1.
    public func recordFailure() {
        exit.withLock { $0.failures += 1 }
    }

    /// Asks for a specific exit code (99 for breached thresholds).
    public func requestExit(_ code: Int32) {
        exit.withLock { $0.requestedExit = code }
    }

    /// Asks for a specific exit code should the run fail (2 after bad input), leaving a run that
    /// recovers and succeeds at 0.
    public func requestExitIfFailed(_ code: Int32) {
        exit.withLock { $0.failedExit = code }
    }

    /// The failures counted so far, any exit code asked for, and the one asked for a failed run.
    public var state: (failures: Int, requestedExit: Int32?, failedExit: Int32?) {
        exit.withLock { $0 }
    }
}
