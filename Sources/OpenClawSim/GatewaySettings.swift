/// The command-line overrides of `gateway run`; they keep applying across in-process restarts.
public struct GatewayOverrides: Sendable {
    public var port: Int?
    public var bind: String?
    public var auth: String?
    public var token: String?
    public var password: String?
    public var allowUnconfigured = false

    /// Makes settings with every default.
    public init() {}
}

/// A refusal to start, with the exit status and the lines to print on stderr.
public struct GatewayStartupRefusal: Error {
    public let exitCode: ExitCode
    public let lines: [String]
}

/// Everything the running gateway needs from config, flags and environment, resolved once per
/// (re)start with the precedence rules of `src/cli/gateway-cli/run.ts` and `src/gateway/auth.ts`.
public struct GatewaySettings: Sendable {
    public var port: Int
    public var bindMode: String
    public var bindHost: String
    public var authMode: String
    public var token: String?
    public var password: String?
    public var chatCompletionsEnabled: Bool
    public var responsesEnabled: Bool
    public var controlUiEnabled: Bool
    public var maxBodyBytes: Int
    /// `provider/model` of the default agent (`agents.defaults.model`), default `openai/gpt-5.4`.
    public var agentModel: String
    /// The default agent first, then `agents.list[].id`.
    public var agentIds: [String]
    /// The config the settings came from, kept for hot-reload diffs and the echo agent.
    public var config: JSONValue

    /// Where the auth mode came from; a CLI override keeps a generated token runtime-only.
    public var authModeFromOverride: Bool

    /// The known-weak token of `.env.example`, which the real gateway refuses.
    static let weakToken = "change-me-to-a-long-random-token"

    /// `--port` → `OPENCLAW_GATEWAY_PORT` → `gateway.port` → 18789 (`resolveGatewayPort`).
    public static func resolvePort(override: Int?, config: JSONValue, env: [String: String]) -> Int {
        if let override { return override }
        if let raw = env["OPENCLAW_GATEWAY_PORT"], let port = Int(raw.trimmingSpaces()), port > 0, port < 65536 {
            return port
        }
        if let port = config.value(atKeys: ["gateway", "port"])?.numberValue, port >= 1, port <= 65535 {
            return Int(port)
        }
        return 18789
    }

    /// Resolves settings, or throws the refusal the real gateway prints.
    /// `generatedToken` is set when token mode had no token and one was made up.
    public static func resolve(
        config: JSONValue, overrides: GatewayOverrides, env: [String: String]
    ) throws -> (settings: GatewaySettings, generatedToken: String?) {
        let gateway = config["gateway"] ?? .object([])
        let port = resolvePort(override: overrides.port, config: config, env: env)
        let bindMode = overrides.bind ?? gateway["bind"]?.stringValue ?? "loopback"
        let bindHost: String
        switch bindMode {
        case "loopback": bindHost = "127.0.0.1"
        case "lan", "auto", "tailnet": bindHost = "0.0.0.0"
        default:
            guard let host = gateway["customBindHost"]?.stringValue, isIPv4(host) else {
                throw GatewayStartupRefusal(exitCode: exitConfigError, lines: [
                    "Gateway start blocked: gateway.bind=custom requires gateway.customBindHost (an IPv4 address).",
                ])
            }
            bindHost = host
        }

        let auth = gateway["auth"] ?? .object([])
        let configToken = auth["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let configPassword = auth["password"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let envToken = env["OPENCLAW_GATEWAY_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let envPassword = env["OPENCLAW_GATEWAY_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        // Server precedence is config-first; a --token flag beats both.
        var token = overrides.token ?? configToken ?? envToken
        let password = overrides.password ?? configPassword ?? envPassword
        let configuredMode = auth["mode"]?.stringValue
        let authMode = overrides.auth ?? configuredMode ?? (password != nil && token == nil ? "password" : "token")

        if overrides.auth == nil, configuredMode == nil, configToken != nil, configPassword != nil {
            throw GatewayStartupRefusal(exitCode: exitConfigError, lines: [
                "Gateway start blocked: gateway.auth.token and gateway.auth.password are both set; set gateway.auth.mode to \"token\" or \"password\".",
            ])
        }
        if authMode == "password", password == nil {
            throw GatewayStartupRefusal(exitCode: exitConfigError, lines: [
                "Gateway auth is set to password, but no password is configured.",
                "Set gateway.auth.password (or OPENCLAW_GATEWAY_PASSWORD), or pass --password.",
            ])
        }
        if bindMode != "loopback", authMode == "none" {
            throw GatewayStartupRefusal(exitCode: exitConfigError, lines: [
                "Refusing to bind gateway to \(bindMode) without auth.",
                "Set gateway.auth.token/password (or OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD) or pass --token/--password.",
            ])
        }
        if authMode == "token", token == Self.weakToken {
            throw GatewayStartupRefusal(exitCode: 1, lines: [
                "Gateway failed to start: Error: gateway.auth.token is the example placeholder \"\(Self.weakToken)\"; generate a real token (openclaw doctor --generate-gateway-token).",
            ])
        }
        var generated: String?
        if authMode == "token", token == nil {
            let fresh = RandomID.hex(bytes: 24)
            token = fresh
            generated = fresh
        }

        let endpoints = gateway.value(atKeys: ["http", "endpoints"]) ?? .object([])
        let chat = endpoints.value(atKeys: ["chatCompletions", "enabled"])?.boolValue ?? false
        let responses = endpoints.value(atKeys: ["responses", "enabled"])?.boolValue ?? false
        let maxBody = endpoints.value(atKeys: ["chatCompletions", "maxBodyBytes"])?.numberValue ?? 20_971_520
        let controlUi = gateway.value(atKeys: ["controlUi", "enabled"])?.boolValue ?? true

        let (agentModel, agentIds) = agents(in: config)

        let settings = GatewaySettings(
            port: port, bindMode: bindMode, bindHost: bindHost, authMode: authMode,
            token: authMode == "token" ? token : nil, password: authMode == "password" ? password : nil,
            chatCompletionsEnabled: chat, responsesEnabled: responses, controlUiEnabled: controlUi,
            maxBodyBytes: Int(clamping: maxBody, to: 1...Int.max), agentModel: agentModel, agentIds: agentIds,
            config: config, authModeFromOverride: overrides.auth != nil)
        return (settings, generated)
    }

    /// The default agent's `provider/model` and the agent ids (default first) from `agents.*`,
    /// one reading for startup and hot reload alike.
    static func agents(in config: JSONValue) -> (model: String, ids: [String]) {
        let modelNode = config.value(atKeys: ["agents", "defaults", "model"])
        let model = modelNode?.stringValue ?? modelNode?["primary"]?.stringValue ?? "openai/gpt-5.4"
        var ids = ["main"]
        for entry in config.value(atKeys: ["agents", "list"])?.arrayElements ?? [] {
            if let id = entry["id"]?.stringValue?.lowercased(), !ids.contains(id) { ids.append(id) }
        }
        return (model, ids)
    }

    /// The WebSocket URL clients use, as logged at startup.
    public var wsURL: String { "ws://\(bindHost):\(port)" }

    private static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
