import ClawrunCore
import ClawrunHost
import Foundation
import FoundationXML
import Testing

/// The `loadtest` bindings' report tools through a real lua_State: merging machines' histograms,
/// the `.hgrm` text (HdrHistogram's `outputPercentileDistribution`, HdrHistogram/HistogramLogProcessor
/// and the plotter at hdrhistogram.github.io/HdrHistogram/plotFiles.html read it), the SVG chart
/// and the baseline comparison.
struct LoadTestBindingsTests {
    private func value(_ source: String) async throws -> JSONValue? {
        let (outcome, events) = try await Sandbox().run(source)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        return events.last { $0.event == "result" }?["value"]
    }

    /// Three machines' latencies, deterministic but spread over four decades (seconds).
    private static let samples = """
        local sets = {}
        local x = 12345
        for m = 1, 3 do
          local s = {}
          for i = 1, 2000 + 500 * m do
            x = (x * 1103515245 + 12345) % 2147483648
            local u = x / 2147483648
            s[#s + 1] = {latency = 0.0002 * m * (1 + 9 * u) ^ (2 + m), status = 200}
          end
          sets[m] = s
        end

        """

    @Test func luasOwnLoadWorksBesideTheLoadtestTable() async throws {
        let v = try await value("""
            return {load("return 1")(), type(loadtest.rate), type(loadtest.closed), type(loadtest.summary)}
            """)
        #expect(v == .array([.int(1), .string("function"), .string("function"), .string("function")]))
    }

    @Test func mergedPercentilesEqualThoseOfAllSamplesTogether() async throws {
        let v = try await value(Self.samples + """
            local reports, all = {}, {}
            for m = 1, 3 do
              reports[m] = loadtest.summary(sets[m], {duration = 10})
              reports[m].machine = "m" .. m
              for _, s in ipairs(sets[m]) do all[#all + 1] = s end
            end
            local merged = loadtest.merge(reports)
            local together = loadtest.summary(all, {duration = 10})
            return {merged = merged, together = together, averaged_p99 = (reports[1].latency_ms.p99 + reports[2].latency_ms.p99 + reports[3].latency_ms.p99) / 3}
            """)
        let merged = try #require(v?["merged"])
        let together = try #require(v?["together"])
        #expect(merged["requests"]?.intValue == 2500 + 3000 + 3500)
        for key in ["min", "p50", "p90", "p99", "p999", "max", "mean"] {
            let a = try #require(merged["latency_ms"]?[key]?.doubleValue)
            let b = try #require(together["latency_ms"]?[key]?.doubleValue)
            #expect(abs(a - b) <= 1e-9 * max(1, b), "\(key): merged \(a) ms, all samples together \(b) ms")
        }
        // The point of adding histograms: an average of the machines' p99 is not the fleet's p99.
        let averaged = try #require(v?["averaged_p99"]?.doubleValue)
        let p99 = try #require(merged["latency_ms"]?["p99"]?.doubleValue)
        #expect(abs(averaged - p99) > 0.01 * p99, "averaged \(averaged) ms vs merged \(p99) ms")
    }

    @Test func hgrmFollowsTheFormat() async throws {
        let v = try await value(Self.samples + """
            return loadtest.hgrm(loadtest.summary(sets[1], {duration = 1}))
            """)
        let text = try #require(v?.stringValue)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Header: the four column names, then an empty line.
        #expect(lines[0].split(separator: " ") == ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"])
        #expect(lines[1].isEmpty)
        var previous: (value: Double, percentile: Double, count: Int) = (0, 0, 0)
        var rows = 0
        var footer: [String] = []
        for line in lines.dropFirst(2) where !line.isEmpty {
            if line.hasPrefix("#[") { footer.append(line); continue }
            let f = line.split(separator: " ")
            let value = try #require(Double(f[0]))
            let percentile = try #require(Double(f[1]))
            let count = try #require(Int(f[2]))
            #expect(f.count == 4 || (f.count == 3 && percentile == 1), "\(line)")
            #expect(value >= previous.value && percentile >= previous.percentile && count >= previous.count, "\(line)")
            #expect((0...1).contains(percentile), "\(line)")
            if f.count == 4 {
                let inverse = try #require(Double(f[3]))
                #expect(abs(inverse - 1 / (1 - percentile)) <= 0.01 + 1e-6 * inverse, "\(line)")
            }
            previous = (value, percentile, count)
            rows += 1
        }
        #expect(rows > 20)
        #expect(previous.percentile == 1 && previous.count == 2500)
        #expect(footer.count == 3)
        #expect(footer[0].hasPrefix("#[Mean    = ") && footer[0].contains(", StdDeviation   = "))
        #expect(footer[1].hasPrefix("#[Max     = ") && footer[1].hasSuffix("Total count    =         2500]"))
        #expect(footer[2].hasPrefix("#[Buckets = ") && footer[2].contains(", SubBuckets     = "))
        let max = try #require(Double(footer[1].split(separator: "=")[1].split(separator: ",")[0].trimmingCharacters(in: .whitespaces)))
        #expect(max == previous.value)
    }

