import Foundation
import Testing

/// `clawrun --provider dedalus` and the official Python SDK against `clawrun serve` over local machines.
@Suite(.serialized) struct DedalusProviderWorkflowTests {
    static let lifecycle = """
        local m = machine.create{vcpu = 1, memory_mib = 1024, storage_gib = 10}
        log.info("created", m.id, "phase", m.phase)
        wait_phase(m, "running", {timeout = 120})
        local out = exec(m, "echo hello from $(hostname)")
        machine.sleep(m)
        wait_phase(m, "sleeping", {timeout = 60})
        machine.wake(m)
        wait_phase(m, "running", {timeout = 60})
        local again = exec(m, {"/bin/echo", "awake"})
        machine.delete(m)
        wait_phase(m, "destroyed", {timeout = 60})
        return out .. "|" .. again
        """

    @Test func aWorkflowRunsTheWholeLifecycleThroughTheAPI() async throws {
        try await ClawrunHome.with { cli in
        let key = "dsk-test-SECRET-\(UUID().uuidString.prefix(8))"
        let served = try await ServedAPI(home: cli, apiKey: key)
        let lifeScript = try cli.write("life.lua", DedalusProviderWorkflowTests.lifecycle)
        let r = try await cli.run([lifeScript, "--provider", "dedalus", "--json"], environment: served.clientEnvironment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("on provider dedalus"))
        #expect(r.stdout.contains("\"value\":\"hello from"))
        #expect(r.stdout.contains("|awake\""))
        #expect(!(r.stdout + r.stderr).contains(key))
        await served.stop()
        }
    }

    @Test func injectedFaultsAreRetriedAndOnlyOneMachineIsCreated() async throws {
        try await ClawrunHome.with { cli in
        let key = "dsk-test-SECRET-\(UUID().uuidString.prefix(8))"
        let served = try await ServedAPI(home: cli, apiKey: key)
        try await served.admin("POST", "/__clawrun/faults", body: """
            {"rate_limit_count": 1, "rate_limit_retry_after": 0.2, "drop_after_create_count": 1,
             "first_exec_unavailable": true, "route": "POST /v1/machines"}
            """)
        let createScript = try cli.write("create.lua", """
            local m = machine.create{memory_mib = 1024}
            wait_phase(m, "running", {timeout = 120})
            exec(m, "true")
            return m.id
            """)
        let created = try await cli.run([createScript, "--provider", "dedalus", "--json"],
                                  environment: served.clientEnvironment)
        #expect(created.status == 0, "\(created.stderr)")
        let retries = created.stderr.split(separator: "\n").filter { $0.contains("RETRY") }
        #expect(retries.contains { $0.contains("HTTP 429") }, "\(created.stderr)")
        #expect(retries.contains { $0.contains("POST /v1/machines attempt") && $0.contains("connection error") },
                "a dropped connection is retried: \(created.stderr)")
        #expect(retries.contains { $0.contains("/executions") && $0.contains("503") }, "\(created.stderr)")
        let stats = try await served.admin("GET", "/__clawrun/stats")
        #expect(stats.contains("\"machines_created\":1"), "\(stats)")
        let id = created.events.first { $0.event == "result" }?["value"]?.stringValue ?? ""

        try await served.admin("POST", "/__clawrun/faults", body: """
            {"server_error_count": 2, "server_error_status": 503, "route": "GET /v1/machines/{machine_id}"}
            """)
        let restScript = try cli.write("rest.lua", """
            local m = targets()[1]
            machine.sleep(m)
            wait_phase(m, "sleeping", {timeout = 60})
            machine.wake(m)
            wait_phase(m, "running", {timeout = 60})
            exec(m, "true")
            machine.delete(m)
            wait_phase(m, "destroyed", {timeout = 60})
            """)
        let rest = try await cli.run([restScript, "--provider", "dedalus", "--machine", id],
                               environment: served.clientEnvironment)
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(rest.stderr.split(separator: "\n").filter { $0.contains("RETRY") && $0.contains("503") }.count == 2,
                "\(rest.stderr)")
        #expect(!(created.stdout + created.stderr + rest.stderr).contains(key))
        await served.stop()
        }
    }

    @Test func badRequestsAndBadKeysAreNotRetried() async throws {
        try await ClawrunHome.with { cli in
        let key = "dsk-test-SECRET-\(UUID().uuidString.prefix(8))"
        let served = try await ServedAPI(home: cli, apiKey: key)
        let bigScript = try cli.write("big.lua", "machine.create{memory_mib = 99999999}")
        let big = try await cli.run([bigScript, "--provider", "dedalus"], environment: served.clientEnvironment)
        #expect(big.status == 1)
        #expect(big.stderr.contains("memory_mib exceeds capacity"), "\(big.stderr)")
        #expect(!big.stderr.contains("RETRY"))
        let wrongKey = "dsk-test-WRONG-\(UUID().uuidString.prefix(8))"
        let denied = try await cli.run([bigScript, "--provider", "dedalus"],
                                 environment: ["DEDALUS_BASE_URL": served.baseURL, "DEDALUS_API_KEY": wrongKey])
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("AUTH_INVALID"), "\(denied.stderr)")
        #expect(!denied.stderr.contains("RETRY"))
        #expect(!denied.stderr.contains(wrongKey))
        await served.stop()
        }
    }

    @Test func theOfficialPythonSDKRunsTheLifecycleAgainstServe() async throws {
        try await ClawrunHome.with { cli in
            let check = await (try cli.spawn("python3", ["-c", "import dedalus_sdk"])).finish()
            try #require(check.status == 0, "dedalus-sdk is not installed: pip install dedalus-sdk==0.6.0")
            let served = try await ServedAPI(home: cli, apiKey: "dsk-test-\(UUID().uuidString.prefix(8))")
            let script = ClawrunHome.binary.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Tests/DedalusAPITests/sdk_lifecycle.py").path
            let python = await (try cli.spawn("python3", [script], environment: served.clientEnvironment)).finish()
            await served.stop()
            #expect(python.status == 0, "\(python.stdout)\(python.stderr)")
        }
    }
}
