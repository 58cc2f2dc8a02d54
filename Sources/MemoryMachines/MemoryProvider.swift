import ClawrunCore
import Foundation

/// Machines without sandboxes, for measuring a control plane alone: they live in memory, their
/// phases advance with time (`phaseSeconds` a phase) and their executions answer from an
/// `ExecTable` (or, in tests, any function of the argv). A machine costs a few hundred bytes, so
/// 100,000 fit on a small host.
public final class MemoryProvider: MachineProvider, Sendable {
    public let name = "memory"
    /// Seconds each phase of a transition lasts (accepted → … → running, stopping → sleeping, …).
    public let phaseSeconds: Double
    /// The most executions a machine keeps (8 for `clawrun serve`, where fleets are large);
    /// older ones are forgotten.
    public let executionsKept: Int

    private let answer: @Sendable ([String]) -> ExecTable.Entry
    private let store = Locked(Store())

    private struct Entry {
        var machine: Machine
        var path: [Phase]
        var since: Double
        var executions: [Run] = []
    }

    private struct Run {
        var id: String
        var command: [String]
        var created: Date
        var start: Double
        var answer: ExecTable.Entry
        var timeout: Double?
        var refused: Bool
    }

    /// The machines, in creation order, and the serial of the last execution.
    private struct Store {
        var machines: [String: Entry] = [:]
        var order: [String] = []
        var serial = 0
        var creates = 0

        func find(_ id: String) throws -> Entry {
            guard let e = machines[id] else { throw ProviderError.machineNotFound(id) }
            return e
        }

        func findRun(_ machineId: String, _ executionId: String) throws -> Run {
            guard let r = try find(machineId).executions.first(where: { $0.id == executionId }) else {
                throw ProviderError(status: 404, code: "execution_not_found", message: "no execution '\(executionId)'")
            }
            return r
        }
    }

    /// Makes an empty provider whose executions answer from `table`.
    public convenience init(table: ExecTable = ExecTable(), phaseSeconds: Double = 0.02) {
        self.init(phaseSeconds: phaseSeconds, executionsKept: 8) { table.answer($0) }
    }

    /// Makes an empty provider whose executions `answer` answers, by their argv.
    public init(phaseSeconds: Double = 0.02, executionsKept: Int,
                answer: @escaping @Sendable ([String]) -> ExecTable.Entry) {
        self.answer = answer
        self.phaseSeconds = phaseSeconds
        self.executionsKept = executionsKept
    }

    /// How many machines `create` made.
    public var createdCount: Int { store.withLock { $0.creates } }

    /// Adds `count` machines that are already in `phase` (sleeping or running), with ids
    /// `dm-00000000-0000-7000-8000-<index as 12 hex digits>` from 1 up, as a fleet between cron runs.
    public func seed(count: Int, phase: Phase = .sleeping) {
        guard count > 0 else { return }
        let desired: DesiredState = phase == .running ? .running : .sleeping
        store.withLock { s in
            s.machines.reserveCapacity(s.machines.count + count)
            s.order.reserveCapacity(s.order.count + count)
            let now = monotonicNow()
            for i in 1...count {
                let id = String(format: "dm-00000000-0000-7000-8000-%012x", i)
                guard s.machines[id] == nil else { continue }
                let m = Machine(id: id, vcpu: 1, memoryMiB: 1024, storageGiB: 10, desiredState: desired, phase: phase,
                                createdAt: Date())
                s.machines[id] = Entry(machine: m, path: [phase], since: now)
                s.order.append(id)
            }
        }
    }

    private func current(_ e: Entry) -> Machine {
        var m = e.machine
        let step = phaseSeconds > 0 ? Int((monotonicNow() - e.since) / phaseSeconds) : e.path.count
        m.phase = e.path[min(max(step, 0), e.path.count - 1)]
        return m
    }

    private func transition(_ id: String, desired: DesiredState, path: [Phase], from allowed: Set<Phase>) throws -> Machine {
        try store.withLock { s in
            var e = try s.find(id)
            let now = current(e)
            guard allowed.contains(now.phase) else {
                throw ProviderError(status: 409, code: "INVALID_STATE",
                                    message: "requested lifecycle transition is invalid for current machine state (\(now.phase.rawValue))")
            }
            if now.desiredState == desired && now.phase == path.last { return now }
            e.machine.desiredState = desired
            e.path = path
            e.since = monotonicNow()
            s.machines[id] = e
            return current(e)
        }
    }

    public func create(_ spec: MachineSpec) async throws -> Machine {
        try spec.validate()
        return store.withLock { s in
            s.creates += 1
            let id = "dm-" + UUID().uuidString.lowercased()
            let m = Machine(id: id, vcpu: spec.vcpu, memoryMiB: spec.memoryMiB, storageGiB: spec.storageGiB,
                            autosleepSeconds: (try? AutosleepDuration.seconds(spec.autosleep ?? "300s")) ?? 300,
                            desiredState: .running, phase: .accepted, createdAt: Date())
            let e = Entry(machine: m, path: [.accepted, .placementPending, .starting, .running], since: monotonicNow())
            s.machines[id] = e
            s.order.append(id)
            return current(e)
        }
    }

    public func get(_ id: String) async throws -> Machine {
        try store.withLock { s in current(try s.find(id)) }
    }

    public func list(cursor: String?, limit: Int?) async throws -> Page<Machine> {
        store.withLock { s in
            let start = max(0, cursor.flatMap(Int.init) ?? 0)
            let size = min(max(limit ?? 100, 1), 1000)
            let ids = s.order.dropFirst(start).prefix(size)
            let next = start + ids.count < s.order.count ? String(start + ids.count) : nil
            return Page(items: ids.compactMap { s.machines[$0].map(current) }, nextCursor: next)
        }
    }

