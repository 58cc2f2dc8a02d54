/// `openclaw security audit [--deep] [--json]` (`src/security/audit.ts`): findings about the
/// gateway's exposure and the config file, computed from the real config and file modes.
/// Exits 0 whatever it finds, as [S] does.
public struct SecurityAudit {
    /// One finding (`{checkId, severity, title, detail, remediation?}`).
    public struct Finding {
        public let checkId: String
        public let severity: String
        public let title: String
        public let detail: String
        public let remediation: String?

        var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("checkId", .string(checkId)), ("severity", .string(severity)), ("title", .string(title)),
                ("detail", .string(detail)),
            ]
            if let remediation { members.append(("remediation", .string(remediation))) }
            return .object(members)
        }
    }

    let environment: [String: String]
    let paths: StatePaths

    /// Makes the command for this process environment.
    public init(environment: [String: String]) {
        self.environment = environment
        self.paths = StatePaths(environment: environment)
    }

    static let options: [OptionSpec] = [
        OptionSpec("deep"), OptionSpec("json"), OptionSpec("fix"), OptionSpec("token", value: "token"),
        OptionSpec("password", value: "password"), OptionSpec("help", short: "h"),
    ]

    /// Runs `security <sub> …`; only `audit` exists.
    public func run(_ args: [String]) -> ExitCode {
        guard args.first == "audit" else {
            if args.isEmpty || args.first == "--help" || args.first == "-h" {
                Console.out(CLIHelp.security)
                return 0
            }
            Console.err("error: unknown command '\(args[0])'")
            return 1
        }
        guard let parsed = CLIGuards.parseArguments(Array(args.dropFirst()), options: Self.options, command: "audit") else {
            return 1
        }
        if parsed.flag("help") {
            Console.out(CLIHelp.security)
            return 0
        }
        guard let config = CLIGuards.loadConfig(ConfigStore(paths: paths))?.config else { return 1 }
        var findings = configFindings(config) + fileFindings()
        var deep: JSONValue?
        if parsed.flag("deep") {
            let probe = probeGateway(config: config, token: parsed.value("token"), password: parsed.value("password"))
            deep = .object([("gateway", probe.json)])
            if let failure = probe.finding { findings.append(failure) }
        }
        let order = ["critical": 0, "warn": 1, "info": 2]
        findings.sort { (order[$0.severity] ?? 3) < (order[$1.severity] ?? 3) }
        let counts = ["critical", "warn", "info"].map { level in findings.filter { $0.severity == level }.count }

        if parsed.flag("json") {
            var members: [(String, JSONValue)] = [
                ("ts", .number(Double(Clock.nowMs()))),
                ("summary", .object([("critical", .number(Double(counts[0]))), ("warn", .number(Double(counts[1]))),
                                     ("info", .number(Double(counts[2])))])),
                ("findings", .array(findings.map(\.json))),
            ]
            if let deep { members.append(("deep", deep)) }
            members.append(("secretDiagnostics", .array([])))
            Console.out(JSONWriter.pretty(.object(members)))
            return 0
        }
        Console.out("OpenClaw security audit")
        Console.out("Summary: \(counts[0]) critical · \(counts[1]) warn · \(counts[2]) info")
        if deep == nil { Console.out("Run deeper: openclaw security audit --deep") }
        for (label, level) in [("CRITICAL", "critical"), ("WARN", "warn"), ("INFO", "info")] {
            let group = findings.filter { $0.severity == level }
            guard !group.isEmpty else { continue }
            Console.out("")
            Console.out(label)
            for finding in group {
                Console.out("\(finding.checkId) \(finding.title)")
                Console.out("  \(finding.detail)")
                if let fix = finding.remediation { Console.out("  Fix: \(fix)") }
            }
        }
        return 0
    }

    func configFindings(_ config: JSONValue) -> [Finding] {
        var findings: [Finding] = []
        let gateway = config["gateway"] ?? .object([])
        let bind = gateway["bind"]?.stringValue ?? "loopback"
        let authMode = gateway.value(atKeys: ["auth", "mode"])?.stringValue
        let token = gateway.value(atKeys: ["auth", "token"])?.stringValue ?? environment["OPENCLAW_GATEWAY_TOKEN"]
        let httpOn = ["chatCompletions", "responses"].filter {
            gateway.value(atKeys: ["http", "endpoints", $0, "enabled"])?.boolValue ?? false
        }
        if authMode == "none" {
            if bind == "loopback" {
                findings.append(Finding(
                    checkId: "gateway.loopback_no_auth", severity: "critical", title: "Gateway auth disabled on loopback",
                    detail: "gateway.auth.mode=\"none\": any local process (and anything that can reach 127.0.0.1, such as a browser page or a tunnel) can drive the gateway and its agents.",
                    remediation: "Set gateway.auth.mode=\"token\" with a long random gateway.auth.token (openclaw doctor --generate-gateway-token)."))
            } else {
                findings.append(Finding(
                    checkId: "gateway.bind_no_auth", severity: "critical", title: "Gateway binds beyond loopback without auth",
                    detail: "gateway.bind=\"\(bind)\" with gateway.auth.mode=\"none\": anyone on the network can use the gateway.",
                    remediation: "Set gateway.auth.mode=\"token\" and a gateway.auth.token, or bind to loopback."))
            }
            if !httpOn.isEmpty {
                findings.append(Finding(
                    checkId: "gateway.http.no_auth", severity: bind == "loopback" ? "warn" : "critical",
                    title: "HTTP APIs reachable without auth",
                    detail: "gateway.http.endpoints " + httpOn.joined(separator: ", ") + " enabled while gateway.auth.mode=\"none\".",
                    remediation: "Enable token auth, or disable the HTTP endpoints you do not use."))
            }
        } else if authMode == nil || authMode == "token", let token, token.count < 24 {
            findings.append(Finding(
                checkId: "gateway.token_too_short", severity: "warn", title: "Gateway token looks short",
                detail: "gateway auth token is \(token.count) characters; use at least 24.",
                remediation: "Generate a long random token (for example 48 hex characters) and restart the gateway."))
        }
        if bind != "loopback", authMode != "none" {
            findings.append(Finding(
                checkId: "gateway.bind_beyond_loopback", severity: "info", title: "Gateway listens beyond loopback",
                detail: "gateway.bind=\"\(bind)\": the gateway is reachable from the network (auth required).",
                remediation: nil))
        }
        if let hooksToken = config.value(atKeys: ["hooks", "token"])?.stringValue, hooksToken == token {
            findings.append(Finding(
                checkId: "hooks.token_reuse_gateway_token", severity: "critical", title: "Hooks token reuses the gateway token",
                detail: "hooks.token equals the gateway auth token; a leaked hook URL grants gateway access.",
                remediation: "Give hooks.token its own random value."))
        }
        return findings
    }

    func fileFindings() -> [Finding] {
        var findings: [Finding] = []
        let shown = paths.displayConfigPath
        if let st = FileSystem.status(paths.configPath) {
            let mode = st.st_mode & 0o777
            let octal = String(mode, radix: 8)
            if mode & 0o004 != 0 {
                findings.append(Finding(
                    checkId: "fs.config.perms_world_readable", severity: "critical", title: "Config file is world-readable",
                    detail: "\(shown) mode=\(octal); config can contain tokens and private settings.",
                    remediation: "chmod 600 \(shown)"))
            } else if mode & 0o040 != 0 {
                findings.append(Finding(
                    checkId: "fs.config.perms_group_readable", severity: "warn", title: "Config file is group-readable",
                    detail: "\(shown) mode=\(octal); config can contain tokens and private settings.",
                    remediation: "chmod 600 \(shown)"))
            }
        }
        if let st = FileSystem.status(paths.stateDir) {
            let mode = st.st_mode & 0o777
            if mode & 0o007 != 0 {
                let dir = StatePaths.shorten(paths.stateDir, home: paths.home)
                findings.append(Finding(
                    checkId: "fs.state_dir.perms_world_accessible", severity: "warn", title: "State dir is accessible to other users",
                    detail: "\(dir) mode=\(String(mode, radix: 8)); it holds credentials and sessions.",
                    remediation: "chmod 700 \(dir)"))
            }
        }
        return findings
    }

    /// The `--deep` live probe: a `health` call to the local gateway.
    func probeGateway(config: JSONValue, token: String?, password: String?) -> (json: JSONValue, finding: Finding?) {
        guard let target = try? GatewayTarget.resolve(url: nil, token: token, password: password, config: config,
                                                      environment: environment, paths: paths) else {
            return (.object([("attempted", .bool(false))]), nil)
        }
        switch target.call(method: "health", params: .object([]), timeoutMs: 3000) {
        case .success:
            return (.object([("attempted", .bool(true)), ("url", .string(target.url)), ("ok", .bool(true)),
                             ("error", .null)]), nil)
        case .failure(let failure):
            let finding = Finding(
                checkId: "gateway.probe_failed", severity: "warn", title: "Gateway probe failed (deep)",
                detail: "\(failure.message) (\(target.url))",
                remediation: "Start the gateway (openclaw gateway run) or check its auth, then rerun with --deep.")
            return (.object([("attempted", .bool(true)), ("url", .string(target.url)), ("ok", .bool(false)),
                             ("error", .string(failure.message))]), finding)
        }
    }
}
