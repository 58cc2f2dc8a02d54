import ClawrunCore

/// The provider of `clawrun describe` and `clawrun check`: they run a workflow only up to its
/// `params` declaration, and must touch no machine on the way, so every call is refused.
public struct OfflineProvider: MachineProvider {
    public let name = "offline"

    /// Makes the provider.
    public init() {}

    private var refused: ClawrunError { .unsupported("no machine is reached while a workflow is only described or checked") }

    public func create(_ spec: MachineSpec) async throws -> Machine { throw refused }
    public func get(_ id: String) async throws -> Machine { throw refused }
    public func list(cursor: String?, limit: Int?) async throws -> Page<Machine> { throw refused }
    public func delete(_ id: String) async throws -> Machine { throw refused }
    public func sleep(_ id: String) async throws -> Machine { throw refused }
    public func wake(_ id: String) async throws -> Machine { throw refused }
    public func reboot(_ id: String, force: Bool) async throws -> Machine { throw refused }
    public func startExecution(machineId: String, _ request: ExecRequest) async throws -> Execution { throw refused }
    public func execution(machineId: String, executionId: String) async throws -> Execution { throw refused }
    public func output(machineId: String, executionId: String) async throws -> ExecutionOutput { throw refused }
    public func events(machineId: String, executionId: String, cursor: String?, limit: Int?) async throws
        -> Page<ExecutionEvent> { throw refused }
    public func executions(machineId: String, cursor: String?, limit: Int?) async throws -> Page<Execution> {
        throw refused
    }
    public func deleteExecution(machineId: String, executionId: String) async throws -> Execution { throw refused }
    public func shutdown() async {}
}
