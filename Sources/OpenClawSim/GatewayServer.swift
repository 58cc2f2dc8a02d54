#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import NIOHTTP1

/// Why the listener could not be opened.
public enum GatewayBindError: Error {
    /// The port stayed busy through every retry (`EADDRINUSE`).
    case addressInUse(url: String)
    /// Any other bind failure.
    case other(url: String, cause: String)
}

/// The gateway's listener on a single NIO event loop.
///
/// One thread serves every connection (the workload is tiny per request), which keeps idle
/// memory low. A restart closes the listener and every open connection, swaps the settings
/// on the loop, and binds again: the same process, new auth and endpoints, exactly what the
/// real gateway's in-process restart (`OPENCLAW_NO_RESPAWN=1`) looks like from outside.
///
/// Unchecked Sendable, because each mutable property has one owner: `serverChannel` belongs to
/// the thread that calls `start`, `restart` and `shutdown` (the supervisor's), which waits for
/// the loop where it must; `connections` belongs to the event loop (every child channel lives on
/// the one loop, and `restart` and `shutdown` reach them by `submit`). Blocking `.wait()` happens
/// only on the supervisor's thread, never on the loop.
public final class GatewayServer: @unchecked Sendable {
    public let state: GatewayState
    private let group: MultiThreadedEventLoopGroup
    private var serverChannel: Channel?
    /// Open connections by identity; touched only on the event loop.
    private var connections: [ObjectIdentifier: Channel] = [:]

    /// Makes a server from the gateway's settings, paths and environment (not yet listening).
    public init(settings: GatewaySettings, paths: StatePaths, environment: [String: String]) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        state = GatewayState(settings: settings, paths: paths, environment: environment)
    }

    private var eventLoop: EventLoop { group.next() }

    /// Binds with the real gateway's retry policy for a busy port: 4 retries, 500 ms apart (≈2 s).
    public func start() throws {
        let settings = state.settings
        let url = settings.wsURL
        var attempt = 0
        while true {
            attempt += 1
            do {
                serverChannel = try makeBootstrap().bind(host: settings.bindHost, port: settings.port).wait()
                return
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                if attempt > 4 { throw GatewayBindError.addressInUse(url: url) }
                usleep(500_000)
            } catch {
                throw GatewayBindError.other(url: url, cause: "\(error)")
            }
        }
    }

    private func makeBootstrap() -> ServerBootstrap {
        let state = self.state
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 511)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // TCP_NODELAY is a TCP-level option: at the socket level its number is SO_DEBUG, which
            // needs CAP_NET_ADMIN and fails (closing every connection) inside a sandboxed machine.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
                // Added with the sync operations on the channel's loop: the handler is not Sendable.
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(GatewayHTTPHandler(state: state))
                }
            }
    }

    private func track(_ channel: Channel) {
        let id = ObjectIdentifier(channel)
        connections[id] = channel
        channel.closeFuture.whenComplete { [weak self] _ in self?.connections[id] = nil }
    }

    /// Closes the listener and all connections, applies `settings`, and listens again.
    public func restart(with settings: GatewaySettings) throws {
        try? serverChannel?.close().wait()
        serverChannel = nil
        try eventLoop.submit { [self] in
            for channel in connections.values { channel.close(promise: nil) }
            state.apply(settings, restarted: true)
        }.wait()
        try start()
    }

    /// Applies settings that need no listener change (hot reload).
    public func apply(_ settings: GatewaySettings) {
        try? eventLoop.submit { [state] in state.apply(settings) }.wait()
    }

    /// Stops listening and closes every connection.
    public func shutdown() {
        try? serverChannel?.close().wait()
        try? eventLoop.submit { [self] in
            for channel in connections.values { channel.close(promise: nil) }
        }.wait()
        try? group.syncShutdownGracefully()
    }
}
