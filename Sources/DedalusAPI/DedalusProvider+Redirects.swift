import AsyncHTTPClient
import ClawrunCore
import Foundation
import NIOCore
import NIOHTTP1

/// A redirect clawrun will not follow: to another origin, of a call that is not a GET, or one too many.
struct RedirectRefused: Error {
    var status: Int
    /// The `Location` as resolved against the request's URL (or as sent, when it does not parse).
    var target: String
    var reason: String

    /// The error a call fails with: it names the target and why, never the credentials.
    func error(method: String, url: String, secrets: [String]) -> ProviderError {
        let message = "\(method) \(url) was redirected (HTTP \(status)) to \(target): \(reason); "
            + "point DEDALUS_BASE_URL at the address the API answers at"
        return ProviderError(status: status, code: "redirect_refused",
                             message: SecretRedactor.redact(message, secrets: secrets))
    }
}

/// What one exchange (with the redirects it followed) came to.
struct Answer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
    /// The last redirect target followed, if any.
    var redirectedTo: String?
}

extension DedalusProvider {
    /// The most redirects one attempt follows.
    static let maxRedirects = 5

    /// Sends a request and reads its whole answer. A redirect is followed only for a GET and only
    /// within the base URL's scheme, host and port, and without the credential and organisation
    /// headers; anything else is a `RedirectRefused` naming the target.
    func exchange(_ request: HTTPClientRequest, method: HTTPMethod, url: String, seconds: Double) async throws -> Answer {
        var request = request
        var current = url
        var redirectedTo: String?
        var hops = 0
        while true {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(seconds * 1e9)))
            let status = Int(response.status.code)
            guard [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "Location") else {
                let buffer = try await response.body.collect(upTo: configuration.maxResponseBytes)
                return Answer(status: status, headers: response.headers, body: Data(buffer.readableBytesView),
                              redirectedTo: redirectedTo)
            }
            // Read (a little of) the body so the connection can be reused; its content is not used.
            _ = try? await response.body.collect(upTo: 64 << 10)
            let target = try Self.redirectTarget(location, from: current, status: status)
            guard method == .GET else {
                throw RedirectRefused(status: status, target: target,
                                      reason: "clawrun never repeats a \(method.rawValue) at another address")
            }
            hops += 1
            guard hops <= Self.maxRedirects else {
                throw RedirectRefused(status: status, target: target,
                                      reason: "more than \(Self.maxRedirects) redirects")
            }
            var next = HTTPClientRequest(url: target)
            next.method = .GET
            next.headers = request.headers
            for name in ["Authorization", "x-api-key", "X-Dedalus-Org-Id", "Cookie"] { next.headers.remove(name: name) }
            request = next
            current = target
            redirectedTo = target
        }
    }

    /// The absolute target of a `Location`, or `RedirectRefused` when it leaves the origin of `from`.
    static func redirectTarget(_ location: String, from: String, status: Int) throws -> String {
        guard let base = URL(string: from), let resolved = URL(string: location, relativeTo: base)?.absoluteURL,
              let scheme = resolved.scheme?.lowercased(), let host = resolved.host?.lowercased()
        else {
            throw RedirectRefused(status: status, target: String(location.prefix(300)),
                                  reason: "the Location is not a URL clawrun can follow")
        }
        func port(_ url: URL, _ scheme: String) -> Int? { url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : nil) }
        let fromScheme = base.scheme?.lowercased() ?? ""
        let target = resolved.absoluteString
        if scheme != fromScheme {
            throw RedirectRefused(status: status, target: target,
                                  reason: "another scheme (\(scheme), not \(fromScheme)); clawrun follows redirects only within the API's origin")
        }
        if host != base.host?.lowercased() || port(resolved, scheme) != port(base, fromScheme) {
            throw RedirectRefused(status: status, target: target,
                                  reason: "another host or port; clawrun follows redirects only within the API's origin")
        }
        return target
    }
}
