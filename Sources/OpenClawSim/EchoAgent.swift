/// The simulator's stand-in for an LLM-backed agent: it answers `Echo: <last user message>`.
///
/// Without any provider API key it answers the way the real agent runner does when the
/// provider has no credentials: a normal reply whose text is the error sentence (so
/// `/v1/chat/completions` still returns 200), which is what users see as "No API key".
public enum EchoAgent {
    /// Variables whose presence counts as a configured LLM key, besides any `*_API_KEY`.
    static let providerVariables = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
                                    "OPENROUTER_API_KEY", "ANTHROPIC_OAUTH_TOKEN"]

    /// Whether any LLM key is configured in `config` (`env.vars.*_API_KEY`) or in `env`.
    public static func hasAPIKey(config: JSONValue, env: [String: String]) -> Bool {
        for (key, value) in config.value(atKeys: ["env", "vars"])?.objectMembers ?? []
        where (key.hasSuffix("_API_KEY") || providerVariables.contains(key)) && !(value.stringValue ?? "").isEmpty {
            return true
        }
        for (key, value) in env where (key.hasSuffix("_API_KEY") || providerVariables.contains(key)) && !value.isEmpty {
            return true
        }
        return false
    }

    /// The reply text and whether it is the missing-key error.
    public static func reply(to userText: String, model: String, hasKey: Bool, paths: StatePaths) -> (text: String, isError: Bool) {
        if hasKey { return ("Echo: " + userText, false) }
        let provider = model.split(separator: "/", maxSplits: 1).first.map(String.init) ?? "openai"
        let agentDir = paths.mainAgentDir
        return ("⚠️ Agent failed before reply: No API key found for provider \"\(provider)\". "
            + "Auth store: \(agentDir)/auth-profiles.json (agentDir: \(agentDir)). "
            + "Configure auth for this agent (openclaw agents add <id>) or set env.vars.\(provider.uppercased())_API_KEY in openclaw.json.",
            true)
    }

    /// A rough token count (4 bytes per token), enough for plausible `usage` numbers.
    public static func estimateTokens(_ text: String) -> Int {
        (text.utf8.count + 3) / 4
    }
}
