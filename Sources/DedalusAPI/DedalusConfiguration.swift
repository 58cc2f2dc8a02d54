import Foundation
import ClawrunCore

/// How to reach and authenticate to the Dedalus Machines API, read from the same environment
/// variables as the official SDKs (`DEDALUS_API_KEY`, `DEDALUS_X_API_KEY`, `DEDALUS_ORG_ID`,
/// `DEDALUS_BASE_URL`). Its description never shows a credential.
public struct DedalusConfiguration: Sendable, CustomStringConvertible {
    /// The production control plane, the SDKs' default.
    public static let defaultBaseURL = "https://dcs.dedaluslabs.ai"

    /// Sent as `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// Sent as `x-api-key: <xApiKey>`.
    public var xApiKey: String?
    /// Sent as `X-Dedalus-Org-Id` on every request when set.
    public var orgId: String?
    /// The base URL, always ending in `/` (paths such as `v1/machines` are appended to it).
    public private(set) var baseURL: String
    /// Retries after the first attempt of a call (the SDKs' `max_retries`, default 2: 3 attempts).
    public var maxRetries: Int
    /// The deadline of one attempt, from sending it to the last byte of the answer (headers and
    /// body, redirects within the base URL's origin included), in seconds: 60 by default, the
    /// SDKs' timeout; `CLAWRUN_API_TIMEOUT` sets it. A server that drips its answer is cut here.
    public var requestTimeout: Double
    /// The most bytes of one answer's body: 64 MiB by default; `CLAWRUN_API_MAX_RESPONSE_BYTES`
    /// sets it. A larger answer fails the call (not retried).
    public var maxResponseBytes: Int
    /// The TCP/TLS connect timeout (the SDKs' 5 s), so that an unreachable server fails fast.
    public var connectTimeout: Double
    /// At most this many HTTP/1.1 connections per host, however many calls run at once.
    public var maxConnections: Int
    /// The run's request budget, requests a second (`clawrun --rate`); nil: none.
    public var rate: Double?
    /// How long the API may answer nothing but 429 before a call fails saying it is saturated
    /// (`clawrun --rate-deadline`), in seconds; until then 429s slow the run down instead.
    public var saturationDeadline: Double = 300
    /// The `User-Agent` header.
    public var userAgent: String

    /// Makes a configuration; at least one of `apiKey` and `xApiKey` is required.
    public init(apiKey: String? = nil, xApiKey: String? = nil, orgId: String? = nil,
                baseURL: String = DedalusConfiguration.defaultBaseURL, maxRetries: Int = 2,
                requestTimeout: Double = 60, connectTimeout: Double = 5, maxConnections: Int = 32,
                maxResponseBytes: Int = 64 << 20, userAgent: String = "clawrun/0.1.0") throws {
        let apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        let xApiKey = xApiKey.flatMap { $0.isEmpty ? nil : $0 }
        guard apiKey != nil || xApiKey != nil else {
            throw ClawrunError.usage(
                "no Dedalus credentials: set DEDALUS_API_KEY (sent as Authorization: Bearer) or DEDALUS_X_API_KEY (sent as x-api-key)")
        }
        guard maxRetries >= 0 else {
            throw ClawrunError.invalidArgument("maxRetries must be 0 or more, got \(maxRetries)")
        }
        guard requestTimeout > 0, requestTimeout <= 86_400 else {
            throw ClawrunError.usage("CLAWRUN_API_TIMEOUT must be more than 0 and at most 86400 seconds, got \(requestTimeout)")
        }
        guard maxResponseBytes >= 1024 else {
            throw ClawrunError.usage("CLAWRUN_API_MAX_RESPONSE_BYTES must be at least 1024, got \(maxResponseBytes)")
        }
        self.apiKey = apiKey
        self.xApiKey = xApiKey
        self.maxResponseBytes = maxResponseBytes
        self.orgId = orgId.flatMap { $0.isEmpty ? nil : $0 }
        self.baseURL = try DedalusConfiguration.normalize(baseURL: baseURL)
        self.maxRetries = maxRetries
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maxConnections = max(1, maxConnections)
        self.userAgent = userAgent
    }

    /// Reads the configuration from environment variables as the SDKs do, plus clawrun's own
    /// `CLAWRUN_API_TIMEOUT` (seconds) and `CLAWRUN_API_MAX_RESPONSE_BYTES`; empty values count as unset.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> DedalusConfiguration
    {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let base = value("DEDALUS_BASE_URL") ?? defaultBaseURL
        var timeout = 60.0
        if let text = value("CLAWRUN_API_TIMEOUT") {
            guard let t = Double(text), t.isFinite else {
                throw ClawrunError.usage("CLAWRUN_API_TIMEOUT must be a number of seconds, got '\(text)'")
            }
            timeout = t
        }
        var maxBytes = 64 << 20
        if let text = value("CLAWRUN_API_MAX_RESPONSE_BYTES") {
            guard let n = Int(text) else {
                throw ClawrunError.usage("CLAWRUN_API_MAX_RESPONSE_BYTES must be a whole number of bytes, got '\(text)'")
            }
            maxBytes = n
        }
        return try DedalusConfiguration(apiKey: environment["DEDALUS_API_KEY"],
                                        xApiKey: environment["DEDALUS_X_API_KEY"],
                                        orgId: environment["DEDALUS_ORG_ID"], baseURL: base,
                                        requestTimeout: timeout, maxResponseBytes: maxBytes)
    }

    /// Every credential this configuration holds, for scrubbing text that leaves the provider.
    var secrets: [String] { [apiKey, xApiKey].compactMap { $0 } }

    public var description: String {
        var parts = ["base URL \(baseURL)"]
        if apiKey != nil { parts.append("Authorization: Bearer ***") }
        if xApiKey != nil { parts.append("x-api-key: ***") }
        if let orgId { parts.append("org \(orgId)") }
        return "Dedalus API (" + parts.joined(separator: ", ") + ")"
    }

    /// Checks the base URL and forces the trailing slash the SDKs add before appending paths.
    static func normalize(baseURL: String) throws -> String {
        let trimmed = baseURL.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil, url.query == nil
        else {
            throw ClawrunError.usage(
                "DEDALUS_BASE_URL '\(baseURL)' is not an http(s) URL: use e.g. https://dcs.dedaluslabs.ai or http://127.0.0.1:8080")
        }
        return trimmed.hasSuffix("/") ? trimmed : trimmed + "/"
    }
}
