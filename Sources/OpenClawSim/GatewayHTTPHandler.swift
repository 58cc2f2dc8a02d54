import NIOCore
import NIOHTTP1

/// Serves the gateway's HTTP surface on one connection, routing in the order of
/// `src/gateway/server-http.ts`: the simulator's private RPC endpoint, `/v1/models*`,
/// `/v1/chat/completions`, the health probes, the Control UI, then 404.
///
/// Runs on the gateway's single event loop and reads `GatewayState` there, so a hot
/// restart that swaps settings is seen atomically between requests.
final class GatewayHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The private path `openclaw gateway call` uses instead of the real WebSocket protocol.
    static let rpcPath = "/__openclaw_sim/rpc"

    private let state: GatewayState
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false

    init(state: GatewayState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
            bodyTooLarge = false
            // curl sends `Expect: 100-continue` for bodies over 1 KiB and waits a second for
            // this interim answer, which Node gives automatically.
            if requestHead.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let interim = HTTPResponseHead(version: requestHead.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(var chunk):
            guard !bodyTooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > state.settings.maxBodyBytes {
                bodyTooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let requestBody = body
            body = nil
            route(context: context, head: requestHead, body: requestBody)
        }
    }

    // MARK: - Routing

    private func route(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer?) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        let settings = state.settings
        if path == Self.rpcPath {
            return handleRPC(context: context, head: head, body: body)
        }
        if (settings.chatCompletionsEnabled || settings.responsesEnabled),
           path == "/v1/models" || path.hasPrefix("/v1/models/") {
            return handleModels(context: context, head: head, path: path)
        }
        if settings.chatCompletionsEnabled, path == "/v1/chat/completions" {
            return handleChat(context: context, head: head, body: body)
        }
        switch path {
        case "/health", "/healthz":
            guard head.method == .GET || head.method == .HEAD else { return methodNotAllowed(context, head, allow: "GET, HEAD") }
            return send(context, head, status: .ok, json: #"{"ok":true,"status":"live"}"#, extra: [("Cache-Control", "no-store")])
        case "/ready", "/readyz":
            guard head.method == .GET || head.method == .HEAD else { return methodNotAllowed(context, head, allow: "GET, HEAD") }
            return send(context, head, status: .ok, json: readiness(context: context, head: head),
                        extra: [("Cache-Control", "no-store")])
        default:
            break
        }
        if settings.controlUiEnabled, head.method == .GET || head.method == .HEAD {
            if path == "/__openclaw/control-ui-config.json" {
                return send(context, head, status: .ok, json: ControlUI.configJSON(), extra: [("Cache-Control", "no-cache")])
            }
            let last = path.split(separator: "/").last ?? ""
            if !path.hasPrefix("/ui"), !last.contains(".") {
                return send(context, head, status: .ok, contentType: "text/html; charset=utf-8", body: ControlUI.indexHTML,
                            extra: ControlUI.headers)
            }
        }
        notFound(context, head)
    }

    private func readiness(context: ChannelHandlerContext, head: HTTPRequestHead) -> String {
        let local = Self.isLoopback(context.remoteAddress) && head.headers["x-forwarded-for"].isEmpty
        if local || state.authorize(Self.bearer(head)) == nil && state.settings.authMode != "none" {
            return #"{"ready":true,"failing":[],"uptimeMs":"# + String(state.uptimeMs) + "}"
        }
        return #"{"ready":true}"#
    }

    // MARK: - Endpoints

    private func handleModels(context: ChannelHandlerContext, head: HTTPRequestHead, path: String) {
        guard head.method == .GET || head.method == .HEAD else { return methodNotAllowed(context, head, allow: "GET") }
        guard state.authorize(Self.bearer(head)) == nil else { return unauthorized(context, head) }
        let reply = ModelsEndpoint.reply(path: path, agentIds: state.settings.agentIds)
        send(context, head, status: HTTPResponseStatus(statusCode: reply.status), json: reply.body)
    }

    private func handleChat(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer?) {
        guard head.method == .POST else { return methodNotAllowed(context, head, allow: "POST") }
        guard state.authorize(Self.bearer(head)) == nil else { return unauthorized(context, head) }
        guard !bodyTooLarge else {
            return send(context, head, status: .payloadTooLarge, json: Self.errorJSON("Payload too large", type: "invalid_request_error"))
        }
        let request: ChatCompletions.Request
        do {
            let json = try Self.parseBody(body)
            request = try ChatCompletions.parse(body: json, header: { head.headers.first(name: $0) },
                                                defaultModel: state.settings.agentModel)
        } catch let error as JSONParseError {
            return send(context, head, status: .badRequest, json: Self.errorJSON(error.message, type: "invalid_request_error"))
        } catch let error as ChatCompletions.BadRequest {
            return send(context, head, status: .badRequest, json: Self.errorJSON(error.message, type: "invalid_request_error"))
        } catch {
            return send(context, head, status: .internalServerError, json: Self.errorJSON("internal error", type: "api_error"))
        }
        let id = "chatcmpl_" + RandomID.uuid()
        let created = Clock.nowMs() / 1000
        let state = self.state
        let run = { () -> EchoAgent.Outcome in
            let outcome = state.runAgent(request.userText, model: request.backendModel)
            let text: String
            switch outcome {
            case .reply(let reply): text = reply
            case .missingKey(_, let message), .unknownModel(_, let message): text = message
            }
            let isError = ChatCompletions.failure(outcome, version: state.version) != nil
            state.sessions.record(key: request.sessionKey, channel: request.channel, model: request.backendModel,
                                  user: request.userText, reply: text, isError: isError,
                                  usage: (EchoAgent.estimateTokens(request.promptText), EchoAgent.estimateTokens(text)))
            return outcome
        }
        let delay = state.queueRun(sessionKey: request.sessionKey)
        if request.stream {
            // Headers and the role chunk go out before the agent runs, as in the real gateway.
            var headers = Self.baseHeaders(keepAlive: head.isKeepAlive)
            headers.add(name: "Content-Type", value: "text/event-stream; charset=utf-8")
            headers.add(name: "Cache-Control", value: "no-cache")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            writeText(context, ChatCompletions.roleEvent(id: id, created: created, request: request), flush: true)
            let finish = {
                guard context.channel.isActive else { return }
                let outcome = run()
                let events: String
                if case .reply(let text) = outcome {
                    events = ChatCompletions.closingEvents(id: id, created: created, request: request, content: text)
                } else {
                    events = ChatCompletions.failureEvents(id: id, created: created, request: request, outcome: outcome,
                                                           version: state.version)
                }
                self.writeText(context, events, flush: false)
                self.end(context, keepAlive: head.isKeepAlive)
            }
            if delay > 0 { context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(delay), finish) } else { finish() }
            return
        }
        let finish = {
            guard context.channel.isActive else { return }
            let outcome = run()
            if let failed = ChatCompletions.failure(outcome, version: state.version) {
                return self.send(context, head, status: HTTPResponseStatus(statusCode: failed.status), json: failed.body)
            }
            guard case .reply(let text) = outcome else { return }
            self.send(context, head, status: .ok,
                      json: ChatCompletions.completion(id: id, created: created, request: request, content: text))
        }
        if delay > 0 { context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(delay), finish) } else { finish() }
    }

    /// `{"method","params"}` → `{"ok":true,"payload"}` or `{"ok":false,"error",close?}`; auth failures
    /// carry the WebSocket close (1008) the real client would have seen.
    private func handleRPC(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer?) {
        guard head.method == .POST else { return methodNotAllowed(context, head, allow: "POST") }
        if let failure = state.authorize(Self.bearer(head)) {
            let reply = JSONValue.object([
                ("ok", .bool(false)),
                ("error", .object([("code", .string("INVALID_REQUEST")), ("message", .string(failure.cliMessage))])),
                ("close", .object([("code", .number(1008)), ("reason", .string(failure.cliMessage))])),
            ])
            return send(context, head, status: .unauthorized, json: JSONWriter.compact(reply))
        }
        let request: JSONValue
        do {
            request = try Self.parseBody(body)
        } catch {
            return send(context, head, status: .badRequest, json: Self.errorJSON("\(error)", type: "invalid_request_error"))
        }
        let method = request["method"]?.stringValue ?? ""
        let result = RPCMethods.call(method, params: request["params"] ?? .object([]), state: state,
                                     eventLoop: context.eventLoop)
        let reply: JSONValue
        switch result {
        case .success(let payload):
            reply = .object([("ok", .bool(true)), ("payload", payload)])
        case .failure(let error):
            reply = .object([("ok", .bool(false)),
                             ("error", .object([("code", .string(error.code)), ("message", .string(error.message))]))])
        }
        send(context, head, status: .ok, json: JSONWriter.compact(reply))
    }

    // MARK: - Helpers

    static func parseBody(_ body: ByteBuffer?) throws -> JSONValue {
        guard let body, body.readableBytes > 0 else { return .object([]) }
        return try JSON5Parser.parse(bytes: Array(body.readableBytesView), json5: false)
    }

    static func bearer(_ head: HTTPRequestHead) -> String? {
        guard let value = head.headers.first(name: "authorization") else { return nil }
        let trimmed = value.trimmingSpaces()
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        return String(trimmed.dropFirst(7)).trimmingSpaces()
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let ip = address?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    static func errorJSON(_ message: String, type: String) -> String {
        ChatCompletions.errorBody(message, type: type)
    }

    /// Headers on every response (`src/gateway/http-common.ts`).
    static func baseHeaders(keepAlive: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.reserveCapacity(8)
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.add(name: "Referrer-Policy", value: "no-referrer")
        headers.add(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()")
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        return headers
    }

    private func unauthorized(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        send(context, head, status: .unauthorized, json: Self.errorJSON("Unauthorized", type: "unauthorized"))
    }

    private func methodNotAllowed(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, allow: String) {
        send(context, head, status: .methodNotAllowed, contentType: "text/plain; charset=utf-8", body: "Method Not Allowed",
             extra: [("Allow", allow)])
    }

    private func notFound(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        send(context, head, status: .notFound, contentType: "text/plain; charset=utf-8", body: "Not Found")
    }

    private func send(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, status: HTTPResponseStatus, json: String,
                      extra: [(String, String)] = []) {
        send(context, head, status: status, contentType: "application/json; charset=utf-8", body: json, extra: extra)
    }

    private func send(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, status: HTTPResponseStatus,
                      contentType: String, body: String, extra: [(String, String)] = []) {
        var headers = Self.baseHeaders(keepAlive: head.isKeepAlive)
        headers.add(name: "Content-Type", value: contentType)
        for (name, value) in extra { headers.add(name: name, value: value) }
        let buffer = context.channel.allocator.buffer(string: body)
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        end(context, keepAlive: head.isKeepAlive)
    }

    private func writeText(_ context: ChannelHandlerContext, _ text: String, flush: Bool) {
        let buffer = context.channel.allocator.buffer(string: text)
        if flush {
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        } else {
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
    }

    private func end(_ context: ChannelHandlerContext, keepAlive: Bool) {
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
