/// Waits for a number of seconds; injectable so that tests of waiting logic need no real time.
public typealias Sleeper = @Sendable (Double) async throws -> Void

/// The real sleeper, over `Task.sleep` (cancellable).
public let realSleeper: Sleeper = { seconds in
    guard seconds > 0 else { return }
    try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
}

/// A monotonic clock reading in seconds.
public func monotonicNow() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000
}

import Dispatch
