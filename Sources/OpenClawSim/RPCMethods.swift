#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// An RPC failure as the gateway reports it (`{code, message}`).
public struct RPCError: Error {
    public let code: String
    public let message: String

    static func invalid(_ message: String) -> RPCError { RPCError(code: "INVALID_REQUEST", message: message) }
}

/// The gateway methods that clawrun's workflows call through `openclaw gateway call`,
/// with the payload shapes of `src/gateway/server-methods/*` ([S] 2026.4).
public enum RPCMethods {
    /// Runs `method` on the event loop; `chat.send` schedules the agent's reply on `eventLoop`.
    public static func call(_ method: String, params: JSONValue, state: GatewayState,
                            eventLoop: EventLoop) -> Result<JSONValue, RPCError> {
        switch method {
        case "health": return .success(health(state))
        case "status": return .success(status(state))
        case "config.get": return .success(configGet(state))
        case "sessions.list": return .success(sessionsList(params, state))
        case "sessions.get": return sessionsGet(params, state)
        case "chat.send": return chatSend(params, state, eventLoop: eventLoop)
        default: return .failure(.invalid("unknown method: \(method)"))
        }
    }

    static func num(_ v: Int64) -> JSONValue { .number(Double(v)) }
    static func num(_ v: Int) -> JSONValue { .number(Double(v)) }

    static func recentSessions(_ state: GatewayState) -> JSONValue {
        let now = Clock.nowMs()
        return .array(state.sessions.recent(limit: 5).map {
            .object([("key", .string($0.key)), ("updatedAt", num($0.updatedAt)), ("age", num(now - $0.updatedAt))])
        })
    }

    static func health(_ state: GatewayState) -> JSONValue {
        let started = Clock.monotonicMs()
        let path = JSONValue.string(state.paths.sessionStorePath)
        let sessionSummary = JSONValue.object([
            ("path", path), ("count", num(state.sessions.sessions.count)), ("recent", recentSessions(state)),
        ])
        let agents: [JSONValue] = state.settings.agentIds.enumerated().map { index, id in
            .object([
                ("agentId", .string(id)), ("isDefault", .bool(index == 0)),
                ("heartbeat", .object([("enabled", .bool(true)), ("every", .string("30m")), ("everyMs", num(1_800_000))])),
                ("sessions", index == 0 ? sessionSummary
                    : .object([("path", path), ("count", num(0)), ("recent", .array([]))])),
            ])
        }
        return .object([
            ("ok", .bool(true)), ("ts", num(Clock.nowMs())), ("durationMs", num(Clock.monotonicMs() - started)),
            ("channels", .object([])), ("channelOrder", .array([])), ("channelLabels", .object([])),
            ("heartbeatSeconds", num(1800)), ("defaultAgentId", .string("main")),
            ("agents", .array(agents)), ("sessions", sessionSummary),
        ])
    }

    static func status(_ state: GatewayState) -> JSONValue {
        .object([
            ("ok", .bool(true)), ("ts", num(Clock.nowMs())), ("uptimeMs", num(state.uptimeMs)),
            ("version", .string(state.version.version)), ("pid", num(Int(getpid()))),
            ("sessions", .object([("count", num(state.sessions.sessions.count))])),
        ])
    }

    /// The redacted snapshot; read from disk like the real method, so it shows pending edits too.
    static func configGet(_ state: GatewayState) -> JSONValue {
        let store = ConfigStore(paths: state.paths)
        let snapshot = store.load()
        var raw: [UInt8] = []
        var config: JSONValue = .object([])
        var issues: [JSONValue] = []
        switch snapshot {
        case .missing: break
        case .invalid(let bytes, let problems):
            raw = bytes
            issues = problems.map { .object([("path", .string("")), ("message", .string($0))]) }
        case .valid(let bytes, let value):
            raw = bytes
            config = value
        }
        let redacted = Redaction.redact(config)
        return .object([
            ("path", .string(state.paths.configPath)), ("exists", .bool(snapshot.exists)),
            ("raw", snapshot.exists ? .string(JSONWriter.pretty(redacted)) : .null),
            ("parsed", redacted), ("resolved", redacted), ("config", redacted),
            ("valid", .bool(issues.isEmpty)), ("hash", .string(SHA256.hex(raw))),
            ("issues", .array(issues)), ("warnings", .array([])), ("legacyIssues", .array([])),
        ])
    }

