import ClawrunCore

/// One `chat` call turned into the exec that makes it: curl inside the machine (the gateway binds
/// loopback), its URL, headers and body in a curl config on stdin (`curl -K -`). The bearer token
/// thus never appears on a command line, in the machine's process list or in clawrun's logs, and
/// no quoting of the message is needed.
struct ChatRequest {
    var message: String
    var model = "openclaw/default"
    var user: String?
    var backendModel: String?
    var stream = false
    var port = 18789
    var timeout = 120.0
    var token: String?

    /// The JSON body of `POST /v1/chat/completions`.
    var body: JSONValue {
        var members: [(String, JSONValue)] = [
            ("model", .string(model)),
            ("messages", .array([.object([("role", .string("user")), ("content", .string(message))])])),
        ]
        if let user { members.append(("user", .string(user))) }
        if stream {
            members.append(("stream", .bool(true)))
            members.append(("stream_options", .object([("include_usage", .bool(true))])))
        }
        return .object(members)
    }

    /// The curl config: silent but showing errors, the timeout, headers, body and the trailer
    /// that carries the status and transfer time.
    var curlConfig: CurlConfig {
        var c = CurlConfig()
        c.set("url", "http://127.0.0.1:\(port)/v1/chat/completions")
        c.flag("silent")
        c.flag("show-error")
        c.set("max-time", String(Int(timeout.rounded(.up))))
        c.set("header", "Content-Type: application/json")
        if let token { c.set("header", "Authorization: Bearer \(token)") }
        if let backendModel { c.set("header", "x-openclaw-model: \(backendModel)") }
        c.set("data-binary", body.compactText)
        c.set("write-out", CurlWriteOut.format)
        return c
    }

    /// The exec: `curl -K -` with the config as stdin.
    var execRequest: ExecRequest {
        ExecRequest(command: [OpenClawLayout.curl, "-K", "-"], stdin: curlConfig.text, timeoutMs: Int((timeout + 15) * 1000))
    }
}
