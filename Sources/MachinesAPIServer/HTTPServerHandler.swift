import Foundation
import NIOCore
import NIOHTTP1

/// Reads whole HTTP/1.1 requests from one connection, hands each to the app, and writes its
/// answer (or closes the connection when the app drops it). Pipelined requests are answered in
/// order by NIO's pipelining handler in front of this one.
final class HTTPServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The largest request body accepted.
    static let maxBodyBytes = 16 << 20

    private let app: APIService
    private let connectionGuard: ConnectionGuard?
    private var head: HTTPRequestHead?
    private var body = Data()
    private var tooLarge = false

    /// `connectionGuard` hears when a request was read and when its answer was written.
    init(app: APIService, connectionGuard: ConnectionGuard?) {
        self.app = app
        self.connectionGuard = connectionGuard
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = Data()
            tooLarge = false
        case .body(let buffer):
            if body.count + buffer.readableBytes > Self.maxBodyBytes {
                tooLarge = true
            } else {
                body.append(contentsOf: buffer.readableBytesView)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            connectionGuard?.requestRead()
            let keepAlive = head.isKeepAlive
            if tooLarge {
                let error = APIError(413, "PAYLOAD_TOO_LARGE", "request body exceeds \(Self.maxBodyBytes) bytes")
                write(.respond(error.response), keepAlive: false, context: context)
                return
            }
            let request = APIRequest(head: head, body: body)
            let app = self.app
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let promise = context.eventLoop.makePromise(of: APIOutcome.self)
            // The latency runs on the event loop's own timer: a Task.sleep would wake on another
            // thread and then wait again for a free thread of the cooperative pool.
            let latency = app.latencyMs(for: request)
            if latency > 0 {
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(latency))) {
                    promise.completeWithTask { await app.respond(to: request) }
                }
            } else {
                promise.completeWithTask { await app.respond(to: request) }
            }
            promise.futureResult.whenSuccess { outcome in
                let (handler, context) = bound.value
                handler.write(outcome, keepAlive: keepAlive, context: context)
            }
        }
    }

    private func write(_ outcome: APIOutcome, keepAlive: Bool, context: ChannelHandlerContext) {
        guard case .respond(let response) = outcome else {
            context.close(promise: nil)
            return
        }
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        } else {
            connectionGuard?.answerWritten()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
