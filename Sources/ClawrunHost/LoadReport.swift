import ClawrunCore
import Foundation
import LuaRuntime

/// The summary of a load test on one machine, or of a fleet merged: counts, errors by kind,
/// throughput, a latency histogram and, for arrival-rate runs, requests and errors per second,
/// as the Lua table that workflows print, return and read back (`loadtest.merge`, a baseline).
struct LoadReport {
    /// One request: its latency in seconds, what went wrong, and (arrival-rate runs) when it was
    /// sent and whether it waited for a free connection.
    struct Sample {
        var latency: Double
        var status: Int
        var error: String?
        var sent: Double? = nil
        var late = false
    }

    /// Requests sent and failed in one second of the run.
    struct Second: Equatable {
        var requests = 0
        var errors = 0
    }

    var mode: String
    var machine: String?
    var requests = 0
    var errorsByKind: [String: Int] = [:]
    var statusCodes: [String: Int] = [:]
    /// Wall time of the whole test, seconds.
    var wall: Double
    var histogram = LoadHistogram()
    var timeline: [Second] = []
    /// Requests that waited for a free connection (arrival-rate runs).
    var late = 0
    /// Requests due but never sent (arrival-rate runs).
    var dropped = 0
    /// Requests the schedule asked for (arrival-rate runs), 0 otherwise.
    var scheduled = 0

    /// The percentiles reported, by their Lua key.
    static let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9)]

    var errors: Int { errorsByKind.values.reduce(0, +) }

    /// The report over samples.
    init(mode: String, samples: [Sample], wall: Double) {
        self.mode = mode
        self.wall = wall
        requests = samples.count
        for s in samples {
            if let e = s.error { errorsByKind[e, default: 0] += 1 }
            if s.status > 0 { statusCodes[String(s.status), default: 0] += 1 }
            histogram.record(seconds: s.latency)
            if s.late { late += 1 }
            if let sent = s.sent, sent.isFinite, sent >= 0, sent < 86_400 * 2 {
                let second = Int(sent)
                if timeline.count <= second { timeline += Array(repeating: Second(), count: second + 1 - timeline.count) }
                timeline[second].requests += 1
                if s.error != nil { timeline[second].errors += 1 }
            }
        }
    }

    /// Latency statistics in milliseconds over `values` (seconds).
    static func latencyTable(_ values: [Double]) -> LuaValue {
        .table(LuaTable(LoadHistogram(seconds: values).summary.map { ($0.0, .number($0.1)) }))
    }

    /// The report as a Lua table: `mode`, `requests`, `ok`, `errors`, `error_rate`, `errors_by_kind`,
    /// `status_codes`, `duration`, `throughput` (requests per second), `latency_ms`, `histogram`
    /// (the compact form of `LoadHistogram`), and for arrival-rate runs `timeline` (per second
    /// `{requests, errors}`), `late`, `dropped` and `scheduled`.
    func luaValue(extra: [(String, LuaValue)] = []) -> LuaValue {
        func counts(_ d: [String: Int]) -> LuaValue {
            .table(LuaTable(d.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))
        }
        var fields: [(String, LuaValue)] = [
            ("mode", .string(mode)),
            ("requests", .integer(Int64(requests))),
            ("ok", .integer(Int64(requests - errors))),
            ("errors", .integer(Int64(errors))),
            ("error_rate", .number(requests == 0 ? 0 : Double(errors) / Double(requests))),
            ("errors_by_kind", counts(errorsByKind)),
            ("status_codes", counts(statusCodes)),
            ("duration", .number(wall)),
            ("throughput", .number(wall > 0 ? Double(requests) / wall : 0)),
            ("latency_ms", .table(LuaTable(histogram.summary.map { ($0.0, .number($0.1)) }))),
            ("histogram", .string(histogram.encoded)),
        ]
        if let machine { fields.append(("machine", .string(machine))) }
        if scheduled > 0 || !timeline.isEmpty {
            fields += [("late", .integer(Int64(late))), ("dropped", .integer(Int64(dropped))),
                       ("scheduled", .integer(Int64(scheduled))),
                       ("timeline", .table(LuaTable(sequence: timeline.map {
                           .table(LuaTable([("requests", .integer(Int64($0.requests))), ("errors", .integer(Int64($0.errors)))]))
                       })))]
        }
        fields += extra
        return .table(LuaTable(fields))
    }

    /// Reads back a report table (one `luaValue` made, perhaps through JSON); `what` names it in errors.
    init(table t: LuaTable, what: String) throws {
        func int(_ key: String) -> Int { t[key]?.doubleValue.map { Int($0) } ?? 0 }
        func counts(_ key: String) -> [String: Int] {
            var d: [String: Int] = [:]
            for (k, v) in t[key]?.tableValue?.fields ?? [] { d[k] = v.doubleValue.map { Int($0) } ?? 0 }
            return d
        }
        mode = t["mode"]?.stringValue ?? "rate"
        machine = t["machine"]?.stringValue
        requests = int("requests")
        errorsByKind = counts("errors_by_kind")
        statusCodes = counts("status_codes")
        wall = t["duration"]?.doubleValue ?? 0
        guard let text = t["histogram"]?.stringValue, let h = LoadHistogram(encoded: text) else {
            throw HostError("\(what) has no latency histogram (field 'histogram'): pass a report of loadtest.rate, loadtest.closed or loadtest.summary, or an earlier run's --json result")
        }
        histogram = h
        late = int("late")
        dropped = int("dropped")
        scheduled = int("scheduled")
        timeline = (t["timeline"]?.tableValue?.sequence ?? []).map {
            Second(requests: $0.tableValue?["requests"]?.doubleValue.map { Int($0) } ?? 0,
                   errors: $0.tableValue?["errors"]?.doubleValue.map { Int($0) } ?? 0)
        }
    }

    /// The fleet's report: counts, histograms and per-second timelines added, the longest wall time.
    static func merged(_ reports: [LoadReport]) -> LoadReport {
        var m = LoadReport(mode: reports.first?.mode ?? "rate", samples: [], wall: 0)
        m.machine = "merged"
        for r in reports {
            m.requests += r.requests
            m.errorsByKind.merge(r.errorsByKind, uniquingKeysWith: +)
            m.statusCodes.merge(r.statusCodes, uniquingKeysWith: +)
            m.wall = max(m.wall, r.wall)
            m.histogram.add(r.histogram)
            m.late += r.late
            m.dropped += r.dropped
            m.scheduled += r.scheduled
            if m.timeline.count < r.timeline.count {
                m.timeline += Array(repeating: Second(), count: r.timeline.count - m.timeline.count)
            }
            for (i, s) in r.timeline.enumerated() {
                m.timeline[i].requests += s.requests
                m.timeline[i].errors += s.errors
            }
        }
        return m
    }

    /// Writes the raw per-request timings as CSV (`status,error,latency_s` plus extra columns).
    static func writeCSV(_ path: String, header: [String], rows: [[String]]) throws {
        var text = header.joined(separator: ",") + "\n"
        for row in rows { text += row.joined(separator: ",") + "\n" }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw HostError("cannot write the results file \(path): \(error.localizedDescription)")
        }
    }
}
