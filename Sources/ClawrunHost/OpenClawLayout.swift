/// Where OpenClaw lives inside a machine (the seed's layout under the persistent
/// `/home/machine`) and the environment every `openclaw` call needs there.
enum OpenClawLayout {
    static let home = "/home/machine"
    static let stateDir = "/home/machine/.openclaw"
    static let configPath = "/home/machine/.openclaw/openclaw.json"
    static let binDir = "/home/machine/.npm-global/bin"
    /// The `openclaw` CLI by absolute path: the Executions API runs argv with execve(2), which
    /// searches no PATH, so every command clawrun sends names its program by path.
    static let cli = "/home/machine/.npm-global/bin/openclaw"
    /// Programs of the machine's Ubuntu image that bindings run, by absolute path.
    static let bash = "/bin/bash", cat = "/bin/cat", curl = "/usr/bin/curl", rm = "/bin/rm"

    /// The seed's `ENV` exports as an exec environment. PATH is spelled out because an argv
    /// exec has no shell to expand `$PATH`.
    static let environment: [String: String] = [
        "PATH": "\(binDir):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": home,
        "OPENCLAW_STATE_DIR": stateDir,
        "NODE_COMPILE_CACHE": "/home/machine/.compile-cache",
        "OPENCLAW_NO_RESPAWN": "1",
    ]

    /// Whether a config path holds a secret, by the rule `openclaw config get` redacts with
    /// (`token$`, `password`, `secret`, `api.?key`) plus every `env.vars.*` entry.
    static func isSecretPath(_ path: String) -> Bool {
        let lower = path.lowercased()
        if lower.hasPrefix("env.vars.") { return true }
        let last = lower.split(separator: ".").last.map(String.init) ?? lower
        return last.hasSuffix("token") || last.contains("password") || last.contains("secret")
            || last.contains("apikey") || last.contains("api_key") || last.contains("api-key")
    }
}
