/// A fleet run's figures, as the progress line shows them.
public struct FleetProgress: Sendable, Equatable {
    public var targets: Int?
    public var done = 0
    public var running = 0
    public var failed = 0
    public var skipped = 0
    public var elapsed: Double = 0

    /// Figures of a run that counted nothing yet.
    public init() {}
}
