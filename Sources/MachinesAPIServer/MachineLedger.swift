import ClawrunCore
import Foundation

/// What the server remembers of a machine beyond what the provider reports: the revision and
/// transition times of `status`, its creation time, and whether its first execution was refused.
struct LedgerEntry: Sendable {
    var revision: Int
    var phase: Phase
    var desiredState: DesiredState
    var createdAt: Date
    var lastTransitionAt: Date
    var lastProgressAt: Date
}

/// The server's bookkeeping of machines and executions it has seen.
actor MachineLedger {
    private var machines: [String: LedgerEntry] = [:]
    private var refusedFirstExec: Set<String> = []
    private var executionCreatedAt: [String: Date] = [:]

    /// Records a sighting of a machine: a new phase or desired state bumps the revision and the
    /// transition time; every sighting is progress.
    func observe(_ m: Machine, now: Date = Date()) -> LedgerEntry {
        guard var record = machines[m.id] else {
            let record = LedgerEntry(revision: 1, phase: m.phase, desiredState: m.desiredState,
                                       createdAt: m.createdAt ?? now, lastTransitionAt: now, lastProgressAt: now)
            machines[m.id] = record
            return record
        }
        if record.phase != m.phase || record.desiredState != m.desiredState {
            record.revision += 1
            record.phase = m.phase
            record.desiredState = m.desiredState
            record.lastTransitionAt = now
        }
        record.lastProgressAt = now
        machines[m.id] = record
        return record
    }

    /// True the first time it is asked about a machine: that execution create gets the 503.
    func claimFirstExecRefusal(machineId: String) -> Bool {
        refusedFirstExec.insert(machineId).inserted
    }

    /// When an execution was first seen, for providers that do not report `created_at`.
    func createdAt(executionId: String, now: Date = Date()) -> Date {
        if let at = executionCreatedAt[executionId] { return at }
        executionCreatedAt[executionId] = now
        return now
    }
}
