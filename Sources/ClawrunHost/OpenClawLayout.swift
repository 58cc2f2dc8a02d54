import LuaRuntime
import OpenClawRules

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
    /// The gateway's port inside the machine (OpenClaw's default, `gateway.port`).
    static let port = 18789
    /// The script that starts the gateway in the background and records its PID.
    static let startScript = "/home/machine/start-gateway.sh"
    static let logFile = "/home/machine/.openclaw/gateway.log"
    static let pidFile = "/home/machine/.openclaw/gateway.pid"
    /// The OpenClaw simulator, mounted read-only in every local machine.
    static let simulator = "/run/clawrun/openclaw-sim"
    /// npm's cache, temporary folder and Node's compile cache for installs and the gateway: under
    /// the persistent home, since the root filesystem resets on every sleep.
    static let npmCache = "/home/machine/.npm-cache"
    static let tmpDir = "/home/machine/.tmp"
    static let compileCache = "/home/machine/.compile-cache"
    /// The folders an npm install of OpenClaw writes to, all under the persistent home.
    static let directories = [binDir, npmCache, tmpDir, stateDir, compileCache]
    /// Programs of the machine's Ubuntu image that bindings run, by absolute path.
    static let bash = "/bin/bash", cat = "/bin/cat", curl = "/usr/bin/curl", rm = "/bin/rm"

    /// The seed's `ENV` exports as an exec environment. PATH is spelled out because an argv
    /// exec has no shell to expand `$PATH`.
    static let environment: [String: String] = [
        "PATH": "\(binDir):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": home,
        "OPENCLAW_STATE_DIR": stateDir,
        "NODE_COMPILE_CACHE": compileCache,
        "OPENCLAW_NO_RESPAWN": "1",
    ]

    /// The layout as Lua's read-only `openclaw.layout`.
    static var lua: LuaValue {
        .table(LuaTable([
            ("home", .string(home)), ("state_dir", .string(stateDir)), ("config_path", .string(configPath)),
            ("bin_dir", .string(binDir)), ("cli", .string(cli)), ("port", .integer(Int64(port))),
            ("start_script", .string(startScript)), ("log_file", .string(logFile)), ("pid_file", .string(pidFile)),
            ("simulator", .string(simulator)), ("npm_cache", .string(npmCache)), ("tmp_dir", .string(tmpDir)),
            ("compile_cache", .string(compileCache)),
            ("dirs", .table(LuaTable(sequence: directories.map(LuaValue.string)))),
            ("env", .table(LuaTable(environment.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))),
        ]))
    }

    /// Whether a config path holds a secret: OpenClaw's own rule (OpenClawRules), plus every
    /// `env.vars.*` entry, since clawrun puts only keys there.
    static func isSecretPath(_ path: String) -> Bool {
        path.lowercased().hasPrefix("env.vars.") || SensitiveConfigPath.matches(path)
    }
}
