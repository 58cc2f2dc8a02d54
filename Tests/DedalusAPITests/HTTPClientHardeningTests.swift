import ClawrunCore
@testable import DedalusAPI
import Foundation
import Testing

/// The Dedalus client against hostile servers on 127.0.0.1: redirects never leave the API's
/// origin nor carry credentials, a DELETE or POST is never redirected, a drip is cut at the
/// deadline, a huge answer at the cap (Sources/DedalusAPI/DedalusProvider+Redirects.swift,
/// DedalusProvider+Transport.swift).
@Suite("The Dedalus client against redirecting, dripping and huge answers")
struct HTTPClientHardeningTests {
    static let machine = #"{"machine_id":"dm-1","vcpu":1,"memory_mib":1024,"storage_gib":10,"desired_state":"running","phase":"running"}"#

    /// A provider with both credentials and an org id, pointed at `baseURL`, that does not retry.
    func provider(_ baseURL: String, timeout: Double = 60, maxBytes: Int = 64 << 20, retries: Int = 0,
                  retried: Collector<RetryEvent> = Collector()) throws -> DedalusProvider {
        let config = try DedalusConfiguration(apiKey: testKey, xApiKey: testKey + "-x", orgId: "org-secret-7",
                                              baseURL: baseURL, maxRetries: retries, requestTimeout: timeout,
                                              maxResponseBytes: maxBytes)
        return DedalusProvider(configuration: config, onRetry: { retried.append($0) }, sleeper: { _ in })
    }

    /// A server that answers everything with 200 and a machine document, recording what it got.
    func secondHost() throws -> ScriptedServer {
        try ScriptedServer { _, c in c.write(httpAnswer("200 OK", headers: ["Content-Type": "application/json"], body: Self.machine)) }
    }

    func noCredentials(_ r: ScriptedServer.Received) -> Bool {
        r.headers["authorization"] == nil && r.headers["x-api-key"] == nil && r.headers["x-dedalus-org-id"] == nil
            && !r.headers.values.contains { $0.contains(testKey) }
    }

    @Test(arguments: [301, 302, 303, 307, 308])
    func aRedirectToAnotherPortIsRefusedAndTheOtherHostHearsNothing(status: Int) async throws {
        let other = try secondHost()
        let target = other.baseURL + "/v1/machines/dm-1"
        let api = try ScriptedServer { _, c in c.write(httpAnswer("\(status) Moved", headers: ["Location": target])) }
        defer { api.stop(); other.stop() }
        let retried = Collector<RetryEvent>()
        let p = try provider(api.baseURL, retries: 2, retried: retried)
        let error = try await #require(throws: ProviderError.self) { try await p.get("dm-1") }
        await p.shutdown()
        #expect(error.code == "redirect_refused")
        #expect(error.message.contains(target) && error.message.contains("another host or port"), "\(error)")
        #expect(error.message.contains("DEDALUS_BASE_URL"))
        #expect(!"\(error)".contains(testKey))
        #expect(other.received.isEmpty, "the second host was reached")
        #expect(retried.all.isEmpty && api.received.count == 1, "a refused redirect is not retried")
    }

    @Test func aRedirectToAnotherSchemeOrHostIsRefused() async throws {
        let other = try secondHost()
        defer { other.stop() }
        for target in ["https://127.0.0.1:\(other.port)/v1/machines/dm-1", "http://localhost:\(other.port)/v1/machines/dm-1",
                       "ftp://127.0.0.1/x"] {
            let api = try ScriptedServer { _, c in c.write(httpAnswer("302 Found", headers: ["Location": target])) }
            let p = try provider(api.baseURL)
            let error = try await #require(throws: ProviderError.self) { try await p.get("dm-1") }
            await p.shutdown()
            api.stop()
            #expect(error.code == "redirect_refused" && error.message.contains(target), "\(error)")
        }
        #expect(other.received.isEmpty)
    }

