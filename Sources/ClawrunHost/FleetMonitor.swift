import ClawrunCore
import Foundation
import LuaRuntime
import Reporting

/// The fleet side of a run: the targets `targets()` resolved, machines in flight, done and failed
/// (for the progress line), the failure policy that stops starting machines, and the machines the
/// run created (for the recap, so that an interrupted run names every one). `parallel` calls it on
/// the Lua thread; the progress line reads it from a timer thread, hence the lock.
public final class FleetMonitor: ParallelObserver, Sendable {
    let tally: MachineTally
    let policy: FailurePolicy
    private let reporter: Reporter
    private let start = Date()
    private struct Fleet {
        var targets: [Machine]?
        var progress = FleetProgress()
        var stopAnnounced = false
        var created: [String] = []
        var deleted = Set<String>()
    }
    private let fleet = Locked(Fleet())

    init(tally: MachineTally, policy: FailurePolicy, reporter: Reporter) {
        self.tally = tally
        self.policy = policy
        self.reporter = reporter
    }

    /// The targets resolved by the first `targets()` call, which later calls return again so that
    /// a run works on one fixed list even as phases change under it.
    var resolvedTargets: [Machine]? { fleet.withLock { $0.targets } }

    /// Remembers the run's targets and gives each a recap row.
    func targetsResolved(_ machines: [Machine]) {
        fleet.withLock { fleet in
            fleet.targets = machines
            fleet.progress.targets = machines.count
        }
        tally.seed(machines.map(\.id))
    }

    /// The progress figures now.
    public var snapshot: FleetProgress {
        var p = fleet.withLock { $0.progress }
        p.failed = tally.failedCount
        p.elapsed = Date().timeIntervalSince(start)
        return p
    }

    public func reasonToSkip(label: String?, jobTotal: Int) -> String? {
        guard label != nil else { return nil }
        let total = fleet.withLock { $0.targets?.count } ?? jobTotal
        guard let reason = policy.stopReason(failed: tally.failedCount, total: total) else { return nil }
        let first = fleet.withLock { fleet in
            defer { fleet.stopAnnounced = true }
            return !fleet.stopAnnounced
        }
        if first { reporter.log("warn", "starting no more machines: \(reason)") }
        return reason
    }

    public func itemStarted(label: String?) {
        guard let label else { return }
        tally.itemStarted(machine: label)
        fleet.withLock { $0.progress.running += 1 }
    }

    public func itemEnded(label: String?, error: String?) {
        guard let label else { return }
        tally.itemEnded(machine: label)
        fleet.withLock { fleet in
            fleet.progress.running -= 1
            fleet.progress.done += 1
        }
    }

    public func itemSkipped(label: String?, reason: String) {
        guard let label else { return }
        tally.itemSkipped(machine: label, reason: reason)
        fleet.withLock { $0.progress.skipped += 1 }
    }

    /// A machine this run created.
    func machineCreated(_ id: String) {
        fleet.withLock { $0.created.append(id) }
    }

    /// A machine this run deleted.
    func machineDeleted(_ id: String) {
        fleet.withLock { _ = $0.deleted.insert(id) }
    }

    /// The machines this run created, in order, and whether it deleted each again.
    public var createdMachines: [(id: String, deleted: Bool)] {
        fleet.withLock { fleet in fleet.created.map { ($0, fleet.deleted.contains($0)) } }
    }
}
