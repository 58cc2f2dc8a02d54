import ClawrunCore
import Foundation
import NIOHTTP1

/// An error answer in the DCS envelope `{"error_code","message","retryable","retry_after_ms"?,"details"?}`.
/// Non-retryable answers to statuses the SDKs retry (408, 409, 429, 5xx) carry `x-should-retry: false`;
/// a retry hint is also sent as `retry-after-ms`.
struct APIError: Error, Encodable {
    var status: Int
    var errorCode: String
    var message: String
    var retryable: Bool
    var retryAfterMs: Int?
    var details: [String: String]?

    init(_ status: Int, _ code: String, _ message: String, retryable: Bool = false, retryAfterMs: Int? = nil,
         details: [String: String]? = nil) {
        self.status = status
        self.errorCode = code
        self.message = message
        self.retryable = retryable
        self.retryAfterMs = retryAfterMs
        self.details = details
    }

    private enum CodingKeys: String, CodingKey {
        case errorCode = "error_code", message, retryable, retryAfterMs = "retry_after_ms", details
    }

    /// The HTTP answer.
    var response: APIResponse {
        var response = APIResponse.json(self, status: HTTPResponseStatus(statusCode: status))
        let sdkRetries = status == 408 || status == 409 || status == 429 || status >= 500
        if sdkRetries && !retryable { response.headers.add(name: "x-should-retry", value: "false") }
        if let retryAfterMs { response.headers.add(name: "retry-after-ms", value: String(retryAfterMs)) }
        return response
    }

    /// The answer for an error a provider threw.
    static func from(_ error: Error) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as ProviderError:
            return APIError(e.status > 0 ? e.status : 502, e.code, e.message, retryable: e.retryable,
                            retryAfterMs: e.retryAfterMs)
        case ClawrunError.invalidArgument(let m), ClawrunError.usage(let m):
            return APIError(400, "INVALID_REQUEST", m)
        case ClawrunError.unsupported(let m):
            return APIError(503, "DEPENDENCY_UNAVAILABLE", m)
        case ClawrunError.timeout(let m):
            return APIError(504, "TIMEOUT", m, retryable: true)
        default:
            return APIError(500, "INTERNAL", String(describing: error), retryable: true)
        }
    }
}
