import ClawrunCore
import Foundation

/// Counts, per machine, the steps that were ok, changed, failed and skipped, their time, and the
/// first error: the rows of the recap.
public final class MachineTally: @unchecked Sendable {
    /// One machine's row.
    public struct Row: Sendable, Equatable {
        public var ok = 0
        public var changed = 0
        public var failed = 0
        public var skipped = 0
        public var firstStart: Double?
        public var lastEnd: Double?
        public var firstError: String?

        /// Seconds from the machine's first step to its last.
        public var duration: Double { (lastEnd ?? 0) - (firstStart ?? lastEnd ?? 0) }
    }

    private let lock = NSLock()
    private var rows: [String: Row] = [:]
    private var order: [String] = []

    /// Counts a step that ended for a machine.
    public func stepEnded(machine: String, status: String, start: Double, end: Double, error: String?) {
        lock.lock()
        defer { lock.unlock() }
        if rows[machine] == nil { order.append(machine); rows[machine] = Row() }
        var row = rows[machine]!
        switch status {
        case "changed": row.changed += 1
        case "failed": row.failed += 1
        case "skipped": row.skipped += 1
        default: row.ok += 1
        }
        row.firstStart = min(row.firstStart ?? start, start)
        row.lastEnd = max(row.lastEnd ?? end, end)
        if row.firstError == nil, let error { row.firstError = error }
        rows[machine] = row
    }

    /// Marks a machine failed outside any step (an error in its parallel item).
    public func failed(machine: String, error: String) {
        lock.lock()
        defer { lock.unlock() }
        if rows[machine] == nil { order.append(machine); rows[machine] = Row() }
        if rows[machine]!.failed == 0 { rows[machine]!.failed = 1 }
        if rows[machine]!.firstError == nil { rows[machine]!.firstError = error }
    }

    /// The rows in the order machines first appeared.
    public var snapshot: [(String, Row)] {
        lock.lock()
        defer { lock.unlock() }
        return order.map { ($0, rows[$0]!) }
    }
}
