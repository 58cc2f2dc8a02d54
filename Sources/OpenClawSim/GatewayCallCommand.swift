/// `openclaw gateway call <method> --params <json>` (`src/cli/gateway-cli/call.ts`).
///
/// The real CLI speaks the gateway's WebSocket protocol; the simulator's gateway offers the
/// same methods on a private HTTP path, and this command keeps the real output and exit
/// codes: the payload as 2-space JSON (after a `Gateway call: <method>` heading unless
/// `--json`), or `Gateway call failed: <error>` on stderr with status 1.
public struct GatewayCallCommand {
    let environment: [String: String]
    let paths: StatePaths

    /// Makes the command for this process environment.
    public init(environment: [String: String]) {
        self.environment = environment
        self.paths = StatePaths(environment: environment)
    }

    static let options: [OptionSpec] = [
        OptionSpec("params", value: "json"), OptionSpec("url", value: "url"), OptionSpec("token", value: "token"),
        OptionSpec("password", value: "password"), OptionSpec("timeout", value: "ms"), OptionSpec("expect-final"),
        OptionSpec("json"), OptionSpec("help", short: "h"),
    ]

    /// Runs `openclaw gateway call` with these arguments and returns its exit code.
    public func run(_ args: [String]) -> ExitCode {
        if args.contains("--help") || args.contains("-h") {
            Console.out(CLIHelp.gatewayCall)
            return 0
        }
        guard let parsed = CLIGuards.parseArguments(args, options: Self.options, command: "call", required: ["method"]),
              let config = CLIGuards.loadConfig(ConfigStore(paths: paths))?.config else { return 1 }
        let method = parsed.positionals[0]
        let params: JSONValue
        do {
            params = try JSON5Parser.parseStrict(parsed.value("params") ?? "{}")
        } catch {
            Console.err("Gateway call failed: SyntaxError: \(error)")
            return 1
        }
        let timeoutMs = parsed.value("timeout").flatMap { Int($0) } ?? 10_000
        guard timeoutMs > 0 else {
            Console.err("Gateway call failed: Error: invalid --timeout: \(parsed.value("timeout") ?? "")")
            return 1
        }
        let target: GatewayTarget
        do {
            target = try GatewayTarget.resolve(url: parsed.value("url"), token: parsed.value("token"),
                                               password: parsed.value("password"), config: config,
                                               environment: environment, paths: paths)
        } catch {
            Console.err("Gateway call failed: \(error)")
            return 1
        }
        switch target.call(method: method, params: params, timeoutMs: timeoutMs) {
        case .success(let payload):
            if !parsed.flag("json") { Console.out("Gateway call: \(method)") }
            Console.out(JSONWriter.pretty(payload))
            return 0
        case .failure(let failure):
            Console.err("Gateway call failed: \(failure.message)")
            for line in failure.details { Console.err(line) }
            return 1
        }
    }
}

/// Where and how the CLI reaches the gateway: URL and credentials, with the precedence of
/// `src/gateway/call.ts` (flags → `gateway.auth.*` → `OPENCLAW_GATEWAY_*` → `gateway.remote.*`).
public struct GatewayTarget {
    public let host: String
    public let port: Int
    public let url: String
    public let source: String
    public let secret: String?
    let configPath: String
    let bindMode: String

