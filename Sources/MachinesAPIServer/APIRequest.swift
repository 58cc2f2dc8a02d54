import Foundation
import NIOHTTP1

/// One HTTP request as the server's API sees it.
struct APIRequest: Sendable {
    var method: HTTPMethod
    /// The path without the query, percent-decoded per segment later by the router.
    var path: String
    /// The raw query string (without `?`), empty when none.
    var rawQuery: String
    var headers: HTTPHeaders
    var body: Data

    init(head: HTTPRequestHead, body: Data) {
        method = head.method
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "")
        rawQuery = parts.count > 1 ? String(parts[1]) : ""
        headers = head.headers
        self.body = body
    }

    /// The decoded query parameters (the last value wins).
    var query: [String: String] {
        var out: [String: String] = [:]
        for pair in rawQuery.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(kv[0]).removingPercentEncoding ?? String(kv[0])
            let value = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            out[name] = value
        }
        return out
    }
}

/// One HTTP answer.
struct APIResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: Data

    init(status: HTTPResponseStatus, headers: HTTPHeaders = HTTPHeaders(), body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer of an encodable document.
    static func json<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) -> APIResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        return APIResponse(status: status, headers: headers, body: body)
    }
}

/// What the server does with a request's connection.
enum APIOutcome: Sendable {
    /// Write the answer.
    case respond(APIResponse)
    /// Close the connection without answering (a fault).
    case drop
}
