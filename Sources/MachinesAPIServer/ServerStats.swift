/// Counters of a server since start (or the last reset), served at `GET /__clawrun/stats`.
/// Requests to `/__clawrun/` itself are not counted.
public struct ServerStats: Sendable, Equatable, Codable {
    /// TCP connections accepted.
    public var connectionsAccepted = 0
    /// Connections accepted past `ServerLimits.maxConnections` (answered 503 and closed).
    public var connectionsRefused = 0
    /// Connections closed by a deadline: `header` (a request not received in time, answered 408)
    /// and `idle` (no next request in time).
    public var timeouts: [String: Int] = [:]
    /// Connections served now.
    public var openConnections = 0
    /// The most connections open at once.
    public var maxOpenConnections = 0
    /// API requests received.
    public var requests = 0
    /// API requests by route, e.g. `"GET /v1/machines/{machine_id}/executions/{execution_id}"`.
    public var requestsByRoute: [String: Int] = [:]
    /// Injected faults and idempotency outcomes by kind: `dropped_connection`, `server_error`,
    /// `rate_limited`, `dropped_after_create`, `first_exec_unavailable`, `idempotent_replay`,
    /// `idempotency_key_reused`, `idempotency_in_flight`.
    public var faults: [String: Int] = [:]
    /// API requests answered 429 by the `--rate-limit` buckets.
    public var rateLimited = 0
    /// Machines the provider created.
    public var machinesCreated = 0

    /// Zeroed counters.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case connectionsAccepted = "connections_accepted", openConnections = "open_connections"
        case connectionsRefused = "connections_refused", timeouts
        case maxOpenConnections = "max_open_connections", requests, requestsByRoute = "requests_by_route"
        case faults, machinesCreated = "machines_created", rateLimited = "rate_limited"
    }
}
