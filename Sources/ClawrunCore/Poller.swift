import Foundation

/// Waits on machines and executions by polling a provider with `Backoff.polling`, honouring the
/// provider's retry hints, and ending at a deadline with an error that says what it saw.
public struct Poller: Sendable {
    public let provider: any MachineProvider
    public var backoff: Backoff
    public var sleeper: Sleeper
    public var clock: @Sendable () -> Double

    /// Makes a poller over a provider.
    public init(provider: any MachineProvider, backoff: Backoff = .polling, sleeper: @escaping Sleeper = realSleeper,
                clock: @escaping @Sendable () -> Double = monotonicNow) {
        self.provider = provider
        self.backoff = backoff
        self.sleeper = sleeper
        self.clock = clock
    }

    /// Polls until the machine is in one of `phases`; raises if it reaches failed or destroyed
    /// (unless wanted) or the timeout passes.
    public func waitPhase(machineId: String, phases: Set<Phase>, timeout: Double) async throws -> Machine {
        let deadline = clock() + timeout
        var attempt = 0
        while true {
            let m = try await provider.get(machineId)
            if phases.contains(m.phase) { return m }
            if m.phase.isTerminal {
                var msg = "machine \(machineId) is \(m.phase.rawValue), not \(Poller.describe(phases))"
                if let r = m.reason, !r.isEmpty { msg += " (reason: \(r))" }
                if let e = m.lastError, !e.isEmpty { msg += ": \(e)" }
                if let remedy = KnownFailures.remedy(code: m.reason ?? "", message: m.lastError ?? "", status: 0) {
                    msg += " — \(remedy)"
                }
                throw ClawrunError.failed(msg)
            }
            let wait = backoff.delay(attempt: attempt)
            if clock() + wait > deadline {
                var msg = "timed out after \(Poller.seconds(timeout)) waiting for machine \(machineId) to be "
                    + "\(Poller.describe(phases)); it is \(m.phase.rawValue)"
                if let r = m.reason, !r.isEmpty { msg += " (reason: \(r))" }
                if let remedy = KnownFailures.remedy(code: m.reason ?? "", message: m.phase.rawValue, status: 0) {
                    msg += " — \(remedy)"
                }
                throw ClawrunError.timeout(msg)
            }
            try await sleeper(wait)
            attempt += 1
        }
    }

    /// Polls an execution until it ends; returns it with the number of status requests made.
    /// `timeout` is the client-side deadline (nil: none beyond the execution's own).
    public func waitExecution(machineId: String, execution: Execution, timeout: Double?) async throws
        -> (Execution, Int)
    {
        let deadline = timeout.map { clock() + $0 }
        var current = execution
        var attempt = 0
        while !current.status.isTerminal {
            let wait = backoff.delay(attempt: attempt, hintMs: current.retryAfterMs)
            if let deadline, clock() + wait > deadline {
                throw ClawrunError.timeout(
                    "timed out after \(Poller.seconds(timeout ?? 0)) waiting for execution \(current.id) on machine "
                        + "\(machineId); it is \(current.status.rawValue)")
            }
            try await sleeper(wait)
            attempt += 1
            current = try await provider.execution(machineId: machineId, executionId: current.id)
        }
        return (current, attempt)
    }

    /// Creates an execution, waits for it to end and reads its output: the seed's `exec` helper.
    public func run(machineId: String, _ request: ExecRequest, timeout: Double? = nil) async throws -> ExecResult {
        try request.validate()
        let start = clock()
        let created = try await provider.startExecution(machineId: machineId, request)
        let clientTimeout = timeout ?? request.timeoutMs.map { Double($0) / 1000 + 30 }
        let (done, polls) = try await waitExecution(machineId: machineId, execution: created, timeout: clientTimeout)
        let output: ExecutionOutput
        if done.exitCode == nil && done.errorCode != nil && done.status != .expired {
            output = ExecutionOutput()
        } else {
            output = try await provider.output(machineId: machineId, executionId: done.id)
        }
        return ExecResult(execution: done, output: output, duration: clock() - start, polls: polls)
    }

    static func describe(_ phases: Set<Phase>) -> String {
        phases.map(\.rawValue).sorted().joined(separator: " or ")
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }
}
