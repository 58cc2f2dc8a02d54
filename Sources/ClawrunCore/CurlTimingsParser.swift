/// Per-request timings as the load test asks curl to print them (`--write-out` with
/// `CurlTimingsParser.format`), one line per request.
public enum CurlTimingsParser {
    /// The write-out format: status, curl's exit code, then connect, first byte and total time
    /// in seconds.
    public static let format = "%{http_code} %{exitcode} %{time_connect} %{time_starttransfer} %{time_total}\\n"

    /// One request's outcome.
    public struct Timing: Sendable, Equatable {
        /// The HTTP status, 0 when no response came.
        public var status: Int
        /// curl's exit code for this transfer: 0, or 7 (refused), 28 (timeout), 52, 56, ...
        public var curlExit: Int
        /// Seconds until the TCP connection was made (0 for a reused connection).
        public var connect: Double
        /// Seconds until the first response byte.
        public var firstByte: Double
        /// Seconds for the whole request.
        public var total: Double

        /// Makes a timing.
        public init(status: Int, curlExit: Int, connect: Double, firstByte: Double, total: Double) {
            self.status = status
            self.curlExit = curlExit
            self.connect = connect
            self.firstByte = firstByte
            self.total = total
        }

        /// What went wrong, for the error table: nil for a 2xx, else `http_<code>`,
        /// `connect_refused`, `timeout` or `curl_<exit>`.
        public var errorKind: String? {
            switch curlExit {
            case 0: return (200..<300).contains(status) ? nil : "http_\(status)"
            case 7: return "connect_refused"
            case 28: return "timeout"
            case 52: return "empty_reply"
            case 55, 56: return "connection_reset"
            default: return "curl_\(curlExit)"
            }
        }
    }

    /// Parses every well-formed line; the count of lines that were not timings comes back too.
    /// Older curls without `%{exitcode}` print the literal text, which reads as exit 0.
    public static func parse(_ text: String) -> (timings: [Timing], malformed: Int) {
        var timings: [Timing] = []
        var malformed = 0
        timings.reserveCapacity(text.utf8.count / 32)
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 5, let status = Int(f[0]), let connect = Double(f[2]), let first = Double(f[3]),
                  let total = Double(f[4]) else {
                malformed += 1
                continue
            }
            timings.append(Timing(status: status, curlExit: Int(f[1]) ?? 0, connect: connect, firstByte: first,
                                  total: total))
        }
        return (timings, malformed)
    }
}
