#if canImport(Glibc)
import Glibc
#endif

/// `openclaw doctor [--generate-gateway-token]`: a few real health checks of the local
/// install, and the one-time token bootstrap (`runGatewayAuthHealth`), which never rotates
/// an existing token.
public struct DoctorCommand {
    let environment: [String: String]
    let paths: StatePaths

    /// Makes the command for this process environment.
    public init(environment: [String: String]) {
        self.environment = environment
        self.paths = StatePaths(environment: environment)
    }

    static let options: [OptionSpec] = [
        OptionSpec("generate-gateway-token"), OptionSpec("fix"), OptionSpec("repair"), OptionSpec("yes"),
        OptionSpec("non-interactive"), OptionSpec("deep"), OptionSpec("force"), OptionSpec("no-workspace-suggestions"),
        OptionSpec("help", short: "h"),
    ]

    /// Runs `openclaw doctor` with these arguments and returns its exit code.
    public func run(_ args: [String]) -> ExitCode {
        if args.contains("--help") || args.contains("-h") {
            Console.out(CLIHelp.doctor)
            return 0
        }
        guard let parsed = CLIGuards.parseArguments(args, options: Self.options, command: "doctor") else { return 1 }
        let store = ConfigStore(paths: paths)
        let snapshot = store.load()
        Console.out("OpenClaw doctor")
        Console.out("Config: \(paths.displayConfigPath)")
        switch snapshot {
        case .missing:
            Console.out("- Config file not found; run `openclaw config set gateway.mode local` to create it.")
        case .invalid(_, let problems):
            Console.out("- Config invalid:")
            for problem in problems { Console.out("  - \(problem)") }
        case .valid(_, let config):
            checkConfig(config)
        }
        checkPermissions()
        if parsed.flag("generate-gateway-token"), let config = snapshot.config {
            generateToken(config: config, store: store)
        }
        Console.out("Doctor complete.")
        return 0
    }

    private func checkConfig(_ config: JSONValue) {
        let mode = config.value(atKeys: ["gateway", "mode"])?.stringValue
        Console.out(mode == "local" ? "- gateway.mode: local" : "- gateway.mode is \(mode ?? "unset"); `openclaw gateway run` needs gateway.mode=local.")
        let authMode = config.value(atKeys: ["gateway", "auth", "mode"])?.stringValue ?? "token (default)"
        Console.out("- Gateway auth: \(authMode)")
        if authMode == "none" {
            Console.out("- Gateway auth is off: anyone who can reach the port can use the gateway.")
        }
        let endpoints = config.value(atKeys: ["gateway", "http", "endpoints", "chatCompletions", "enabled"])?.boolValue ?? false
        Console.out("- HTTP /v1/chat/completions: \(endpoints ? "enabled" : "disabled")")
        if !EchoAgent.hasAPIKey(config: config, env: environment) {
            let provider = EchoAgent.split(GatewaySettings.agents(in: config).model).provider
            Console.out("- No API key for provider \"\(provider)\" of the default model "
                + "(\(EchoAgent.keyVariables(forProvider: provider).joined(separator: " or ")), env.vars or models.providers); agent replies will fail.")
        }
    }

    private func checkPermissions() {
        for (label, path, limit) in [("Config file", paths.configPath, mode_t(0o600)), ("State dir", paths.stateDir, mode_t(0o700))] {
            guard let st = FileSystem.status(path) else { continue }
            let mode = st.st_mode & 0o777
            if mode & ~limit & 0o077 != 0 {
                Console.out("- \(label) \(StatePaths.shorten(path, home: paths.home)) is mode \(String(mode, radix: 8)); recommend chmod \(String(limit, radix: 8)).")
            }
        }
    }

    /// Sets `gateway.auth.mode = "token"` and a 48-hex token when no token exists; an
    /// existing token is never replaced.
    private func generateToken(config: JSONValue, store: ConfigStore) {
        let auth = config.value(atKeys: ["gateway", "auth"])
        let mode = auth?["mode"]?.stringValue
        if mode == "password" {
            Console.out("Gateway auth uses a password; no token generated.")
            return
        }
        if config.value(atKeys: ["gateway", "mode"])?.stringValue == "remote" {
            Console.out("Gateway mode is remote; no local token generated.")
            return
        }
        if case .object? = auth?["token"] {
            Console.out("Gateway token is a SecretRef; resolve it with `openclaw secrets reload`. No token generated.")
            return
        }
        let configToken = auth?["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let envToken = environment["OPENCLAW_GATEWAY_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if (mode == nil || mode == "token"), configToken != nil || envToken != nil {
            Console.out("Gateway token configured.")
            return
        }
        let next = ConfigStore.enablingTokenAuth(config, token: configToken == nil ? RandomID.hex(bytes: 24) : nil)
        Console.out("Gateway auth is off or missing a token. Token auth is now the recommended default (including loopback).")
        do {
            let result = try store.write(next)
            Console.out("Updated \(paths.displayConfigPath)")
            if let backup = result.backupPath { Console.out("Backup: \(StatePaths.shorten(backup, home: paths.home))") }
            Console.out("Gateway token configured.")
        } catch {
            Console.err("Failed to write config: \(error)")
        }
    }
}
