import Foundation
import OpenClawSim
import Testing

/// The HTTP surface: chat completions (plain and streamed), auth, disabled endpoints, input
/// errors, models, and the RPC session flow.
@Suite struct HTTPSurfaceTests {
    static let token = "test-token-0123456789abcdef0123"

    @Test func plainChatWithTheRightToken() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        try await sandbox.startGateway(env: ["ANTHROPIC_API_KEY": "sk-test"])
        let response = try #require(await sandbox.chat(
            #"{"model":"openclaw/default","messages":[{"role":"user","content":"Hello!"}],"user":"Ops"}"#,
            token: Self.token, headers: [("x-openclaw-model", "anthropic/claude-sonnet-4-6")]))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json; charset=utf-8")
        let json = try #require(response.json)
        #expect(json["id"]?.stringValue?.hasPrefix("chatcmpl_") == true)
        #expect(json["object"] == .string("chat.completion"))
        #expect(json["model"] == .string("openclaw/default"))
        let choice = try #require(json["choices"]?.arrayElements?.first)
        #expect(choice.value(atKeys: ["message", "content"]) == .string("Echo: Hello!"))
        #expect(choice["finish_reason"] == .string("stop"))
        #expect(json.value(atKeys: ["usage", "total_tokens"])?.numberValue ?? 0 > 0)

        // `user` names the session; it shows up over RPC.
        let list = await sandbox.run(["gateway", "call", "sessions.list", "--json"])
        #expect(list.stdout.contains("\"agent:main:openai-user:ops\""))
        let get = await sandbox.run(["gateway", "call", "sessions.get", "--json", "--params", #"{"key":"agent:main:openai-user:ops"}"#])
        #expect(get.stdout.contains("\"text\": \"Echo: Hello!\""))
    }

    @Test func streamingChatSendsSSEChunks() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        try await sandbox.startGateway(env: ["OPENAI_API_KEY": "sk-test", "OPENCLAW_SIM_DELAY_MS": "50"])
        let response = try #require(await sandbox.chat(
            #"{"model":"openclaw","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hi"}]}"#,
            token: Self.token))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/event-stream; charset=utf-8")
        let events = response.dechunked.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(events.count == 5)
        #expect(events.allSatisfy { $0.hasPrefix("data: ") })
        #expect(events.first?.contains(#""delta":{"role":"assistant"}}]"#) == true)
        #expect(events.count > 1 && events[1].contains(#""delta":{"content":"Echo: Hi"},"finish_reason":null"#))
        #expect(events.count > 2 && events[2].contains(#""delta":{},"finish_reason":"stop""#))
        #expect(events.count > 3 && events[3].contains(#""choices":[],"usage":{"#))
        #expect(events.last == "data: [DONE]")
    }

    @Test func wrongTokenIs401() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        try await sandbox.startGateway()
        let body = #"{"messages":[{"role":"user","content":"x"}]}"#
        for token in ["wrong", nil] as [String?] {
            let response = try #require(await sandbox.chat(body, token: token))
            #expect(response.status == 401)
            #expect(response.text == #"{"error":{"message":"Unauthorized","type":"unauthorized"}}"#)
        }
        let call = await sandbox.run(["gateway", "call", "health", "--token", "wrong"])
        #expect(call.status == 1)
        #expect(call.stderr == "Gateway call failed: Error: gateway closed (1008): unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)\n")
    }

    @Test func disabledEndpointIs404AndWrongMethodIs405() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig(chat: false)
        try await sandbox.startGateway()
        let disabled = try #require(await sandbox.chat(#"{"messages":[{"role":"user","content":"x"}]}"#, token: Self.token))
        #expect(disabled.status == 404)
        #expect(disabled.text == "Not Found")
        #expect(disabled.header("content-type") == "text/plain; charset=utf-8")

        // Enabling it on disk restarts the gateway; then GET is 405 before any auth.
        _ = await sandbox.run(["config", "set", "gateway.http.endpoints.chatCompletions.enabled", "true"])
        #expect(await sandbox.waitUntil(seconds: 60) { await sandbox.get("/v1/chat/completions")?.status == 405 })
        let wrongMethod = try #require(await sandbox.get("/v1/chat/completions"))
        #expect(wrongMethod.text == "Method Not Allowed")
        #expect(wrongMethod.header("allow") == "POST")
    }

    @Test func badInputsGetTheSpecErrors() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        try await sandbox.startGateway(env: ["OPENAI_API_KEY": "sk-test"])
        func error(_ body: String) async -> (Int, JSONValue?) {
            let response = await sandbox.chat(body, token: Self.token)
            return (response?.status ?? 0, response?.json?["error"])
        }
        var (status, err) = await error(#"{"messages": ["#)
        #expect(status == 400)
        #expect(err?["type"] == .string("invalid_request_error"))
        #expect(err?["message"] == .string("Unexpected end of JSON input"))
        (status, err) = await error(#"{"model":"openclaw","messages":[{"role":"system","content":"x"}]}"#)
        #expect(status == 400)
        #expect(err?["message"] == .string("Missing user message in `messages`."))
        (status, err) = await error(#"{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}"#)
        #expect(status == 400)
        #expect(err?["message"] == .string("Invalid `model`. Use `openclaw` or `openclaw/<agentId>`."))
        for model in ["openclaw/main", "openclaw:main", "agent:main"] {
            (status, _) = await error(#"{"model":"\#(model)","messages":[{"role":"user","content":"x"}]}"#)
            #expect(status == 200)
        }
        #expect(await sandbox.get("/healthz")?.status == 200)
    }


    @Test func modelsListsAgentTargets() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        try await sandbox.startGateway()
        let auth = [("Authorization", "Bearer \(Self.token)")]
        let list = try #require(await sandbox.get("/v1/models", headers: auth))
        #expect(list.status == 200)
        let ids = list.json?["data"]?.arrayElements?.compactMap { $0["id"]?.stringValue }
        #expect(ids == ["openclaw", "openclaw/default", "openclaw/main"])
        #expect(await sandbox.get("/v1/models/openclaw%2Fdefault", headers: auth)?.json?["id"] == .string("openclaw/default"))
        #expect(await sandbox.get("/v1/models/openclaw%2Fnobody", headers: auth)?.status == 404)
        #expect(await sandbox.get("/v1/models")?.status == 401)
        #expect(await sandbox.request("POST", "/v1/models", headers: auth)?.header("allow") == "GET")
    }

    @Test func chatSendLandsInTheSession() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeGatewayConfig()
        try await sandbox.startGateway(env: ["OPENAI_API_KEY": "sk-test", "OPENCLAW_SIM_DELAY_MS": "100"])
        let send = await sandbox.run(["gateway", "call", "chat.send", "--json", "--params",
                                #"{"message":"Hello!","sessionKey":"my-session","idempotencyKey":"msg-1"}"#])
        #expect(send.status == 0)
        #expect(try JSON5Parser.parseStrict(send.stdout) == .object([("runId", .string("msg-1")), ("status", .string("started"))]))
        let landed = await sandbox.waitUntil(seconds: 60) {
            await sandbox.run(["gateway", "call", "sessions.get", "--json", "--params", #"{"sessionKey":"my-session"}"#])
                .stdout.contains("Echo: Hello!")
        }
        #expect(landed)
        let missing = await sandbox.run(["gateway", "call", "chat.send", "--params", #"{"message":"x"}"#])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("Gateway call failed: GatewayClientRequestError: invalid chat.send params"))
        let config = await sandbox.run(["gateway", "call", "config.get", "--json"])
        #expect(config.stdout.contains("__OPENCLAW_REDACTED__"))
        #expect(!config.stdout.contains(Self.token))
    }

    @Test func hugeNumbersDoNotCrashTheGateway() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeConfig("""
        {
          gateway: {
            mode: 'local', port: \(sandbox.port), auth: { mode: 'token', token: '\(Self.token)' },
            http: { endpoints: { chatCompletions: { enabled: true, maxBodyBytes: Infinity } } },
          },
        }
        """)
        try await sandbox.startGateway(env: ["OPENAI_API_KEY": "sk-test"])
        #expect(await sandbox.chat(#"{"messages":[{"role":"user","content":"hi"}]}"#, token: Self.token)?.status == 200)
        let auth = [("Authorization", "Bearer \(Self.token)"), ("Content-Type", "application/json")]
        for body in [#"{"method":"sessions.list","params":{"limit":1e20}}"#,
                     #"{"method":"sessions.get","params":{"key":"x","limit":-1e300}}"#] {
            let reply = await sandbox.request("POST", "/__openclaw_sim/rpc", headers: auth, body: body)
            #expect(reply?.json?["ok"] == .bool(true), "\(body)")
        }
        let list = await sandbox.run(["gateway", "call", "sessions.list", "--json", "--params", #"{"limit":1e20}"#])
        #expect(list.status == 0)
        #expect(try JSON5Parser.parseStrict(list.stdout)["count"] == .number(1))
        #expect(await sandbox.get("/healthz")?.status == 200)
    }
}