    /// A client-side error as the CLI prints it (`Error: gateway closed (1008): …`) plus context lines.
    public struct CallFailure: Error {
        public let message: String
        public let details: [String]
    }

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    /// Resolves the target; `--url` needs explicit credentials, like the real CLI.
    public static func resolve(url: String?, token: String?, password: String?, config: JSONValue,
                               environment: [String: String], paths: StatePaths) throws -> GatewayTarget {
        let bind = config.value(atKeys: ["gateway", "bind"])?.stringValue ?? "loopback"
        let flagSecret = token ?? password
        if let url {
            guard flagSecret != nil else {
                throw UsageError(description: "Error: gateway url override requires explicit credentials (pass --token or --password)")
            }
            let (host, port) = try parse(url)
            return GatewayTarget(host: host, port: port, url: url, source: "cli --url", secret: flagSecret,
                                 configPath: paths.configPath, bindMode: bind)
        }
        if let envURL = environment["OPENCLAW_GATEWAY_URL"], !envURL.isEmpty {
            let (host, port) = try parse(envURL)
            let secret = flagSecret ?? environment["OPENCLAW_GATEWAY_TOKEN"] ?? environment["OPENCLAW_GATEWAY_PASSWORD"]
            return GatewayTarget(host: host, port: port, url: envURL, source: "env OPENCLAW_GATEWAY_URL", secret: secret,
                                 configPath: paths.configPath, bindMode: bind)
        }
        let port = GatewaySettings.resolvePort(override: nil, config: config, env: environment)
        let auth = config.value(atKeys: ["gateway", "auth"])
        let remote = config.value(atKeys: ["gateway", "remote"])
        let nonEmpty: (String?) -> String? = { ($0?.isEmpty ?? true) ? nil : $0 }
        let secret = flagSecret ?? nonEmpty(auth?["token"]?.stringValue) ?? nonEmpty(auth?["password"]?.stringValue)
            ?? nonEmpty(environment["OPENCLAW_GATEWAY_TOKEN"]) ?? nonEmpty(environment["OPENCLAW_GATEWAY_PASSWORD"])
            ?? nonEmpty(remote?["token"]?.stringValue) ?? nonEmpty(remote?["password"]?.stringValue)
        return GatewayTarget(host: "127.0.0.1", port: port, url: "ws://127.0.0.1:\(port)", source: "local loopback",
                             secret: secret, configPath: paths.configPath, bindMode: bind)
    }

    private static func parse(_ url: String) throws -> (String, Int) {
        var rest = Substring(url)
        var defaultPort = 18789
        for (scheme, port) in [("ws://", 80), ("wss://", 443), ("http://", 80), ("https://", 443)] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            defaultPort = port
        }
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw UsageError(description: "Error: Invalid URL: \(url)") }
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let portPart = authority[close...].dropFirst().dropFirst()
            return (host, Int(portPart) ?? defaultPort)
        }
        let pieces = authority.split(separator: ":")
        guard let host = pieces.first, !host.isEmpty else { throw UsageError(description: "Error: Invalid URL: \(url)") }
        return (String(host), pieces.count > 1 ? (Int(pieces[1]) ?? defaultPort) : defaultPort)
    }

    /// The lines the real CLI adds to connection errors.
    private var contextLines: [String] {
        ["Gateway target: \(url)", "Source: \(source)", "Config: \(configPath)", "Bind: \(bindMode)"]
    }

    /// Calls `method`; success is the payload.
    public func call(method: String, params: JSONValue, timeoutMs: Int) -> Result<JSONValue, CallFailure> {
        var headers = [("Content-Type", "application/json")]
        if let secret { headers.append(("Authorization", "Bearer \(secret)")) }
        let body = JSONWriter.compact(.object([("method", .string(method)), ("params", params)]))
        let response: LoopbackHTTPClient.Response
        do {
            response = try LoopbackHTTPClient.request(host: host, port: port, method: "POST", path: "/__openclaw_sim/rpc",
                                                      headers: headers, body: Array(body.utf8), timeoutMs: timeoutMs)
        } catch LoopbackHTTPClient.Failure.timeout {
            return .failure(CallFailure(message: "Error: gateway timeout after \(timeoutMs)ms", details: contextLines))
        } catch {
            return .failure(CallFailure(message: "Error: gateway closed (1006 abnormal closure (no close frame)): no close reason",
                                        details: contextLines))
        }
        guard let reply = try? JSON5Parser.parse(bytes: response.body, json5: false), reply["ok"] != nil else {
            // Something else answers on this port: to a WebSocket client that is a failed handshake.
            return .failure(CallFailure(message: "Error: gateway closed (1006 abnormal closure (no close frame)): no close reason",
                                        details: contextLines))
        }
        if reply["ok"]?.boolValue == true { return .success(reply["payload"] ?? .null) }
        let message = reply.value(atKeys: ["error", "message"])?.stringValue ?? "unknown error"
        if let close = reply["close"] {
            let code = close["code"]?.numberValue.map { JSONWriter.formatNumber($0) } ?? "1008"
            return .failure(CallFailure(message: "Error: gateway closed (\(code)): \(close["reason"]?.stringValue ?? message)",
                                        details: []))
        }
        return .failure(CallFailure(message: "GatewayClientRequestError: \(message)", details: []))
    }
}
