import ClawrunCore
import Foundation

extension LocalProvider {
    /// Starts a command: at once when the machine runs (`running`), after a wake when it sleeps
    /// (`wake_in_progress`); a destroyed machine gives a `failed` execution with error_code `machine_not_found`.
    public func startExecution(machineId: String, _ request: ExecRequest) async throws -> Execution {
        guard let record = store.load(machineId) else { throw ProviderError.machineNotFound(machineId) }
        guard !request.command.isEmpty else {
            throw ClawrunError.invalidArgument("command must not be empty: give an argv like [\"/bin/bash\", \"-c\", \"true\"]")
        }
        if let timeout = request.timeoutMs, timeout <= 0 {
            throw ClawrunError.invalidArgument("timeout_ms must be a positive number of milliseconds, got \(timeout)")
        }
        let (machine, identity) = observeWithInit(record)
        let asleep: Set<Phase> = [.sleeping, .stopping]
        let id = Identifiers.executionID()
        let run = ExecutionRun(Execution(id: id, machineId: machineId,
                                         status: asleep.contains(machine.phase) ? .wakeInProgress : .queued,
                                         command: request.command, createdAt: Date()))
        runs.withLock { $0.add(run, id: id, machineId: machineId) }

        switch machine.phase {
        case .destroying, .destroyed:
            run.refuse(code: "machine_not_found", message: "machine \(machineId) no longer exists: it was destroyed")
        case .failed:
            run.refuse(code: "machine_not_routable",
                       message: "machine \(machineId) failed to start (\(record.lastError ?? "no detail")): "
                           + "delete it and create a new one")
        case .running:
            return await launch(run, request, record, target: identity)
        default:
            if asleep.contains(machine.phase) { _ = try await requestWake(machineId) }
            let created = run.execution
            Task { await launchWhenRunning(run, request, machineId: machineId) }
            return created
        }
        return run.execution
    }

    /// The execution's current record.
    public func execution(machineId: String, executionId: String) async throws -> Execution {
        try find(machineId, executionId).execution
    }

    /// The execution's captured output (the first MiB of each stream, with full byte counts).
    public func output(machineId: String, executionId: String) async throws -> ExecutionOutput {
        try find(machineId, executionId).output
    }

    /// The execution's lifecycle and output events after the cursor (a sequence number).
    public func events(machineId: String, executionId: String, cursor: String?, limit: Int?) async throws
        -> Page<ExecutionEvent>
    {
        let run = try find(machineId, executionId)
        let size = max(1, min(limit ?? 100, 1000))
        let items = run.events(after: Int(cursor ?? "") ?? 0, limit: size + 1)
        let page = Array(items.prefix(size))
        return Page(items: page, nextCursor: items.count > size ? page.last.map { String($0.sequence) } : "")
    }

    /// The executions this provider started on the machine, oldest first; the cursor is an offset.
    public func executions(machineId: String, cursor: String?, limit: Int?) async throws -> Page<Execution> {
        guard store.load(machineId) != nil else { throw ProviderError.machineNotFound(machineId) }
        let size = max(1, min(limit ?? 100, 1000))
        let start = Int(cursor ?? "") ?? 0
        let all = runs.withLock { t in (t.byMachine[machineId] ?? []).compactMap { t.runs[$0] } }
        let page = all.dropFirst(start).prefix(size).map(\.execution)
        return Page(items: page, nextCursor: start + size < all.count ? String(start + size) : "")
    }

    /// Cancels a live execution (its whole process group is killed; status `cancelled`), or
    /// forgets an ended one.
    public func deleteExecution(machineId: String, executionId: String) async throws -> Execution {
        let run = try find(machineId, executionId)
        guard !run.execution.status.isTerminal else {
            runs.withLock { $0.remove(id: executionId, machineId: machineId) }
            return run.execution
        }
        if let pid = run.pid, reactor.cancel(pid: pid) {
            let deadline = monotonicNow() + 10
            while !run.execution.status.isTerminal && monotonicNow() < deadline {
                try? await Task.sleep(nanoseconds: 2_000_000)
            }
        } else {
            run.cancelWaiting()
        }
        return run.execution
    }

    private func find(_ machineId: String, _ executionId: String) throws -> ExecutionRun {
        guard let run = runs.withLock({ $0.runs[executionId] }), run.execution.machineId == machineId else {
            throw ProviderError(status: 404, code: "execution_not_found",
                                message: "no execution '\(executionId)' on machine '\(machineId)'")
        }
        return run
    }

    /// Waits for the machine to run (it is waking or booting), then launches; refuses if it ends
    /// up destroyed, failed or asleep by request.
    private func launchWhenRunning(_ run: ExecutionRun, _ request: ExecRequest, machineId: String) async {
        let deadline = monotonicNow() + LocalProvider.wakeTimeout
        while !run.execution.status.isTerminal {
            await lifecycle.idle(machineId)
            guard let record = store.load(machineId) else {
                return run.refuse(code: "machine_not_found", message: "machine \(machineId) no longer exists")
            }
            let (machine, identity) = observeWithInit(record)
            switch machine.phase {
            case .running:
                run.move(to: .queued)
                await launch(run, request, record, target: identity)
                return
            case .destroying, .destroyed:
                return run.refuse(code: "machine_not_found",
                                  message: "machine \(machineId) no longer exists: it was destroyed")
            case .failed:
                return run.refuse(code: "machine_not_routable",
                                  message: "machine \(machineId) failed to start: \(record.lastError ?? "no detail")")
            case .sleeping where record.desired != .running:
                return run.refuse(code: "machine_not_routable",
                                  message: "machine \(machineId) was put to sleep before the execution could start")
            case .sleeping:
                _ = try? await requestWake(machineId)
            default:
                break
            }
            if monotonicNow() > deadline {
                return run.refuse(code: "machine_not_routable",
                                  message: "machine \(machineId) did not wake within \(Int(LocalProvider.wakeTimeout)) s")
            }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// Starts the command in the running machine, through the init `target` seen running, and
    /// hands it to the reactor. Returns the execution as it was created: `running`, or `failed`
    /// when it could not start. Like Dedalus's answer (`queued`), it never already holds the
    /// command's end, which a quick command could otherwise reach before the answer is written.
    @discardableResult
    private func launch(_ run: ExecutionRun, _ request: ExecRequest, _ record: MachineRecord,
                        target: ProcessIdentity?) async -> Execution {
        guard !run.execution.status.isTerminal else { return run.execution }
        let notRunning = "machine \(record.id) is not running"
        // Whether the init still is this one is checked where the command enters it.
        guard let target else {
            run.refuse(code: "machine_not_routable", message: notRunning)
            return run.execution
        }
        do {
            let cgroup = record.memoryEnforced ? MemoryLimit.directory(machineID: record.id) : nil
            guard let command = try ExecLauncher.launch(request, target: target,
                                                        userNamespace: HostSupport.needsUserNamespace, cgroup: cgroup)
            else {
                run.refuse(code: "machine_not_routable", message: notRunning)
                return run.execution
            }
            run.move(to: .running, pid: command.pid)
            // Taken before the reactor watches the command, so before it can have ended.
            let created = run.execution
            let deadline = request.timeoutMs.map { monotonicNow() + Double($0) / 1000 }
            try reactor.watch(pid: command.pid, stdout: command.stdout, stderr: command.stderr, deadline: deadline,
                              sink: run)
            return created
        } catch {
            run.refuse(code: "execution_runner_prepare_failed", message: "\(error)")
            return run.execution
        }
    }
}
