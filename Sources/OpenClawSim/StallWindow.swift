/// An injected stall for load tests (`OPENCLAW_SIM_STALL_MS`): at the start of every second the
/// gateway answers nothing for that many milliseconds, as a real one does in a long GC pause or
/// a blocked event loop, so that a load generator's handling of stalls (coordinated omission)
/// can be checked.
public struct StallWindow: Sendable, Equatable {
    /// How long each stall lasts, milliseconds (0: never stalls).
    public let stallMs: Int64
    /// The period of the stalls, milliseconds.
    public let periodMs: Int64

    /// Reads `OPENCLAW_SIM_STALL_MS` (clamped to the period); unset or bad means no stall.
    public init(environment: [String: String], periodMs: Int64 = 1000) {
        self.periodMs = periodMs
        self.stallMs = min(periodMs, max(0, Int64(environment["OPENCLAW_SIM_STALL_MS"] ?? "") ?? 0))
    }

    /// How long a request that arrives at monotonic time `nowMs` waits for the stall to end:
    /// the rest of the stall when it falls inside one, else 0.
    public func wait(atMs nowMs: Int64) -> Int64 {
        guard stallMs > 0 else { return 0 }
        let phase = nowMs % periodMs
        return phase < stallMs ? stallMs - phase : 0
    }
}
