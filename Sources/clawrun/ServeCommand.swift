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

    @Option(name: .customLong("api-key"), help: "Require this key (Bearer or x-api-key); default: CLAWRUN_SERVE_API_KEY, else none.")
    var apiKey: String?

    @Option(name: .customLong("latency-ms"), help: "Fault injection: add this many milliseconds to every request.")
    var latencyMs = 0

    @Flag(name: .customLong("first-exec-503"), help: "Fault injection: answer each machine's first exec with 503.")
    var firstExec503 = false

    mutating func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let provider = try LocalProvider(home: ClawrunPaths.home(env), toolsDirectory: ClawrunPaths.executableDirectory)
        var faults = FaultPlan()
        faults.latencyMs = latencyMs
        faults.firstExecUnavailable = firstExec503
        let key = apiKey ?? env["CLAWRUN_SERVE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let server = EmulatorServer(provider: provider, apiKey: key, faults: faults)
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
