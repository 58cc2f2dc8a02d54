/// How much a run was slowed down to respect an API's rate: for the recap and `--json`.
public struct ThrottleReport: Sendable, Equatable {
    /// API requests sent (every attempt, 429s included).
    public var requests: Int
    /// Answers that were 429 `RATE_LIMITED`.
    public var rateLimited: Int
    /// Wall-clock seconds during which at least one request was held back (by `--rate`, by a
    /// server's retry hint, or by the in-flight limit that 429s lower).
    public var throttledSeconds: Double

    /// Makes a report.
    public init(requests: Int = 0, rateLimited: Int = 0, throttledSeconds: Double = 0) {
        self.requests = requests
        self.rateLimited = rateLimited
        self.throttledSeconds = throttledSeconds
    }
}

/// A provider that paces its requests and can say how much it did so.
public protocol ThrottleReporting: Sendable {
    /// The figures so far.
    var throttleReport: ThrottleReport { get }
}