    static func sessionsList(_ params: JSONValue, _ state: GatewayState) -> JSONValue {
        let limit = params["limit"]?.numberValue.map { Int(clamping: $0, to: 0...Int.max) }
        let provider = state.settings.agentModel.split(separator: "/").first.map(String.init) ?? "openai"
        let model = state.settings.agentModel.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init)
            ?? state.settings.agentModel
        let rows: [JSONValue] = state.sessions.recent(limit: limit).map { s in
            .object([
                ("key", .string(s.key)), ("kind", .string("direct")), ("updatedAt", num(s.updatedAt)),
                ("sessionId", .string(s.sessionId)), ("channel", .string(s.channel)),
                ("model", .string(model)), ("modelProvider", .string(provider)),
                ("inputTokens", num(s.inputTokens)), ("outputTokens", num(s.outputTokens)),
                ("totalTokens", num(s.inputTokens + s.outputTokens)), ("status", .string("done")),
            ])
        }
        return .object([
            ("ts", num(Clock.nowMs())), ("path", .string(state.paths.sessionStorePath)), ("count", num(rows.count)),
            ("defaults", .object([("modelProvider", .string(provider)), ("model", .string(model)),
                                  ("contextTokens", num(200_000))])),
            ("sessions", .array(rows)),
        ])
    }

    static func sessionsGet(_ params: JSONValue, _ state: GatewayState) -> Result<JSONValue, RPCError> {
        guard let key = params["key"]?.stringValue ?? params["sessionKey"]?.stringValue, !key.isEmpty else {
            return .failure(.invalid("invalid sessions.get params: at root: must have required property 'key'"))
        }
        let limit = params["limit"]?.numberValue.map { Int(clamping: $0, to: 0...Int.max) } ?? 200
        let messages = state.sessions.sessions[SessionStore.canonicalKey(key)]?.messages ?? []
        return .success(.object([("messages", .array(messages.suffix(limit).map(\.json)))]))
    }

    static func chatSend(_ params: JSONValue, _ state: GatewayState, eventLoop: EventLoop) -> Result<JSONValue, RPCError> {
        for required in ["sessionKey", "message", "idempotencyKey"] where params[required]?.stringValue == nil {
            return .failure(.invalid("invalid chat.send params: at root: must have required property '\(required)'"))
        }
        let runId = params["idempotencyKey"]!.stringValue!
        if state.runsInFlight.contains(runId) {
            return .success(.object([("runId", .string(runId)), ("status", .string("in_flight"))]))
        }
        let key = SessionStore.canonicalKey(params["sessionKey"]!.stringValue!)
        let message = params["message"]!.stringValue!
        state.runsInFlight.insert(runId)
        eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(state.queueRun(sessionKey: key))) {
            let model = state.settings.agentModel
            let text: String, isError: Bool
            switch state.runAgent(message, model: model) {
            case .reply(let reply): (text, isError) = (reply, false)
            case .missingKey(_, let error), .unknownModel(_, let error): (text, isError) = (error, true)
            }
            state.sessions.record(key: key, channel: "webchat", model: model, user: message, reply: text,
                                  isError: isError,
                                  usage: (EchoAgent.estimateTokens(message), EchoAgent.estimateTokens(text)))
            state.runsInFlight.remove(runId)
        }
        return .success(.object([("runId", .string(runId)), ("status", .string("started"))]))
    }
}
