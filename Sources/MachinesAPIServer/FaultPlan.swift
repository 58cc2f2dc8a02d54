/// Faults `clawrun serve` injects, for tests and benchmarks. Counted faults are used up one request
/// at a time, in this order: dropped connection, 5xx, 429. Set at start, with
/// `APIServer.setFaults`, or by `POST /__clawrun/faults` with this struct as JSON
/// (snake_case keys; missing keys take their defaults).
public struct FaultPlan: Sendable, Equatable, Codable {
    /// Added before every API answer, in milliseconds.
    public var latencyMs: Int
    /// Answer each machine's first execution create with 503 `DEPENDENCY_UNAVAILABLE`
    /// ("guest agent is not ready"), as a machine that has just reached running does.
    public var firstExecUnavailable: Bool
    /// The next this-many requests get 429 `RATE_LIMITED` with a `Retry-After` header.
    public var rateLimitCount: Int
    /// The `Retry-After` of those 429s, in seconds (fractions allowed, as the SDKs accept).
    public var rateLimitRetryAfter: Double
    /// The next this-many requests get a `serverErrorStatus` answer with no retry hint.
    public var serverErrorCount: Int
    /// The status of those answers (503 by default).
    public var serverErrorStatus: Int
    /// The next this-many requests have their connection closed without an answer.
    public var dropConnectionCount: Int
    /// The next this-many machine creates succeed, then their connection is closed without an answer.
    public var dropAfterCreateCount: Int
    /// When set (e.g. `"POST /v1/machines"`), counted faults apply only to this route; the route
    /// names are those of `ServerStats.requestsByRoute`.
    public var route: String?

    /// Makes a plan; the default injects nothing.
    public init(latencyMs: Int = 0, firstExecUnavailable: Bool = false, rateLimitCount: Int = 0,
                rateLimitRetryAfter: Double = 1, serverErrorCount: Int = 0, serverErrorStatus: Int = 503,
                dropConnectionCount: Int = 0, dropAfterCreateCount: Int = 0, route: String? = nil) {
        self.latencyMs = latencyMs
        self.firstExecUnavailable = firstExecUnavailable
        self.rateLimitCount = rateLimitCount
        self.rateLimitRetryAfter = rateLimitRetryAfter
        self.serverErrorCount = serverErrorCount
        self.serverErrorStatus = serverErrorStatus
        self.dropConnectionCount = dropConnectionCount
        self.dropAfterCreateCount = dropAfterCreateCount
        self.route = route
    }

    private enum CodingKeys: String, CodingKey {
        case latencyMs = "latency_ms", firstExecUnavailable = "first_exec_unavailable"
        case rateLimitCount = "rate_limit_count", rateLimitRetryAfter = "rate_limit_retry_after"
        case serverErrorCount = "server_error_count", serverErrorStatus = "server_error_status"
        case dropConnectionCount = "drop_connection_count", dropAfterCreateCount = "drop_after_create_count"
        case route
    }

    /// Reads a plan from JSON; missing keys take their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FaultPlan()
        latencyMs = try c.decodeIfPresent(Int.self, forKey: .latencyMs) ?? d.latencyMs
        firstExecUnavailable = try c.decodeIfPresent(Bool.self, forKey: .firstExecUnavailable) ?? d.firstExecUnavailable
        rateLimitCount = try c.decodeIfPresent(Int.self, forKey: .rateLimitCount) ?? d.rateLimitCount
        rateLimitRetryAfter = try c.decodeIfPresent(Double.self, forKey: .rateLimitRetryAfter) ?? d.rateLimitRetryAfter
        serverErrorCount = try c.decodeIfPresent(Int.self, forKey: .serverErrorCount) ?? d.serverErrorCount
        serverErrorStatus = try c.decodeIfPresent(Int.self, forKey: .serverErrorStatus) ?? d.serverErrorStatus
        dropConnectionCount = try c.decodeIfPresent(Int.self, forKey: .dropConnectionCount) ?? d.dropConnectionCount
        dropAfterCreateCount = try c.decodeIfPresent(Int.self, forKey: .dropAfterCreateCount) ?? d.dropAfterCreateCount
        route = try c.decodeIfPresent(String.self, forKey: .route)
    }
}
