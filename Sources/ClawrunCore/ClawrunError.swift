/// Errors of clawrun's own making (not a provider's answer); each message is one line that names
/// the bad value and what to do.
public enum ClawrunError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad command-line or script usage: exit code 2, nothing was run.
    case usage(String)
    /// A bad argument to an operation.
    case invalidArgument(String)
    /// A wait ran out of time.
    case timeout(String)
    /// The host cannot do what was asked (no namespaces, no tool).
    case unsupported(String)
    /// Anything else that failed.
    case failed(String)

    public var description: String {
        switch self {
        case .usage(let m), .invalidArgument(let m), .timeout(let m), .unsupported(let m), .failed(let m): return m
        }
    }
}

/// An error answer from a provider: the API's `error_code`, message and HTTP status, and a remedy
/// where the failure is a known one.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status (the local provider uses the same numbers).
    public var status: Int
    /// The API's `error_code` (`AUTH_INVALID`, `INVALID_STATE`, `machine_not_found`, ...).
    public var code: String
    public var message: String
    public var retryable: Bool
    public var retryAfterMs: Int?
    /// One line telling the user what to do, for the failures the seed document lists.
    public var remedy: String?

    /// Makes a provider error; the remedy defaults to the known one for the code and message.
    public init(status: Int, code: String, message: String, retryable: Bool = false, retryAfterMs: Int? = nil,
                remedy: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retryAfterMs = retryAfterMs
        self.remedy = remedy ?? KnownFailures.remedy(code: code, message: message, status: status)
    }

    public var description: String {
        var s = "\(code) (HTTP \(status)): \(message)"
        if let remedy { s += " — \(remedy)" }
        return s
    }

    /// An unknown machine id.
    public static func machineNotFound(_ id: String) -> ProviderError {
        ProviderError(status: 404, code: "machine_not_found",
                      message: "no machine '\(id)': list machines with `clawrun machines list`")
    }
}
