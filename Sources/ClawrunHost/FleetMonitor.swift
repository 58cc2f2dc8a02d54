import ClawrunCore
import Foundation
import LuaRuntime

/// The fleet side of a run: the targets `targets()` resolved, machines in flight, done and failed
/// (for the progress line), the failure policy that stops starting machines, and the machines the
/// run created (for the recap, so that an interrupted run names every one). `parallel` calls it on
/// the Lua thread; the progress line reads it from a timer thread, hence the lock.
public final class FleetMonitor: ParallelObserver, @unchecked Sendable {
    /// What the progress line shows.
    public struct Progress: Sendable, Equatable {
        public var targets: Int?
        public var done = 0
        public var running = 0
        public var failed = 0
        public var skipped = 0
        public var elapsed: Double = 0
    }

    let tally: MachineTally
    let policy: FailurePolicy
    private let reporter: Reporter
    private let lock = NSLock()
    private let start = Date()
    private var targets: [Machine]?
    private var progress = Progress()
    private var stopAnnounced = false
    private var created: [String] = []
    private var deleted = Set<String>()

    init(tally: MachineTally, policy: FailurePolicy, reporter: Reporter) {
        self.tally = tally
        self.policy = policy
        self.reporter = reporter
    }

    /// The targets resolved by the first `targets()` call, which later calls return again so that
    /// a run works on one fixed list even as phases change under it.
    var resolvedTargets: [Machine]? {
        lock.lock()
        defer { lock.unlock() }
        return targets
    }

    /// Remembers the run's targets and gives each a recap row.
    func targetsResolved(_ machines: [Machine]) {
        lock.lock()
        targets = machines
        progress.targets = machines.count
        lock.unlock()
        tally.seed(machines.map(\.id))
    }

    /// The progress figures now.
    public var snapshot: Progress {
        lock.lock()
        var p = progress
        lock.unlock()
        p.failed = tally.failedCount
        p.elapsed = Date().timeIntervalSince(start)
        return p
    }

    public func reasonToSkip(label: String?, jobTotal: Int) -> String? {
        guard label != nil else { return nil }
        lock.lock()
        let total = targets?.count ?? jobTotal
        lock.unlock()
        guard let reason = policy.stopReason(failed: tally.failedCount, total: total) else { return nil }
        lock.lock()
        let first = !stopAnnounced
        stopAnnounced = true
        lock.unlock()
        if first { reporter.log("warn", "starting no more machines: \(reason)") }
        return reason
    }

    public func itemStarted(label: String?) {
        guard let label else { return }
        tally.itemStarted(machine: label)
        lock.lock()
        progress.running += 1
        lock.unlock()
    }

    public func itemEnded(label: String?, error: String?) {
        guard let label else { return }
        tally.itemEnded(machine: label)
        lock.lock()
        progress.running -= 1
        progress.done += 1
        lock.unlock()
    }

    public func itemSkipped(label: String?, reason: String) {
        guard let label else { return }
        tally.itemSkipped(machine: label, reason: reason)
        lock.lock()
        progress.skipped += 1
        lock.unlock()
    }

    /// A machine this run created.
    func machineCreated(_ id: String) {
        lock.lock()
        created.append(id)
        lock.unlock()
    }

    /// A machine this run deleted.
    func machineDeleted(_ id: String) {
        lock.lock()
        deleted.insert(id)
        lock.unlock()
    }

    /// The machines this run created, in order, and whether it deleted each again.
    public var createdMachines: [(id: String, deleted: Bool)] {
        lock.lock()
        defer { lock.unlock() }
        return created.map { ($0, deleted.contains($0)) }
    }
}
