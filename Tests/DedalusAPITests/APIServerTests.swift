import ClawrunCore
import MachinesAPIServer
import Foundation
import Testing

@Suite("clawrun serve's wire behaviour")
struct APIServerTests {
    @Test func authBodies() async throws {
        try await Harness.with { h in
            let missing = try await rawRequest("GET", h.baseURL + "/v1/machines")
            #expect(missing.status == 401)
            #expect(missing.body["error_code"] as? String == "AUTH_REQUIRED")
            #expect(missing.body["message"] as? String == "missing Dedalus API key")
            #expect(missing.body["retryable"] as? Bool == false)
            let wrong = try await rawRequest("GET", h.baseURL + "/v1/machines", headers: ["x-api-key": "nope"])
            #expect(wrong.status == 401 && wrong.body["error_code"] as? String == "AUTH_INVALID")
            let viaX = try await rawRequest("GET", h.baseURL + "/v1/machines", headers: ["x-api-key": testKey])
            #expect(viaX.status == 200)
            #expect(viaX.body["items"] is [Any])
        }
    }

    @Test func idempotencyReplaysAndRejectsReuse() async throws {
        try await Harness.with { h in
            let headers = ["Authorization": "Bearer \(testKey)", "Idempotency-Key": "0190aaaabbbb7ccc8ddd000011112222",
                           "Content-Type": "application/json"]
            let first = try await rawRequest("POST", h.baseURL + "/v1/machines", headers: headers, body: #"{"memory_mib":1024}"#)
            let again = try await rawRequest("POST", h.baseURL + "/v1/machines", headers: headers, body: #"{"memory_mib":1024}"#)
            #expect(first.status == 200)
            #expect(first.body["machine_id"] as? String == again.body["machine_id"] as? String)
            #expect(h.fake.createdCount == 1)
            let reused = try await rawRequest("POST", h.baseURL + "/v1/machines", headers: headers, body: #"{"memory_mib":2048}"#)
            #expect(reused.status == 409)
            #expect(reused.body["error_code"] as? String == "IDEMPOTENCY_KEY_REUSED")
            #expect(reused.headers["x-should-retry"] == "false")
            let details = reused.body["details"] as? [String: String]
            #expect(details?["expected_request_hash"] != nil && details?["provided_request_hash"] != nil)
            #expect(h.fake.createdCount == 1)
        }
    }

    @Test func shapesMatchTheSpec() async throws {
        try await Harness.with { h in
            let auth = ["Authorization": "Bearer \(testKey)"]
            let created = try await rawRequest("POST", h.baseURL + "/v1/machines", headers: auth, body: "{}")
            #expect(Set(created.body.keys) == ["machine_id", "vcpu", "memory_mib", "storage_gib", "autosleep_seconds",
                                               "desired_state", "phase"])
            #expect(created.body["memory_mib"] as? Int == 4096)
            let id = try #require(created.body["machine_id"] as? String)
            let detail = try await rawRequest("GET", h.baseURL + "/v1/machines/\(id)", headers: auth)
            #expect(detail.body["phase"] == nil)
            let status = try #require(detail.body["status"] as? [String: Any])
            for key in ["phase", "reason", "retryable", "revision", "last_transition_at", "last_progress_at",
                        "memory_configured_mib"] {
                #expect(status[key] != nil, "status.\(key)")
            }
            let list = try await rawRequest("GET", h.baseURL + "/v1/machines?limit=1", headers: auth)
            let item = try #require((list.body["items"] as? [[String: Any]])?.first)
            #expect(item["phase"] != nil && item["created_at"] != nil)
            _ = try await h.runningMachine()
            let running = try await h.provider.listAll().last!
            let exec = try await rawRequest("POST", h.baseURL + "/v1/machines/\(running.id)/executions",
                                            headers: auth, body: #"{"command":["echo","hi"]}"#)
            #expect(exec.body["log_capture"] as? [String: Any] != nil)
            #expect(exec.body["created_at"] is String && exec.body["status"] is String)
        }
    }

    @Test func badInputIs400() async throws {
        try await Harness.with { h in
            let auth = ["Authorization": "Bearer \(testKey)"]
            let negative = try await rawRequest("POST", h.baseURL + "/v1/machines", headers: auth, body: #"{"vcpu":-1}"#)
            #expect(negative.status == 400 && negative.body["error_code"] as? String == "INVALID_REQUEST")
            #expect((negative.body["message"] as? String)?.contains("vcpu") == true)
            let wrongType = try await rawRequest("POST", h.baseURL + "/v1/machines", headers: auth, body: #"{"memory_mib":"big"}"#)
            #expect(wrongType.status == 400)
            let huge = try await rawRequest("POST", h.baseURL + "/v1/machines", headers: auth, body: #"{"memory_mib":999999}"#)
            #expect(huge.status == 400 && (huge.body["message"] as? String)?.contains("memory_mib exceeds capacity") == true)
            let noCommand = try await rawRequest("POST", h.baseURL + "/v1/machines/x/executions", headers: auth, body: #"{"command":null}"#)
            #expect(noCommand.status == 400)
            let unknown = try await rawRequest("GET", h.baseURL + "/v1/machines/dm-nope", headers: auth)
            #expect(unknown.status == 404)
            let route = try await rawRequest("GET", h.baseURL + "/v2/things", headers: auth)
            #expect(route.status == 404)
            let method = try await rawRequest("PUT", h.baseURL + "/v1/machines", headers: auth)
            #expect(method.status == 405)
            #expect(h.fake.createdCount == 0)
        }
    }

    @Test func faultsAndStatsOverTheAdminEndpoint() async throws {
        try await Harness.with { h in
            let auth = ["Authorization": "Bearer \(testKey)"]
            let set = try await rawRequest("POST", h.baseURL + "/__clawrun/faults", headers: auth,
                                           body: #"{"server_error_count":1,"latency_ms":5}"#)
            #expect(set.status == 200 && set.body["server_error_count"] as? Int == 1)
            #expect(h.server.faults().latencyMs == 5)
            let failed = try await rawRequest("GET", h.baseURL + "/v1/machines", headers: auth)
            #expect(failed.status == 503 && failed.body["error_code"] as? String == "DEPENDENCY_UNAVAILABLE")
            let ok = try await rawRequest("GET", h.baseURL + "/v1/machines", headers: auth)
            #expect(ok.status == 200)
            let stats = try await rawRequest("GET", h.baseURL + "/__clawrun/stats", headers: auth)
            #expect(stats.body["requests"] as? Int == 2)
            #expect((stats.body["faults"] as? [String: Int])?["server_error"] == 1)
            #expect((stats.body["connections_accepted"] as? Int ?? 0) >= 1)
            let denied = try await rawRequest("GET", h.baseURL + "/__clawrun/stats")
            #expect(denied.status == 401)
        }
    }
}
