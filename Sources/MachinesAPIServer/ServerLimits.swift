/// How `clawrun serve` protects itself from slow, idle and too many clients.
public struct ServerLimits: Sendable, Equatable {
    /// Seconds a client has to send a whole request (headers and body), from its first byte, or
    /// from the accept for a connection's first request; past it the answer is 408 and the
    /// connection is closed.
    public var headerTimeout: Double
    /// Seconds a kept-alive connection may wait for its next request before it is closed.
    public var idleTimeout: Double
    /// Connections served at once; past it, a connection gets one 503 `TOO_MANY_CONNECTIONS`
    /// answer and is closed.
    public var maxConnections: Int
    /// Connections beyond `maxConnections` that still get that 503 rather than a bare close.
    public var overflowConnections: Int

    /// The defaults: 10 s for a request, 60 s idle (the SDKs' keep-alive pools reuse connections
    /// well within it), 1,024 connections (four shard processes at `--parallel 200` fit).
    public init(headerTimeout: Double = 10, idleTimeout: Double = 60, maxConnections: Int = 1024,
                overflowConnections: Int = 64) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.overflowConnections = overflowConnections
    }
}
