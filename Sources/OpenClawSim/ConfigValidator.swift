/// The slice of OpenClaw's config schema that the gateway and CLI depend on.
///
/// The real schema is strict zod (`src/config/zod-schema.ts`, `zod-schema.core.ts`); the
/// simulator checks the keys it acts on, with zod's wording, so that a value that would break
/// the real gateway (a numeric token, a string port) is refused here too instead of being
/// silently accepted. Like the real `.strict()` objects it rejects keys it does not know at the
/// root, under `gateway` (and its `auth`, `http` parts) and under `models.providers.*`.
public enum ConfigValidator {
    /// Human-readable problems (`gateway.port: Invalid input: expected number, received string`); empty when valid.
    public static func problems(in config: JSONValue) -> [String] {
        guard config.isObject else {
            return ["<root>: Invalid input: expected object, received \(typeName(config))"]
        }
        var problems: [String] = []
        func check(_ keys: [String], _ rule: (JSONValue) -> String?) {
            guard let value = config.value(atKeys: keys), let problem = rule(value) else { return }
            problems.append(keys.joined(separator: ".") + ": " + problem)
        }
        check(["gateway"]) { expect($0, "object") }
        for (path, known) in strictObjects {
            if let members = config.value(atKeys: path)?.objectMembers {
                problems += unknownKeys(members, known: known, at: path)
            }
        }
        problems += providerProblems(config.value(atKeys: ["models", "providers"]))
        check(["gateway", "mode"]) { oneOf($0, ["local", "remote"]) }
        check(["gateway", "bind"]) { oneOf($0, ["auto", "lan", "loopback", "custom", "tailnet"]) }
        check(["gateway", "port"]) { value in
            guard case .number(let n) = value else { return expect(value, "number") }
            if n != n.rounded() { return "Invalid input: expected int, received number" }
            if n < 1 { return "Too small: expected number to be >0" }
            return nil
        }
        check(["gateway", "auth"]) { expect($0, "object") }
        check(["gateway", "auth", "mode"]) { oneOf($0, ["none", "token", "password", "trusted-proxy"]) }
        check(["gateway", "auth", "token"]) { secretInput($0) }
        check(["gateway", "auth", "password"]) { secretInput($0) }
        for endpoint in ["chatCompletions", "responses"] {
            check(["gateway", "http", "endpoints", endpoint, "enabled"]) { expect($0, "boolean") }
        }
        check(["env"]) { expect($0, "object") }
        if let vars = config.value(atKeys: ["env", "vars"])?.objectMembers {
            for (key, value) in vars where value.stringValue == nil {
                problems.append("env.vars.\(key): " + (expect(value, "string") ?? ""))
            }
        }
        return problems
    }

    /// The objects whose keys the simulator knows completely (zod `.strict()` in the real schema).
    static let strictObjects: [([String], Set<String>)] = [
        ([], ["$schema", "meta", "env", "wizard", "diagnostics", "logging", "cli", "update", "browser", "ui",
              "secrets", "auth", "acp", "models", "nodeHost", "agents", "tools", "bindings", "broadcast", "audio",
              "media", "messages", "commands", "approvals", "session", "cron", "hooks", "web", "channels",
              "discovery", "canvasHost", "talk", "gateway", "memory", "mcp", "skills", "plugins"]),
        (["gateway"], ["port", "mode", "bind", "customBindHost", "controlUi", "auth", "trustedProxies",
                       "allowRealIpFallback", "tools", "webchat", "channelHealthCheckMinutes",
                       "channelStaleEventThresholdMinutes", "channelMaxRestartsPerHour", "tailscale", "remote",
                       "reload", "tls", "http", "push", "nodes"]),
        (["gateway", "auth"], ["mode", "token", "password", "allowTailscale", "rateLimit", "trustedProxy"]),
        (["gateway", "http"], ["endpoints", "securityHeaders"]),
        (["gateway", "http", "endpoints"], ["chatCompletions", "responses"]),
        (["gateway", "http", "endpoints", "chatCompletions"], ["enabled", "maxBodyBytes", "maxImageParts",
                                                               "maxTotalImageBytes", "images"]),
        (["models"], ["mode", "providers"]),
    ]

    static let providerKeys: Set<String> = ["baseUrl", "apiKey", "auth", "api", "injectNumCtxForOpenAICompat", "headers",
                                            "authHeader", "request", "models"]
    static let modelKeys: Set<String> = ["id", "name", "api", "reasoning", "input", "cost", "contextWindow",
                                         "contextTokens", "maxTokens", "headers", "compat"]

    /// zod's strict-object issue: `<path>: Unrecognized key: "k"` (`Unrecognized keys: "a", "b"`).
    static func unknownKeys(_ members: [(String, JSONValue)], known: Set<String>, at path: [String]) -> [String] {
        let unknown = members.map(\.0).filter { !known.contains($0) }
        guard !unknown.isEmpty else { return [] }
        let where_ = path.isEmpty ? "<root>" : path.joined(separator: ".")
        let noun = unknown.count == 1 ? "Unrecognized key" : "Unrecognized keys"
        return ["\(where_): \(noun): " + unknown.map { "\"\($0)\"" }.joined(separator: ", ")]
    }

    /// `ModelProviderSchema`: `baseUrl` a non-empty string, `models` an array of `{id, name}`.
    static func providerProblems(_ providers: JSONValue?) -> [String] {
        guard let providers else { return [] }
        guard let entries = providers.objectMembers else {
            return ["models.providers: " + (expect(providers, "object") ?? "")]
        }
        var problems: [String] = []
        for (id, provider) in entries {
            let path = "models.providers." + id
            guard let members = provider.objectMembers else {
                problems.append(path + ": " + (expect(provider, "object") ?? ""))
                continue
            }
            problems += unknownKeys(members, known: providerKeys, at: ["models", "providers", id])
            if (provider["baseUrl"]?.stringValue ?? "").isEmpty {
                problems.append(path + ".baseUrl: " + (provider["baseUrl"].map { expect($0, "string") ?? "Too small: expected string to have >=1 characters" }
                    ?? "Invalid input: expected string, received undefined"))
            }
            guard let models = provider["models"]?.arrayElements else {
                problems.append(path + ".models: Invalid input: expected array, received "
                    + (provider["models"].map(typeName) ?? "undefined"))
                continue
            }
            for (i, model) in models.enumerated() {
                let modelPath = ["models", "providers", id, "models", String(i)]
                guard let fields = model.objectMembers else {
                    problems.append(modelPath.joined(separator: ".") + ": " + (expect(model, "object") ?? ""))
                    continue
                }
                problems += unknownKeys(fields, known: modelKeys, at: modelPath)
                for required in ["id", "name"] where (model[required]?.stringValue ?? "").isEmpty {
                    problems.append(modelPath.joined(separator: ".") + ".\(required): Invalid input: expected string, received "
                        + (model[required].map(typeName) ?? "undefined"))
                }
            }
        }
        return problems
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    private static func expect(_ value: JSONValue, _ type: String) -> String? {
        typeName(value) == type ? nil : "Invalid input: expected \(type), received \(typeName(value))"
    }

    private static func oneOf(_ value: JSONValue, _ options: [String]) -> String? {
        if let s = value.stringValue, options.contains(s) { return nil }
        return "Invalid option: expected one of " + options.map { "\"\($0)\"" }.joined(separator: "|")
    }

    /// A secret is a string or a SecretRef object (`{source, provider, id}`).
    private static func secretInput(_ value: JSONValue) -> String? {
        switch value {
        case .string, .object: return nil
        default: return "Invalid input: expected string, received \(typeName(value))"
        }
    }
}
