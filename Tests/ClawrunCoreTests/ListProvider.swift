import ClawrunCore
import Foundation

/// A provider over a fixed list of machines that counts its calls: enough to test target
/// resolution, which only lists and gets.
final class ListProvider: MachineProvider, @unchecked Sendable {
    let name = "list"
    let machines: [Machine]
    let pageSize: Int
    private let lock = NSLock()
    private var calls: [String] = []

    init(_ machines: [Machine], pageSize: Int = 3) {
        self.machines = machines
        self.pageSize = pageSize
    }

    /// Machines named m1...mN, phases cycling through running, sleeping, failed.
    static func fleet(_ n: Int) -> ListProvider {
        let phases: [Phase] = [.running, .sleeping, .failed]
        return ListProvider((1...n).map { i in
            Machine(id: "m\(i)", vcpu: Double(1 + i % 2), memoryMiB: 1024, storageGiB: 10,
                    desiredState: phases[i % 3] == .sleeping ? .sleeping : .running, phase: phases[i % 3])
        })
    }

    var callLog: [String] {
        lock.lock()
        defer { lock.unlock() }
        return calls
    }

    private func note(_ call: String) {
        lock.lock()
        calls.append(call)
        lock.unlock()
    }

    func get(_ id: String) async throws -> Machine {
        note("get \(id)")
        guard let m = machines.first(where: { $0.id == id }) else { throw ProviderError.machineNotFound(id) }
        return m
    }

    func list(cursor: String?, limit: Int?) async throws -> Page<Machine> {
        note("list")
        let start = cursor.flatMap { c in machines.firstIndex { $0.id == c }.map { $0 + 1 } } ?? 0
        let items = Array(machines[start..<min(start + pageSize, machines.count)])
        let more = start + pageSize < machines.count
        return Page(items: items, nextCursor: more ? items.last?.id : nil)
    }

    func create(_ spec: MachineSpec) async throws -> Machine { throw unsupported }
    func delete(_ id: String) async throws -> Machine { throw unsupported }
    func sleep(_ id: String) async throws -> Machine { throw unsupported }
    func wake(_ id: String) async throws -> Machine { throw unsupported }
    func reboot(_ id: String, force: Bool) async throws -> Machine { throw unsupported }
    func startExecution(machineId: String, _ request: ExecRequest) async throws -> Execution { throw unsupported }
    func execution(machineId: String, executionId: String) async throws -> Execution { throw unsupported }
    func output(machineId: String, executionId: String) async throws -> ExecutionOutput { throw unsupported }
    func events(machineId: String, executionId: String, cursor: String?, limit: Int?) async throws
        -> Page<ExecutionEvent> { throw unsupported }
    func executions(machineId: String, cursor: String?, limit: Int?) async throws -> Page<Execution> {
        throw unsupported
    }
    func deleteExecution(machineId: String, executionId: String) async throws -> Execution { throw unsupported }
    func shutdown() async {}

    private var unsupported: ClawrunError { .unsupported("ListProvider only lists and gets") }
}
