import ArgumentParser
import ClawrunCore
import MachinesAPIServer
import Foundation
import LocalMachines
import MemoryMachines

/// `clawrun serve`: the Dedalus Machines API over local machines, for the official SDKs, the seed's
/// scripts and clawrun itself, offline.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Dedalus Machines API over local machines (for SDKs and tests, offline)."
    )

    @Option(help: "Address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8787

    @Option(name: .customLong("api-key-file"),
            help: ArgumentHelp("Require the key in this file (mode 600, yours) as Bearer or x-api-key; default: CLAWRUN_SERVE_API_KEY, else none.",
                               valueName: "PATH"))
    var apiKeyFile: String?

    /// Refused with a pointer to the safe ways: a key in argv is visible to every user through `ps`.
    @Option(name: .customLong("api-key"), help: .hidden)
    var apiKey: String?

    @Option(name: .customLong("header-timeout"), help: "Seconds a client has to send a whole request (408 and close past it).")
    var headerTimeout: Double = ServerLimits().headerTimeout

    @Option(name: .customLong("idle-timeout"), help: "Seconds a kept-alive connection may wait for its next request.")
    var idleTimeout: Double = ServerLimits().idleTimeout

    @Option(name: .customLong("max-connections"), help: "Connections served at once; past it a connection gets 503 TOO_MANY_CONNECTIONS.")
    var maxConnections: Int = ServerLimits().maxConnections

    @Option(name: .customLong("latency-ms"), help: "Fault injection: add this many milliseconds to every request.")
    var latencyMs = 0

    @Flag(name: .customLong("first-exec-503"), help: "Fault injection: answer each machine's first exec with 503.")
    var firstExec503 = false

    @Option(name: .customLong("rate-limit"),
            help: ArgumentHelp("Answer 429 past this many requests per key (token bucket), e.g. 500/s.", valueName: "N/s"))
    var rateLimit: String?

    @Option(name: .customLong("rate-burst"), help: "Requests a key may send at once after a quiet spell (default: one second's worth).")
    var rateBurst: Double?

    @Option(name: .customLong("machines-backend"),
            help: "local (sandboxes on this host) or memory (no sandboxes: execs answer from --exec-table; for measuring the control plane).")
    var machinesBackend = "local"

    @Option(name: .customLong("seed-machines"), help: "Memory backend: start with this many sleeping machines (ids dm-00000000-0000-7000-8000-<12 hex>, from 1).")
    var seedMachines = 0

    @Option(name: .customLong("phase-ms"), help: "Memory backend: milliseconds each phase of a transition lasts (0: at once).")
    var phaseMs = 20

    @Option(name: .customLong("exec-table"),
            help: ArgumentHelp("Memory backend: a JSON array of {command|prefix, exit_code, stdout, stderr, duration_ms}; default: every command succeeds at once.",
                               valueName: "FILE"))
    var execTable: String?

    mutating func run() async throws {
        if apiKey != nil {
            throw ClawrunError.usage("--api-key puts the key where `ps` shows it to every user: "
                             + "use --api-key-file PATH (mode 600) or CLAWRUN_SERVE_API_KEY")
        }
        for (name, value) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout)]
        where !(value > 0 && value <= 86_400) {
            throw ClawrunError.usage("\(name) must be more than 0 and at most 86400 seconds, got \(value)")
        }
        guard (1...1_000_000).contains(maxConnections) else {
            throw ClawrunError.usage("--max-connections must be from 1 to 1000000, got \(maxConnections)")
        }
        var limit: RateLimit?
        if let rateLimit {
            guard var parsed = RateLimit.parse(rateLimit) else {
                throw ClawrunError.usage("--rate-limit '\(rateLimit)' is not a rate: use e.g. 500/s or 6000/m")
            }
            if let rateBurst {
                guard rateBurst >= 1, rateBurst <= 1e7 else { throw ClawrunError.usage("--rate-burst must be from 1 to 10000000, got \(rateBurst)") }
                parsed.burst = rateBurst
            }
            limit = parsed
        } else if rateBurst != nil {
            throw ClawrunError.usage("--rate-burst needs --rate-limit")
        }
        guard machinesBackend == "local" || machinesBackend == "memory" else {
            throw ClawrunError.usage("--machines-backend '\(machinesBackend)' is not one: use local or memory")
        }
        if machinesBackend == "local" && (seedMachines != 0 || execTable != nil || phaseMs != 20) {
            throw ClawrunError.usage("--seed-machines, --phase-ms and --exec-table need --machines-backend memory")
        }
        guard (0...600_000).contains(phaseMs) else { throw ClawrunError.usage("--phase-ms must be from 0 to 600000, got \(phaseMs)") }
        guard (0...10_000_000).contains(seedMachines) else {
            throw ClawrunError.usage("--seed-machines must be from 0 to 10000000, got \(seedMachines)")
        }
        let table = try execTable.map { path in
            do { return try ExecTable.load(path: path) } catch { throw ClawrunError.usage("\(error)") }
        } ?? ExecTable()
        let env = ProcessInfo.processInfo.environment
        let key: String?
        do {
            key = try ServeAPIKey.resolve(file: apiKeyFile, environment: env)
        } catch {
            throw ClawrunError.usage("\(error)")
        }
        let limits = ServerLimits(headerTimeout: headerTimeout, idleTimeout: idleTimeout, maxConnections: maxConnections)
        let provider: any MachineProvider
        if machinesBackend == "memory" {
            let memory = MemoryProvider(table: table, phaseSeconds: Double(phaseMs) / 1000)
            memory.seed(count: seedMachines)
            provider = memory
        } else {
            provider = try LocalProvider(home: ClawrunPaths.home(env), toolsDirectory: ClawrunPaths.executableDirectory)
        }
        var faults = FaultPlan()
        faults.latencyMs = latencyMs
        faults.firstExecUnavailable = firstExec503
        let server = APIServer(provider: provider, apiKey: key, faults: faults, limits: limits, rateLimit: limit)
        let bound = try await server.start(host: host, port: port)
        let over = machinesBackend == "memory" ? "memory-backed machines (\(seedMachines) seeded)" : "local machines"
        // Written unbuffered: scripts wait for this line to learn the port.
        FileHandle.standardOutput.write(Data(("clawrun serve: Dedalus Machines API on http://\(host):\(bound) over \(over)"
              + (key == nil ? " (no API key required)" : " (API key required)")
              + (limit.map { String(format: "; rate limit %g/s per key, burst %g", $0.rate, $0.burst) } ?? "") + "\n").utf8))
        await ServeCommand.waitForSignal()
        await server.stop()
        await provider.shutdown()
    }

    /// Returns on SIGINT or SIGTERM.
    static func waitForSignal() async {
        var trap: SignalTrap?
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            trap = SignalTrap { _, _, count in
                if count == 1 { continuation.resume() }
            }
        }
        trap?.cancel()
    }
}
