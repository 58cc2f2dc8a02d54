import ClawrunCore
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Issue 18's must-holds, as users run them: 10,000 memory-backed machines through a
/// rate-limited `clawrun serve` (Sources/DedalusAPI/RequestGovernor.swift), a 429 storm past the
/// run's deadline, and four shard processes at once (Sources/ClawrunCore/Fleet/Shard.swift).
@Suite(.serialized) struct FleetScaleTests {
    static let fleet = 10_000

    /// The shape of wake-recover per machine (read it, wake it if asleep, wait until it runs,
    /// exec), the same workflow bench/scale.sh measures.
    static let recover = Clawrun.packageRoot.appendingPathComponent("bench/scale/recover.lua").path

    /// `clawrun serve --machines-backend memory` with `count` sleeping machines.
    static func memoryServe(_ home: ClawrunHome, count: Int, extra: [String] = []) async throws -> ServedAPI {
        try await ServedAPI(home: home, apiKey: "dsk-test-scale",
                            arguments: ["--machines-backend", "memory", "--seed-machines", String(count), "--phase-ms", "0"]
                                + extra)
    }

    /// The server's request counters.
    static func stats(_ serve: ServedAPI) async throws -> JSONValue {
        try JSONValue.parse(try await serve.admin("GET", "/__clawrun/stats"))
    }

    /// Runs the recover workflow over every machine of `serve`; returns the outcome and its recap.
    func recoverAll(_ home: ClawrunHome, _ serve: ServedAPI, _ extra: [String] = []) async throws
        -> (ClawrunHome.Outcome, RunEvent?)
    {
        let r = try await home.run([Self.recover, "--provider", "dedalus", "--all", "--parallel", "200", "--json", "-q"] + extra,
                                   environment: serve.clientEnvironment)
        return (r, r.events.last { $0.event == "recap" })
    }

    @Test func tenThousandMachinesUnderA500PerSecondLimitAllSucceedWithoutARetryStorm() async throws {
        try await ClawrunHome.with { home in
            let free = try await Self.memoryServe(home, count: Self.fleet)
            let (unlimited, _) = try await recoverAll(home, free)
            let baseline = try await Self.stats(free)["requests"]?.intValue ?? 0
            await free.stop()
            #expect(unlimited.status == 0, "\(unlimited.stderr.suffix(2000))")

            let limited = try await Self.memoryServe(home, count: Self.fleet, extra: ["--rate-limit", "500/s"])
            let started = monotonicNow()
            let (r, recap) = try await recoverAll(home, limited)
            let seconds = monotonicNow() - started
            let stats = try await Self.stats(limited)
            await limited.stop()
            #expect(r.status == 0, "\(r.stderr.suffix(2000))")
            let totals = recap?["totals"]
            #expect(totals?["machines"]?.intValue == Self.fleet)
            #expect(totals?["failed"]?.intValue == 0 && totals?["steps"]?["failed"]?.intValue == 0)
            #expect((totals?["changed"]?.intValue ?? 0) == Self.fleet, "every machine was woken")
            let requests = stats["requests"]?.intValue ?? 0
            let limitedCount = stats["rate_limited"]?.intValue ?? 0
            #expect(limitedCount > 0, "the limit was never reached")
            #expect(Double(requests) <= 1.2 * Double(baseline), "retry storm: \(requests) requests against \(baseline) unlimited")
            let throttled = recap?["throttled"]
            #expect((throttled?["rate_limited"]?.intValue ?? 0) == limitedCount)
            #expect((throttled?["seconds"]?.doubleValue ?? 0) > 0)
            #expect(r.stderr.contains("throttled"))
            print("FLEET 10,000 machines: unlimited \(baseline) requests; at 500/s \(requests) requests, "
                  + "\(limitedCount) answered 429, \(String(format: "%.1f", seconds)) s (ideal \(requests / 500) s)")
        }
    }

    @Test func a429StormPastTheDeadlineFailsWithOneClearError() async throws {
        try await ClawrunHome.with { home in
            let serve = try await Self.memoryServe(home, count: 5)
            try await serve.admin("POST", "/__clawrun/faults",
                                     body: #"{"rate_limit_count": 100000000, "rate_limit_retry_after": 0.05, "route": "POST /v1/machines/{machine_id}/wake"}"#)
            // The storm hits the wakes, so it meets each machine's step (a storm on every route fails
            // the run at `targets()` with the same error, before any machine's step).
            let script = Self.recover
            let ids = (1...5).flatMap { ["--machine", String(format: "dm-00000000-0000-7000-8000-%012x", $0)] }
            let r = try await home.run([script, "--provider", "dedalus", "--rate-deadline", "2", "--json", "-q"] + ids,
                                       environment: serve.clientEnvironment)
            let recap = r.events.last { $0.event == "recap" }
            await serve.stop()
            #expect(r.status == 1)
            #expect(r.stderr.contains("the Dedalus API was saturated") && r.stderr.contains("--rate-deadline 2"))
            #expect(recap?["status"]?.stringValue == "failed")
            let recordPath = try #require(recap?["record"]?.stringValue)
            let record = try String(contentsOfFile: recordPath, encoding: .utf8)
            let last = record.split(separator: "\n").last.flatMap { try? JSONValue.parse(String($0)) }
            #expect(last?["event"]?.stringValue == "recap", "the record ends with its recap")
            let rows = recap?["machines"]?.arrayValue ?? []
            #expect(rows.count == 5 && rows.allSatisfy { $0["status"]?.stringValue == "failed" }, "\(r.stderr)")
            let errors = Set(rows.compactMap { $0["error"]?.stringValue })
            #expect(!errors.isEmpty && errors.allSatisfy { $0.contains("the Dedalus API was saturated") }, "\(errors)")
        }
    }

    @Test func fourShardsAtOnceDoEveryMachineExactlyOnce() async throws {
        try await ClawrunHome.with { home in
            let serve = try await Self.memoryServe(home, count: Self.fleet)
            let script = Self.recover
            let shards = try (1...4).map { k in
                try home.start([script, "--provider", "dedalus", "--all", "--shard", "\(k)/4", "--parallel", "100",
                                "--json", "-q", "--lock", home.url.appendingPathComponent("shard-\(k).lock").path],
                               environment: serve.clientEnvironment)
            }
            var outcomes: [ClawrunHome.Outcome] = []
            for shard in shards { outcomes.append(await shard.finish()) }
            let stats = try await Self.stats(serve)
            await serve.stop()
            var seen: [String: Int] = [:]
            var recapTotal = 0
            for (i, o) in outcomes.enumerated() {
                #expect(o.status == 0, "shard \(i + 1)/4: \(o.stderr.suffix(1000))")
                let recap = o.events.last { $0.event == "recap" }
                recapTotal += recap?["totals"]?["machines"]?.intValue ?? 0
                for row in recap?["machines"]?.arrayValue ?? [] {
                    if let id = row["machine"]?.stringValue { seen[id, default: 0] += 1 }
                    #expect(row["status"]?.stringValue == "changed")
                }
            }
            #expect(seen.count == Self.fleet && seen.values.allSatisfy { $0 == 1 }, "some machine was done twice or not at all")
            #expect(recapTotal == Self.fleet, "the recaps add up")
            let wakes = stats["requests_by_route"]?["POST /v1/machines/{machine_id}/wake"]?.intValue
            #expect(wakes == Self.fleet, "the server woke each machine once")
        }
    }
}
