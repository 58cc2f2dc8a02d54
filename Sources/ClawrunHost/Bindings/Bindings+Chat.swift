import ClawrunCore
import Foundation
import LuaRuntime

/// `chat(m, message, opts)`: one message to the gateway's `/v1/chat/completions`, sent from
/// inside the machine, answered with the reply text and the decoded response.
extension HostContext {
    func registerChat() {
        state.register("chat") { [unowned self] call in
            let id = try call.machineId(1)
            var request = ChatRequest(message: try call.string(2, "message"))
            let opts = try call.optionalTable(3, "options") ?? LuaTable()
            try opts.checkKeys(["token", "model", "user", "backend_model", "stream", "port", "timeout", "no_key"])
            request.model = try opts.string("model") ?? request.model
            request.user = try opts.string("user")
            request.backendModel = try opts.string("backend_model")
            request.stream = try opts.bool("stream") ?? false
            if let port = try opts.number("port") {
                guard port >= 1, port <= 65535, port == port.rounded() else {
                    throw HostError("option 'port' must be a port number, got \(port)")
                }
                request.port = Int(port)
            }
            request.timeout = try opts.number("timeout") ?? request.timeout
            guard request.timeout > 0, request.timeout <= 3600 else {
                throw HostError("option 'timeout' must be between 0 and 3600 seconds, got \(request.timeout)")
            }
            let noKey = try opts.string("no_key") ?? "warn"
            guard ["warn", "error", "ignore"].contains(noKey) else {
                throw HostError("option 'no_key' must be \"warn\", \"error\" or \"ignore\", got \"\(noKey)\"")
            }
            let source: String
            if let given = try opts.string("token") {
                request.token = given
                source = "the token given in opts.token"
            } else if let recorded = try self.recordedToken(id) {
                request.token = recorded
                source = "the token recorded in \(self.tokens.directory.path)/\(id)"
            } else {
                source = "no token (none recorded for \(id) in \(self.tokens.directory.path))"
            }
            if let token = request.token, !self.options.showSecrets { self.reporter.redactor.add(token) }
            let finalRequest = request, (step, _) = self.location
            return try self.scheduler.perform(call) { [poller = self.poller, reporter = self.reporter] in
                let result = try await poller.run(machineId: id, finalRequest.execRequest,
                                                       timeout: finalRequest.timeout + 45)
                let outcome = try ChatOutcome.read(result, request: finalRequest, machineId: id, tokenSource: source)
                if outcome.noAPIKey {
                    let advice = "the gateway on \(id) has no API key for the provider of its model, so the agent "
                        + "answered with its error: export that provider's key (OPENAI_API_KEY for the default model "
                        + "openai/gpt-5.4) and run deploy again, or choose the model with --set model=provider/model"
                    if noKey == "error" { throw HostError(advice) }
                    if noKey == "warn" { reporter.log("warn", advice, step: step, machine: id) }
                }
                return [.string(outcome.reply), outcome.response]
            }
        }
    }

    /// The token store's token for a machine, as a Lua error when the store cannot be read.
    func recordedToken(_ id: String) throws -> String? {
        do { return try tokens.token(for: id) } catch { throw HostError("\(error)") }
    }
}

/// A chat exec's result read into a reply, or into the error that says what went wrong.
struct ChatOutcome {
    var reply: String
    var response: LuaValue
    var noAPIKey: Bool

