#if canImport(Glibc)
import Glibc
#endif

/// Wall and monotonic time without Foundation.
public enum Clock {
    /// Milliseconds since the Unix epoch (JavaScript's `Date.now()`).
    public static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Monotonic milliseconds, for uptimes and durations that must not jump with the wall clock.
    public static func monotonicMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// `2026-04-13T10:15:28.123Z` (JavaScript's `toISOString()`).
    public static func iso8601(ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms % 1000), 3))Z"
    }
}

/// The gateway's console log: `<ISO time> [<subsystem>] <message>`, info on stdout and
/// errors on stderr, like the real gateway's console transport (the deploy script sends both
/// to `gateway.log`).
public enum GatewayLog {
    /// Logs an informational line.
    public static func info(_ subsystem: String, _ message: String) {
        Console.out("\(Clock.iso8601(ms: Clock.nowMs())) [\(subsystem)] \(message)")
    }

    /// Logs a warning or error line.
    public static func error(_ subsystem: String, _ message: String) {
        Console.err("\(Clock.iso8601(ms: Clock.nowMs())) [\(subsystem)] \(message)")
    }
}
