import ClawrunCore
import Foundation

/// The `recap` event that ends every run (the last line of `--json` and of the run record): a row
/// per machine, totals, and the machines the run created, as Ansible's and pyinfra's recaps do.
public enum Recap {
    /// Builds the recap of a run that ended with `exitCode` and wrote its record at `record`.
    /// `throttle`, when the provider paces its requests, becomes the `throttled` field.
    public static func event(tally: MachineTally, created: [(id: String, deleted: Bool)], exitCode: Int32, duration: Double,
                      record: String?, throttle: ThrottleReport? = nil, checkOnly: Bool = false) -> RunEvent {
        let succeeded = exitCode == 0
        var byStatus: [String: Int] = [:]
        var steps = (ok: 0, changed: 0, failed: 0, skipped: 0)
        var rows: [JSONValue] = []
        for (machine, row) in tally.snapshot {
            let status = row.status(runSucceeded: succeeded)
            byStatus[status, default: 0] += 1
            steps.ok += row.ok
            steps.changed += row.changed
            steps.failed += row.failed
            steps.skipped += row.skipped
            var members: [(String, JSONValue)] = [
                ("machine", .string(machine)), ("status", .string(status)),
                ("ok", .int(Int64(row.ok))), ("changed", .int(Int64(row.changed))),
                ("failed", .int(Int64(row.failed))), ("skipped", .int(Int64(row.skipped))),
                ("duration", .double(row.duration)),
            ]
            if let error = row.firstError ?? row.skipReason.map({ "skipped: \($0)" }) {
                members.append(("error", .string(error)))
            }
            if !row.changes.isEmpty {
                members.append((checkOnly ? "would_change" : "changes", .array(row.changes.map(JSONValue.string))))
            }
            rows.append(.object(members))
        }
        let totals: JSONValue = .object([
            ("machines", .int(Int64(rows.count))),
            ("ok", .int(Int64(byStatus["ok", default: 0]))),
            ("changed", .int(Int64(byStatus["changed", default: 0]))),
            ("failed", .int(Int64(byStatus["failed", default: 0]))),
            ("skipped", .int(Int64(byStatus["skipped", default: 0]))),
            ("interrupted", .int(Int64(byStatus["interrupted", default: 0]))),
            ("steps", .object([("ok", .int(Int64(steps.ok))), ("changed", .int(Int64(steps.changed))),
                               ("failed", .int(Int64(steps.failed))), ("skipped", .int(Int64(steps.skipped)))])),
        ])
        let createdItems: [JSONValue] = created.map {
            .object([("machine", .string($0.id)), ("deleted", .bool($0.deleted))])
        }
        var fields: [(String, JSONValue)] = [
            ("status", .string(succeeded ? "ok" : "failed")), ("exit_code", .int(Int64(exitCode))),
            ("duration", .double(duration)), ("machines", .array(rows)), ("totals", totals),
            ("created", .array(createdItems)),
        ]
        if let throttle {
            fields.append(("throttled", .object([
                ("seconds", .double(throttle.throttledSeconds)), ("rate_limited", .int(Int64(throttle.rateLimited))),
                ("requests", .int(Int64(throttle.requests))),
            ])))
        }
        let runChanges = tally.runChanges
        if !runChanges.isEmpty {
            fields.append((checkOnly ? "would_change" : "changes", .array(runChanges.map(JSONValue.string))))
        }
        if let record { fields.append(("record", .string(record))) }
        if checkOnly { fields.append(("check", .bool(true))) }
        return RunEvent("recap", fields: fields)
    }
}
