/// Where OpenClaw keeps its files, resolved from the environment like `src/config/paths.ts`:
/// `OPENCLAW_STATE_DIR` (default `~/.openclaw`), `OPENCLAW_CONFIG_PATH` for the exact config
/// file, `OPENCLAW_HOME` over `HOME`.
public struct StatePaths: Sendable {
    public let home: String
    public let stateDir: String
    public let configPath: String

    /// Resolves the paths from `env`.
    public init(environment env: [String: String]) {
        let home = env["OPENCLAW_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? env["HOME"] ?? "/root"
        self.home = home
        func expand(_ p: String) -> String {
            if p == "~" { return home }
            if p.hasPrefix("~/") { return home + p.dropFirst() }
            return p
        }
        if let dir = env["OPENCLAW_STATE_DIR"], !dir.isEmpty {
            stateDir = expand(dir)
        } else {
            stateDir = home + "/.openclaw"
        }
        if let path = env["OPENCLAW_CONFIG_PATH"], !path.isEmpty {
            configPath = expand(path)
        } else {
            configPath = stateDir + "/openclaw.json"
        }
    }

    /// The session store of the default agent, reported by `health` and `sessions.list`.
    public var sessionStorePath: String { stateDir + "/agents/main/sessions/sessions.json" }

    /// The default agent's directory, named in the missing-API-key reply.
    public var mainAgentDir: String { stateDir + "/agents/main/agent" }

    /// `configPath` with the home directory shown as `~`, as the CLI prints paths.
    public var displayConfigPath: String { StatePaths.shorten(configPath, home: home) }

    /// `path` with a leading home directory replaced by `~`.
    public static func shorten(_ path: String, home: String) -> String {
        if !home.isEmpty, home != "/", path.hasPrefix(home + "/") { return "~" + path.dropFirst(home.count) }
        return path
    }
}
