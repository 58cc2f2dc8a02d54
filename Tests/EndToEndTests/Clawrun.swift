import ClawrunCore
import Foundation

/// Runs the built `clawrun` as a user would, with its own CLAWRUN_HOME, the local provider and
/// no LLM key unless a test gives one; remembers every machine it created so that `cleanup`
/// deletes them (leaked machines keep namespaces and processes alive on the host).
final class Clawrun: @unchecked Sendable {
    /// What one run printed and how it ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The `--json` events on stdout.
        var events: [JSONValue] { stdout.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) } }

        /// The value the workflow returned (the `result` event's `value`).
        var value: JSONValue? { events.last { $0["event"]?.stringValue == "result" }?["value"] }

        var all: String { stdout + stderr }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    let home: URL
    var environment: [String: String]
    private var machines: [String] = []
    private let lock = NSLock()

    /// A clawrun with a fresh home; `llmKey` is put in the environment as OPENAI_API_KEY.
    init(llmKey: String? = "sk-e2e-test-key-0123456789") {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("clawrun-e2e-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasSuffix("_API_KEY") && !key.hasPrefix("DEDALUS_") && !key.hasPrefix("CLAWRUN_")
                && !key.hasSuffix("_TOKEN")
        }
        env["CLAWRUN_HOME"] = home.path
        env["CLAWRUN_PROVIDER"] = "local"
        if let llmKey { env["OPENAI_API_KEY"] = llmKey }
        environment = env
    }

    /// Runs `clawrun ARGS` and records the machines it created.
    @discardableResult
    func callAsFunction(_ args: [String], env extra: [String: String] = [:]) async throws -> Run {
        var shell = ClawrunHome(url: home)
        shell.environment = environment
        let outcome = try await shell.start(args, environment: extra).finish()
        let run = Run(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
        let created = run.events.filter { $0["event"]?.stringValue == "machine_created" }.compactMap { $0["machine"]?.stringValue }
        lock.withLock { machines += created }
        return run
    }

    /// Runs a workflow: `clawrun FILE --json ARGS` (always with --json, to find created machines).
    @discardableResult
    func workflow(_ name: String, _ args: [String] = [], env: [String: String] = [:]) async throws -> Run {
        let file = name.hasSuffix(".lua") ? name : Clawrun.packageRoot.appendingPathComponent("workflows/\(name).lua").path
        return try await self([file, "--json"] + args, env: env)
    }

    /// Writes a throwaway workflow into the home and returns its path.
    func script(_ name: String, _ source: String) throws -> String {
        let url = home.appendingPathComponent(name + ".lua")
        try source.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Deploys a new machine and returns its id (fails the caller if the deploy fails).
    func deploy(_ args: [String] = []) async throws -> (String, Run) {
        let run = try await workflow("deploy", args)
        guard let id = run.events.first(where: { $0["event"]?.stringValue == "machine_created" })?["machine"]?.stringValue else {
            throw Failure("deploy created no machine (exit \(run.status)):\n\(run.stderr)")
        }
        guard run.status == 0 else { throw Failure("deploy failed (exit \(run.status)):\n\(run.stderr)") }
        return (id, run)
    }

    /// The token recorded for a machine.
    func recordedToken(_ id: String) -> String? {
        (try? String(contentsOf: home.appendingPathComponent("tokens/\(id)"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Deletes every machine the runs created (waiting until each is destroyed), then the home.
    /// It runs in a test's synchronous `defer` (Swift 6.3 allows no `await` there), so this one
    /// wait blocks its thread: it is short, one `clawrun` run that deletes the test's machines.
    func cleanup() {
        lock.lock()
        let ids = machines
        lock.unlock()
        // Deletes and waits in one run: the destroy finishes inside the process that asked for it.
        if !ids.isEmpty, let cleanup = try? script("cleanup", """
            for _, m in ipairs(targets()) do
              pcall(machine.delete, m)
              pcall(wait_phase, m, "destroyed", {timeout = 60})
            end
            """) {
            var shell = ClawrunHome(url: home)
            shell.environment = environment
            if let running = try? shell.start([cleanup] + ids.flatMap { ["--machine", $0] }) { _ = running.waitBlocking() }
        }
        try? FileManager.default.removeItem(at: home)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
