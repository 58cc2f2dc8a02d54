import Foundation
import OpenClawSim
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The simulator against the real OpenClaw source: one test per behaviour, each naming the file
/// of `zhihh/openclaw` (2026.4.12) or of the newer `openclaw/docs` it follows.
@Suite struct ConformanceTests {
    static let token = "test-token-0123456789abcdef0123"
    static let ask = #"{"model":"openclaw/default","messages":[{"role":"user","content":"ping"}]}"#
    static let askStream = #"{"model":"openclaw","stream":true,"messages":[{"role":"user","content":"ping"}]}"#
    /// A custom OpenAI-compatible provider on loopback, as a user configures a local model server.
    static let localProvider = """
      models: { providers: { local: { baseUrl: "http://127.0.0.1:11434/v1", api: "openai-completions",
                                      models: [{ id: "echo", name: "Echo" }] } } },
      agents: { defaults: { model: { primary: "local/echo" } } },
    """

    static func events(_ response: LoopbackHTTPClient.Response) -> [String] {
        response.dechunked.components(separatedBy: "\n\n").filter { !$0.isEmpty }
    }

    /// `src/entry.ts` prints `OpenClaw <VERSION>`; the release imitated is selectable.
    @Test func versionIsReportedAndSelectable() {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        #expect(sandbox.run(["--version"]).stdout == "OpenClaw 2026.4.12 (clawrun simulator)\n")
        #expect(sandbox.run(["--version"], env: ["OPENCLAW_SIM_VERSION": "2026.8.22"]).stdout
            == "OpenClaw 2026.8.22 (clawrun simulator)\n")
        #expect(sandbox.run(["--version"], env: ["OPENCLAW_SIM_VERSION": "newer"]).stdout.contains("2026.8.22"))
        // The state directory's `.env` fills variables the process lacks (src/cli/dotenv.ts).
        try? FileManager.default.createDirectory(atPath: sandbox.stateDir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: sandbox.stateDir + "/.env", contents: Data("# sim\nexport OPENCLAW_SIM_VERSION='2026.8.22'\n".utf8))
        #expect(sandbox.run(["--version"]).stdout == "OpenClaw 2026.8.22 (clawrun simulator)\n")
        #expect(sandbox.run(["--version"], env: ["OPENCLAW_SIM_VERSION": "2026.4.12"]).stdout.contains("2026.4.12"))
    }

    /// 2026.4.12: the missing-key error is thrown out of the agent run (`src/agents/model-auth.ts`
    /// `resolveApiKeyForProvider`, `src/agents/agent-command.ts`) into `src/gateway/openai-http.ts`'s
    /// catch: 500 `internal error` / `api_error`.
    @Test func missingKeyIs500On2026_4_12() throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        try sandbox.startGateway()
        let response = try #require(sandbox.chat(Self.ask, token: Self.token))
        #expect(response.status == 500)
        #expect(response.json == .object([("error", .object([("message", .string("internal error")),
                                                             ("type", .string("api_error"))]))]))
    }

    /// Newer gateways map the missing key as an auth failure (`failover-matches.ts`): 401
    /// `authentication_error`, unlike the gateway's own 401 `unauthorized` (`src/gateway/http-common.ts`).
    @Test func missingKeyIs401AuthenticationErrorOnNewer() throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        try sandbox.startGateway(env: ["OPENCLAW_SIM_VERSION": "2026.8.22"])
        let response = try #require(sandbox.chat(Self.ask, token: Self.token))
        #expect(response.status == 401)
        #expect(response.json?.value(atKeys: ["error", "type"]) == .string("authentication_error"))
        #expect(response.json?.value(atKeys: ["error", "message"])?.stringValue?
            .hasPrefix("No API key found for provider \"openai\".") == true)
        let wrongToken = try #require(sandbox.chat(Self.ask, token: "not-the-token"))
        #expect(wrongToken.status == 401)
        #expect(wrongToken.json?.value(atKeys: ["error", "type"]) == .string("unauthorized"))
    }

    /// With `agents.defaults.model` unset the model is `openai/gpt-5.4` (`src/agents/defaults.ts`),
    /// and only that provider's key counts (`src/agents/model-auth-env.ts` `resolveEnvApiKey`).
    @Test func onlyTheConfiguredModelsProviderKeyCounts() throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        let gateway = try sandbox.startGateway(env: ["ANTHROPIC_API_KEY": "sk-ant-test"])
        #expect(gateway.log.contains("agent model: openai/gpt-5.4"))
        #expect(sandbox.chat(Self.ask, token: Self.token)?.status == 500)
        gateway.stop()

        sandbox.writeGatewayConfig(extra: #"agents: { defaults: { model: "anthropic/claude-sonnet-4-6" } },"#)
        try sandbox.startGateway(env: ["ANTHROPIC_API_KEY": "sk-ant-test"])
        let answered = try #require(sandbox.chat(Self.ask, token: Self.token))
        #expect(answered.status == 200)
        #expect(answered.json?["choices"]?.arrayElements?.first?.value(atKeys: ["message", "content"]) == .string("Echo: ping"))
    }

    /// A custom provider whose `baseUrl` is loopback needs no key: `src/agents/model-auth.ts`
    /// `resolveSyntheticLocalProviderAuth` (`isLocalBaseUrl`) gives it a synthetic local key.
    @Test func customLocalProviderAnswersWithoutAnyKey() throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig(extra: Self.localProvider)
        try sandbox.startGateway()
        let response = try #require(sandbox.chat(Self.ask, token: Self.token))
        #expect(response.status == 200)
        #expect(response.json?["choices"]?.arrayElements?.first?.value(atKeys: ["message", "content"]) == .string("Echo: ping"))
    }

    /// The model's provider does not know the model: 2026.4.12 answers 500 like any agent error;
    /// newer gateways answer 404 `invalid_request_error`, unlike a disabled endpoint's text/plain
    /// `Not Found` (`src/gateway/server-http.ts`, `control-ui-routing.ts`).
    @Test func twoKindsOf404() throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig(extra: Self.localProvider)
        try sandbox.startGateway(env: ["OPENCLAW_SIM_VERSION": "2026.8.22"])
        let unknown = try #require(sandbox.chat(Self.ask, token: Self.token,
                                                headers: [("x-openclaw-model", "local/no-such-model")]))
        #expect(unknown.status == 404)
        #expect(unknown.header("content-type") == "application/json; charset=utf-8")
        #expect(unknown.json?.value(atKeys: ["error", "type"]) == .string("invalid_request_error"))
        #expect(unknown.json?.value(atKeys: ["error", "message"])?.stringValue?.contains("local/no-such-model") == true)

        let old = SimSandbox()
        defer { old.cleanup() }
        old.writeGatewayConfig(chat: false)
        try old.startGateway()
        let disabled = try #require(old.chat(Self.ask, token: Self.token))
        #expect(disabled.status == 404)
        #expect(disabled.header("content-type") == "text/plain; charset=utf-8")
        #expect(disabled.text == "Not Found")
    }

    /// Streaming failures: 2026.4.12 writes `Error: internal error` as content (`openai-http.ts`);
    /// newer gateways write `data: {"error":{…}}`, then both `data: [DONE]`.
    @Test func streamedErrors() throws {
        let newer = SimSandbox()
        defer { newer.cleanup() }
        newer.writeGatewayConfig()
        try newer.startGateway(env: ["OPENCLAW_SIM_VERSION": "2026.8.22"])
        let response = try #require(newer.chat(Self.askStream, token: Self.token))
        #expect(response.status == 200)
        let events = Self.events(response)
        #expect(events.count == 3)
        #expect(events.first?.contains(#""delta":{"role":"assistant"}"#) == true)
        #expect(events.count == 3 && events[1].hasPrefix(#"data: {"error":{"message":"No API key found"#))
        #expect(events.count == 3 && events[1].hasSuffix(#""type":"authentication_error"}}"#))
        #expect(events.last == "data: [DONE]")

        let old = SimSandbox()
        defer { old.cleanup() }
        old.writeGatewayConfig()
        try old.startGateway()
        let oldEvents = Self.events(try #require(old.chat(Self.askStream, token: Self.token)))
        #expect(oldEvents.count == 3)
        #expect(oldEvents.count == 3 && oldEvents[1].contains(#""delta":{"content":"Error: internal error"},"finish_reason":"stop""#))
        #expect(oldEvents.last == "data: [DONE]")
    }

    /// `config set --strict-json` is `JSON.parse` (`src/cli/config-cli.ts` `parseValue`): JSON5
    /// syntax is refused with `Failed to parse JSON value`, without the raw-string fallback.
    @Test func strictJsonIsJSONParse() {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        let json5 = sandbox.run(["config", "set", "gateway.auth.token", "'single-quoted'", "--strict-json"])
        #expect(json5.status == 1)
        #expect(json5.stderr.contains("Failed to parse JSON value"))
        let json = sandbox.run(["config", "set", "gateway.auth.token", #""a-token""#, "--strict-json"])
        #expect(json.status == 0)
        #expect(sandbox.readConfig()?.value(atKeys: ["gateway", "auth", "token"]) == .string("a-token"))
        #expect(sandbox.run(["config", "set", "gateway.port", "19001 // c", "--strict-json"]).status == 1)
    }

    /// The config schema is strict zod (`src/config/zod-schema.ts` `.strict()`): unknown keys
    /// make the config invalid, so the gateway refuses to start and `config set` refuses to write.
    /// `gateway.port` is any positive integer (`z.number().int().positive()`).
    @Test func unknownConfigKeysAreRejected() {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        let set = sandbox.run(["config", "set", "gateway.bogus", "true"])
        #expect(set.status == 1)
        #expect(set.stderr.contains(#"gateway: Unrecognized key: "bogus""#))
        #expect(sandbox.readConfig()?.value(atKeys: ["gateway", "bogus"]) == nil)
        #expect(sandbox.run(["config", "set", "nosuchsection.x", "1"]).status == 1)
        #expect(sandbox.run(["config", "set", "models.providers.x", #"{"baseUrl":"http://127.0.0.1:1/v1","models":[],"extra":1}"#]).status == 1)

        sandbox.writeGatewayConfig(extra: "agentz: {},")
        let get = sandbox.run(["config", "get", "gateway.mode"])
        #expect(get.status == 1)
        #expect(get.stderr.contains(#"<root>: Unrecognized key: "agentz""#))
        let run = sandbox.run(["gateway", "run"], timeout: 10)
        #expect(run.status != 0)
        sandbox.writeGatewayConfig()
        #expect(sandbox.run(["config", "set", "gateway.port", "70000"]).status == 0)
    }

    /// `src/cli/program/preaction.ts` `setProcessTitleForCommand`: `openclaw-<top-level command>`
    /// for every command, so `gateway call` is `openclaw-gateway` like `gateway run`; `src/entry.ts`
    /// starts every process as `openclaw`.
    @Test func processTitles() throws {
        #expect(ProcessTitle.title(forArguments: ["gateway", "run"]) == "openclaw-gateway")
        #expect(ProcessTitle.title(forArguments: ["gateway", "call", "health"]) == "openclaw-gateway")
        #expect(ProcessTitle.title(forArguments: ["config", "set", "a", "b"]) == "openclaw-config")
        #expect(ProcessTitle.title(forArguments: ["--version"]) == "openclaw")

        // A `gateway call` waiting on a gateway that never answers shows the gateway's title.
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(sandbox.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(listener, 4) == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SimSandbox.binary)
        process.arguments = ["gateway", "call", "health", "--token", "x", "--timeout", "5000"]
        process.environment = sandbox.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) }; process.waitUntilExit() }
        var cmdline = ""
        _ = sandbox.waitUntil(seconds: 4) {
            cmdline = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/cmdline", encoding: .utf8)) ?? ""
            return cmdline.hasPrefix("openclaw-gateway\0")
        }
        #expect(cmdline.hasPrefix("openclaw-gateway\0gateway\0call\0health"))
    }

    /// Requests with the same `user` share a session (`src/gateway/http-utils.ts`
    /// `resolveSessionKey`), and a session runs one request at a time
    /// (`src/agents/pi-embedded-runner/run.ts` enqueues each run on its session lane).
    @Test func aSessionRunsOneRequestAtATime() throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig(extra: Self.localProvider)
        try sandbox.startGateway(env: ["OPENCLAW_SIM_DELAY_MS": "300"])
        let body = #"{"model":"openclaw","user":"Shared","messages":[{"role":"user","content":"x"}]}"#
        let started = Date()
        let statuses = Locked([Int]())
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            let status = sandbox.request("POST", "/v1/chat/completions",
                                         headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(Self.token)")],
                                         body: body, timeoutMs: 10_000)?.status ?? 0
            statuses.withLock { $0.append(status) }
        }
        // Three runs of 300 ms one after the other: at least 900 ms (a lower bound, so noise cannot fail it).
        #expect(Date().timeIntervalSince(started) >= 0.85)
        #expect(statuses.withLock { $0 } == [200, 200, 200])
        let get = sandbox.run(["gateway", "call", "sessions.get", "--json", "--params", #"{"key":"agent:main:openai-user:shared"}"#])
        #expect(get.stdout.components(separatedBy: "\"role\": \"user\"").count - 1 == 3)
    }
}

/// A value shared between the threads of one test.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