    @Test func chartIsWellFormedSVGThatNamesItsAxes() async throws {
        let v = try await value(Self.samples + """
            local reports = {}
            for m = 1, 3 do
              local s = {}
              for i, x in ipairs(sets[m]) do s[i] = {latency = x.latency, status = 200} end
              reports[m] = loadtest.summary(s, {duration = 5})
              reports[m].machine = "dm-<" .. m .. ">&"
            end
            return {svg = loadtest.chart(reports, {title = "fleet & co"}), html = loadtest.chart(reports, {format = "html"})}
            """)
        let svg = try #require(v?["svg"]?.stringValue)
        let parser = XMLParser(data: Data(svg.utf8))
        final class Texts: NSObject, XMLParserDelegate {
            var texts: [String] = []
            var polylines = 0
            var root: String?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                if root == nil { root = name }
                if name == "polyline" { polylines += 1 }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
        }
        let delegate = Texts()
        parser.delegate = delegate
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        #expect(delegate.root == "svg")
        let all = delegate.texts.joined()
        for axis in ["Percentile", "Latency (ms)", "Time (s)", "Requests per second"] { #expect(all.contains(axis), "\(axis)") }
        #expect(all.contains("99.9%") && all.contains("dm-<1>&") && all.contains("merged") && all.contains("fleet & co"))
        // Latency by percentile for 3 machines plus merged; summaries have no per-second counts.
        #expect(delegate.polylines == 4)
        let html = try #require(v?["html"]?.stringValue)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg ") && html.hasSuffix("</html>\n"))
    }

    @Test func baselineComparisonReadsAnEarlierJSONRun() async throws {
        let sandbox = try Sandbox()
        // An earlier run's --json output: event lines, the last one the workflow's value.
        let (before, beforeEvents) = try await sandbox.run(Self.samples + """
            local r = loadtest.summary(sets[1], {duration = 1})
            return {reports = {r}, merged = loadtest.merge({r})}
            """)
        #expect(before.exitCode == 0)
        let result = try #require(beforeEvents.last { $0.event == "result" })
        let line = JSONValue.object([("event", .string("result")), ("value", try #require(result["value"]))]).compactText
        try sandbox.write("before.json", "{\"event\":\"run_start\"}\n" + line + "\n")
        try sandbox.write("nothing.json", "{\"event\":\"run_start\"}\n")
        let (outcome, events) = try await sandbox.run(Self.samples + """
            local base = loadtest.baseline("\(sandbox.root.path)/before.json")
            local slower = {}
            for i, s in ipairs(sets[1]) do slower[i] = {latency = s.latency * 1.5, status = 200} end
            local rows = loadtest.compare(loadtest.summary(slower, {duration = 1}), base)
            local same = loadtest.compare(base, base)
            local ok, err = pcall(loadtest.baseline, "\(sandbox.root.path)/nothing.json")
            local ok2, err2 = pcall(loadtest.compare, {requests = 1}, base)
            return {rows = rows, same = same, err = tostring(err), err2 = tostring(err2)}
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let v = try #require(events.last { $0.event == "result" }?["value"])
        let rows = try #require(v["rows"]?.arrayValue)
        #expect(rows.compactMap { $0["percentile"]?.stringValue } == ["p50", "p90", "p99", "p999", "max"])
        for row in rows {
            // 1.5 times every latency, within the histogram's three significant digits.
            #expect(abs((row["change"]?.doubleValue ?? 0) - 0.5) < 0.005, "\(row)")
        }
        for row in v["same"]?.arrayValue ?? [] { #expect(row["change"]?.doubleValue == 0) }
        #expect(v["err"]?.stringValue?.contains("holds no load-test result") == true)
        #expect(v["err2"]?.stringValue?.contains("has no latency histogram") == true)
    }

    @Test func badRateOptionsAreNamed() async throws {
        let v = try await value("""
            local out = {}
            for _, o in ipairs({{stages = "30s:x"}, {rate = -1}, {rate = 10, stages = "1s:5", duration = 3},
                                {rate = 10, max_in_flight = 0}, {rate = 1e9}, {rate = 10, port = 70000}, {}}) do
              local ok, err = pcall(loadtest.rate, "dm-x", o)
              out[#out + 1] = tostring(err)
            end
            return out
            """)
        let errors = v?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(errors.count == 7)
        #expect(errors[0].contains("stage '30s:x' is not duration:rate"))
        #expect(errors[1].contains("option 'rate' must be from 0 to 1,000,000"))
        #expect(errors[2].contains("give option 'duration' or option 'stages', not both"))
        #expect(errors[3].contains("option 'max_in_flight' must be a whole number from 1 to 1000, got 0"))
        #expect(errors[4].contains("option 'rate' must be from 0 to 1,000,000"))
        #expect(errors[5].contains("option 'port' must be from 1 to 65535"))
        #expect(errors[6].contains("give option 'rate'"))
    }
}
