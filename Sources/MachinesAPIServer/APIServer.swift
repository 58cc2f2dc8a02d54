import ClawrunCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `clawrun serve`: the Dedalus Machines API over any `MachineProvider`, on HTTP/1.1 with
/// keep-alive. Speaks the wire shapes of the spec (so the official SDKs work against it), checks
/// the API key when it has one, replays answers by `Idempotency-Key`, injects the faults of a
/// `FaultPlan`, and counts requests and connections (`GET /__clawrun/stats`).
public final class APIServer: Sendable {
    let app: APIService
    /// The timeouts and the connection cap.
    public let limits: ServerLimits
    private let state = Locked(ServerState())

    private struct ServerState {
        var channel: Channel?
        var connections: [ObjectIdentifier: Channel] = [:]
        /// Connections within `limits.maxConnections`, served normally.
        var admitted = 0
    }

    /// Makes a server over `provider`. With `apiKey`, every request must carry it as
    /// `Authorization: Bearer` or `x-api-key`. Creates asking more than `memoryCapacityMiB` get
    /// 400 "memory_mib exceeds capacity" (the production ceiling by default; the dev one is 6144).
    /// `limits` guard the connections; with `rateLimit`, a key's requests beyond it get 429.
    public init(provider: any MachineProvider, apiKey: String? = nil, faults: FaultPlan = FaultPlan(),
                memoryCapacityMiB: Int = 129_024, limits: ServerLimits = ServerLimits(), rateLimit: RateLimit? = nil) {
        self.limits = limits
        app = APIService(provider: provider, apiKey: apiKey.flatMap { $0.isEmpty ? nil : $0 }, faults: faults,
                          memoryCapacityMiB: memoryCapacityMiB, rateLimit: rateLimit)
    }

    /// Starts listening; port 0 picks a free port. Returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int) async throws -> Int {
        let app = self.app
        let state = self.state
        let limits = self.limits
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 512)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                let (admitted, overflow) = state.withLock { s -> (Bool, Bool) in
                    s.connections[id] = channel
                    if s.admitted < limits.maxConnections {
                        s.admitted += 1
                        return (true, false)
                    }
                    return (false, s.connections.count > limits.maxConnections + limits.overflowConnections)
                }
                app.stats.withLock {
                    $0.connectionsAccepted += 1
                    if admitted {
                        $0.openConnections += 1
                        $0.maxOpenConnections = max($0.maxOpenConnections, $0.openConnections)
                    } else {
                        $0.connectionsRefused += 1
                    }
                }
                channel.closeFuture.whenComplete { _ in
                    state.withLock {
                        $0.connections[id] = nil
                        if admitted { $0.admitted -= 1 }
                    }
                    if admitted { app.stats.withLock { $0.openConnections -= 1 } }
                }
                // Past the cap and its overflow, a flood gets closed without a word.
                if overflow { return channel.close() }
                // The handlers are made and added on the channel's event loop (the sync pipeline
                // operations), so none of them has to be Sendable.
                return channel.eventLoop.makeCompletedFuture {
                    let connectionGuard = ConnectionGuard(limits: limits) { kind in
                        app.stats.withLock { $0.timeouts[kind, default: 0] += 1 }
                    }
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(connectionGuard)
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    if admitted {
                        try pipeline.addHandler(HTTPServerHandler(app: app, connectionGuard: connectionGuard))
                    } else {
                        try pipeline.addHandler(OverCapacityHandler(maxConnections: limits.maxConnections))
                    }
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        state.withLock { $0.channel = channel }
        guard let bound = channel.localAddress?.port else {
            throw ClawrunError.failed("clawrun serve bound \(host):\(port) but has no local port")
        }
        return bound
    }

    /// Stops listening and closes every open connection.
    public func stop() async {
        let (listener, connections) = state.withLock { s -> (Channel?, [Channel]) in
            let taken = (s.channel, Array(s.connections.values))
            s.channel = nil
            return taken
        }
        try? await listener?.close()
        for connection in connections { try? await connection.close() }
    }

    /// The counters so far.
    public func stats() -> ServerStats {
        app.stats.withLock { $0 }
    }

    /// The fault plan now (counted faults shrink as they are used).
    public func faults() -> FaultPlan {
        app.faults.withLock { $0 }
    }

    /// Replaces the fault plan.
    public func setFaults(_ plan: FaultPlan) {
        app.faults.withLock { $0 = plan }
    }
}
