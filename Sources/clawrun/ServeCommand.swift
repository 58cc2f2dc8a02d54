import ArgumentParser
import ClawrunCore
import Emulator
import Foundation
import LocalMachines

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

    mutating func run() async throws {
        if apiKey != nil {
            throw UsageError("--api-key puts the key where `ps` shows it to every user: "
                             + "use --api-key-file PATH (mode 600) or CLAWRUN_SERVE_API_KEY")
        }
        for (name, value) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout)]
        where !(value > 0 && value <= 86_400) {
            throw UsageError("\(name) must be more than 0 and at most 86400 seconds, got \(value)")
        }
        guard (1...1_000_000).contains(maxConnections) else {
            throw UsageError("--max-connections must be from 1 to 1000000, got \(maxConnections)")
        }
        let env = ProcessInfo.processInfo.environment
        let key: String?
        do {
            key = try ServeAPIKey.resolve(file: apiKeyFile, environment: env)
        } catch {
            throw UsageError("\(error)")
        }
        let limits = ServerLimits(headerTimeout: headerTimeout, idleTimeout: idleTimeout, maxConnections: maxConnections)
        let provider = try LocalProvider(home: ClawrunPaths.home(env), toolsDirectory: ClawrunPaths.executableDirectory)
        var faults = FaultPlan()
        faults.latencyMs = latencyMs
        faults.firstExecUnavailable = firstExec503
        let server = EmulatorServer(provider: provider, apiKey: key, faults: faults, limits: limits)
        let bound = try await server.start(host: host, port: port)
        print("clawrun serve: Dedalus Machines API on http://\(host):\(bound) over local machines"
              + (key == nil ? " (no API key required)" : " (API key required)"))
        fflush(stdout)
        await ServeCommand.waitForSignal()
        await server.stop()
        await provider.shutdown()
    }

    /// Returns on SIGINT or SIGTERM.
    static func waitForSignal() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { if once.take() { continuation.resume() } }
                source.resume()
                ServeCommand.sources.append(source)
            }
        }
    }

    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
}

/// A flag that is taken once, from any thread.
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = false

    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if taken { return false }
        taken = true
        return true
    }
}
