import NIOCore

/// The first handler of every connection: it closes a connection whose client is too slow to send
/// a request (408) or idle too long between requests, so that neither can hold a connection slot
/// for ever. It sees raw bytes; the HTTP handler tells it when a request was read in full and when
/// its answer was written.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Between requests: no byte of the next one yet.
        case idle
        /// Some bytes of a request arrived; it is not complete.
        case reading
        /// The request was read; the server is answering it (no deadline: the app's own work).
        case answering(bytesOfNextRequest: Bool)
    }

    private let limits: ServerLimits
    private let onTimeout: @Sendable (_ kind: String) -> Void
    private var state = State.idle
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    /// `onTimeout` hears `"header"` or `"idle"` when the guard closes a connection.
    init(limits: ServerLimits, onTimeout: @escaping @Sendable (String) -> Void) {
        self.limits = limits
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // A new connection's first request is due within the header timeout: a client that
        // connects and sends nothing is a slow client, not an idle keep-alive one.
        arm(limits.headerTimeout, kind: "header")
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .idle:
            state = .reading
            arm(limits.headerTimeout, kind: "header")
        case .answering:
            state = .answering(bytesOfNextRequest: true)
        case .reading:
            break
        }
        context.fireChannelRead(data)
    }

    /// A whole request (head and body) was read: its answer has no deadline here.
    func requestRead() {
        if case .answering = state { return }
        state = .answering(bytesOfNextRequest: false)
        timer?.cancel()
        timer = nil
    }

    /// The answer to the last request was written and the connection stays open.
    func answerWritten() {
        guard case .answering(let next) = state else { return }
        if next {
            state = .reading
            arm(limits.headerTimeout, kind: "header")
        } else {
            state = .idle
            arm(limits.idleTimeout, kind: "idle")
        }
    }

    private func arm(_ seconds: Double, kind: String) {
        timer?.cancel()
        guard let context, seconds > 0 else { return }
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(seconds * 1_000_000_000))) {
            loop.value.expire(kind: kind)
        }
    }

    private func expire(kind: String) {
        timer = nil
        guard let context else { return }
        onTimeout(kind)
        guard kind == "header" else {
            context.close(promise: nil)
            return
        }
        let seconds = limits.headerTimeout
        let text = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        let error = APIError(408, "REQUEST_TIMEOUT",
                             "the request was not received in full within \(text) s (clawrun serve --header-timeout)")
        let bytes = Self.rawResponse(error.response)
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    /// An answer as HTTP/1.1 bytes with `Connection: close`, for a connection the HTTP encoder
    /// is not writing.
    static func rawResponse(_ response: APIResponse) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n"
        for (name, value) in response.headers where name.lowercased() != "content-length" && name.lowercased() != "connection" {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + Array(response.body)
    }
}
