import Foundation

/// A run record read back: its start, its recap, and the machines `--retry-failed` runs again.
public struct RunRecord: Sendable {
    /// The record file.
    public let url: URL
    /// The `run_start` event.
    public let start: RunEvent?
    /// The `recap` event; missing when the run was killed outright (SIGKILL, power loss).
    public let recap: RunEvent?

    /// Reads the start and recap of a record, skipping lines a killed run may have cut short.
    public init(url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ClawrunError.failed("cannot read the run record \(url.path)")
        }
        var start: RunEvent?
        var recap: RunEvent?
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            // Only two kinds of event matter here; skip the parse of all others.
            guard line.contains("\"event\":\"run_start\"") || line.contains("\"event\":\"recap\"") else { continue }
            guard let value = try? JSONValue.parse(String(line)), let event = RunEvent(json: value) else { continue }
            if event.event == "run_start" { start = event } else if event.event == "recap" { recap = event }
        }
        self.url = url
        self.start = start
        self.recap = recap
    }

    /// The `--shard` the run was given, if any.
    public var shard: String? { start?["shard"]?.stringValue }

    /// Machines whose recap status says they did not finish well (failed, skipped, interrupted), in
    /// recap order; nil when the record has no recap.
    public var retryTargets: [String]? {
        guard let rows = recap?["machines"]?.arrayValue else { return nil }
        return rows.compactMap { row in
            guard let id = row["machine"]?.stringValue, let status = row["status"]?.stringValue,
                  RunRecord.retryStatuses.contains(status) else { return nil }
            // Skipped with skipped steps: the workflow reached it and chose to leave it alone
            // (wake-recover: asleep, not deployed); only machines it never reached are retried.
            if status == "skipped", (row["skipped"]?.intValue ?? 0) > 0 { return nil }
            return id
        }
    }

    /// Recap statuses that `--retry-failed` runs again.
    public static let retryStatuses: Set<String> = ["failed", "skipped", "interrupted"]
}
