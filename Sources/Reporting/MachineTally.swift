import ClawrunCore
import Foundation

/// Counts, per machine, the steps that were ok, changed, failed and skipped, their time, the
/// first error, and whether its `parallel` item ran, was skipped or was cut short: the rows of the recap.
public final class MachineTally: Sendable {
    /// One machine's row.
    public struct Row: Sendable, Equatable {
        public var ok = 0
        public var changed = 0
        public var failed = 0
        public var skipped = 0
        public var firstStart: Double?
        public var lastEnd: Double?
        public var firstError: String?
        /// Why its `parallel` item never started (interrupted run, failure policy).
        public var skipReason: String?
        /// Its `parallel` item started and has not ended.
        public var inFlight = false
        /// Some work for it started (a step or a `parallel` item).
        public var reached = false
        /// What its check/apply steps changed, or would change under `--check`, one line each.
        public var changes: [String] = []

        /// Seconds from the machine's first step to its last.
        public var duration: Double { (lastEnd ?? 0) - (firstStart ?? lastEnd ?? 0) }

        /// The machine's outcome: failed, interrupted (its work was cut short), skipped (never
        /// started, not reached by a run that failed, or every step it ran was skipped), changed or ok.
        public func status(runSucceeded: Bool) -> String {
            if failed > 0 { return "failed" }
            if inFlight { return "interrupted" }
            if skipReason != nil || (!reached && !runSucceeded) { return "skipped" }
            // A workflow that decided to leave the machine alone (wake-recover: asleep, not deployed).
            if skipped > 0 && ok == 0 && changed == 0 { return "skipped" }
            return changed > 0 ? "changed" : "ok"
        }
    }

    private struct Table {
        var rows: [String: Row] = [:]
        var order: [String] = []
        var failedMachines = 0
        var runChanges: [String] = []

        /// Makes the machine's row if it has none.
        mutating func ensureRow(_ machine: String) {
            if rows[machine] == nil {
                order.append(machine)
                rows[machine] = Row()
            }
        }
    }

    private let table = Locked(Table())

    /// Makes an empty tally.
    public init() {}

    /// Gives every target a row, in target order, so that the recap names machines no work reached.
    public func seed(_ machines: [String]) {
        table.withLock { table in
            for machine in machines { table.ensureRow(machine) }
        }
    }

    /// Counts a step that ended for a machine.
    public func stepEnded(machine: String, status: String, start: Double, end: Double, error: String?,
                          change: String? = nil) {
        update(machine) { row in
            if let change { row.changes.append(change) }
            switch status {
            case "changed", "would_change": row.changed += 1
            case "failed": row.failed += 1
            case "skipped": row.skipped += 1
            default: row.ok += 1
            }
            row.reached = true
            row.firstStart = min(row.firstStart ?? start, start)
            row.lastEnd = max(row.lastEnd ?? end, end)
            if row.firstError == nil, let error { row.firstError = error }
        }
    }

    /// Counts what a check/apply step outside any machine changed, or would change under `--check`
    /// (deploy's `create` before a machine exists), so that the recap names it too.
    public func runStepChanged(_ change: String) {
        table.withLock { $0.runChanges.append(change) }
    }

    /// What steps outside any machine changed, or would change, in the order they ended.
    public var runChanges: [String] {
        table.withLock { $0.runChanges }
    }

    /// Marks a machine failed outside any step (an error in its parallel item).
    public func failed(machine: String, error: String) {
        update(machine) { row in
            if row.failed == 0 { row.failed = 1 }
            if row.firstError == nil { row.firstError = error }
        }
    }

    /// A machine's `parallel` item started.
    public func itemStarted(machine: String) {
        update(machine) { row in
            row.inFlight = true
            row.reached = true
        }
    }

    /// A machine's `parallel` item ended.
    public func itemEnded(machine: String) {
        update(machine) { $0.inFlight = false }
    }

    /// A machine's `parallel` item was never started.
    public func itemSkipped(machine: String, reason: String) {
        update(machine) { row in
            if row.skipReason == nil { row.skipReason = reason }
        }
    }

    /// How many machines have failed so far.
    public var failedCount: Int {
        table.withLock { $0.failedMachines }
    }

    /// The rows in the order machines first appeared.
    public var snapshot: [(String, Row)] {
        table.withLock { table in table.order.map { ($0, table.rows[$0]!) } }
    }

    private func update(_ machine: String, _ change: (inout Row) -> Void) {
        table.withLock { table in
            table.ensureRow(machine)
            let wasFailed = table.rows[machine]!.failed > 0
            change(&table.rows[machine]!)
            if !wasFailed && table.rows[machine]!.failed > 0 { table.failedMachines += 1 }
        }
    }
}