    public func delete(_ id: String) async throws -> Machine {
        try transition(id, desired: .destroyed, path: [.destroying, .destroyed],
                       from: Set(Phase.allCases).subtracting([.destroyed]))
    }

    public func sleep(_ id: String) async throws -> Machine {
        try transition(id, desired: .sleeping, path: [.stopping, .sleeping], from: [.running, .sleeping])
    }

    public func wake(_ id: String) async throws -> Machine {
        try transition(id, desired: .running, path: [.starting, .running], from: [.sleeping, .running])
    }

    public func reboot(_ id: String, force: Bool) async throws -> Machine {
        try transition(id, desired: .running, path: [.stopping, .starting, .running], from: [.running])
    }

    public func startExecution(machineId: String, _ request: ExecRequest) async throws -> Execution {
        try store.withLock { s in
            var e = try s.find(machineId)
            s.serial += 1
            let run = Run(id: "wexec-" + String(format: "%040x", s.serial), command: request.command, created: Date(),
                          start: monotonicNow(), answer: answer(request.command),
                          timeout: request.timeoutMs.map { Double($0) / 1000 }, refused: current(e).phase != .running)
            e.executions.append(run)
            if e.executions.count > executionsKept { e.executions.removeFirst() }
            s.machines[machineId] = e
            return view(run, machineId: machineId)
        }
    }

    private func view(_ r: Run, machineId: String) -> Execution {
        var x = Execution(id: r.id, machineId: machineId, status: .running, command: r.command, createdAt: r.created,
                          startedAt: r.created)
        if r.refused {
            x.status = .failed
            x.startedAt = nil
            x.completedAt = r.created
            x.errorCode = "machine_not_routable"
            x.errorMessage = "machine is not routable for execution"
            return x
        }
        let duration = Double(r.answer.durationMs) / 1000
        let elapsed = monotonicNow() - r.start
        if let timeout = r.timeout, timeout < duration, elapsed >= timeout {
            x.status = .expired
            x.errorCode = "execution_timed_out"
            x.errorMessage = "execution exceeded timeout_ms"
            x.completedAt = r.created.addingTimeInterval(timeout)
        } else if elapsed >= duration {
            x.status = r.answer.exitCode == 0 ? .succeeded : .failed
            x.exitCode = r.answer.exitCode
            x.stdoutBytes = r.answer.stdout.utf8.count
            x.stderrBytes = r.answer.stderr.utf8.count
            x.completedAt = r.created.addingTimeInterval(duration)
        }
        return x
    }

    public func execution(machineId: String, executionId: String) async throws -> Execution {
        try store.withLock { s in view(try s.findRun(machineId, executionId), machineId: machineId) }
    }

    public func output(machineId: String, executionId: String) async throws -> ExecutionOutput {
        try store.withLock { s in
            let r = try s.findRun(machineId, executionId)
            let done = view(r, machineId: machineId).status.isTerminal && !r.refused
            let out = done ? r.answer.stdout : "", err = done ? r.answer.stderr : ""
            return ExecutionOutput(stdout: out, stderr: err, stdoutBytes: out.utf8.count, stderrBytes: err.utf8.count)
        }
    }

    public func events(machineId: String, executionId: String, cursor: String?, limit: Int?) async throws
        -> Page<ExecutionEvent>
    {
        try store.withLock { s in
            let r = try s.findRun(machineId, executionId)
            let x = view(r, machineId: machineId)
            var all = [ExecutionEvent(sequence: 1, kind: .lifecycle, at: r.created, status: .queued),
                       ExecutionEvent(sequence: 2, kind: .lifecycle, at: r.created, status: .running)]
            if x.status.isTerminal {
                if !r.answer.stdout.isEmpty {
                    all.append(ExecutionEvent(sequence: all.count + 1, kind: .stdout, at: r.created, chunk: r.answer.stdout))
                }
                if !r.answer.stderr.isEmpty {
                    all.append(ExecutionEvent(sequence: all.count + 1, kind: .stderr, at: r.created, chunk: r.answer.stderr))
                }
                all.append(ExecutionEvent(sequence: all.count + 1, kind: .lifecycle, at: x.completedAt ?? r.created,
                                          status: x.status, exitCode: x.exitCode))
            }
            let start = max(0, cursor.flatMap(Int.init) ?? 0)
            let page = Array(all.dropFirst(start).prefix(limit ?? 100))
            let next = start + page.count < all.count ? String(start + page.count) : nil
            return Page(items: page, nextCursor: next)
        }
    }

    public func executions(machineId: String, cursor: String?, limit: Int?) async throws -> Page<Execution> {
        try store.withLock { s in
            let all = try s.find(machineId).executions
            let start = max(0, cursor.flatMap(Int.init) ?? 0)
            let page = all.dropFirst(start).prefix(limit ?? 50)
            let next = start + page.count < all.count ? String(start + page.count) : nil
            return Page(items: page.map { view($0, machineId: machineId) }, nextCursor: next)
        }
    }

    public func deleteExecution(machineId: String, executionId: String) async throws -> Execution {
        try store.withLock { s in
            var e = try s.find(machineId)
            guard let i = e.executions.firstIndex(where: { $0.id == executionId }) else {
                throw ProviderError(status: 404, code: "execution_not_found", message: "no execution '\(executionId)'")
            }
            var x = view(e.executions.remove(at: i), machineId: machineId)
            if !x.status.isTerminal { x.status = .cancelled }
            s.machines[machineId] = e
            return x
        }
    }

    public func shutdown() async {}
}
