/// The OpenAI-compatible `POST /v1/chat/completions` of `src/gateway/openai-http.ts`:
/// request validation and the response bodies, streamed or not. Transport lives in
/// `GatewayHTTPHandler`; this file does no I/O so that its wording is easy to check, and its
/// only nondeterminism is the random session key `parse` makes when the caller names none.
public enum ChatCompletions {
    /// A validated request.
    public struct Request {
        /// The `model` string as sent, echoed back in responses.
        public let model: String
        public let stream: Bool
        public let includeUsage: Bool
        /// Text of the last user message, which the echo agent answers.
        public let userText: String
        /// All message text, for the prompt token estimate.
        public let promptText: String
        public let sessionKey: String
        /// `provider/model` the agent runs with (`x-openclaw-model` or the agent default).
        public let backendModel: String
        public let channel: String
    }

    /// A 400 with its message (type `invalid_request_error`).
    public struct BadRequest: Error {
        public let message: String
    }

    /// The agent id a `model` names: `openclaw`, `openclaw/default` → the default agent;
    /// `openclaw/<id>`, `openclaw:<id>`, `agent:<id>` → `<id>`; nil when not an agent target.
    public static func agentId(forModel model: String, defaultAgent: String = "main") -> String? {
        let lower = model.trimmingSpaces().lowercased()
        if lower == "openclaw" || lower == "openclaw/default" { return defaultAgent }
        for prefix in ["openclaw/", "openclaw:", "agent:"] where lower.hasPrefix(prefix) {
            let id = String(lower.dropFirst(prefix.count))
            return isValidAgentId(id) ? id : nil
        }
        return nil
    }

    /// `[a-z0-9][a-z0-9_-]{0,63}` (already lowercased).
    static func isValidAgentId(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        return alnum(bytes[0]) && bytes.dropFirst().allSatisfy { alnum($0) || $0 == 0x5F || $0 == 0x2D }
    }

    /// Validates `body` (already JSON-parsed) and the OpenClaw headers into a `Request`.
    public static func parse(body: JSONValue, header: (String) -> String?, defaultModel: String) throws -> Request {
        let modelValue = body["model"] ?? .string("openclaw")
        let invalidModel = BadRequest(message: "Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.")
        guard let model = modelValue.stringValue else { throw invalidModel }
        guard var agent = agentId(forModel: model.isEmpty ? "openclaw" : model) else { throw invalidModel }
        if let override = header("x-openclaw-agent-id") ?? header("x-openclaw-agent") {
            let id = override.trimmingSpaces().lowercased()
            if isValidAgentId(id) { agent = id }
        }
        var backend = defaultModel
        if let requested = header("x-openclaw-model")?.trimmingSpaces() {
            let parts = requested.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !requested.contains(" ") else {
                throw BadRequest(message: "Invalid `x-openclaw-model`.")
            }
            backend = requested
        }

        var lastUser: String?
        var sawImage = false
        var prompt = ""
        for message in body["messages"]?.arrayElements ?? [] {
            let role = message["role"]?.stringValue ?? ""
            let (text, hasImage) = flatten(message["content"])
            if !prompt.isEmpty { prompt += "\n" }
            prompt += text
            if role == "user" {
                if !text.isEmpty { lastUser = text }
                if hasImage { sawImage = true; if lastUser == nil { lastUser = "" } }
            }
        }
        guard let userText = lastUser, !userText.isEmpty || sawImage else {
            throw BadRequest(message: "Missing user message in `messages`.")
        }

        let sessionKey: String
        if let explicit = header("x-openclaw-session-key")?.trimmingSpaces(), !explicit.isEmpty {
            sessionKey = explicit
        } else if let user = body["user"]?.stringValue?.trimmingSpaces(), !user.isEmpty {
            sessionKey = "agent:\(agent):openai-user:\(user.lowercased())"
        } else {
            sessionKey = "agent:\(agent):openai:\(RandomID.uuid())"
        }
        return Request(
            model: model, stream: body["stream"]?.boolValue ?? false,
            includeUsage: body.value(atKeys: ["stream_options", "include_usage"])?.boolValue ?? false,
            userText: userText, promptText: prompt, sessionKey: sessionKey, backendModel: backend,
            channel: header("x-openclaw-message-channel")?.trimmingSpaces() ?? "webchat")
    }

    /// Message content as text: a string, or `text`/`input_text` parts joined by newlines.
    static func flatten(_ content: JSONValue?) -> (text: String, hasImage: Bool) {
        switch content {
        case .string(let s)?: return (s, false)
        case .array(let parts)?:
            var texts: [String] = []
            var image = false
            for part in parts {
                switch part["type"]?.stringValue {
                case "text", "input_text": if let t = part["text"]?.stringValue { texts.append(t) }
                case "image_url", "input_image": image = true
                default: break
                }
            }
            return (texts.joined(separator: "\n"), image)
        default: return ("", false)
        }
    }

