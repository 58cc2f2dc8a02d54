import Foundation
import ClawrunCore
import NIOHTTP1

/// The official SDKs' retry rules (spec §12.1): which answers to retry and how long to wait.
struct RetryPolicy: Sendable {
    /// Retries after the first attempt.
    var maxRetries: Int
    /// The schedule used when the server gives no usable hint.
    var backoff: Backoff = .httpRetry

    /// Whether an HTTP answer is worth another attempt: `x-should-retry` decides when present,
    /// else 408, 409, 429 and every 5xx are retried. Body `retryable` is ignored, as the SDKs do.
    static func shouldRetry(status: Int, headers: HTTPHeaders) -> Bool {
        switch headers.first(name: "x-should-retry")?.lowercased() {
        case "true": return true
        case "false": return false
        default: return status == 408 || status == 409 || status == 429 || status >= 500
        }
    }

    /// The wait before the next attempt: `retry-after-ms`, else `retry-after` (seconds or HTTP-date)
    /// when it is more than 0 and at most 60 s; else the backoff for `retriesTaken`.
    func delay(retriesTaken: Int, headers: HTTPHeaders?, now: Date = Date()) -> Double {
        backoff.delay(attempt: retriesTaken, hintSeconds: headers.flatMap { RetryPolicy.serverHint($0, now: now) })
    }

    /// The server's requested wait in seconds, if it sent one that parses.
    static func serverHint(_ headers: HTTPHeaders, now: Date) -> Double? {
        // Double() also reads "inf" and "nan", which are no wait at all.
        func finite(_ v: Double?) -> Double? { v.flatMap { $0.isFinite ? $0 : nil } }
        if let ms = finite(headers.first(name: "retry-after-ms").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) })) {
            return ms / 1000
        }
        guard let value = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return finite(seconds) }
        return httpDate(value).map { $0.timeIntervalSince(now) }
    }

    /// Parses an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`), the form `Retry-After` uses.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