    @Test(arguments: ["DELETE", "POST"])
    func aDeleteOrPostIsNeverRedirectedEvenWithinTheOrigin(method: String) async throws {
        let api = try ScriptedServer { r, c in
            if r.line.contains("/elsewhere") {
                c.write(httpAnswer("200 OK", headers: ["Content-Type": "application/json"], body: Self.machine))
            } else {
                c.write(httpAnswer("307 Temporary Redirect", headers: ["Location": "/elsewhere"]))
            }
        }
        defer { api.stop() }
        let p = try provider(api.baseURL)
        let error = try await #require(throws: ProviderError.self) {
            _ = method == "DELETE" ? try await p.delete("dm-1") : try await p.wake("dm-1")
        }
        await p.shutdown()
        #expect(error.code == "redirect_refused")
        #expect(error.message.contains(api.baseURL + "/elsewhere") && error.message.contains("never repeats a \(method)"))
        #expect(api.received.count == 1, "the redirect was followed: \(api.received.map(\.line))")
    }

    @Test func aGetRedirectWithinTheOriginIsFollowedWithoutCredentials() async throws {
        let api = try ScriptedServer { r, c in
            if r.line.contains("/moved/") {
                c.write(httpAnswer("200 OK", headers: ["Content-Type": "application/json"], body: Self.machine))
            } else {
                c.write(httpAnswer("302 Found", headers: ["Location": "/moved/dm-1"]))
            }
        }
        defer { api.stop() }
        let p = try provider(api.baseURL)
        let m = try await p.get("dm-1")
        await p.shutdown()
        #expect(m.id == "dm-1")
        let requests = api.received
        #expect(requests.count == 2)
        #expect(requests.first?.headers["authorization"] == "Bearer \(testKey)")
        #expect(requests.last.map(noCredentials) == true, "credentials followed the redirect: \(requests.last?.headers ?? [:])")
    }

    @Test func aRedirectLoopEndsWithAClearError() async throws {
        let api = try ScriptedServer { _, c in c.write(httpAnswer("302 Found", headers: ["Location": "/again"])) }
        defer { api.stop() }
        let p = try provider(api.baseURL)
        let error = try await #require(throws: ProviderError.self) { try await p.get("dm-1") }
        await p.shutdown()
        #expect(error.code == "redirect_refused" && error.message.contains("more than 5 redirects"))
        #expect(api.received.count == 6)
    }

    @Test(arguments: ["body", "headers"])
    func aDripIsCutAtTheDeadline(part: String) async throws {
        let finished = Locked(false)
        let cut = Locked(false)
        // One byte every 0.4 s: the read timeout (between bytes) never fires, the answer never ends.
        let api = try ScriptedServer { _, c in
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
            if part == "body" { c.write(head) }
            for byte in (part == "body" ? Array(String(repeating: " ", count: 200).utf8) : Array(head.utf8)) {
                guard c.write([byte]) else {
                    cut.withLock { $0 = true }
                    return
                }
                Thread.sleep(forTimeInterval: 0.4)
            }
            finished.withLock { $0 = true }
        }
        defer { api.stop() }
        let p = try provider(api.baseURL, timeout: 1.5)
        let error = try await #require(throws: ProviderError.self) { try await p.get("dm-1") }
        await p.shutdown()
        #expect(error.code == "timeout" && error.retryable)
        #expect(error.message.contains("no complete answer within 1.5 s") && error.message.contains("CLAWRUN_API_TIMEOUT"), "\(error)")
        #expect(!finished.withLock { $0 }, "the drip ran to its end instead of being cut")
        // The client closed the connection: the server's next writes fail (a few drips later).
        for _ in 0..<50 where !cut.withLock({ $0 }) { try await Task.sleep(nanoseconds: 100_000_000) }
        #expect(cut.withLock { $0 }, "the connection stayed open after the deadline")
    }

    @Test func aDripIsRetriedAsTheSDKsRetryTimeoutsThenFails() async throws {
        let api = try ScriptedServer { _, c in
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            for _ in 0..<100 where c.write(" ") { Thread.sleep(forTimeInterval: 0.3) }
        }
        defer { api.stop() }
        let retried = Collector<RetryEvent>()
        let p = try provider(api.baseURL, timeout: 0.6, retries: 2, retried: retried)
        let error = try await #require(throws: ProviderError.self) { try await p.get("dm-1") }
        await p.shutdown()
        #expect(error.code == "timeout")
        #expect(retried.all.count == 2 && api.received.count == 3)
    }

    @Test(arguments: [true, false])
    func anAnswerPastTheSizeCapFailsClearly(declaredLength: Bool) async throws {
        let api = try ScriptedServer { _, c in
            let chunk = String(repeating: "x", count: 64 << 10)
            if declaredLength {
                c.write("HTTP/1.1 200 OK\r\nContent-Length: \(40 * chunk.count)\r\n\r\n")
                for _ in 0..<40 where c.write(chunk) {}
            } else {
                c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in 0..<40 where c.write(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n") {}
                c.write("0\r\n\r\n")
            }
        }
        defer { api.stop() }
        let p = try provider(api.baseURL, maxBytes: 1 << 20, retries: 2)
        let error = try await #require(throws: ProviderError.self) { try await p.get("dm-1") }
        await p.shutdown()
        #expect(error.code == "response_too_large" && !error.retryable)
        #expect(error.message.contains("larger than 1048576 bytes") && error.message.contains("CLAWRUN_API_MAX_RESPONSE_BYTES"))
        #expect(api.received.count == 1)
    }

    @Test func theSettingsComeFromTheEnvironmentWithClearErrors() throws {
        let base = ["DEDALUS_API_KEY": testKey]
        let defaults = try DedalusConfiguration.fromEnvironment(base)
        #expect(defaults.requestTimeout == 60 && defaults.maxResponseBytes == 64 << 20)
        let set = try DedalusConfiguration.fromEnvironment(base.merging(["CLAWRUN_API_TIMEOUT": "2.5",
                                                                         "CLAWRUN_API_MAX_RESPONSE_BYTES": "4096"]) { $1 })
        #expect(set.requestTimeout == 2.5 && set.maxResponseBytes == 4096)
        for (name, value) in [("CLAWRUN_API_TIMEOUT", "soon"), ("CLAWRUN_API_TIMEOUT", "0"), ("CLAWRUN_API_TIMEOUT", "-1"),
                              ("CLAWRUN_API_MAX_RESPONSE_BYTES", "lots"), ("CLAWRUN_API_MAX_RESPONSE_BYTES", "10")] {
            let error = try #require(throws: ClawrunError.self) {
                try DedalusConfiguration.fromEnvironment(base.merging([name: value]) { $1 })
            }
            #expect("\(error)".contains(name) && "\(error)".contains(value), "\(error)")
        }
    }
}
