/// The per-request lines of the open-model load generator (`intended_us lag_us latency_us status
/// kind late`, microseconds from the run's start) and its closing summary line.
public enum ArrivalTimingsParser {
    /// One request of an arrival-rate run.
    public struct Timing: Sendable, Equatable {
        /// When it was due, seconds after the run's start.
        public var intended: Double
        /// How long after that it was sent, seconds.
        public var lag: Double
        /// From its intended start to its last response byte (or failure), seconds.
        public var latency: Double
        /// The HTTP status, 0 when no response came.
        public var status: Int
        /// nil for a 2xx, else `http_<code>`, `timeout`, `connect_refused`, `connection_reset`, ...
        public var errorKind: String?
        /// Whether it was due while every connection was busy, so it waited for one.
        public var late: Bool

        /// Makes a timing.
        public init(intended: Double, lag: Double, latency: Double, status: Int, errorKind: String?, late: Bool) {
            self.intended = intended
            self.lag = lag
            self.latency = latency
            self.status = status
            self.errorKind = errorKind
            self.late = late
        }

        /// When it was sent, seconds after the run's start.
        public var sent: Double { intended + lag }
    }

    /// The generator's summary: requests sent, requests never sent (dropped), errors, wall time.
    public struct Summary: Sendable, Equatable {
        /// Requests sent.
        public var sent: Int
        /// Requests due but never sent before the run ended.
        public var dropped: Int
        /// Requests that failed.
        public var errors: Int
        /// Seconds from the run's start to its end.
        public var wall: Double
    }

    /// Parses every well-formed line; the count of other lines comes back too.
    public static func parse(_ text: String) -> (timings: [Timing], malformed: Int) {
        var timings: [Timing] = []
        var malformed = 0
        timings.reserveCapacity(text.utf8.count / 24)
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 6, let intended = Int(f[0]), let lag = Int(f[1]), let latency = Int(f[2]),
                  let status = Int(f[3]), let late = Int(f[5]), intended >= 0, latency >= 0 else {
                malformed += 1
                continue
            }
            timings.append(Timing(intended: Double(intended) / 1e6, lag: Double(max(0, lag)) / 1e6,
                                  latency: Double(latency) / 1e6, status: status,
                                  errorKind: f[4] == "-" ? nil : String(f[4].prefix(40)), late: late != 0))
        }
        return (timings, malformed)
    }

    /// Reads `generator sent N dropped D errors E wall W`; nil when the output has no such line.
    public static func summary(_ stdout: String) -> Summary? {
        for line in stdout.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 9, f[0] == "generator", f[1] == "sent", let sent = Int(f[2]), f[3] == "dropped",
                  let dropped = Int(f[4]), f[5] == "errors", let errors = Int(f[6]), f[7] == "wall",
                  let wall = Double(f[8]) else { continue }
            return Summary(sent: sent, dropped: dropped, errors: errors, wall: wall)
        }
        return nil
    }
}
