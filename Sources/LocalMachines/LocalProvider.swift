import ClawrunCore
import Foundation

/// The embedded default provider: real local machines made of Linux namespaces that behave like
/// Dedalus machines (same phases, execution statuses and error rules), with no account.
///
/// State lives under `home/machines/<id>/`, so machines made by one clawrun process are found,
/// used and ended by the next; their sandboxes outlive the process that started them. Executions
/// are kept in memory by the provider instance that started them.
///
/// Choices where Dedalus leaves room: once destroyed, a machine's folder is removed and `get`
/// answers `destroyed` from a small tombstone for a day, then 404 `machine_not_found`; `list`
/// never shows destroyed machines. An execution on a destroyed machine ends `failed` with
/// error_code `machine_not_found` (as Dedalus answers, spec §7.2); on an id that never existed,
/// `startExecution` throws 404 `machine_not_found`.
public final class LocalProvider: MachineProvider {
    /// "local", for messages.
    public let name = "local"
    /// How long tombstones of destroyed machines are kept.
    static let tombstoneAge: TimeInterval = 86_400
    /// How long a sandbox may take to boot before the machine fails.
    static let bootTimeout: Double = 60
    /// How long an execution waits for its machine to wake.
    static let wakeTimeout: Double = 120

    let store: MachineStore
    let sandbox: Sandbox
    let lifecycle = Lifecycle()
    /// Four boots per core: enough to keep the cores busy while a boot waits on the kernel (since
    /// the sandbox detaches the host's root and enters a user namespace of its own, a boot spends
    /// more of its time waiting, on RCU grace periods and its map helper; two per core left the
    /// 200-machine fleet wake 1.25 × slower, four brought it back to 1.00 ×).
    let bootGate = BootGate(width: 4 * ProcessInfo.processInfo.activeProcessorCount)
    let reactor: ProcessReactor
    let runs = Locked(ExecutionTable())

    /// Makes the provider over `home` (CLAWRUN_HOME). `toolsDirectory`, when given, holds the
    /// programs (openclaw-sim) mounted read-only under /run/clawrun in every machine started by
    /// this provider.
    public init(home: URL, toolsDirectory: URL? = nil) throws {
        store = MachineStore(home: home)
        MachineStore.removeAbandoned(in: store.machinesDirectory.path)
        sandbox = Sandbox(store: store, toolsDirectory: toolsDirectory, base: MachineBase(home: home))
        reactor = try ProcessReactor()
    }

    /// Validates the spec, writes the machine's folder and returns it `accepted`; the sandbox boots in the background.
    public func create(_ spec: MachineSpec) async throws -> Machine {
        try spec.validate()
        let total = HostSupport.totalMemoryMiB
        guard spec.memoryMiB <= total else {
            throw ClawrunError.invalidArgument(
                "memory_mib \(spec.memoryMiB) exceeds this host's total memory of \(total) MiB: ask for at most \(total)")
        }
        let network = spec.network ?? "none"
        switch network {
        case "none": break
        case "nat": _ = try NatNetwork.tool()
        default:
            throw ClawrunError.invalidArgument("network '\(network)' is not one of: none, nat")
        }
        let tools = try HostSupport.tools()
        let now = Date()
        let record = MachineRecord(
            id: Identifiers.machineID(now: now), vcpu: spec.vcpu, memoryMiB: spec.memoryMiB, storageGiB: spec.storageGiB,
            autosleepSeconds: try spec.autosleep.map(AutosleepDuration.seconds) ?? 300,
            network: network == "none" ? nil : network, createdAt: now, desired: .running, phase: .accepted,
            reason: "Accepted", lastError: nil, transitionAt: now, memoryEnforced: MemoryLimit.isAvailable)
        try store.create(record, owner: tools.machineRoot)
        lifecycle.enqueue(record.id) { [self] in
            _ = try? store.update(record.id) { $0.transition(to: .placementPending, reason: "Placing") }
            await boot(record.id, resetRoot: false)
        }
        return record.machine(phase: .accepted, reason: "Accepted")
    }

    /// The machine as it is now, derived from its state file and its init's liveness; 404 for an unknown id.
    public func get(_ id: String) async throws -> Machine {
        guard let record = store.load(id) else { throw ProviderError.machineNotFound(id) }
        return observe(record)
    }