    static func read(_ result: ExecResult, request: ChatRequest, machineId id: String, tokenSource: String) throws
        -> ChatOutcome
    {
        try checkTransport(result, machineId: id, port: request.port, timeout: request.timeout)
        guard let http = CurlWriteOut.split(result.output.stdout) else {
            throw HostError("curl inside \(id) printed no status line; output: "
                + (HostContext.lastLine(result.output.stdout) ?? "none"))
        }
        let json = try? JSONValue.parse(http.body)
        let gatewayMessage = json.flatMap(ChatCompletionParser.errorMessage)
            ?? HostContext.lastLine(http.body) ?? "no message"
        let errorType = json.flatMap(ChatCompletionParser.errorType)
        // The gateway's own 401 is `unauthorized`; a provider's is `authentication_error`
        // (src/gateway/http-common.ts; newer gateways map a missing LLM key to it too).
        switch (http.status, errorType) {
        case (200..<300, _): break
        case (401, "authentication_error"?):
            throw HostError("the LLM provider refused the agent's request on \(id) (HTTP 401 authentication_error: "
                + "\(gatewayMessage)): the gateway has no valid API key for the provider of its model")
        case (401, _):
            throw HostError("the gateway of \(id) rejected the token (HTTP 401 unauthorized); clawrun "
                + "sent \(tokenSource). Record the gateway's token with token.save or rotate it with rotate-token")
        case (404, "invalid_request_error"?):
            throw HostError("the model was not found on \(id) (HTTP 404 invalid_request_error: \(gatewayMessage)); "
                + "check agents.defaults.model, models.providers or the x-openclaw-model header")
        case (404, _):
            throw HostError("/v1/chat/completions is disabled on the gateway of \(id) (HTTP 404 endpoint disabled); enable it "
                + "with gateway.http.endpoints.chatCompletions.enabled = true (openclaw.config_set; the gateway restarts)")
        case (400, _):
            throw HostError("the gateway of \(id) refused the request (HTTP 400): \(gatewayMessage)")
        case (500, _):
            throw HostError("the agent run failed on \(id) (HTTP 500 \(errorType ?? "error"): \(gatewayMessage)); "
                + "OpenClaw 2026.4.12 answers so when the model's provider has no API key; the gateway's log says why")
        default:
            throw HostError("HTTP \(http.status) from the gateway of \(id): \(gatewayMessage)")
        }

        var fields: [(String, LuaValue)]
        let reply: String
        if request.stream {
            let stream = SSEParser.chat(http.body)
            if let bad = stream.invalidChunk, stream.chunks == 0 {
                throw HostError("gateway of \(id): the stream held no JSON chunk (first event: \(bad.prefix(200)))")
            }
            if let error = stream.error {
                let type = error["type"]?.stringValue ?? "error"
                throw HostError("the gateway of \(id) streamed an error (\(type): "
                    + "\(error["message"]?.stringValue ?? error.compactText)) after answering 200"
                    + (type == "authentication_error" ? ": the gateway has no valid API key for the provider of its model" : ""))
            }
            // 2026.4.12 writes a failed run into the stream as this content (src/gateway/openai-http.ts).
            if stream.text == "Error: internal error", stream.finishReason == "stop" {
                throw HostError("the agent run failed on \(id) (stream error: internal error); OpenClaw 2026.4.12 "
                    + "answers so when the model's provider has no API key; the gateway's log says why")
            }
            reply = stream.text
            fields = [("chunks", .integer(Int64(stream.chunks))), ("done", .boolean(stream.done))]
            if let usage = stream.usage { fields.append(("usage", LuaJSON.luaValue(usage))) }
            if let reason = stream.finishReason { fields.append(("finish_reason", .string(reason))) }
        } else {
            guard let json else {
                throw HostError("gateway of \(id): the answer is not JSON: \(http.body.prefix(200))")
            }
            guard let text = ChatCompletionParser.replyText(json) else {
                throw HostError("gateway of \(id): the answer has no choices[0].message.content: \(json.compactText.prefix(200))")
            }
            reply = text
            fields = LuaJSON.luaValue(json).tableValue?.fields ?? []
        }
        let noKey = ChatCompletionParser.isMissingAPIKeyReply(reply)
        fields.append(("status", .integer(Int64(http.status))))
        fields.append(("duration", .number(result.duration)))
        if let time = http.time { fields.append(("curl_time", .number(time))) }
        fields.append(("no_api_key", .boolean(noKey)))
        return ChatOutcome(reply: reply, response: .table(LuaTable(fields)), noAPIKey: noKey)
    }

    /// Throws what went wrong when curl inside the machine got no HTTP answer (not installed,
    /// nothing listening, timed out, connection closed); returns when an answer came.
    static func checkTransport(_ result: ExecResult, machineId id: String, port: Int, timeout: Double) throws {
        let e = result.execution
        guard e.status == .succeeded || e.exitCode != nil else {
            throw HostError(HostContext.failureMessage(result, machineId: id) ?? "the chat exec failed on \(id)")
        }
        let exit = e.exitCode ?? 0
        let curlError = HostContext.lastLine(result.output.stderr) ?? "no message"
        let address = "127.0.0.1:\(port)"
        switch exit {
        case 0: break
        case 127:
            throw HostError("machine \(id) has no curl (apt-get install -y curl)")
        case 7:
            throw HostError("nothing listens on \(address) inside \(id), so its gateway is "
                + "not running (\(curlError)); start it with `clawrun wake-recover --machine \(id)`")
        case 28:
            throw HostError("no complete answer from the gateway of \(id) within \(Int(timeout)) s "
                + "(\(curlError)); raise opts.timeout or check the gateway's log")
        case 52, 55, 56:
            throw HostError("the gateway of \(id) on \(address) closed the connection without an answer "
                + "(\(curlError)); it may be restarting after a config change: retry in a few seconds")
        default:
            throw HostError("curl inside \(id) exited with status \(exit): \(curlError)")
        }
    }
}
