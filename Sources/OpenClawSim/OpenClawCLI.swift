/// The `openclaw` command line: routes argv to the commands the simulator implements and
/// answers everything else the way commander does (`error: unknown command '…'`, status 1).
///
/// Where the real versions disagree, the simulator follows [S] (2026.4.12) and chooses:
/// - a port held by another gateway: `Gateway failed to start: GatewayLockError: another
///   gateway instance is already listening on ws://…` plus port diagnostics after ≈2 s of
///   retries, exit status 0 (a "healthy" lock error: the running gateway stays in charge);
/// - config restarts always happen in place (same PID), as with `OPENCLAW_NO_RESPAWN=1`;
/// - `gateway call` reaches the gateway over a private HTTP path (`/__openclaw_sim/rpc`)
///   instead of WebSocket, with the real CLI's output and errors;
/// - the echo agent answers when the configured model's provider has credentials (see
///   `EchoAgent`); otherwise the chat fails as the release chosen by `OPENCLAW_SIM_VERSION` does.
public enum OpenClawCLI {
    /// Runs the CLI for `arguments` (argv including argv[0]) and returns the exit status.
    public static func run(arguments: [String], environment: [String: String]) -> ExitCode {
        let environment = DotEnv.merged(environment)
        var args = Array(arguments.dropFirst())
        // Root options that do not change what the simulator does.
        while let first = args.first, ["--no-color", "--dev"].contains(first) || first == "--profile" {
            args.removeFirst()
            if first == "--profile", !args.isEmpty { args.removeFirst() }
        }
        guard let command = args.first else {
            Console.out(CLIHelp.root)
            return 0
        }
        let rest = Array(args.dropFirst())
        switch command {
        case "--version", "-V", "-v", "version":
            Console.out(SimulatorVersion.selected(environment).line)
            return 0
        case "--help", "-h":
            Console.out(CLIHelp.root)
            return 0
        case "help":
            return run(arguments: [arguments.first ?? "openclaw"] + rest + ["--help"], environment: environment)
        case "config":
            return ConfigCommand(store: ConfigStore(paths: StatePaths(environment: environment))).run(rest)
        case "gateway":
            return gateway(rest, arguments: arguments, environment: environment)
        case "doctor":
            return DoctorCommand(environment: environment).run(rest)
        case "security":
            return SecurityAudit(environment: environment).run(rest)
        default:
            if command.hasPrefix("-") {
                Console.err("error: unknown option '\(command)'")
            } else {
                Console.err("error: unknown command '\(command)'")
            }
            return 1
        }
    }

    private static func gateway(_ args: [String], arguments: [String], environment: [String: String]) -> ExitCode {
        let sub = args.first
        switch sub {
        case "call":
            ProcessTitle.ensure(arguments: arguments)
            return GatewayCallCommand(environment: environment).run(Array(args.dropFirst()))
        case "run", nil:
            return runGateway(sub == nil ? args : Array(args.dropFirst()), arguments: arguments, environment: environment)
        case let option? where option.hasPrefix("-"):
            if option == "--help" || option == "-h" {
                Console.out(CLIHelp.gatewayRun)
                return 0
            }
            return runGateway(args, arguments: arguments, environment: environment)
        case let other?:
            Console.err("error: unknown command '\(other)'")
            return 1
        }
    }

    private static func runGateway(_ args: [String], arguments: [String], environment: [String: String]) -> ExitCode {
        if !(args.contains("--help") || args.contains("-h")) {
            ProcessTitle.ensure(arguments: arguments)
        }
        return GatewayRunCommand(environment: environment).run(args)
    }
}
