import ClawrunCore

/// A token check: `GET /v1/models` from inside the machine. It needs the gateway's bearer token
/// (`operator.read`, src/gateway/models-http.ts) and makes no LLM call, so it tells a refused
/// token (401 `unauthorized`) from everything a model provider might answer. The token travels
/// in a curl config on stdin, never on a command line.
struct ModelsRequest {
    var port = 18789
    var timeout = 10.0
    var token: String?

    /// The curl config: silent but showing errors, the timeout, the bearer header, the trailer.
    var curlConfig: CurlConfig {
        var c = CurlConfig()
        c.set("url", "http://127.0.0.1:\(port)/v1/models")
        c.flag("silent")
        c.flag("show-error")
        c.set("max-time", String(Int(timeout.rounded(.up))))
        if let token { c.set("header", "Authorization: Bearer \(token)") }
        c.set("write-out", CurlWriteOut.format)
        return c
    }

    /// The exec: `curl -K -` with the config as stdin.
    var execRequest: ExecRequest {
        ExecRequest(command: [OpenClawLayout.curl, "-K", "-"], stdin: curlConfig.text, timeoutMs: Int((timeout + 15) * 1000))
    }
}
