/// The right to resume one suspended coroutine, once, from any thread.
public struct Ticket: Sendable {
    let inbox: Inbox
    let coroutine: Int
    /// The caller's `file:line:` and function name, put in front of a failure message.
    let prefix: String

    /// Resumes the coroutine: the waiting call returns `values`.
    public func resume(_ values: [LuaValue]) {
        inbox.post(coroutine, .values(values))
    }

    /// Resumes the coroutine: the waiting call raises `message` at the caller's line.
    public func fail(_ message: String) {
        fail(HostError(message))
    }

    /// Resumes the coroutine: the waiting call raises `error` (with its code) at the caller's line.
    public func fail(_ error: HostError) {
        var located = error
        located.message = prefix + error.message
        inbox.post(coroutine, .failure(located))
    }
}
