#if canImport(Glibc)
import Glibc
#endif

/// The gateway's main-thread loop: waits for signals and polls the config file.
///
/// SIGTERM/SIGINT end the process with status 0; SIGUSR1 and `gateway.*` config edits
/// restart in place (same PID, as with `OPENCLAW_NO_RESPAWN=1`); an edit that does not
/// parse or validate is logged and ignored, leaving the running config in force.
public final class GatewaySupervisor {
    private let server: GatewayServer
    private let store: ConfigStore
    private let overrides: GatewayOverrides
    private let environment: [String: String]
    private let paths: StatePaths
    /// The settings in force, owned by this thread (the event loop has its own copy).
    private var current: GatewaySettings
    /// How often the config file is polled.
    static let pollIntervalNs = 250_000_000

    /// Makes the supervisor of a gateway: it serves, watches the config and restarts in place.
    public init(server: GatewayServer, store: ConfigStore, overrides: GatewayOverrides,
                environment: [String: String], paths: StatePaths) {
        self.server = server
        self.store = store
        self.overrides = overrides
        self.environment = environment
        self.paths = paths
        self.current = server.state.settings
    }

    /// The signals the loop handles; blocked in every thread so only `sigtimedwait` sees them.
    /// Must run before the event-loop thread exists, which inherits the mask.
    public static func blockSignals() {
        var set = signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT, SIGUSR1, SIGHUP] { sigaddset(&set, signal) }
        return set
    }

    /// Runs until a terminating signal or a failed restart; returns the exit status.
    public func run() -> ExitCode {
        let watcher = ConfigWatcher(path: paths.configPath)
        var set = Self.signalSet()
        while true {
            var timeout = timespec(tv_sec: 0, tv_nsec: Self.pollIntervalNs)
            let signal = sigtimedwait(&set, nil, &timeout)
            switch signal {
            case SIGTERM, SIGINT:
                let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
                GatewayLog.info("gateway", "signal \(name) received")
                GatewayLog.info("gateway", "received \(name); shutting down")
                server.shutdown()
                return 0
            case SIGUSR1:
                GatewayLog.info("gateway", "signal SIGUSR1 received")
                GatewayLog.info("gateway", "received SIGUSR1; restarting")
                if let code = restart(config: current.config, watcher: watcher) { return code }
            case SIGHUP:
                GatewayLog.info("gateway", "signal SIGHUP received; ignoring")
            default:
                break
            }
            switch watcher.poll() {
            case .none:
                break
            case .removed:
                GatewayLog.error("reload", "config reload skipped (config file missing): \(paths.configPath)")
            case .edited(let bytes):
                if let code = reload(bytes, watcher: watcher) { return code }
            }
        }
    }

    private func reload(_ bytes: [UInt8], watcher: ConfigWatcher) -> ExitCode? {
        let snapshot = ConfigStore.interpret(bytes)
        if case .invalid(_, let problems) = snapshot {
            GatewayLog.error("reload", "config reload skipped (invalid config): " + problems.joined(separator: "; "))
        }
        guard case .valid(_, let config) = snapshot else { return nil }
        let plan = ConfigReloadPlan(from: current.config, to: config)
        guard !plan.changedPaths.isEmpty else { return nil }
        let list = plan.changedPaths.joined(separator: ", ")
        GatewayLog.info("reload", "config change detected; evaluating reload (\(list))")
        let mode = config.value(atKeys: ["gateway", "reload", "mode"])?.stringValue ?? "hybrid"
        if mode == "off" {
            GatewayLog.info("reload", "config reload disabled (gateway.reload.mode=off); restart the gateway to apply")
            return nil
        }
        if plan.needsRestart {
            if mode == "hot" {
                GatewayLog.info("reload", "config reload requires gateway restart; hot mode ignoring (\(plan.restartPaths.joined(separator: ", ")))")
                return nil
            }
            GatewayLog.info("reload", "config change requires gateway restart (\(plan.restartPaths.joined(separator: ", ")))")
            return restart(config: config, watcher: watcher)
        }
        var next = current
        next.config = config
        (next.agentModel, next.agentIds) = GatewaySettings.agents(in: config)
        server.apply(next)
        current = next
        if plan.hotPaths.isEmpty {
            GatewayLog.info("reload", "config change applied (no restart needed)")
        } else {
            GatewayLog.info("reload", "config hot reload applied (\(plan.hotPaths.joined(separator: ", ")))")
        }
        return nil
    }

    /// In-process restart with `config`; returns an exit status only when the gateway cannot come back.
    private func restart(config: JSONValue, watcher: ConfigWatcher) -> ExitCode? {
        GatewayLog.info("gateway", "restarting in-process (pid \(getpid()))")
        var settings: GatewaySettings
        do {
            let resolved = try GatewaySettings.resolve(config: config, overrides: overrides, env: environment)
            settings = resolved.settings
            if resolved.generatedToken != nil, !settings.authModeFromOverride, let token = settings.token {
                let next = ConfigStore.enablingTokenAuth(config, token: token)
                if (try? store.write(next)) != nil {
                    settings.config = next
                    watcher.rebase()
                    GatewayLog.info("gateway", "Gateway auth token was missing. Generated a new token and saved it to config (gateway.auth.token).")
                }
            }
        } catch let refusal as GatewayStartupRefusal {
            for line in refusal.lines { GatewayLog.error("gateway", line) }
            server.shutdown()
            return refusal.exitCode
        } catch {
            GatewayLog.error("gateway", "Gateway failed to start: \(error)")
            server.shutdown()
            return 1
        }
        do {
            try server.restart(with: settings)
        } catch GatewayBindError.addressInUse(let url) {
            GatewayLog.error("gateway", "Gateway failed to start: GatewayLockError: another gateway instance is already listening on \(url)")
            server.shutdown()
            return 1
        } catch {
            GatewayLog.error("gateway", "Gateway failed to start: \(error)")
            server.shutdown()
            return 1
        }
        current = settings
        if settings.authMode == "none" {
            GatewayLog.info("gateway", "Gateway auth mode=none explicitly configured; all gateway connections are unauthenticated.")
        }
        GatewayLog.info("gateway", "listening on \(settings.wsURL) (PID \(getpid()))")
        GatewayLog.info("gateway", "ready (0 plugins; restarted in-process)")
        return nil
    }
}

/// `gateway run --force`: end whatever listens on the port (SIGTERM, then SIGKILL) and wait
/// until it is free.
enum GatewayForce {
    static func freePort(_ port: Int) {
        let me = getpid()
        let victims = PortInspector.listeners(port: port).filter { $0.pid != me }
        guard !victims.isEmpty else { return }
        for victim in victims {
            GatewayLog.info("gateway", "force: stopping pid \(victim.pid) (\(victim.command)) on port \(port)")
            kill(victim.pid, SIGTERM)
        }
        for signal in [SIGTERM, SIGKILL] {
            for _ in 0..<20 {
                if PortInspector.listeners(port: port).allSatisfy({ $0.pid == me }) { return }
                usleep(100_000)
            }
            if signal == SIGTERM {
                for victim in victims { kill(victim.pid, SIGKILL) }
            }
        }
    }
}
