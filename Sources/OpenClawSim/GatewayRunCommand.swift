#if canImport(Glibc)
import Glibc
#endif

/// `openclaw gateway run` (and bare `openclaw gateway`): option checks, startup guards,
/// token bootstrap, the listener, and the supervision loop that handles signals and
/// config hot reload (`src/cli/gateway-cli/run.ts`, `run-loop.ts`).
public struct GatewayRunCommand {
    let environment: [String: String]
    let paths: StatePaths

    /// Makes the command for this process environment.
    public init(environment: [String: String]) {
        self.environment = environment
        self.paths = StatePaths(environment: environment)
    }

    static let options: [OptionSpec] = [
        OptionSpec("port", value: "port"), OptionSpec("bind", value: "mode"), OptionSpec("auth", value: "mode"),
        OptionSpec("token", value: "token"), OptionSpec("password", value: "password"),
        OptionSpec("password-file", value: "path"), OptionSpec("allow-unconfigured"), OptionSpec("force"),
        OptionSpec("verbose"), OptionSpec("dev"), OptionSpec("reset"), OptionSpec("tailscale", value: "mode"),
        OptionSpec("tailscale-reset-on-exit"), OptionSpec("cli-backend-logs"), OptionSpec("claude-cli-logs"),
        OptionSpec("ws-log", value: "style"), OptionSpec("compact"), OptionSpec("raw-stream"),
        OptionSpec("raw-stream-path", value: "path"), OptionSpec("help", short: "h"),
    ]

    /// Parses and checks the flags into overrides and `--force`, or prints why not and returns nil
    /// (the command then exits 1).
    func parseOverrides(_ args: [String]) -> (overrides: GatewayOverrides, force: Bool)? {
        guard let parsed = CLIGuards.parseArguments(args, options: Self.options, command: "run") else { return nil }
        var overrides = GatewayOverrides()
        if let raw = parsed.value("port") {
            guard let port = Int(raw.trimmingSpaces()), port > 0, port < 65536 else {
                Console.err("Invalid port")
                return nil
            }
            overrides.port = port
        }
        if let bind = parsed.value("bind") {
            guard ["loopback", "lan", "tailnet", "auto", "custom"].contains(bind) else {
                Console.err("Invalid --bind (use \"loopback\", \"lan\", \"tailnet\", \"auto\", or \"custom\")")
                return nil
            }
            overrides.bind = bind
        }
        if let auth = parsed.value("auth") {
            guard ["none", "token", "password", "trusted-proxy"].contains(auth) else {
                Console.err("Invalid --auth (use \"none\", \"token\", \"password\", or \"trusted-proxy\")")
                return nil
            }
            overrides.auth = auth
        }
        overrides.token = parsed.value("token")
        if parsed.value("password") != nil, parsed.value("password-file") != nil {
            Console.err("Use either --password or --password-file, not both.")
            return nil
        }
        if let password = parsed.value("password") {
            Console.err("Warning: --password can be exposed via process listings. Prefer --password-file or OPENCLAW_GATEWAY_PASSWORD.")
            overrides.password = password
        }
        if let file = parsed.value("password-file") {
            guard let bytes = FileSystem.read(file) else {
                Console.err("Failed to read --password-file \(file)")
                return nil
            }
            overrides.password = String(decoding: bytes, as: UTF8.self).trimmingSpaces()
        }
        overrides.allowUnconfigured = parsed.flag("allow-unconfigured")
        return (overrides, parsed.flag("force"))
    }

