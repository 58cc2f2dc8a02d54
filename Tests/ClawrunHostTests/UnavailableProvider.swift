import ClawrunCore

/// A provider for unit tests of the host alone: it answers nothing, so every binding's own
/// argument checks and error paths can be exercised without machines.
struct UnavailableProvider: MachineProvider {
    var name: String { "unavailable" }
    struct Refused: Error, CustomStringConvertible { var description: String { "no provider in this test" } }
    func create(_ spec: MachineSpec) async throws -> Machine { throw Refused() }
    func get(_ id: String) async throws -> Machine { throw ProviderError.machineNotFound(id) }
    func list(cursor: String?, limit: Int?) async throws -> Page<Machine> { Page(items: [], nextCursor: nil) }
    func delete(_ id: String) async throws -> Machine { throw Refused() }
    func sleep(_ id: String) async throws -> Machine { throw Refused() }
    func wake(_ id: String) async throws -> Machine { throw Refused() }
    func reboot(_ id: String, force: Bool) async throws -> Machine { throw Refused() }
    func startExecution(machineId: String, _ request: ExecRequest) async throws -> Execution { throw Refused() }
    func execution(machineId: String, executionId: String) async throws -> Execution { throw Refused() }
    func output(machineId: String, executionId: String) async throws -> ExecutionOutput { throw Refused() }
    func events(machineId: String, executionId: String, cursor: String?, limit: Int?) async throws
        -> Page<ExecutionEvent> { throw Refused() }
    func executions(machineId: String, cursor: String?, limit: Int?) async throws -> Page<Execution> { throw Refused() }
    func deleteExecution(machineId: String, executionId: String) async throws -> Execution { throw Refused() }
    func shutdown() async {}
}