    /// Token counts for `usage`.
    public static func usage(prompt: String, completion: String) -> JSONValue {
        let p = EchoAgent.estimateTokens(prompt), c = EchoAgent.estimateTokens(completion)
        return .object([("prompt_tokens", .number(Double(p))), ("completion_tokens", .number(Double(c))),
                        ("total_tokens", .number(Double(p + c)))])
    }

    /// The non-streaming 200 body.
    public static func completion(id: String, created: Int64, request: Request, content: String) -> String {
        JSONWriter.compact(.object([
            ("id", .string(id)), ("object", .string("chat.completion")), ("created", .number(Double(created))),
            ("model", .string(request.model)),
            ("choices", .array([.object([
                ("index", .number(0)),
                ("message", .object([("role", .string("assistant")), ("content", .string(content))])),
                ("finish_reason", .string("stop")),
            ])])),
            ("usage", usage(prompt: request.promptText, completion: content)),
        ]))
    }

    /// One SSE event: `data: <json>` and a blank line.
    static func event(_ value: JSONValue) -> String { "data: " + JSONWriter.compact(value) + "\n\n" }

    static func chunk(id: String, created: Int64, model: String, choices: JSONValue, usage: JSONValue? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("object", .string("chat.completion.chunk")), ("created", .number(Double(created))),
            ("model", .string(model)), ("choices", choices),
        ]
        if let usage { members.append(("usage", usage)) }
        return .object(members)
    }

    /// The first event, sent as soon as headers are: the assistant role, no `finish_reason`.
    public static func roleEvent(id: String, created: Int64, request: Request) -> String {
        event(chunk(id: id, created: created, model: request.model, choices: .array([.object([
            ("index", .number(0)), ("delta", .object([("role", .string("assistant"))])),
        ])])))
    }

    /// Content chunk, stop chunk, the optional usage chunk, then `data: [DONE]`.
    public static func closingEvents(id: String, created: Int64, request: Request, content: String) -> String {
        var out = event(chunk(id: id, created: created, model: request.model, choices: .array([.object([
            ("index", .number(0)), ("delta", .object([("content", .string(content))])), ("finish_reason", .null),
        ])])))
        out += event(chunk(id: id, created: created, model: request.model, choices: .array([.object([
            ("index", .number(0)), ("delta", .object([])), ("finish_reason", .string("stop")),
        ])])))
        if request.includeUsage {
            out += event(chunk(id: id, created: created, model: request.model, choices: .array([]),
                               usage: usage(prompt: request.promptText, completion: content)))
        }
        return out + "data: [DONE]\n\n"
    }

    /// The error body every `/v1/*` failure uses (`src/gateway/http-common.ts`).
    public static func errorBody(_ message: String, type: String) -> String {
        JSONWriter.compact(errorValue(message, type: type))
    }

    static func errorValue(_ message: String, type: String) -> JSONValue {
        .object([("error", .object([("message", .string(message)), ("type", .string(type))]))])
    }

    /// The status and body of a failed agent run, or nil when it answered. 2026.4.12 lets
    /// every such failure escape `agentCommand` into the handler's catch: 500 `internal error`
    /// (`src/gateway/openai-http.ts`); newer gateways map a missing or refused provider key to
    /// 401 `authentication_error` and a provider's unknown model to 404 `invalid_request_error`.
    public static func failure(_ outcome: EchoAgent.Outcome, version: SimulatorVersion) -> (status: Int, body: String)? {
        switch outcome {
        case .reply: return nil
        case .missingKey(_, let message):
            return version.mapsAgentErrors ? (401, errorBody(message, type: "authentication_error"))
                : (500, errorBody("internal error", type: "api_error"))
        case .unknownModel(_, let message):
            return version.mapsAgentErrors ? (404, errorBody(message, type: "invalid_request_error"))
                : (500, errorBody("internal error", type: "api_error"))
        }
    }

    /// The events after the role chunk for a failed run: 2026.4.12 writes the error as content
    /// (`Error: internal error`, `finish_reason: "stop"`); newer gateways write one
    /// `data: {"error":{…}}` event. Both then end with `data: [DONE]`.
    public static func failureEvents(id: String, created: Int64, request: Request, outcome: EchoAgent.Outcome,
                                     version: SimulatorVersion) -> String {
        guard version.mapsAgentErrors, let failed = failure(outcome, version: version),
              let value = try? JSON5Parser.parse(bytes: Array(failed.body.utf8), json5: false) else {
            return event(chunk(id: id, created: created, model: request.model, choices: .array([.object([
                ("index", .number(0)), ("delta", .object([("content", .string("Error: internal error"))])),
                ("finish_reason", .string("stop")),
            ])]))) + "data: [DONE]\n\n"
        }
        return event(value) + "data: [DONE]\n\n"
    }
}
