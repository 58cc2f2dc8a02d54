import AsyncHTTPClient
import ClawrunCore
import Foundation
import NIOCore
import NIOHTTP1

/// The Dedalus Machines API as a `MachineProvider`: one request per call, the official SDKs'
/// headers, `Idempotency-Key`s and retry policy, over one pooled `HTTPClient`. Call `shutdown()`
/// before releasing it.
public final class DedalusProvider: MachineProvider, ThrottleReporting {
    public let name = "dedalus"
    /// Where and how this provider connects.
    public let configuration: DedalusConfiguration
    let client: HTTPClient
    let retryPolicy: RetryPolicy
    let onRetry: (@Sendable (RetryEvent) -> Void)?
    let sleeper: Sleeper
    let governor: RequestGovernor

    /// Makes a provider. `onRetry` hears of every automatic retry before its wait (route it to the
    /// run log); `sleeper` performs those waits.
    public init(configuration: DedalusConfiguration, onRetry: (@Sendable (RetryEvent) -> Void)? = nil,
                sleeper: @escaping Sleeper = realSleeper) {
        self.configuration = configuration
        self.onRetry = onRetry
        self.sleeper = sleeper
        self.retryPolicy = RetryPolicy(maxRetries: configuration.maxRetries)
        self.governor = RequestGovernor(rate: configuration.rate, maxInFlight: configuration.maxConnections,
                                        saturationDeadline: configuration.saturationDeadline)
        var config = HTTPClient.Configuration(
            timeout: .init(connect: .milliseconds(Int64(configuration.connectTimeout * 1000)),
                           read: .milliseconds(Int64(configuration.requestTimeout * 1000))),
            connectionPool: .init(idleTimeout: .seconds(60),
                                  concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections))
        // A refused connection then fails the attempt at once (AsyncHTTPClient would otherwise retry
        // it silently until the deadline, issue #743); `RetryPolicy` does the retrying with backoff.
        config.connectionPool.retryConnectionEstablishment = false
        config.decompression = .disabled
        // Redirects are handled by `exchange`: AsyncHTTPClient would follow them to any host and
        // resend every header but Authorization (x-api-key included), for a DELETE too.
        config.redirectConfiguration = .disallow
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
    }

    /// Makes a provider from `DEDALUS_API_KEY`, `DEDALUS_X_API_KEY`, `DEDALUS_ORG_ID` and `DEDALUS_BASE_URL`.
    public convenience init(environment: [String: String] = ProcessInfo.processInfo.environment,
                            onRetry: (@Sendable (RetryEvent) -> Void)? = nil) throws {
        self.init(configuration: try DedalusConfiguration.fromEnvironment(environment), onRetry: onRetry)
    }

    public func create(_ spec: MachineSpec) async throws -> Machine {
        try spec.validate()
        let body = try JSONEncoder().encode(CreateMachineBody(spec))
        return try await call(.POST, DedalusPath.machines, body: body, as: WireMachine.self).machine
    }

    public func get(_ id: String) async throws -> Machine {
        try await call(.GET, try DedalusPath.machine(id), as: WireMachine.self).machine
    }

    public func list(cursor: String?, limit: Int?) async throws -> Page<Machine> {
        let query = DedalusPath.query([("limit", limit.map(String.init)), ("cursor", cursor)])
        return try await call(.GET, DedalusPath.machines, query: query, as: WirePage<WireMachine>.self).map(\.machine)
    }

    public func delete(_ id: String) async throws -> Machine {
        try await call(.DELETE, try DedalusPath.machine(id), as: WireMachine.self).machine
    }

    public func sleep(_ id: String) async throws -> Machine {
        try await call(.POST, try DedalusPath.machine(id, "sleep"), body: Data(), as: WireMachine.self).machine
    }

    public func wake(_ id: String) async throws -> Machine {
        try await call(.POST, try DedalusPath.machine(id, "wake"), body: Data(), as: WireMachine.self).machine
    }

    public func reboot(_ id: String, force: Bool) async throws -> Machine {
        let query = DedalusPath.query([("force", force ? "true" : nil)])
        return try await call(.POST, try DedalusPath.machine(id, "reboot"), query: query, body: Data(),
                              as: WireMachine.self).machine
    }

    public func startExecution(machineId: String, _ request: ExecRequest) async throws -> Execution {
        let body = try JSONEncoder().encode(CreateExecutionBody(request))
        return try await call(.POST, try DedalusPath.executions(machineId), body: body, as: WireExecution.self)
            .execution
    }

    public func execution(machineId: String, executionId: String) async throws -> Execution {
        try await call(.GET, try DedalusPath.execution(machineId, executionId), as: WireExecution.self).execution
    }

    public func output(machineId: String, executionId: String) async throws -> ExecutionOutput {
        try await call(.GET, try DedalusPath.execution(machineId, executionId, "output"),
                       as: WireExecutionOutput.self).output
    }

    public func events(machineId: String, executionId: String, cursor: String?, limit: Int?) async throws
        -> Page<ExecutionEvent>
    {
        let query = DedalusPath.query([("limit", limit.map(String.init)), ("cursor", cursor)])
        return try await call(.GET, try DedalusPath.execution(machineId, executionId, "events"), query: query,
                              as: WirePage<WireExecutionEvent>.self).map(\.event)
    }

    public func executions(machineId: String, cursor: String?, limit: Int?) async throws -> Page<Execution> {
        let query = DedalusPath.query([("limit", limit.map(String.init)), ("cursor", cursor)])
        return try await call(.GET, try DedalusPath.executions(machineId), query: query,
                              as: WirePage<WireExecution>.self).map(\.execution)
    }

    public func deleteExecution(machineId: String, executionId: String) async throws -> Execution {
        try await call(.DELETE, try DedalusPath.execution(machineId, executionId), as: WireExecution.self).execution
    }

    /// Requests sent, 429s met and the time requests were held back, for the run's recap.
    public var throttleReport: ThrottleReport { governor.report }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
