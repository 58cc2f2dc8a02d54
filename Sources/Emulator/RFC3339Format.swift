import Foundation

/// RFC 3339 timestamps as the live API writes them: UTC with nine fractional digits
/// (`2026-08-05T18:27:34.091276598Z`).
enum RFC3339Format {
    /// The timestamp of a date.
    static func string(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let nanos = min(999_999_999, Int(((interval - Double(seconds)) * 1_000_000_000).rounded()))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), nanos)
    }
}
