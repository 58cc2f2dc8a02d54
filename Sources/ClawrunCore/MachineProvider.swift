/// Where machines live: the local sandboxes or the Dedalus Machines API. Every call is one request
/// to the provider; waiting and polling are the core's job (see `Poller`).
public protocol MachineProvider: Sendable {
    /// A short name for messages: "local" or "dedalus".
    var name: String { get }
    /// Creates a machine; it returns at once, usually in phase `accepted`.
    func create(_ spec: MachineSpec) async throws -> Machine
    /// Reads a machine; throws `ProviderError` with status 404 for an unknown id.
    func get(_ id: String) async throws -> Machine
    /// One page of the machines.
    func list(cursor: String?, limit: Int?) async throws -> Page<Machine>
    /// Starts destroying a machine.
    func delete(_ id: String) async throws -> Machine
    /// Starts putting a machine to sleep.
    func sleep(_ id: String) async throws -> Machine
    /// Starts waking a machine.
    func wake(_ id: String) async throws -> Machine
    /// Replaces a machine's runtime, keeping its files.
    func reboot(_ id: String, force: Bool) async throws -> Machine
    /// Starts an execution; it returns at once, usually `queued` or `wake_in_progress`.
    func startExecution(machineId: String, _ request: ExecRequest) async throws -> Execution
    /// Reads an execution.
    func execution(machineId: String, executionId: String) async throws -> Execution
    /// Reads an execution's captured output.
    func output(machineId: String, executionId: String) async throws -> ExecutionOutput
    /// One page of an execution's events.
    func events(machineId: String, executionId: String, cursor: String?, limit: Int?) async throws
        -> Page<ExecutionEvent>
    /// One page of a machine's executions.
    func executions(machineId: String, cursor: String?, limit: Int?) async throws -> Page<Execution>
    /// Cancels or forgets an execution.
    func deleteExecution(machineId: String, executionId: String) async throws -> Execution
    /// Releases connections, threads and processes the provider holds (not the machines).
    func shutdown() async
}

extension MachineProvider {
    /// Every machine, following the cursor through all pages.
    public func listAll(pageSize: Int? = nil) async throws -> [Machine] {
        var all: [Machine] = []
        var cursor: String?
        repeat {
            let page = try await list(cursor: cursor, limit: pageSize)
            all += page.items
            cursor = page.nextCursor
            if page.items.isEmpty { break }
        } while !(cursor ?? "").isEmpty
        return all
    }
}
