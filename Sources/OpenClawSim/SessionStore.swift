/// Conversation transcripts kept in memory, keyed like OpenClaw session keys
/// (`agent:main:openai-user:ops`).
///
/// Only the gateway's event-loop thread touches it, so it needs no locks. It is bounded:
/// every `/v1/chat/completions` call without `user` opens a new session (as in the real
/// gateway), and a load test must not grow the simulator without limit.
public final class SessionStore {
    /// One transcript entry, shaped like the real transcript messages.
    public struct Message {
        public let role: String
        public let text: String
        public let timestamp: Int64
        public let usage: (input: Int, output: Int)?
        public let model: String?
        public let isError: Bool

        /// The JSON form returned by `sessions.get`.
        public var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("role", .string(role)),
                ("content", .array([.object([("type", .string("text")), ("text", .string(text))])])),
            ]
            if let model {
                let parts = model.split(separator: "/", maxSplits: 1).map(String.init)
                members.append(("provider", .string(parts.first ?? model)))
                members.append(("model", .string(parts.count > 1 ? parts[1] : model)))
            }
            if let usage {
                members.append(("usage", .object([
                    ("input", .number(Double(usage.input))), ("output", .number(Double(usage.output))),
                    ("totalTokens", .number(Double(usage.input + usage.output))),
                ])))
            }
            if role == "assistant" { members.append(("stopReason", .string(isError ? "error" : "stop"))) }
            if isError { members.append(("errorMessage", .string(text))) }
            members.append(("timestamp", .number(Double(timestamp))))
            return .object(members)
        }
    }

    /// A session's metadata and transcript.
    public struct Session {
        public let key: String
        public let sessionId: String
        public var updatedAt: Int64
        public var channel: String
        public var model: String
        public var inputTokens = 0
        public var outputTokens = 0
        public var messages: [Message] = []
    }

    public private(set) var sessions: [String: Session] = [:]
    private let maxSessions: Int
    private let maxMessages: Int

    /// Makes an empty store that keeps at most `maxSessions` sessions of `maxMessages` messages each.
    public init(maxSessions: Int = 10_000, maxMessages: Int = 200) {
        self.maxSessions = maxSessions
        self.maxMessages = maxMessages
    }

    /// The canonical form of a caller's key: bare keys belong to the default agent
    /// (`my-session` → `agent:main:my-session`), as the real gateway scopes them.
    public static func canonicalKey(_ key: String) -> String {
        let lower = key.trimmingSpaces().lowercased()
        if lower.hasPrefix("agent:") || lower == "global" || lower == "unknown" { return lower }
        return "agent:main:" + lower
    }

    /// Appends a user turn and the agent's reply to `key`, creating the session if needed.
    public func record(key: String, channel: String, model: String, user: String, reply: String,
                       isError: Bool, usage: (input: Int, output: Int)) {
        let now = Clock.nowMs()
        // Taken out of the dictionary so that the transcript has one owner and the appends
        // below do not copy it.
        var session = sessions.removeValue(forKey: key) ?? Session(
            key: key, sessionId: RandomID.uuid(), updatedAt: now, channel: channel, model: model)
        session.messages.append(Message(role: "user", text: user, timestamp: now, usage: nil, model: nil, isError: false))
        session.messages.append(Message(role: "assistant", text: reply, timestamp: now,
                                        usage: usage, model: model, isError: isError))
        if session.messages.count > maxMessages { session.messages.removeFirst(session.messages.count - maxMessages) }
        session.updatedAt = now
        session.model = model
        session.inputTokens += usage.input
        session.outputTokens += usage.output
        sessions[key] = session
        if sessions.count > maxSessions { evictOldest() }
    }

    /// Sessions, most recently updated first.
    public func recent(limit: Int? = nil) -> [Session] {
        let sorted = sessions.values.sorted { $0.updatedAt > $1.updatedAt }
        if let limit { return Array(sorted.prefix(limit)) }
        return sorted
    }

    /// Drops the oldest tenth at once, so a steady stream of new sessions pays for one
    /// O(n log n) sort per n/10 sessions (O(log n) amortized) rather than a sort per session.
    private func evictOldest() {
        let victims = sessions.values.sorted { $0.updatedAt < $1.updatedAt }.prefix(max(1, maxSessions / 10))
        for victim in victims { sessions[victim.key] = nil }
    }
}
