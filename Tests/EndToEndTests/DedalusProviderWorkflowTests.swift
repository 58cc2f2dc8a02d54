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

    @Test func aWorkflowRunsTheWholeLifecycleThroughTheAPI() throws {
        let cli = try ClawrunCLI()
        let key = "dsk-test-SECRET-\(UUID().uuidString.prefix(8))"
        let served = try ServedAPI(cli: cli, apiKey: key)
        try cli.write("life.lua", DedalusProviderWorkflowTests.lifecycle)
        let r = try cli.run(["life.lua", "--provider", "dedalus", "--json"], extraEnvironment: served.clientEnvironment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("on provider dedalus"))
        #expect(r.stdout.contains("\"value\":\"hello from"))
        #expect(r.stdout.contains("|awake\""))
        #expect(!(r.stdout + r.stderr).contains(key))
    }

    @Test func injectedFaultsAreRetriedAndOnlyOneMachineIsCreated() throws {
        let cli = try ClawrunCLI()
        let key = "dsk-test-SECRET-\(UUID().uuidString.prefix(8))"
        let served = try ServedAPI(cli: cli, apiKey: key)
        try served.admin("POST", "/__emulator/faults", body: """
            {"rate_limit_count": 1, "rate_limit_retry_after": 0.2, "drop_after_create_count": 1,
             "first_exec_unavailable": true, "route": "POST /v1/machines"}
            """)
        try cli.write("create.lua", """
            local m = machine.create{memory_mib = 1024}
            wait_phase(m, "running", {timeout = 120})
            exec(m, "true")
            return m.id
            """)
        let created = try cli.run(["create.lua", "--provider", "dedalus", "--json"],
                                  extraEnvironment: served.clientEnvironment)
        #expect(created.status == 0, "\(created.stderr)")
        let retries = created.stderr.split(separator: "\n").filter { $0.contains("RETRY") }
        #expect(retries.contains { $0.contains("HTTP 429") }, "\(created.stderr)")
        #expect(retries.contains { $0.contains("POST /v1/machines attempt") && $0.contains("connection error") },
                "a dropped connection is retried: \(created.stderr)")
        #expect(retries.contains { $0.contains("/executions") && $0.contains("503") }, "\(created.stderr)")
        let stats = try served.admin("GET", "/__emulator/stats")
        #expect(stats.contains("\"machines_created\":1"), "\(stats)")
        let id = created.stdout.components(separatedBy: "\"value\":\"").last?.split(separator: "\"").first.map(String.init) ?? ""

        try served.admin("POST", "/__emulator/faults", body: """
            {"server_error_count": 2, "server_error_status": 503, "route": "GET /v1/machines/{machine_id}"}
            """)
        try cli.write("rest.lua", """
            local m = targets()[1]
            machine.sleep(m)
            wait_phase(m, "sleeping", {timeout = 60})
            machine.wake(m)
            wait_phase(m, "running", {timeout = 60})
            exec(m, "true")
            machine.delete(m)
            wait_phase(m, "destroyed", {timeout = 60})
            """)
        let rest = try cli.run(["rest.lua", "--provider", "dedalus", "--machine", id],
                               extraEnvironment: served.clientEnvironment)
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(rest.stderr.split(separator: "\n").filter { $0.contains("RETRY") && $0.contains("503") }.count == 2,
                "\(rest.stderr)")
        #expect(!(created.stdout + created.stderr + rest.stderr).contains(key))
    }

    @Test func badRequestsAndBadKeysAreNotRetried() throws {
        let cli = try ClawrunCLI()
        let key = "dsk-test-SECRET-\(UUID().uuidString.prefix(8))"
        let served = try ServedAPI(cli: cli, apiKey: key)
        try cli.write("big.lua", "machine.create{memory_mib = 99999999}")
        let big = try cli.run(["big.lua", "--provider", "dedalus"], extraEnvironment: served.clientEnvironment)
        #expect(big.status == 1)
        #expect(big.stderr.contains("memory_mib exceeds capacity"), "\(big.stderr)")
        #expect(!big.stderr.contains("RETRY"))
        let wrongKey = "dsk-test-WRONG-\(UUID().uuidString.prefix(8))"
        let denied = try cli.run(["big.lua", "--provider", "dedalus"],
                                 extraEnvironment: ["DEDALUS_BASE_URL": served.baseURL, "DEDALUS_API_KEY": wrongKey])
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("AUTH_INVALID"), "\(denied.stderr)")
        #expect(!denied.stderr.contains("RETRY"))
        #expect(!denied.stderr.contains(wrongKey))
    }

    @Test func theOfficialPythonSDKRunsTheLifecycleAgainstServe() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import dedalus_sdk"]
        check.standardError = FileHandle.nullDevice
        try check.run()
        check.waitUntilExit()
        try #require(check.terminationStatus == 0, "dedalus-sdk is not installed: pip install dedalus-sdk==0.6.0")
        let cli = try ClawrunCLI()
        let served = try ServedAPI(cli: cli, apiKey: "dsk-test-\(UUID().uuidString.prefix(8))")
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", ClawrunCLI.packageRoot.appendingPathComponent("Tests/DedalusAPITests/sdk_lifecycle.py").path]
        python.environment = cli.environment.merging(served.clientEnvironment) { $1 }
        let out = Pipe()
        python.standardOutput = out
        python.standardError = out
        try python.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        #expect(python.terminationStatus == 0, "\(text)")
    }
}
