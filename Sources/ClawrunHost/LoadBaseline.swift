import ClawrunCore
import Foundation
import LuaRuntime

/// Comparing a load test with an earlier run (`--set baseline=FILE`): the change of each
/// percentile, and the ones that got slower by more than the allowed regression.
enum LoadBaseline {
    /// The compared points, by their key in `latency_ms`.
    static let keys = ["p50", "p90", "p99", "p999", "max"]

    /// One percentile then and now, milliseconds; `change` is (now - then) / then.
    struct Row {
        var key: String
        var before: Double
        var now: Double
        var change: Double
    }

    /// The fleet report of an earlier run, from its `--json` output (the `result` event's value,
    /// its `merged` report) or a file holding that value or a report alone.
    static func load(path: String) throws -> LuaValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HostError("cannot read the baseline file \(path): give the --json output of an earlier load-test run")
        }
        let text = String(decoding: data, as: UTF8.self)
        var found: JSONValue?
        if let whole = try? JSONValue.parse(text) { found = pick(whole) }
        if found == nil {
            for line in text.split(separator: "\n") {
                guard let event = try? JSONValue.parse(String(line)), event["event"] == .string("result"),
                      let value = event["value"] else { continue }
                found = pick(value) ?? found
            }
        }
        guard let report = found else {
            throw HostError("the baseline file \(path) holds no load-test result: give the --json output of an earlier load-test run")
        }
        return LuaJSON.luaValue(report)
    }

    /// The merged report in a workflow's value, or the value when it is a report itself.
    private static func pick(_ value: JSONValue) -> JSONValue? {
        if let merged = value["merged"], merged["histogram"] != nil { return merged }
        if value["histogram"] != nil { return value }
        return nil
    }

    /// The change of each percentile from `before` to `now`.
    static func compare(_ now: LoadReport, with before: LoadReport) -> [Row] {
        let a = Dictionary(uniqueKeysWithValues: before.histogram.summary), b = Dictionary(uniqueKeysWithValues: now.histogram.summary)
        return keys.compactMap { key in
            guard let then = a[key], let current = b[key] else { return nil }
            return Row(key: key, before: then, now: current, change: then > 0 ? (current - then) / then : (current > 0 ? .infinity : 0))
        }
    }

    /// The rows as a Lua sequence of `{percentile, before_ms, now_ms, change}`.
    static func luaValue(_ rows: [Row]) -> LuaValue {
        .table(LuaTable(sequence: rows.map {
            .table(LuaTable([("percentile", .string($0.key)), ("before_ms", .number($0.before)), ("now_ms", .number($0.now)),
                             ("change", .number($0.change.isFinite ? $0.change : 1e308))]))
        }))
    }
}
