/// The simulator's stand-in for an LLM-backed agent run: it answers `Echo: <last user message>`
/// when the real runner would reach a model, and fails where the real one fails first.
///
/// Credentials are resolved as `src/agents/model-auth.ts` (`resolveApiKeyForProvider`) does, for
/// the provider of the configured model only: a provider env variable (`OPENAI_API_KEY` for
/// `openai`, also set through `env.vars`), a `models.providers.<id>.apiKey`, or the synthetic
/// local key of a custom provider whose `baseUrl` is loopback (`isLocalBaseUrl`). A custom
/// provider is answered by the echo agent instead of an HTTP call to its `baseUrl`: inside a
/// machine there is no model server, and the echo stands for what that server would say.
public enum EchoAgent {
    /// How one agent run ends.
    public enum Outcome: Equatable {
        /// The model answered.
        case reply(String)
        /// No credentials for the model's provider (`No API key found for provider "<p>". …`).
        case missingKey(provider: String, message: String)
        /// The provider does not know the model (a custom provider without it in `models`).
        case unknownModel(ref: String, message: String)
    }

    /// Env variables that carry a key, by provider (the bundled provider plugins' candidates);
    /// other providers use `<PROVIDER>_API_KEY`.
    static let providerVariables: [String: [String]] = [
        "anthropic": ["ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_API_KEY"],
        "openai": ["OPENAI_API_KEY"],
        "google": ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
        "openrouter": ["OPENROUTER_API_KEY"],
    ]

    /// The env variables that would hold a key for `provider`.
    public static func keyVariables(forProvider provider: String) -> [String] {
        providerVariables[provider] ?? [provider.uppercased().replacingDashes() + "_API_KEY"]
    }

    /// `provider/model` split at the first slash; a bare id belongs to `openai` (the default provider).
    public static func split(_ ref: String) -> (provider: String, model: String) {
        let parts = ref.split(separator: "/", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0].lowercased(), parts[1]) : ("openai", ref)
    }

    /// Whether a key for `provider` is configured: process env first, then `env.vars` (which
    /// the gateway applies to its env when the process lacks the key).
    static func envKey(provider: String, config: JSONValue, env: [String: String]) -> Bool {
        let vars = config.value(atKeys: ["env", "vars"])
        return keyVariables(forProvider: provider).contains { name in
            !(env[name] ?? "").isEmpty || !(vars?[name]?.stringValue ?? "").isEmpty
        }
    }

    /// The host of a `baseUrl` when it is one `isLocalBaseUrl` accepts.
    static func isLocalBaseUrl(_ url: String) -> Bool {
        let parts = url.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[1].hasPrefix("//") else { return false }
        var rest = parts[1].dropFirst(2)
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host = String(rest).lowercased()
        if host.hasPrefix("[") {
            if let close = host.firstIndex(of: "]") { host = String(host[...close]) }
        } else if let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        return ["localhost", "127.0.0.1", "0.0.0.0", "[::1]", "[::ffff:7f00:1]", "[::ffff:127.0.0.1]"].contains(host)
    }

    /// Runs the agent for `userText` with the model `ref` (`provider/model`).
    public static func run(userText: String, model ref: String, config: JSONValue, env: [String: String],
                           paths: StatePaths) -> Outcome {
        let (provider, model) = split(ref)
        if let custom = config.value(atKeys: ["models", "providers", provider]) {
            let known = (custom["models"]?.arrayElements ?? []).contains { $0["id"]?.stringValue == model }
            guard known else {
                return .unknownModel(ref: ref, message: "Unknown model: \(provider)/\(model)")
            }
            let hasKey = !(custom["apiKey"]?.stringValue ?? "").isEmpty || custom["apiKey"]?.isObject == true
            let local = isLocalBaseUrl(custom["baseUrl"]?.stringValue ?? "")
            if hasKey || local || envKey(provider: provider, config: config, env: env) {
                return .reply("Echo: " + userText)
            }
        } else if envKey(provider: provider, config: config, env: env) {
            return .reply("Echo: " + userText)
        }
        let agentDir = paths.mainAgentDir
        return .missingKey(provider: provider, message: "No API key found for provider \"\(provider)\". "
            + "Auth store: \(agentDir)/auth-profiles.json (agentDir: \(agentDir)). "
            + "Configure auth for this agent (openclaw agents add <id>) or copy auth-profiles.json from the main agentDir.")
    }

    /// Whether the default model's provider has credentials (`doctor` reports this).
    public static func hasAPIKey(config: JSONValue, env: [String: String]) -> Bool {
        let model = GatewaySettings.agents(in: config).model
        if case .reply = run(userText: "", model: model, config: config, env: env, paths: StatePaths(environment: env)) {
            return true
        }
        return false
    }

    /// A rough token count (4 bytes per token), enough for plausible `usage` numbers.
    public static func estimateTokens(_ text: String) -> Int {
        (text.utf8.count + 3) / 4
    }
}

private extension String {
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
