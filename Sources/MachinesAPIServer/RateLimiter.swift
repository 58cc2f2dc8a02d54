import ClawrunCore
import Foundation

/// `clawrun serve --rate-limit N/s`: a token bucket per API key (`rate` tokens a second, at most
/// `burst` saved up). A request that finds its bucket empty gets 429 `RATE_LIMITED` with the
/// wait until its next token, as the real API sends it: `retry-after-ms`, `Retry-After` (whole
/// seconds, rounded up) and `retry_after_ms` in the body.
public struct RateLimit: Sendable, Equatable {
    /// Requests a second, per key.
    public var rate: Double
    /// Requests a key may send at once after a quiet spell.
    public var burst: Double

    /// Makes a limit; `burst` defaults to one second's worth.
    public init(rate: Double, burst: Double? = nil) {
        self.rate = rate
        self.burst = max(1, burst ?? rate)
    }

    /// Reads `N/s` (or `N`, per second; `N/m` per minute); nil when it does not parse.
    public static func parse(_ text: String) -> RateLimit? {
        var number = Substring(text)
        var perSeconds = 1.0
        if let slash = text.firstIndex(of: "/") {
            number = text[..<slash]
            switch text[text.index(after: slash)...] {
            case "s", "sec": perSeconds = 1
            case "m", "min": perSeconds = 60
            default: return nil
            }
        }
        guard let n = Double(number), n.isFinite, n > 0, n <= 1e7 else { return nil }
        return RateLimit(rate: n / perSeconds)
    }
}

/// The buckets of a `RateLimit`, one per key.
final class RateLimiter: Sendable {
    let limit: RateLimit
    private let buckets = Locked<[String: (tokens: Double, at: Double)]>([:])

    init(_ limit: RateLimit) { self.limit = limit }

    /// Takes a token for `key`; when there is none, returns the milliseconds until there is one.
    func take(key: String, now: Double = monotonicNow()) -> Int? {
        buckets.withLock { all in
            var bucket = all[key] ?? (limit.burst, now)
            bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.at) * limit.rate)
            bucket.at = now
            defer { all[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / limit.rate * 1000).rounded(.up)))
        }
    }

    /// The 429 for a request that must wait `ms`, in the scope the real API names for its route.
    static func answer(waitMs: Int, mutating: Bool) -> APIResponse {
        var response = APIError(429, "RATE_LIMITED", "mutation rate limit exceeded", retryable: true,
                                retryAfterMs: waitMs,
                                details: ["rate_limit_scope": mutating ? "mutating_lifecycle_routes" : "read_lifecycle_routes"])
            .response
        response.headers.add(name: "Retry-After", value: String((waitMs + 999) / 1000))
        return response
    }
}
