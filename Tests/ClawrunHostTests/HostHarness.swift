import ClawrunTestSupport
import ClawrunCore
import ClawrunHost
import Foundation
import Reporting

/// Collects events in memory.
final class MemorySink: EventSink {
    private let stored = Locked<[RunEvent]>([])
    func emit(_ event: RunEvent) { stored.withLock { $0.append(event) } }
    var events: [RunEvent] { stored.withLock { $0 } }
}

/// Hands every event to a closure as it is emitted.
struct WatchSink: EventSink {
    let onEmit: @Sendable (RunEvent) -> Void
    func emit(_ event: RunEvent) { onEmit(event) }
}

/// A temporary folder with a workflow in it, removed when the test ends.
final class Sandbox {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("clawrun-host-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Runs a workflow with its own CLAWRUN_HOME and returns the outcome and every event.
    func run(_ source: String, args: [String: String] = [:], pluginDirectories: [URL] = [],
             environment: [String: String] = [:],
             provider: any MachineProvider = StubProvider([])) async throws -> (WorkflowRun.Outcome, [RunEvent]) {
        let script = try write("flow.lua", source)
        let sink = MemorySink()
        let options = RunOptions(script: script, args: args, home: root.appendingPathComponent("home"),
                                 pluginDirectories: pluginDirectories, environment: environment)
        let run = try WorkflowRun(options: options, provider: provider,
                                  reporter: Reporter(redactor: SecretRedactor(), sinks: [sink]))
        let outcome = await run.execute()
        return (outcome, sink.events)
    }
}
