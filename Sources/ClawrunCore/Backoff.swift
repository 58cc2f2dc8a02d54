/// A capped exponential backoff with jitter. Delays are computed in `Double` before any conversion,
/// so a large attempt number cannot overflow (the async-http-client lesson).
public struct Backoff: Sendable, Equatable {
    /// The first delay, in seconds.
    public var initial: Double
    /// How many attempts keep the first delay before growth starts.
    public var flatAttempts: Int
    /// Growth per attempt after the flat ones.
    public var factor: Double
    /// The largest delay, in seconds.
    public var cap: Double
    /// The fraction of a delay that jitter may take off (0 to 1).
    public var jitter: Double

    /// Makes a backoff schedule.
    public init(initial: Double, flatAttempts: Int = 0, factor: Double, cap: Double, jitter: Double = 0.1) {
        self.initial = initial
        self.flatAttempts = flatAttempts
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
    }

    /// Polling of phases and executions: four 20 ms polls catch quick commands within a round trip
    /// or two, then growth by 1.8 to a 2 s cap keeps a 10 s command under 15 status requests.
    public static let polling = Backoff(initial: 0.02, flatAttempts: 4, factor: 1.8, cap: 2.0, jitter: 0.1)

    /// Retries of failed HTTP requests, as the official SDKs do: 0.5 s doubling to 8 s, minus up to 25 %.
    public static let httpRetry = Backoff(initial: 0.5, flatAttempts: 0, factor: 2.0, cap: 8.0, jitter: 0.25)

    /// The delay before attempt `attempt` (0-based), given a random number in [0, 1).
    public func delay(attempt: Int, random: Double) -> Double {
        let grown = attempt < flatAttempts
            ? initial
            : initial * pow(factor, Double(min(attempt - flatAttempts + (flatAttempts > 0 ? 1 : 0), 64)))
        let capped = min(cap, grown)
        return capped * (1 - jitter * random)
    }

    /// The delay before attempt `attempt`, with system randomness.
    public func delay(attempt: Int) -> Double {
        delay(attempt: attempt, random: Double.random(in: 0..<1))
    }

    /// A server hint in milliseconds when it is usable (positive, at most 60 s), else the schedule.
    public func delay(attempt: Int, hintMs: Int?) -> Double {
        delay(attempt: attempt, hintSeconds: hintMs.map { Double($0) / 1000 })
    }

    /// A server hint in seconds when it is usable (positive, at most 60 s, so not NaN), else the schedule.
    public func delay(attempt: Int, hintSeconds: Double?) -> Double {
        if let hintSeconds, hintSeconds > 0, hintSeconds <= 60 { return hintSeconds }
        return delay(attempt: attempt)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
