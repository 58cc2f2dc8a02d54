import Foundation
import ClawrunCore
import NIOHTTP1

extension ProviderError {
    /// The error for a non-2xx answer. Reads the DCS envelope (`error_code`, `message`, `retryable`,
    /// `retry_after_ms`, `details`), RFC 7807 problem+json (`title`, `detail`, `errors`), other JSON
    /// with a `message` or `error`, or plain text. Credentials in `secrets` never reach the message.
    static func fromResponse(status: Int, headers: HTTPHeaders, body: Data, secrets: [String]) -> ProviderError {
        // Capped at a day: a huge header must not overflow, and no retry waits that long anyway.
        let hint = RetryPolicy.serverHint(headers, now: Date()).map { Int((min(max($0, 0), 86_400) * 1000).rounded()) }
        let statusRetryable = RetryPolicy.shouldRetry(status: status, headers: headers)
        var code = "HTTP_\(status)"
        var message = HTTPResponseStatus(statusCode: status).reasonPhrase
        var retryable = statusRetryable
        var retryAfterMs = hint
        if let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let c = json["error_code"] as? String, !c.isEmpty {
                code = c
                message = json["message"] as? String ?? message
                retryable = json["retryable"] as? Bool ?? statusRetryable
                if let ms = json["retry_after_ms"] as? NSNumber { retryAfterMs = ms.intValue }
                if let details = json["details"] as? [String: Any], !details.isEmpty {
                    let pairs = details.keys.sorted().map { "\($0)=\(details[$0].map { "\($0)" } ?? "")" }
                    message += " (" + pairs.joined(separator: ", ") + ")"
                }
            } else if json["title"] != nil || json["detail"] != nil || json["type"] != nil {
                let title = json["title"] as? String
                if let type = json["type"] as? String, type != "about:blank",
                   let last = type.split(separator: "/").last {
                    code = String(last)
                } else if let title, !title.isEmpty {
                    code = title.uppercased().replacingOccurrences(of: " ", with: "_")
                }
                message = json["detail"] as? String ?? title ?? message
                if let errors = json["errors"] as? [[String: Any]], !errors.isEmpty {
                    let items = errors.map { e in
                        [e["location"] as? String, e["message"] as? String].compactMap { $0 }.joined(separator: ": ")
                    }
                    message += " (" + items.joined(separator: "; ") + ")"
                }
            } else if let m = json["message"] as? String ?? json["error"] as? String {
                message = m
            }
        } else if let text = String(data: body, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
                  !text.isEmpty {
            message = String(text.split(separator: "\n").first ?? "").prefix(300).description
        }
        return ProviderError(status: status, code: code, message: SecretRedactor.redact(message, secrets: secrets),
                             retryable: retryable, retryAfterMs: retryAfterMs)
    }

    /// The error for a call whose every attempt failed in transport (refused, reset, timed out).
    static func transport(_ error: Error, method: String, url: String, attempts: Int, secrets: [String]) -> ProviderError {
        let text = SecretRedactor.redact(String(describing: error), secrets: secrets)
        let timedOut = text.lowercased().contains("timeout") || text.lowercased().contains("timed out")
        return ProviderError(status: 0, code: timedOut ? "timeout" : "connection_error",
                             message: "\(method) \(url) failed after \(attempts) attempt(s): \(text)",
                             retryable: true)
    }
}
