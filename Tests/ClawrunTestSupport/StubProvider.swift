import ClawrunCore

/// A provider over a fixed list of machines that counts its calls, for unit tests of the core and
/// the host that only resolve targets (list and get); everything else is refused.
public final class StubProvider: MachineProvider, Sendable {
    public let name = "stub"
    public let machines: [Machine]
    let pageSize: Int
    private let calls = Locked<[String]>([])

    /// Makes a provider over these machines, listed `pageSize` at a time.
    public init(_ machines: [Machine], pageSize: Int = 3) {
        self.machines = machines
        self.pageSize = pageSize
    }

    /// Machines named m1...mN, phases cycling through running, sleeping, failed.
    public static func fleet(_ n: Int) -> StubProvider {
        let phases: [Phase] = [.running, .sleeping, .failed]
        return StubProvider((1...n).map { i in
            Machine(id: "m\(i)", vcpu: Double(1 + i % 2), memoryMiB: 1024, storageGiB: 10,
                    desiredState: phases[i % 3] == .sleeping ? .sleeping : .running, phase: phases[i % 3])
        })
    }

    /// Every call made, in order (`get m1`, `list` for a list page).
    public var callLog: [String] { calls.withLock { $0 } }

    private func note(_ call: String) { calls.withLock { $0.append(call) } }

    public func get(_ id: String) async throws -> Machine {
        note("get \(id)")
        guard let m = machines.first(where: { $0.id == id }) else { throw ProviderError.machineNotFound(id) }
        return m
    }

    public func list(cursor: String?, limit: Int?) async throws -> Page<Machine> {
        note("list")
        let start = cursor.flatMap { c in machines.firstIndex { $0.id == c }.map { $0 + 1 } } ?? 0
        let items = Array(machines[start..<min(start + pageSize, machines.count)])
        let more = start + pageSize < machines.count
        return Page(items: items, nextCursor: more ? items.last?.id : nil)
    }

    public func create(_ spec: MachineSpec) async throws -> Machine { throw unsupported }
    public func delete(_ id: String) async throws -> Machine { throw unsupported }
    public func sleep(_ id: String) async throws -> Machine { throw unsupported }
    public func wake(_ id: String) async throws -> Machine { throw unsupported }
    public func reboot(_ id: String, force: Bool) async throws -> Machine { throw unsupported }
    public func startExecution(machineId: String, _ request: ExecRequest) async throws -> Execution { throw unsupported }
    public func execution(machineId: String, executionId: String) async throws -> Execution { throw unsupported }
    public func output(machineId: String, executionId: String) async throws -> ExecutionOutput { throw unsupported }
    public func events(machineId: String, executionId: String, cursor: String?, limit: Int?) async throws
        -> Page<ExecutionEvent> { throw unsupported }
    public func executions(machineId: String, cursor: String?, limit: Int?) async throws -> Page<Execution> {
        throw unsupported
    }
    public func deleteExecution(machineId: String, executionId: String) async throws -> Execution { throw unsupported }
    public func shutdown() async {}

    private var unsupported: ClawrunError { .unsupported("StubProvider only lists and gets") }
}
