import ClawrunCore

/// A failure inside Lua: a script that does not compile, or an error raised while it ran, with
/// `file:line` and a traceback in its message.
public struct LuaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Whether the chunk failed to compile or failed while running.
    public enum Kind: Sendable, Equatable { case syntax, runtime }
    public var kind: Kind
    /// The message, as Lua gives it (`file:line: text`), followed by a traceback for runtime errors.
    public var message: String

    /// Makes an error.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// What a host function throws to make Lua raise an error at the caller's `file:line`. Lua sees
/// a table (`code`, `message`, and `status`, `machine`, `step` where known) that prints and
/// behaves like its message (see `LuaState.pushError`).
public struct HostError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// When true the message is raised as it is, without the function's name in front.
    public var bare: Bool
    /// What kind of failure it is, for scripts to branch on: `bad_argument`, `bad_option`,
    /// `http`, `timeout`, `unsupported`, `fail`, a provider's own code (`machine_not_found`), or
    /// `failed` for the rest.
    public var code: String
    /// The HTTP status of the answer that failed, when there was one.
    public var status: Int?
    /// The machine the failure concerns, when it is not the coroutine's own.
    public var machine: String?

    /// Makes an error with a one-line message; without a code, one is told from the message's
    /// usual forms (`bad argument`, `option '...'`, `(HTTP nnn`).
    public init(_ message: String, bare: Bool = false, code: String? = nil, status: Int? = nil, machine: String? = nil) {
        self.message = message
        self.bare = bare
        self.status = status ?? HostError.httpStatus(in: message)
        self.code = code ?? HostError.code(of: message, status: self.status)
        self.machine = machine
    }

    public var description: String { message }

    /// Any error a binding's work threw, as a `HostError` with the code its type gives.
    public static func from(_ error: Error) -> HostError {
        switch error {
        case let e as HostError: return e
        case let e as ProviderError: return HostError("\(e)", code: e.code.lowercased(), status: e.status)
        case let e as ClawrunError:
            let code: String
            switch e {
            case .usage: code = "usage"
            case .invalidArgument: code = "bad_argument"
            case .timeout: code = "timeout"
            case .unsupported: code = "unsupported"
            case .failed: code = "failed"
            }
            return HostError("\(e)", code: code)
        default: return HostError("\(error)")
        }
    }

    static func code(of message: String, status: Int?) -> String {
        if message.hasPrefix("bad argument") { return "bad_argument" }
        if message.hasPrefix("option '") || message.hasPrefix("unknown option") { return "bad_option" }
        if status != nil { return "http" }
        return "failed"
    }

    /// The status of an `HTTP nnn` in the message, which the bindings write for every HTTP answer.
    static func httpStatus(in message: String) -> Int? {
        guard let range = message.range(of: "HTTP ") else { return nil }
        let digits = message[range.upperBound...].prefix(3)
        guard digits.count == 3, digits.allSatisfy(\.isNumber), let n = Int(digits), (100...599).contains(n) else { return nil }
        return n
    }
}
