/// One automatic retry of a Dedalus API call, reported before the provider sleeps. It names the
/// request and what went wrong; it never holds a credential.
public struct RetryEvent: Sendable, Equatable, CustomStringConvertible {
    /// The HTTP method.
    public var method: String
    /// The request path relative to the base URL, without the query (`v1/machines/dm-…/executions`).
    public var path: String
    /// The attempt that failed, from 1.
    public var attempt: Int
    /// The attempts allowed in total.
    public var maxAttempts: Int
    /// The HTTP status that failed the attempt, nil for a transport failure.
    public var status: Int?
    /// The API's `error_code` when the answer had one.
    public var errorCode: String?
    /// What failed: the API's message, or the transport error.
    public var reason: String
    /// The wait before the next attempt, in seconds.
    public var delay: Double
    /// The `Idempotency-Key` every attempt of this call carries (nil for GET).
    public var idempotencyKey: String?

    /// Makes a retry event.
    public init(method: String, path: String, attempt: Int, maxAttempts: Int, status: Int?, errorCode: String?,
                reason: String, delay: Double, idempotencyKey: String?) {
        self.method = method
        self.path = path
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.status = status
        self.errorCode = errorCode
        self.reason = reason
        self.delay = delay
        self.idempotencyKey = idempotencyKey
    }

    public var description: String {
        let what = status.map { "HTTP \($0)" + (errorCode.map { " \($0)" } ?? "") } ?? "connection error"
        let wait = String(format: "%.2f", delay)
        return "\(method) /\(path) attempt \(attempt)/\(maxAttempts) failed (\(what): \(reason)); retrying in \(wait) s"
    }
}
