/// Help texts, laid out like commander's `--help` output for the commands the simulator has.
enum CLIHelp {
    static let root = """
    Usage: openclaw [options] [command]

    OpenClaw \(SimulatorVersion.default.version) — clawrun simulator (offline stand-in; echo agent)

    Options:
      -V, --version        output the version number
      -h, --help           display help for command

    Commands:
      config               Read and edit openclaw.json (get, set, unset, file)
      gateway              Run or call the gateway (run, call)
      doctor               Check the install; --generate-gateway-token bootstraps auth
      security             Security tools (audit)
      help [command]       display help for command
    """

    static let config = """
    Usage: openclaw config [options] [command]

    Read and edit openclaw.json

    Commands:
      get [options] <path>           Print a config value (secrets redacted)
      set [options] <path> <value>   Set a config value (JSON5, or a raw string)
      unset <path>                   Remove a config value
      file                           Print the active config file path
    """

    static let gatewayRun = """
    Usage: openclaw gateway run [options]

    Run the WebSocket Gateway (foreground)

    Options:
      --port <port>          Port for the gateway WebSocket + HTTP server
      --bind <mode>          Bind mode ("loopback"|"lan"|"tailnet"|"auto"|"custom")
      --auth <mode>          Gateway auth mode ("none"|"token"|"password"|"trusted-proxy")
      --token <token>        Shared token required for connections
      --password <password>  Password for auth mode=password
      --password-file <path> Read the password from a file
      --allow-unconfigured   Allow gateway start without gateway.mode=local in config
      --force                Kill any existing listener on the target port before starting
      --verbose              Verbose logging
      -h, --help             display help for command
    """

    static let gatewayCall = """
    Usage: openclaw gateway call [options] <method>

    Call a Gateway method

    Options:
      --params <json>   JSON object string for params (default: "{}")
      --url <url>       Gateway WebSocket URL (needs --token or --password)
      --token <token>   Gateway token (if required)
      --password <pw>   Gateway password (password auth)
      --timeout <ms>    Timeout in ms (default: "10000")
      --expect-final    Wait for final response (agent)
      --json            Output JSON
      -h, --help        display help for command
    """

    static let doctor = """
    Usage: openclaw doctor [options]

    Health checks + quick fixes for the gateway and channels

    Options:
      --generate-gateway-token  Generate and configure a gateway token
      --fix, --repair, --yes    Accepted for compatibility
      -h, --help                display help for command
    """

    static let security = """
    Usage: openclaw security audit [options]

    Audit config + local state for common security foot-guns

    Options:
      --deep               Attempt live Gateway probe (best-effort)
      --json               Print JSON
      --token <token>      Use this gateway token for the deep probe
      --password <pw>      Use this gateway password for the deep probe
      -h, --help           display help for command
    """
}