    /// Machines oldest first, destroyed ones left out; the cursor is the last id of the previous page.
    public func list(cursor: String?, limit: Int?) async throws -> Page<Machine> {
        store.pruneTombstones(olderThan: LocalProvider.tombstoneAge)
        let size = max(1, min(limit ?? 100, 1000))
        var items: [Machine] = []
        var more = false
        for id in store.ids() where cursor.map({ $0.isEmpty || id > $0 }) ?? true {
            guard let record = store.load(id) else { continue }
            let machine = observe(record)
            if machine.phase == .destroyed { continue }
            if items.count == size {
                more = true
                break
            }
            items.append(machine)
        }
        return Page(items: items, nextCursor: more ? items.last?.id : "")
    }

    /// Starts destroying the machine: every process and file of it goes, leaving a tombstone.
    public func delete(_ id: String) async throws -> Machine {
        guard let record = store.load(id) else { throw ProviderError.machineNotFound(id) }
        if record.desired == .destroyed { return observe(record) }
        guard let updated = try store.update(id, {
            $0.desired = .destroyed
            $0.transition(to: .destroying, reason: "DestroyRequested")
        }) else { throw ProviderError.machineNotFound(id) }
        lifecycle.enqueue(id) { [self] in await stop(id, then: .destroyed) }
        return updated.machine(phase: .destroying, reason: updated.reason)
    }

    /// Starts putting the machine to sleep: its processes end and its root filesystem resets; /home/machine stays.
    public func sleep(_ id: String) async throws -> Machine {
        try refuseDestroyed(id, target: .sleeping)
        guard let updated = try store.update(id, {
            $0.desired = .sleeping
            $0.transition(to: .stopping, reason: "SleepRequested")
        }) else { throw ProviderError.machineNotFound(id) }
        lifecycle.enqueue(id) { [self] in await stop(id, then: .sleeping) }
        return updated.machine(phase: .stopping, reason: updated.reason)
    }

    /// Starts a sleeping machine again, from a fresh root filesystem.
    public func wake(_ id: String) async throws -> Machine {
        try refuseDestroyed(id, target: .running)
        _ = try HostSupport.tools()
        return try await requestWake(id)
    }

    /// Ends the machine's processes and starts it again with all its files, the root's included.
    public func reboot(_ id: String, force: Bool) async throws -> Machine {
        try refuseDestroyed(id, target: .running)
        _ = try HostSupport.tools()
        guard let updated = try store.update(id, {
            $0.desired = .running
            $0.transition(to: .starting, reason: "RebootRequested")
        }) else { throw ProviderError.machineNotFound(id) }
        // Files, the upper layer included, are kept: `force` has nothing more to give up locally.
        lifecycle.enqueue(id) { [self] in
            await stop(id, then: .rebooting)
            await boot(id, resetRoot: false)
        }
        return updated.machine(phase: .starting, reason: updated.reason)
    }

    /// Finishes the lifecycle operations already asked for (a sleep or delete the caller was told
    /// is under way must not be cut short when the process exits), then releases the reactor
    /// thread. Machines keep running: they outlive the provider. Executions still running are no
    /// longer followed.
    public func shutdown() async {
        await lifecycle.drain()
        reactor.shutdown()
    }

    /// The machine as reported now.
    func observe(_ record: MachineRecord) -> Machine {
        observeWithInit(record).machine
    }

    /// The machine as reported now, and the init identity that report read (an execution
    /// enters through it, without reading init.pid again).
    func observeWithInit(_ record: MachineRecord) -> (machine: Machine, initIdentity: ProcessIdentity?) {
        let busy = lifecycle.isBusy(record.id)
        let identity = record.phase == .destroyed ? nil : store.initIdentity(record.id)
        let (phase, reason) = MachineStatus.observe(record, sandbox: sandbox.state(of: identity, record.id), busy: busy)
        return (record.machine(phase: phase, reason: reason), identity)
    }

    /// Sets desired running and queues a boot that starts from a fresh root, unless it runs.
    func requestWake(_ id: String) async throws -> Machine {
        let running = sandbox.state(id) == .ready
        guard let updated = try store.update(id, {
            let alreadyRunning = running && $0.desired == .running && $0.phase == .running
            $0.desired = .running
            if !alreadyRunning { $0.transition(to: .starting, reason: "WakeRequested") }
        }) else { throw ProviderError.machineNotFound(id) }
        lifecycle.enqueue(id) { [self] in await boot(id, resetRoot: true) }
        return updated.machine(phase: updated.phase, reason: updated.reason)
    }

    private func refuseDestroyed(_ id: String, target: DesiredState) throws {
        guard let record = store.load(id) else { throw ProviderError.machineNotFound(id) }
        guard record.desired != .destroyed else {
            throw ProviderError(status: 409, code: "INVALID_STATE",
                                message: "machine \(id) is \(record.phase.rawValue) and cannot become \(target.rawValue)")
        }
    }
}
