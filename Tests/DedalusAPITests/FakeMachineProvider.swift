import ClawrunCore
import Foundation

/// An in-memory `MachineProvider` for the emulator's tests: phases advance with time
/// (`phaseStep` seconds per phase), and executions interpret a tiny shell (`sleep N`, `echo X`,
/// `exit N`, joined by `&&` or `;`) so that commands really take their duration.
final class FakeMachineProvider: MachineProvider, @unchecked Sendable {
    let name = "fake"
    let phaseStep: Double
    private let lock = NSLock()
    private var machines: [String: FakeMachine] = [:]
    private var order: [String] = []
    private var creates = 0

    /// Machines created so far.
    var createCount: Int { locked { creates } }

    private struct FakeMachine {
        var machine: Machine
        var path: [Phase]
        var since: Double
        var executions: [FakeExecution] = []
    }

    private struct FakeExecution {
        var id: String
        var command: [String]
        var created: Date
        var start: Double
        var duration: Double
        var timeout: Double?
        var stdout: String
        var exitCode: Int
        var refused: Bool
    }

    init(phaseStep: Double = 0.02) { self.phaseStep = phaseStep }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func current(_ f: FakeMachine) -> Machine {
        var m = f.machine
        let step = Int((monotonicNow() - f.since) / phaseStep)
        m.phase = f.path[min(max(step, 0), f.path.count - 1)]
        return m
    }

    private func find(_ id: String) throws -> FakeMachine {
        guard let f = machines[id] else { throw ProviderError.machineNotFound(id) }
        return f
    }

    private func transition(_ id: String, desired: DesiredState, path: [Phase], allowedFrom: Set<Phase>) throws -> Machine {
        try locked {
            var f = try find(id)
            let now = current(f)
            guard allowedFrom.contains(now.phase) else {
                throw ProviderError(status: 409, code: "INVALID_STATE",
                                    message: "requested lifecycle transition is invalid for current machine state")
            }
            f.machine.desiredState = desired
            f.path = path
            f.since = monotonicNow()
            machines[id] = f
            return current(f)
        }
    }

    func create(_ spec: MachineSpec) async throws -> Machine {
        try spec.validate()
        return locked {
            creates += 1
            let id = "dm-" + UUID().uuidString.lowercased()
            let m = Machine(id: id, vcpu: spec.vcpu, memoryMiB: spec.memoryMiB, storageGiB: spec.storageGiB,
                            autosleepSeconds: (try? AutosleepDuration.seconds(spec.autosleep ?? "300s")) ?? 300,
                            desiredState: .running, phase: .accepted, createdAt: Date())
            let f = FakeMachine(machine: m, path: [.accepted, .placementPending, .starting, .running], since: monotonicNow())
            machines[id] = f
            order.append(id)
            return current(f)
        }
    }

    func get(_ id: String) async throws -> Machine {
        try locked { current(try find(id)) }
    }

    func list(cursor: String?, limit: Int?) async throws -> Page<Machine> {
        locked {
            let start = cursor.flatMap(Int.init) ?? 0
            let size = limit ?? 50
            let ids = order.dropFirst(start).prefix(size)
            let next = start + ids.count < order.count ? String(start + ids.count) : nil
            return Page(items: ids.compactMap { machines[$0].map(current) }, nextCursor: next)
        }
    }

    func delete(_ id: String) async throws -> Machine {
        try transition(id, desired: .destroyed, path: [.destroying, .destroyed], allowedFrom: Set(Phase.allCases).subtracting([.destroyed]))
    }

    func sleep(_ id: String) async throws -> Machine {
        try transition(id, desired: .sleeping, path: [.stopping, .sleeping], allowedFrom: [.running, .sleeping])
    }

    func wake(_ id: String) async throws -> Machine {
        try transition(id, desired: .running, path: [.starting, .running], allowedFrom: [.sleeping, .running])
    }

    func reboot(_ id: String, force: Bool) async throws -> Machine {
        try transition(id, desired: .running, path: [.stopping, .starting, .running], allowedFrom: [.running])
    }

    func startExecution(machineId: String, _ request: ExecRequest) async throws -> Execution {
        try locked {
            var f = try find(machineId)
            let (duration, stdout, exitCode) = FakeMachineProvider.interpret(request.command)
            let e = FakeExecution(id: "wexec-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""),
                                  command: request.command, created: Date(), start: monotonicNow(), duration: duration,
                                  timeout: request.timeoutMs.map { Double($0) / 1000 }, stdout: stdout,
                                  exitCode: exitCode, refused: current(f).phase != .running)
            f.executions.append(e)
            machines[machineId] = f
            return view(e, machineId: machineId)
        }
    }

