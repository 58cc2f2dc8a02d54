import ClawrunTestSupport
import Foundation
import OpenClawSim
import Testing

/// The seed guide's command lines, run literally through bash with `openclaw` on PATH as a
/// symlink to the simulator, the way a local machine installs it.
@Suite struct SeedWorkflowTests {
    /// Runs `command` with the seed's ENV prefix and `openclaw` installed under the sandbox home.
    /// The pipes are drained and the exit awaited on a thread of its own (`offPool`).
    func bash(_ sandbox: SimSandbox, _ command: String, env: [String: String] = [:]) async -> RunResult {
        let bin = sandbox.root + "/.npm-global/bin"
        try? FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try? FileManager.default.createSymbolicLink(atPath: bin + "/openclaw", withDestinationPath: SimSandbox.binary)
        let prefix = "export PATH=\(bin):$PATH && export HOME=\(sandbox.root) && export OPENCLAW_STATE_DIR=\(sandbox.stateDir) && export OPENCLAW_NO_RESPAWN=1"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", prefix + " && " + command]
        process.environment = sandbox.environment.merging(env) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try? process.run()
        let errReader = err.fileHandleForReading
        // stderr drains on a thread of its own so that a child filling it cannot block on stdout.
        async let stderrData = offPool { errReader.readDataToEndOfFile() }
        let stdout = await offPool { () -> Data in
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
        let stderr = await stderrData
        return RunResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func seedConfigureStartAndChat() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        #expect(await bash(sandbox, "openclaw --version").stdout.contains("OpenClaw"))
        #expect(await bash(sandbox, "openclaw config set gateway.mode local").status == 0)
        #expect(await bash(sandbox, #"openclaw config set env.vars.ANTHROPIC_API_KEY "sk-ant-test""#).status == 0)
        // The seed's production config names an Anthropic model; without it the default
        // `openai/gpt-5.4` (`src/agents/defaults.ts`) would need an OpenAI key.
        #expect(await bash(sandbox, "openclaw config set agents.defaults.model.primary anthropic/claude-sonnet-4-6").status == 0)
        #expect(await bash(sandbox, "openclaw config set gateway.http.endpoints.chatCompletions.enabled true").status == 0)
        // The seed starts with `--auth none` on the default port; the sandbox uses its own port.
        try await sandbox.startGateway(["--auth", "none"])

        let code = await bash(sandbox, "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:\(sandbox.port)/")
        #expect(code.stdout == "200")
        #expect(await bash(sandbox, "openclaw gateway call health").stdout.hasPrefix("Gateway call: health"))
        let chat = await bash(sandbox, "curl -sS http://127.0.0.1:\(sandbox.port)/v1/chat/completions " +
            "-H 'Content-Type: application/json' " +
            #"-d '{"model":"openclaw/default","messages":[{"role":"user","content":"Hello!"}]}'"#)
        let parsed = try JSON5Parser.parseStrict(chat.stdout)
        #expect(parsed["choices"]?.arrayElements?.first?.value(atKeys: ["message", "content"]) == .string("Echo: Hello!"))

        let send = await bash(sandbox, "openclaw gateway call chat.send " +
            #"--params '{"message":"Hello!","sessionKey":"my-session","idempotencyKey":"msg-'$(date +%s)'"}'"#)
        #expect(send.status == 0)
        #expect(send.stdout.contains("\"status\": \"started\""))
        #expect(await sandbox.waitUntil(seconds: 60) {
            await bash(sandbox, #"openclaw gateway call sessions.get --params '{"sessionKey":"my-session"}'"#).stdout.contains("Echo: Hello!")
        })
    }

    @Test func doctorGeneratesATokenOnceAndNeverRotates() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        _ = await sandbox.run(["config", "set", "gateway.mode", "local"])
        let first = await sandbox.run(["doctor", "--generate-gateway-token"])
        #expect(first.status == 0)
        #expect(first.stdout.contains("Gateway token configured."))
        let token = try #require(sandbox.readConfig()?.value(atKeys: ["gateway", "auth", "token"])?.stringValue)
        #expect(token.count == 48 && token.allSatisfy(\.isHexDigit))
        #expect(sandbox.readConfig()?.value(atKeys: ["gateway", "auth", "mode"]) == .string("token"))
        #expect(!first.stdout.contains(token))
        let second = await sandbox.run(["doctor", "--generate-gateway-token"])
        #expect(second.status == 0)
        #expect(sandbox.readConfig()?.value(atKeys: ["gateway", "auth", "token"])?.stringValue == token)
    }

    @Test func securityAuditFindsAuthOffAndProbeFailure() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig(auth: #"{ mode: "none" }"#)
        chmod(sandbox.configPath, 0o644)
        let human = await sandbox.run(["security", "audit"])
        #expect(human.status == 0)
        #expect(human.stdout.hasPrefix("OpenClaw security audit\nSummary: "))
        #expect(human.stdout.contains("CRITICAL\ngateway.loopback_no_auth"))
        let json = try JSON5Parser.parseStrict(await sandbox.run(["security", "audit", "--deep", "--json"]).stdout)
        let ids = json["findings"]?.arrayElements?.compactMap { $0["checkId"]?.stringValue } ?? []
        #expect(ids.contains("gateway.loopback_no_auth"))
        #expect(ids.contains("gateway.http.no_auth"))
        #expect(ids.contains("fs.config.perms_world_readable"))
        #expect(ids.contains("gateway.probe_failed"))
        #expect(json.value(atKeys: ["deep", "gateway", "ok"]) == .bool(false))

        sandbox.writeGatewayConfig(auth: #"{ mode: "token", token: "short" }"#)
        chmod(sandbox.configPath, 0o600)
        try await sandbox.startGateway()
        let tokenAudit = try JSON5Parser.parseStrict(await sandbox.run(["security", "audit", "--deep", "--json"]).stdout)
        let tokenIds = tokenAudit["findings"]?.arrayElements?.compactMap { $0["checkId"]?.stringValue } ?? []
        #expect(tokenIds.contains("gateway.token_too_short"))
        #expect(!tokenIds.contains("gateway.probe_failed"))
        #expect(tokenAudit.value(atKeys: ["deep", "gateway", "ok"]) == .bool(true))
    }
}
