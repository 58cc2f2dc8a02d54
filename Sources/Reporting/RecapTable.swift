import ClawrunCore
import Foundation

/// The recap event as a person reads it on stderr: a table of machines (only those that did not
/// end well when quiet), the totals, and the machines the run created that still exist.
public enum RecapTable {
    /// The recap's text, or nil when it has nothing to say (no machines, none created).
    public static func render(_ recap: RunEvent, quiet: Bool) -> String? {
        let rows = recap["machines"]?.arrayValue ?? []
        let created = recap["created"]?.arrayValue ?? []
        let checking = recap["check"] == .bool(true)
        let runChanges = recap[checking ? "would_change" : "changes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard !rows.isEmpty || !created.isEmpty || (checking && !runChanges.isEmpty) else { return nil }
        var lines: [String] = []
        if !rows.isEmpty {
            var table = [["MACHINE", "STATUS", "OK", "CHANGED", "FAILED", "SKIPPED", "TIME", "ERROR"]]
            for row in rows {
                let status = row["status"]?.stringValue ?? "?"
                if quiet && (status == "ok" || status == "changed") { continue }
                let error = (row["error"]?.stringValue ?? "").split(separator: "\n").first.map(String.init) ?? ""
                table.append([
                    row["machine"]?.stringValue ?? "?", status, count(row["ok"]), count(row["changed"]),
                    count(row["failed"]), count(row["skipped"]),
                    String(format: "%.1fs", row["duration"]?.doubleValue ?? 0), String(error.prefix(120)),
                ])
            }
            if table.count > 1 { lines += align(table) }
        }
        if !rows.isEmpty { lines.append(totals(recap)) }
        if checking { lines += plan(rows, run: runChanges) }
        let remaining = created.filter { $0["deleted"] != .bool(true) }.compactMap { $0["machine"]?.stringValue }
        if !created.isEmpty {
            var line = "created \(created.count) machine\(created.count == 1 ? "" : "s")"
            if remaining.isEmpty {
                line += ", all deleted again"
            } else {
                // A long list would bury the table; the record and `--json` name every one.
                let shown = remaining.prefix(RecapTable.createdShown).joined(separator: " ")
                let more = remaining.count - RecapTable.createdShown
                line += "; still there: \(shown)" + (more > 0 ? " and \(more) more (the record lists them)" : "")
            }
            lines.append(line)
        }
        if let record = recap["record"]?.stringValue { lines.append("record: \(record)") }
        return lines.joined(separator: "\n")
    }

    /// `--check`'s plan: what would change outside any machine (`run`: machines to create), per
    /// machine, or that nothing would.
    private static func plan(_ rows: [JSONValue], run: [String]) -> [String] {
        var lines = ["CHECK: nothing was changed; CHANGED counts the steps that would change"]
        if !run.isEmpty {
            lines.append("  the run would:")
            lines += run.map { "    \($0)" }
        }
        for row in rows {
            let changes = row["would_change"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard !changes.isEmpty else { continue }
            lines.append("  \(row["machine"]?.stringValue ?? "?") would change:")
            lines += changes.map { "    \($0)" }
        }
        if lines.count == 1 { lines.append("  no machine would change") }
        return lines
    }

    /// How many created machines the human recap names.
    static let createdShown = 10

    private static func totals(_ recap: RunEvent) -> String {
        let t = recap["totals"]
        var parts: [String] = []
        for key in ["ok", "changed", "failed", "skipped", "interrupted"] {
            let n = t?[key]?.intValue ?? 0
            if n > 0 || key == "ok" || key == "failed" { parts.append("\(n) \(key)") }
        }
        let steps = t?["steps"]
        let stepText = ["ok", "changed", "failed", "skipped"].map { "\(steps?[$0]?.intValue ?? 0) \($0)" }
            .joined(separator: ", ")
        var throttled = ""
        if let th = recap["throttled"], (th["seconds"]?.doubleValue ?? 0) > 0 || (th["rate_limited"]?.intValue ?? 0) > 0 {
            throttled = String(format: "; throttled %.1f s (%lld requests, %lld answered 429)", th["seconds"]?.doubleValue ?? 0,
                               th["requests"]?.intValue ?? 0, th["rate_limited"]?.intValue ?? 0)
        }
        return "RECAP \(t?["machines"]?.intValue ?? 0) machines: \(parts.joined(separator: ", ")); steps: \(stepText)"
            + String(format: "; %.1f s", recap["duration"]?.doubleValue ?? 0) + throttled
    }

    private static func count(_ v: JSONValue?) -> String { String(v?.intValue ?? 0) }

    /// Pads each column of a text table to its widest cell, two spaces apart, a line per row.
    public static func align(_ table: [[String]]) -> [String] {
        let widths = (0..<table[0].count).map { c in table.map { $0[c].count }.max() ?? 0 }
        return table.map { r in
            r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}
