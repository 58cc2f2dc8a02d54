/// The live state of a running gateway: its current settings, sessions and uptime.
///
/// Confined to the single event-loop thread: request handlers read it there, and a hot
/// restart swaps `settings` there too, so a request sees either the old or the new
/// auth and endpoints, never a mix. That confinement makes it safe to share (unchecked
/// Sendable): the only other reader is the supervisor's thread, which reads `settings` before
/// the server starts and after its own `submit(...).wait()` of each change, so every write it
/// can see happened before its read.
public final class GatewayState: @unchecked Sendable {
    public private(set) var settings: GatewaySettings
    public let paths: StatePaths
    public let environment: [String: String]
    public let sessions = SessionStore()
    /// When the listener last started: a restart resets it, as `serverStartedAt` in
    /// `src/gateway/server.impl.ts` is taken anew by each in-process restart (`/readyz` `uptimeMs`).
    public private(set) var startedAtMs = Clock.monotonicMs()
    /// `OPENCLAW_SIM_DELAY_MS`: how long the echo agent "thinks".
    public let replyDelayMs: Int64
    /// `OPENCLAW_SIM_STALL_MS`: the injected stall at the start of every second.
    public let stall: StallWindow
    /// The OpenClaw release whose behaviour the gateway imitates (`OPENCLAW_SIM_VERSION`).
    public let version: SimulatorVersion
    /// `chat.send` runs not yet answered, by idempotency key.
    public var runsInFlight: Set<String> = []

    /// Makes the gateway's state from its settings, paths and environment.
    public init(settings: GatewaySettings, paths: StatePaths, environment: [String: String]) {
        self.settings = settings
        self.paths = paths
        self.environment = environment
        self.replyDelayMs = max(0, Int64(environment["OPENCLAW_SIM_DELAY_MS"] ?? "") ?? 0)
        self.stall = StallWindow(environment: environment)
        self.version = SimulatorVersion.selected(environment)
    }

    /// Replaces the settings (restart or hot reload); a restart also restarts the uptime.
    public func apply(_ settings: GatewaySettings, restarted: Bool = false) {
        self.settings = settings
        if restarted { startedAtMs = Clock.monotonicMs() }
    }

    /// Runs the agent for one message with the current config (`EchoAgent.run`).
    public func runAgent(_ userText: String, model: String) -> EchoAgent.Outcome {
        EchoAgent.run(userText: userText, model: model, config: settings.config, env: environment, paths: paths)
    }

    /// When each session's last queued run ends (monotonic ms).
    private var sessionBusyUntil: [String: Int64] = [:]

    /// Queues a run of `replyDelayMs` on a session and returns how long from now until it
    /// ends: a session runs one request at a time (`src/agents/pi-embedded-runner/run.ts`
    /// enqueues each run on its session lane), so a second request with the same key waits.
    public func queueRun(sessionKey: String) -> Int64 {
        let now = Clock.monotonicMs()
        if sessionBusyUntil.count > 4096 { sessionBusyUntil = sessionBusyUntil.filter { $0.value > now } }
        let end = max(now + stall.wait(atMs: now), sessionBusyUntil[sessionKey] ?? 0) + replyDelayMs
        sessionBusyUntil[sessionKey] = end
        return end - now
    }

    /// Why a shared-secret check failed, in the reason codes of `auth-messages.ts`.
    public enum AuthFailure: Equatable {
        case tokenMissing, tokenMismatch, passwordMissing, passwordMismatch

        /// The close reason a CLI client sees.
        public var cliMessage: String {
            let tokenHint = "set gateway.remote.token to match gateway.auth.token"
            let passwordHint = "set gateway.remote.password to match gateway.auth.password"
            switch self {
            case .tokenMissing: return "unauthorized: gateway token missing (\(tokenHint))"
            case .tokenMismatch: return "unauthorized: gateway token mismatch (\(tokenHint))"
            case .passwordMissing: return "unauthorized: gateway password missing (\(passwordHint))"
            case .passwordMismatch: return "unauthorized: gateway password mismatch (\(passwordHint))"
            }
        }
    }

    /// Checks a presented secret (bearer token or RPC credential) against the current auth mode.
    /// `trusted-proxy` is treated as open: the simulator has no proxy in front of it.
    public func authorize(_ presented: String?) -> AuthFailure? {
        switch settings.authMode {
        case "token":
            guard let presented, !presented.isEmpty else { return .tokenMissing }
            return presented == settings.token ? nil : .tokenMismatch
        case "password":
            guard let presented, !presented.isEmpty else { return .passwordMissing }
            return presented == settings.password ? nil : .passwordMismatch
        default:
            return nil
        }
    }

    /// Milliseconds since the process started serving.
    public var uptimeMs: Int64 { Clock.monotonicMs() - startedAtMs }
}
