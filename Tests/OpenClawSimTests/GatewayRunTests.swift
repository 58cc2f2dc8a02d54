import ClawrunTestSupport
import Foundation
import OpenClawSim
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `gateway run`: startup refusals, the process title, signals, the busy-port failure and
/// hot restart on config edits.
@Suite struct GatewayRunTests {
    @Test func refusesToStartWithoutLocalMode() async {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        var result = await sandbox.run(["gateway", "run"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("Missing config. Run `openclaw setup` or set gateway.mode=local (or pass --allow-unconfigured)."))
        sandbox.writeConfig(#"{"gateway":{"port":1}}"#)
        result = await sandbox.run(["gateway", "run"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("Gateway start blocked: set gateway.mode=local (current: unset)"))
    }

    @Test func refusesLanBindWithoutAuthAndBadFlags() async {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        var result = await sandbox.run(["gateway", "run", "--bind", "lan", "--auth", "none"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("Refusing to bind gateway to lan without auth."))
        result = await sandbox.run(["gateway", "run", "--port", "abc"])
        #expect(result.status == 1)
        #expect(result.stderr == "Invalid port\n")
        result = await sandbox.run(["gateway", "run", "--bind", "moon"])
        #expect(result.status == 1)
        #expect(result.stderr == "Invalid --bind (use \"loopback\", \"lan\", \"tailnet\", \"auto\", or \"custom\")\n")
        result = await sandbox.run(["gateway", "run", "--auth", "magic"])
        #expect(result.status == 1)
        #expect(result.stderr == "Invalid --auth (use \"none\", \"token\", \"password\", or \"trusted-proxy\")\n")
    }

    @Test func servesHealthAndAnswersHealthCalls() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig(auth: #"{ mode: "none" }"#)
        let gateway = try await sandbox.startGateway()
        #expect(gateway.log.contains("[gateway] listening on ws://127.0.0.1:\(sandbox.port) (PID \(gateway.pid))"))
        #expect(gateway.log.contains("Gateway auth mode=none explicitly configured"))

        let root = try #require(await sandbox.get("/"))
        #expect(root.status == 200)
        #expect(root.text.contains("<title>OpenClaw Control</title>"))
        #expect(root.header("x-content-type-options") == "nosniff")
        let health = try #require(await sandbox.get("/healthz"))
        #expect(health.text == #"{"ok":true,"status":"live"}"#)
        #expect(await sandbox.request("POST", "/health")?.status == 405)
        #expect(await sandbox.request("POST", "/nope")?.status == 404)

        let human = await sandbox.run(["gateway", "call", "health"])
        #expect(human.status == 0)
        #expect(human.stdout.hasPrefix("Gateway call: health\n{\n  \"ok\": true,"))
        let json = await sandbox.run(["gateway", "call", "health", "--json"])
        #expect(json.status == 0)
        let payload = try #require(try? JSON5Parser.parseStrict(json.stdout))
        #expect(payload["ok"] == .bool(true))
        #expect(payload["defaultAgentId"] == .string("main"))
        #expect(payload.value(atKeys: ["sessions", "count"]) == .number(0))
    }

    @Test func callFailsWhenNothingListens() async {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        let result = await sandbox.run(["gateway", "call", "health"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Gateway call failed: Error: gateway closed (1006 abnormal closure (no close frame)): no close reason\nGateway target: ws://127.0.0.1:\(sandbox.port)"))
        let badParams = await sandbox.run(["gateway", "call", "health", "--params", "{nope"])
        #expect(badParams.status == 1)
        #expect(badParams.stderr.hasPrefix("Gateway call failed: SyntaxError: "))
    }

    @Test func sigtermEndsTheGatewayWithStatusZero() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        let gateway = try await sandbox.startGateway()
        #expect(await gateway.stop() == 0)
        #expect(gateway.log.contains("received SIGTERM; shutting down"))
    }

    @Test func secondGatewayOnBusyPortFails() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        let first = try await sandbox.startGateway()
        let second = await sandbox.run(["gateway", "run"])
        // [S] treats this as a "healthy" lock error: message + diagnostics, exit 0.
        #expect(second.status == 0)
        #expect(second.stderr.contains("Gateway failed to start: GatewayLockError: another gateway instance is already listening on ws://127.0.0.1:\(sandbox.port)"))
        #expect(second.stderr.contains("Port \(sandbox.port) is already in use."))
        #expect(second.stderr.contains("- pid \(first.pid) "))
        #expect(await sandbox.get("/healthz")?.status == 200)
    }

    @Test func pgrepFindsTheGatewayButNotCLICalls() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        let gateway = try await sandbox.startGateway()
        let cmdline = try String(contentsOfFile: "/proc/\(gateway.pid)/cmdline", encoding: .utf8)
        #expect(cmdline.hasPrefix("openclaw-gateway\0"))

        // A CLI call that hangs on a listener that never answers, so it is alive during pgrep.
        let silentPort = SimSandbox.freePort()
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(silentPort).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(silent, 4)
        let call = Process()
        call.executableURL = URL(fileURLWithPath: SimSandbox.binary)
        call.arguments = ["gateway", "call", "health", "--url", "ws://127.0.0.1:\(silentPort)", "--token", "x", "--timeout", "60000"]
        call.environment = sandbox.environment
        call.standardOutput = FileHandle.nullDevice
        call.standardError = FileHandle.nullDevice
        try call.run()
        // SIGTERM without waiting (a synchronous defer must not block the pool); Foundation reaps it.
        defer { call.terminate() }

        func titled() async -> [Int32] {
            await offPool {
                let pgrep = Process()
                pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
                pgrep.arguments = ["-f", "openclaw-gateway"]
                let pipe = Pipe()
                pgrep.standardOutput = pipe
                guard (try? pgrep.run()) != nil else { return [] }
                let output = pipe.fileHandleForReading.readDataToEndOfFile()
                pgrep.waitUntilExit()
                return String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
            }
        }
        // The call titles itself as it starts; wait for that instead of a fixed time.
        var pids: [Int32] = []
        _ = await sandbox.waitUntil(seconds: 30) {
            pids = await titled()
            return pids.contains(call.processIdentifier)
        }
        #expect(call.isRunning)
        #expect(pids.contains(gateway.pid))
        // Every `openclaw gateway <sub>` is titled `openclaw-gateway` by the pre-action hook
        // (`src/cli/program/preaction.ts`), so a title search also finds a concurrent call.
        #expect(pids.contains(call.processIdentifier))
    }

    @Test func tokenChangeOnDiskRestartsInPlace() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig(auth: #"{ mode: "token", token: "old-token-aaaaaaaaaaaaaaaaaaaa" }"#)
        let gateway = try await sandbox.startGateway(env: ["OPENAI_API_KEY": "sk-test"])
        let body = #"{"model":"openclaw","messages":[{"role":"user","content":"hi"}]}"#
        #expect(await sandbox.chat(body, token: "old-token-aaaaaaaaaaaaaaaaaaaa")?.status == 200)

        let set = await sandbox.run(["config", "set", "gateway.auth.token", "\"new-token-bbbbbbbbbbbbbbbbbbbb\"", "--strict-json"])
        #expect(set.status == 0)
        let switched = await sandbox.waitUntil(seconds: 60) {
            let new = await sandbox.chat(body, token: "new-token-bbbbbbbbbbbbbbbbbbbb")?.status
            let old = await sandbox.chat(body, token: "old-token-aaaaaaaaaaaaaaaaaaaa")?.status
            return new == 200 && old == 401
        }
        #expect(switched)
        #expect(gateway.process.isRunning)
        #expect(gateway.log.contains("config change requires gateway restart (gateway.auth.token)"))
        #expect(gateway.log.contains("restarting in-process (pid \(gateway.pid))"))
        // The CLI reads the new token from config too.
        #expect(await sandbox.run(["gateway", "call", "health", "--json"]).status == 0)
    }

    @Test func invalidEditIsSkippedAndGatewayKeepsServing() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        let gateway = try await sandbox.startGateway(env: ["OPENAI_API_KEY": "sk-test"])
        sandbox.writeConfig("{ gateway: { mode: 'local', ")
        #expect(await sandbox.waitUntil(seconds: 60) { gateway.log.contains("config reload skipped (invalid config): ") })
        let reply = await sandbox.chat(#"{"messages":[{"role":"user","content":"still there?"}]}"#,
                                 token: "test-token-0123456789abcdef0123")
        #expect(reply?.status == 200)
        #expect(reply?.json?.value(atKeys: ["choices"])?.arrayElements?.first?.value(atKeys: ["message", "content"])
            == .string("Echo: still there?"))
        #expect(gateway.process.isRunning)
    }

    @Test func tokenIsGeneratedAndSavedWhenMissing() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeConfig(#"{"gateway":{"mode":"local","port":\#(sandbox.port)}}"#)
        let gateway = try await sandbox.startGateway()
        #expect(gateway.log.contains("Gateway auth token was missing. Generated a new token and saved it to config (gateway.auth.token)."))
        let token = try #require(sandbox.readConfig()?.value(atKeys: ["gateway", "auth", "token"])?.stringValue)
        #expect(token.count == 48)
        #expect(sandbox.readConfig()?.value(atKeys: ["gateway", "auth"])?.objectMembers?.map(\.0) == ["mode", "token"])
        #expect(await sandbox.run(["gateway", "call", "health"]).status == 0)
        // Its own write must not trigger a restart, nor may a later hot edit: the running config
        // includes the saved token. The watcher handles changes in order (or merges them), so once
        // the hot edit is applied, a restart for the token write would already be in the log.
        #expect(await sandbox.run(["config", "set", "agents.defaults.model", "openai/gpt-test"]).status == 0)
        #expect(await sandbox.waitUntil(seconds: 60) { gateway.log.contains("config change applied (no restart needed)") })
        #expect(!gateway.log.contains("restarting in-process"))
    }

    @Test func agentsListEditIsHotReloaded() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        let gateway = try await sandbox.startGateway()
        let auth = [("Authorization", "Bearer test-token-0123456789abcdef0123")]
        #expect(await sandbox.run(["config", "set", "agents.list", #"[{id: "ops"}]"#]).status == 0)
        let listed = await sandbox.waitUntil(seconds: 60) {
            await sandbox.get("/v1/models", headers: auth)?.json?["data"]?.arrayElements?
                .contains { $0["id"] == .string("openclaw/ops") } == true
        }
        #expect(listed)
        #expect(!gateway.log.contains("restarting in-process"))
    }
}
