import ClawrunCore
import Foundation
import Histogram
import LuaRuntime

/// The summary of a load test: counts, errors by kind, throughput and latency percentiles from
/// an HDR histogram (microsecond resolution, three significant digits), as the Lua table that
/// workflows print and return.
struct LoadReport {
    /// One request: its latency in seconds and what went wrong, if anything.
    struct Sample {
        var latency: Double
        var status: Int
        var error: String?
    }

    var mode: String
    var samples: [Sample]
    /// Wall time of the whole test, seconds.
    var wall: Double

    /// The percentiles reported, by their Lua key.
    static let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9)]

    /// Latency statistics in milliseconds over `values` (seconds).
    static func latencyTable(_ values: [Double]) -> LuaValue {
        guard !values.isEmpty else { return .table(LuaTable()) }
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        for v in values { _ = histogram.record(UInt64(max(0, (v * 1_000_000).rounded()))) }
        func ms(_ us: UInt64) -> LuaValue { .number(Double(us) / 1000) }
        var fields: [(String, LuaValue)] = [("min", ms(histogram.min)), ("max", ms(histogram.max)),
                                            ("mean", .number(histogram.mean / 1000))]
        for (key, p) in percentiles { fields.append((key, ms(histogram.valueAtPercentile(p)))) }
        return .table(LuaTable(fields))
    }

    /// The report as a Lua table: `requests`, `ok`, `errors`, `error_rate`, `errors_by_kind`,
    /// `status_codes`, `duration`, `throughput` (requests per second) and `latency_ms`.
    func luaValue(extra: [(String, LuaValue)] = []) -> LuaValue {
        var kinds: [String: Int] = [:]
        var codes: [String: Int] = [:]
        for s in samples {
            if let e = s.error { kinds[e, default: 0] += 1 }
            if s.status > 0 { codes[String(s.status), default: 0] += 1 }
        }
        let errors = kinds.values.reduce(0, +)
        let n = samples.count
        var fields: [(String, LuaValue)] = [
            ("mode", .string(mode)),
            ("requests", .integer(Int64(n))),
            ("ok", .integer(Int64(n - errors))),
            ("errors", .integer(Int64(errors))),
            ("error_rate", .number(n == 0 ? 0 : Double(errors) / Double(n))),
            ("errors_by_kind", .table(LuaTable(kinds.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))),
            ("status_codes", .table(LuaTable(codes.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))),
            ("duration", .number(wall)),
            ("throughput", .number(wall > 0 ? Double(n) / wall : 0)),
            ("latency_ms", LoadReport.latencyTable(samples.map(\.latency))),
        ]
        fields += extra
        return .table(LuaTable(fields))
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
