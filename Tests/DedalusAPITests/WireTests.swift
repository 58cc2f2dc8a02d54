import ClawrunCore
@testable import DedalusAPI
import Foundation
import NIOHTTP1
import Testing

@Suite("Wire formats")
struct WireTests {
    private func machine(_ json: String) throws -> Machine {
        try JSONDecoder().decode(WireMachine.self, from: Data(json.utf8)).machine
    }

    @Test func mutationShapeHasFlatPhase() throws {
        let m = try machine(#"{"machine_id":"017f22e2-79b0-7cc3-98c4-dc0c0c07398f","vcpu":1,"memory_mib":4096,"storage_gib":10,"autosleep_seconds":300,"desired_state":"running","phase":"accepted"}"#)
        #expect(m.id == "017f22e2-79b0-7cc3-98c4-dc0c0c07398f")
        #expect(m.phase == .accepted && m.desiredState == .running && m.vcpu == 1 && m.autosleepSeconds == 300)
    }

    @Test func retrieveShapeHasNestedStatus() throws {
        let m = try machine(#"{"machine_id":"dm-019fd32e-40e9-72f4-9cb4-007ed53735ba","vcpu":1,"memory_mib":2048,"storage_gib":10,"autosleep_seconds":300,"desired_state":"running","status":{"phase":"failed","reason":"RuntimeWakeFailed","last_error":"Host node evicted the VM","retryable":false,"revision":"1","last_transition_at":"2026-08-05T18:27:33Z","last_progress_at":"2026-08-05T18:27:33Z","future_field":{"x":1}}}"#)
        #expect(m.id.hasPrefix("dm-"))
        #expect(m.phase == .failed)
        #expect(m.reason == "RuntimeWakeFailed")
        #expect(m.lastError == "Host node evicted the VM")
    }

    @Test func listItemHasCreatedAtWithNanoseconds() throws {
        let m = try machine(#"{"machine_id":"a","vcpu":0.5,"memory_mib":4096.0,"storage_gib":10,"autosleep_seconds":0,"desired_state":"sleeping","phase":"sleeping","created_at":"2026-08-05T18:27:34.091276598Z"}"#)
        #expect(m.vcpu == 0.5 && m.memoryMiB == 4096)
        let at = try #require(m.createdAt)
        #expect(abs(at.timeIntervalSince1970 - 1_785_954_454.091_276_598) < 0.000_01)
    }

    @Test func unknownEnumsDoNotCrash() throws {
        let m = try machine(#"{"machine_id":"a","desired_state":"hibernating","phase":"teleporting"}"#)
        #expect(m.phase == .accepted)
        #expect(m.reason?.contains("teleporting") == true)
        #expect(try machine(#"{"machine_id":"a","phase":"wake_pending"}"#).phase == .starting)
        let e = try JSONDecoder().decode(WireExecution.self, from: Data(#"{"execution_id":"wexec-1","machine_id":"a","status":"paused","created_at":"x","log_capture":{},"retry_after_ms":750}"#.utf8)).execution
        #expect(e.status == .running)
        #expect(e.retryAfterMs == 750)
        #expect(e.createdAt == nil)
    }

    @Test func pageStopsOnEmptyCursorOrEmptyItems() throws {
        let last = try JSONDecoder().decode(WirePage<WireMachine>.self, from: Data(#"{"items":null,"next_cursor":"abc"}"#.utf8))
        #expect(last.map(\.machine).nextCursor == nil)
        let end = try JSONDecoder().decode(WirePage<WireMachine>.self, from: Data(#"{"items":[{"machine_id":"a","phase":"running"}],"next_cursor":""}"#.utf8))
        #expect(end.map(\.machine).nextCursor == nil && end.items.count == 1)
    }

    @Test func errorBodies() {
        var headers = HTTPHeaders()
        let envelope = ProviderError.fromResponse(status: 409, headers: headers, body: Data(#"{"error_code":"INVALID_STATE","message":"requested lifecycle transition is invalid for current machine state","retryable":false,"details":{"current_observed_state":"error"}}"#.utf8), secrets: [])
        #expect(envelope.code == "INVALID_STATE" && envelope.status == 409 && !envelope.retryable)
        #expect(envelope.message.contains("current_observed_state=error"))

        let problem = ProviderError.fromResponse(status: 422, headers: headers, body: Data(#"{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"location":"body.vcpu","message":"expected number > 0","value":-1}]}"#.utf8), secrets: [])
        #expect(problem.code == "UNPROCESSABLE_ENTITY")
        #expect(problem.message == "validation failed (body.vcpu: expected number > 0)")

        headers.add(name: "retry-after", value: "2")
        let text = ProviderError.fromResponse(status: 502, headers: headers, body: Data("Bad Gateway\n<html>".utf8), secrets: [])
        #expect(text.code == "HTTP_502" && text.message == "Bad Gateway" && text.retryable && text.retryAfterMs == 2000)
        for (value, expected) in [("inf", nil), ("nan", nil), ("1e300", 86_400_000)] as [(String, Int?)] {
            let odd = ProviderError.fromResponse(status: 503, headers: HTTPHeaders([("retry-after", value)]), body: Data(),
                                                 secrets: [])
            #expect(odd.retryAfterMs == expected, "Retry-After: \(value)")
        }

        let stuck = ProviderError(status: 200, code: "NoReadyHosts", message: "stuck in placement_pending")
        #expect(stuck.remedy?.contains("memory_mib") == true)
        let storage = ProviderError(status: 503, code: "StorageProvisioningFailed", message: "")
        #expect(storage.remedy?.contains("wait and retry") == true)
        let routable = ProviderError(status: 200, code: "machine_not_routable", message: "machine is not routable for execution")
        #expect(routable.remedy?.contains("wake or recreate") == true)
    }

    @Test func retryRules() {
        var headers = HTTPHeaders()
        for status in [408, 409, 429, 500, 502, 503, 504] { #expect(RetryPolicy.shouldRetry(status: status, headers: headers)) }
        for status in [400, 401, 403, 404, 422] { #expect(!RetryPolicy.shouldRetry(status: status, headers: headers)) }
        headers.add(name: "x-should-retry", value: "false")
        #expect(!RetryPolicy.shouldRetry(status: 503, headers: headers))
        headers.replaceOrAdd(name: "x-should-retry", value: "true")
        #expect(RetryPolicy.shouldRetry(status: 400, headers: headers))

        let policy = RetryPolicy(maxRetries: 2)
        #expect(policy.delay(retriesTaken: 0, headers: ["retry-after-ms": "250"]) == 0.25)
        #expect(policy.delay(retriesTaken: 0, headers: ["retry-after": "3"]) == 3)
        let now = Date(timeIntervalSince1970: 1_445_412_470)
        #expect(policy.delay(retriesTaken: 0, headers: ["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"], now: now) == 10)
        let tooLong = policy.delay(retriesTaken: 1, headers: ["retry-after": "120"])
        #expect((0.75...1.0).contains(tooLong))
        #expect((0.375...0.5).contains(policy.delay(retriesTaken: 0, headers: ["retry-after-ms": "0"])))
    }

    @Test func idempotencyKeysAreCompactUUIDv7() {
        let now = Date(timeIntervalSince1970: 1_785_954_453.5)
        let key = IdempotencyKey.make(now: now)
        #expect(key.count == 32)
        #expect(key.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(key.prefix(12) == String(1_785_954_453_500, radix: 16).leftPadded(to: 12))
        #expect(Array(key)[12] == "7")
        #expect("89ab".contains(Array(key)[16]))
        #expect(IdempotencyKey.make() != IdempotencyKey.make())
    }

    @Test func configurationFromEnvironment() async throws {
        let both = try DedalusConfiguration.fromEnvironment([
            "DEDALUS_API_KEY": "a", "DEDALUS_X_API_KEY": "b", "DEDALUS_ORG_ID": "org_1",
            "DEDALUS_BASE_URL": "http://127.0.0.1:8080/prefix",
        ])
        #expect(both.baseURL == "http://127.0.0.1:8080/prefix/")
        let p = DedalusProvider(configuration: both)
        let headers = p.headers(method: .POST, idempotencyKey: "k", retriesTaken: 1)
        await p.shutdown()
        #expect(headers["Authorization"] == ["Bearer a"])
        #expect(headers["x-api-key"] == ["b"])
        #expect(headers["X-Dedalus-Org-Id"] == ["org_1"])
        #expect(headers["Content-Type"] == ["application/json"])
        #expect(headers["Idempotency-Key"] == ["k"])
        #expect(headers["User-Agent"].first?.hasPrefix("clawrun/") == true)
        let get = DedalusProvider(configuration: try DedalusConfiguration(xApiKey: "b"))
        let getHeaders = get.headers(method: .GET, idempotencyKey: nil, retriesTaken: 0)
        await get.shutdown()
        #expect(getHeaders["Content-Type"].isEmpty && getHeaders["Idempotency-Key"].isEmpty && getHeaders["Authorization"].isEmpty)
        #expect(try DedalusConfiguration(apiKey: "a").baseURL == "https://dcs.dedaluslabs.ai/")
        #expect(throws: ClawrunError.self) { try DedalusConfiguration(apiKey: "a", baseURL: "dcs.dedaluslabs.ai") }
    }

    @Test func pathsArePercentEncoded() throws {
        #expect(try DedalusPath.execution("dm-1", "a/b c", "output") == "v1/machines/dm-1/executions/a%2Fb%20c/output")
        #expect(throws: ClawrunError.self) { try DedalusPath.machine("") }
        #expect(DedalusPath.query([("limit", "2"), ("cursor", "a&b="), ("x", nil)]) == "limit=2&cursor=a%26b%3D")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
