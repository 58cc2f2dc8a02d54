import ClawrunCore
@testable import DedalusAPI
import MachinesAPIServer
import Foundation
import NIOHTTP1
import Testing

@Suite("No credential in any output")
struct CredentialTests {
    @Test func retryEventsErrorsAndDescriptionsNeverShowTheKey() async throws {
        var texts: [String] = []
        let plan = FaultPlan(rateLimitCount: 1, rateLimitRetryAfter: 0.01, serverErrorCount: 1)
        try await Harness.with(faults: plan) { h in
            texts.append(h.provider.configuration.description)
            let m = try await h.provider.create(MachineSpec(memoryMiB: 1024))
            do { _ = try await h.provider.create(MachineSpec(memoryMiB: 100_000)) } catch { texts.append("\(error)") }
            do { _ = try await h.provider.get("nope") } catch { texts.append("\(error)") }
            h.server.setFaults(FaultPlan(dropConnectionCount: 1))
            _ = try await h.provider.get(m.id)
            h.server.setFaults(FaultPlan(serverErrorCount: 5))
            do { _ = try await h.provider.get(m.id) } catch { texts.append("\(error)") }
            texts += h.retries.all.map(\.description)
            texts += h.retries.all.map { "\($0)" + $0.reason + ($0.idempotencyKey ?? "") }
            #expect(h.retries.all.count >= 5)
        }
        try await Harness.with(serverKey: "dsk-test-other-key") { h in
            do { _ = try await h.provider.list(cursor: nil, limit: nil) } catch { texts.append("\(error)") }
        }
        let unreachable = DedalusProvider(
            configuration: try DedalusConfiguration(apiKey: testKey, xApiKey: testKey, baseURL: "http://127.0.0.1:9"),
            onRetry: { texts2.append($0.description) }, sleeper: { _ in })
        do { _ = try await unreachable.get("x") } catch { texts.append("\(error)") }
        await unreachable.shutdown()
        texts += texts2.all
        #expect(texts.count > 10)
        for text in texts { #expect(!text.contains(testKey), "leaked: \(text)") }
    }

    @Test func serverEchoedKeysAreScrubbed() {
        let body = Data(#"{"error_code":"AUTH_INVALID","message":"key dsk-test-SECRET-abc123 is revoked","retryable":false}"#.utf8)
        let error = ProviderError.fromResponse(status: 401, headers: HTTPHeaders(), body: body, secrets: [testKey])
        #expect(error.message == "key *** is revoked")
        #expect(!error.description.contains(testKey))
    }

    @Test(arguments: [[:], ["DEDALUS_API_KEY": ""]] as [[String: String]])
    func missingCredentialsNameTheVariables(environment: [String: String]) throws {
        let error = try #require(throws: ClawrunError.self) { try DedalusConfiguration.fromEnvironment(environment) }
        let text = "\(error)"
        #expect(text.contains("DEDALUS_API_KEY") && text.contains("DEDALUS_X_API_KEY"))
        #expect(!text.contains("\n"))
    }
}

/// Retry descriptions from the unreachable-server provider (a global so the closure can be @Sendable).
private let texts2 = Collector<String>()
