import NIOCore
import NIOHTTP1

/// Serves a connection accepted past `ServerLimits.maxConnections`: its first request gets a 503
/// `TOO_MANY_CONNECTIONS` (retryable, with a retry hint) and the connection is closed, so that a
/// client sees why rather than a reset.
final class OverCapacityHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let maxConnections: Int
    private var answered = false

    init(maxConnections: Int) { self.maxConnections = maxConnections }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The answer waits for the request's end: closing with unread bytes would reset the
        // connection, and the client would see a reset instead of the 503.
        guard case .end = unwrapInboundIn(data), !answered else { return }
        answered = true
        let response = Self.error(maxConnections: maxConnections).response
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: "close")
        headers.replaceOrAdd(name: "Retry-After", value: "1")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status,
                                                             headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// The 503 a connection past the cap gets.
    static func error(maxConnections: Int) -> APIError {
        APIError(503, "TOO_MANY_CONNECTIONS",
                 "clawrun serve already has \(maxConnections) connections open (its --max-connections); "
                     + "retry later, or close idle connections",
                 retryable: true, retryAfterMs: 1000)
    }
}