    private func view(_ e: FakeExecution, machineId: String) -> Execution {
        var x = Execution(id: e.id, machineId: machineId, status: .running, command: e.command, createdAt: e.created,
                          startedAt: e.created)
        if e.refused {
            x.status = .failed
            x.startedAt = nil
            x.completedAt = e.created
            x.errorCode = "machine_not_routable"
            x.errorMessage = "machine is not routable for execution"
            return x
        }
        let elapsed = monotonicNow() - e.start
        if let timeout = e.timeout, timeout < e.duration, elapsed >= timeout {
            x.status = .expired
            x.errorCode = "execution_timed_out"
            x.errorMessage = "execution exceeded timeout_ms"
            x.completedAt = e.created.addingTimeInterval(timeout)
        } else if elapsed >= e.duration {
            x.status = e.exitCode == 0 ? .succeeded : .failed
            x.exitCode = e.exitCode
            x.stdoutBytes = e.stdout.utf8.count
            x.completedAt = e.created.addingTimeInterval(e.duration)
        }
        return x
    }

    private func findExecution(_ machineId: String, _ executionId: String) throws -> FakeExecution {
        guard let e = try find(machineId).executions.first(where: { $0.id == executionId }) else {
            throw ProviderError(status: 404, code: "execution_not_found", message: "no execution '\(executionId)'")
        }
        return e
    }

    func execution(machineId: String, executionId: String) async throws -> Execution {
        try locked { view(try findExecution(machineId, executionId), machineId: machineId) }
    }

    func output(machineId: String, executionId: String) async throws -> ExecutionOutput {
        try locked {
            let e = try findExecution(machineId, executionId)
            let done = view(e, machineId: machineId).status.isTerminal && !e.refused
            let out = done ? e.stdout : ""
            return ExecutionOutput(stdout: out, stdoutBytes: out.utf8.count)
        }
    }

    func events(machineId: String, executionId: String, cursor: String?, limit: Int?) async throws
        -> Page<ExecutionEvent>
    {
        try locked {
            let e = try findExecution(machineId, executionId)
            let x = view(e, machineId: machineId)
            var all = [ExecutionEvent(sequence: 1, kind: .lifecycle, at: e.created, status: .queued),
                       ExecutionEvent(sequence: 2, kind: .lifecycle, at: e.created, status: .running)]
            if x.status.isTerminal {
                if !e.stdout.isEmpty { all.append(ExecutionEvent(sequence: 3, kind: .stdout, at: e.created, chunk: e.stdout)) }
                all.append(ExecutionEvent(sequence: all.count + 1, kind: .lifecycle, at: x.completedAt ?? e.created,
                                          status: x.status, exitCode: x.exitCode))
            }
            let start = cursor.flatMap(Int.init) ?? 0
            let page = Array(all.dropFirst(start).prefix(limit ?? 100))
            let next = start + page.count < all.count ? String(start + page.count) : nil
            return Page(items: page, nextCursor: next)
        }
    }

    func executions(machineId: String, cursor: String?, limit: Int?) async throws -> Page<Execution> {
        try locked {
            let all = try find(machineId).executions
            let start = cursor.flatMap(Int.init) ?? 0
            let page = all.dropFirst(start).prefix(limit ?? 50)
            let next = start + page.count < all.count ? String(start + page.count) : nil
            return Page(items: page.map { view($0, machineId: machineId) }, nextCursor: next)
        }
    }

    func deleteExecution(machineId: String, executionId: String) async throws -> Execution {
        try locked {
            var f = try find(machineId)
            guard let i = f.executions.firstIndex(where: { $0.id == executionId }) else {
                throw ProviderError(status: 404, code: "execution_not_found", message: "no execution '\(executionId)'")
            }
            var x = view(f.executions.remove(at: i), machineId: machineId)
            if !x.status.isTerminal { x.status = .cancelled }
            machines[machineId] = f
            return x
        }
    }

    func shutdown() async {}

    /// Duration, stdout and exit code of a command in the tiny shell.
    static func interpret(_ argv: [String]) -> (Double, String, Int) {
        let line = argv.count >= 3 && argv[1].hasPrefix("-") && argv[1].contains("c") ? argv[2] : argv.joined(separator: " ")
        var duration = 0.0
        var stdout = ""
        var exit = 0
        let statements = line.replacingOccurrences(of: "&&", with: ";").split(separator: ";")
        for statement in statements {
            let words = statement.split(separator: " ").map(String.init)
            guard let verb = words.first else { continue }
            switch verb {
            case "sleep": duration += Double(words.dropFirst().first ?? "0") ?? 0
            case "echo": stdout += words.dropFirst().joined(separator: " ").replacingOccurrences(of: "'", with: "") + "\n"
            case "exit": exit = Int(words.dropFirst().first ?? "0") ?? 0
            default: break
            }
            if exit != 0 { break }
        }
        return (duration, stdout, exit)
    }
}
