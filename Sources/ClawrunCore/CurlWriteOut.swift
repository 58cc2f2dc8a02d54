/// The `--write-out` trailer clawrun asks curl for after a response body, and how to split it
/// off again: a marker line no gateway body contains, then the status code and the total time.
public enum CurlWriteOut {
    /// The marker that starts the trailer line.
    public static let marker = "__clawrun_curl__"

    /// The `write-out` format: a newline (the body may not end with one), the marker, the HTTP
    /// status and curl's total time in seconds.
    public static let format = "\\n\(marker) %{http_code} %{time_total}\\n"

    /// A response as curl printed it: the body, its status (0 when no response came) and the
    /// transfer time in seconds.
    public struct Response: Sendable, Equatable {
        /// The response body as curl printed it.
        public var body: String
        /// The HTTP status; 0 when no response came.
        public var status: Int
        /// curl's `time_total` in seconds.
        public var time: Double?
    }

    /// Splits curl's stdout into body and trailer; nil when the trailer is missing (curl did not
    /// get as far as writing it).
    public static func split(_ stdout: String) -> Response? {
        guard let range = stdout.range(of: "\n" + marker + " ", options: .backwards) else { return nil }
        let body = String(stdout[..<range.lowerBound])
        let fields = stdout[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let first = fields.first, let status = Int(first) else { return nil }
        return Response(body: body, status: status, time: fields.dropFirst().first.flatMap { Double($0) })
    }
}