    /// Runs the gateway until a signal ends it; returns the exit status.
    public func run(_ args: [String]) -> ExitCode {
        if args.contains("--help") || args.contains("-h") {
            Console.out(CLIHelp.gatewayRun)
            return 0
        }
        guard case let (overrides, force)? = parseOverrides(args) else { return 1 }
        if let token = overrides.token { setenv("OPENCLAW_GATEWAY_TOKEN", token, 1) }

        let store = ConfigStore(paths: paths)
        guard let loaded = CLIGuards.loadConfig(store) else { return 1 }
        GatewayLog.info("gateway", "loading configuration…")
        let config = loaded.config
        if !overrides.allowUnconfigured {
            if !loaded.exists {
                Console.err("Missing config. Run `openclaw setup` or set gateway.mode=local (or pass --allow-unconfigured).")
                return exitConfigError
            }
            let mode = config.value(atKeys: ["gateway", "mode"])?.stringValue
            if mode != "local" {
                Console.err("Gateway start blocked: set gateway.mode=local (current: \(mode ?? "unset")) or pass --allow-unconfigured.")
                return exitConfigError
            }
        }

        GatewayLog.info("gateway", "resolving authentication…")
        var settings: GatewaySettings
        do {
            let resolved = try GatewaySettings.resolve(config: config, overrides: overrides, env: environment)
            settings = resolved.settings
            if resolved.generatedToken != nil {
                // Hot reload diffs edits against settings.config, which must include the saved token.
                settings.config = persistGeneratedToken(settings: settings, config: config, store: store,
                                                        exists: loaded.exists)
            }
        } catch let refusal as GatewayStartupRefusal {
            for line in refusal.lines { Console.err(line) }
            return refusal.exitCode
        } catch {
            Console.err("Gateway failed to start: \(error)")
            return 1
        }
        logAuthMode(settings)

        if force { GatewayForce.freePort(settings.port) }

        GatewayLog.info("gateway", "starting...")
        GatewayLog.info("gateway", "starting HTTP server...")
        let started = Clock.monotonicMs()
        GatewaySupervisor.blockSignals()
        // A log reader that goes away (a closed pipe) must not kill the gateway; writes just fail.
        signal(SIGPIPE, SIG_IGN)
        let server = GatewayServer(settings: settings, paths: paths, environment: environment)
        if let code = listen(server, settings: settings) { return code }
        logReady(settings, since: started)
        return GatewaySupervisor(server: server, store: store, overrides: overrides, environment: environment,
                                 paths: paths).run()
    }

    /// Writes a freshly generated token to the config unless the auth mode came from a flag
    /// (then it lives for this run only), with the real gateway's log lines.
    private func persistGeneratedToken(settings: GatewaySettings, config: JSONValue, store: ConfigStore,
                                       exists: Bool) -> JSONValue {
        guard let token = settings.token else { return config }
        if settings.authModeFromOverride || !exists {
            GatewayLog.info("gateway", "Gateway auth token was missing. Generated a runtime token for this startup without changing config; restart will generate a different token. Persist one with `openclaw config set gateway.auth.mode token` and `openclaw config set gateway.auth.token <token>`.")
            return config
        }
        let next = ConfigStore.enablingTokenAuth(config, token: token)
        do {
            try store.write(next)
            GatewayLog.info("gateway", "Gateway auth token was missing. Generated a new token and saved it to config (gateway.auth.token).")
            return next
        } catch {
            GatewayLog.error("gateway", "Gateway auth token was missing. Generated a runtime token, but saving it to config failed: \(error)")
            return config
        }
    }

    private func logAuthMode(_ settings: GatewaySettings) {
        if settings.authMode == "none" {
            GatewayLog.info("gateway", "Gateway auth mode=none explicitly configured; all gateway connections are unauthenticated.")
        }
    }

    /// Binds; on failure prints what the real gateway prints and returns the exit status.
    private func listen(_ server: GatewayServer, settings: GatewaySettings) -> ExitCode? {
        do {
            try server.start()
            return nil
        } catch GatewayBindError.addressInUse(let url) {
            // [S] treats a port held by another gateway as a "healthy" lock error: the
            // running instance stays in charge and this one exits 0 (spec §5.4).
            Console.err("Gateway failed to start: GatewayLockError: another gateway instance is already listening on \(url)")
            Console.err("If the gateway is supervised, stop it with: openclaw gateway stop")
            for line in PortInspector.diagnostics(port: settings.port) { Console.err(line) }
            server.shutdown()
            return 0
        } catch GatewayBindError.other(let url, let cause) {
            Console.err("Gateway failed to start: GatewayLockError: failed to bind gateway socket on \(url): \(cause)")
            server.shutdown()
            return 1
        } catch {
            Console.err("Gateway failed to start: \(error)")
            server.shutdown()
            return 1
        }
    }

    private func logReady(_ settings: GatewaySettings, since started: Int64) {
        let seconds = Double(Clock.monotonicMs() - started) / 1000
        let elapsed = String(Double(Int(seconds * 10)) / 10) + "s"
        GatewayLog.info("gateway", "agent model: \(settings.agentModel)")
        GatewayLog.info("gateway", "listening on \(settings.wsURL) (PID \(getpid()))")
        GatewayLog.info("gateway", "http server listening (0 plugins; \(elapsed))")
        GatewayLog.info("gateway", "ready (0 plugins; \(elapsed))")
        GatewayLog.info("gateway", "starting channels and sidecars...")
        GatewayLog.info("gateway", "simulator: clawrun openclaw-sim imitating OpenClaw \(SimulatorVersion.selected(environment).version) (echo agent, offline)")
    }
}
