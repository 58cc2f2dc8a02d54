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

/// What a host function throws to make Lua raise an error at the caller's `file:line`.
public struct HostError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// When true the message is raised as it is, without the function's name in front.
    public var bare: Bool

    /// Makes an error with a one-line message.
    public init(_ message: String, bare: Bool = false) {
        self.message = message
        self.bare = bare
    }

    public var description: String { message }
}
