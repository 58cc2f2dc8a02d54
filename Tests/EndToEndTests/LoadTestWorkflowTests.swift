import ClawrunCore
import Foundation
import Testing

/// workflows/load-test.lua's arrival-rate mode (issue 19) on local machines with the OpenClaw
/// simulator: the generator runs inside the machine, sends on schedule, and times each request from
/// its intended start, as wrk2 does (github.com/giltene/wrk2, "Acknowledgements" on coordinated
/// omission). Serialized: each test starts machines and gateways on a shared host.
@Suite(.serialized) struct LoadTestWorkflowTests {
    /// Restarts the machine's gateway with the simulator's injected stall
    /// (Sources/OpenClawSim/StallWindow.swift: nothing is answered in the first `ms` of every second).
    private func restartWithStall(_ clawrun: Clawrun, _ id: String, ms: Int) async throws {
        let script = try clawrun.script("stall", """
            local m = targets()[1]
            exec(m, {"/bin/bash", "-c", "kill $(cat /home/machine/.openclaw/gateway.pid); while pgrep -f '^openclaw-gateway' >/dev/null; do sleep 0.05; done"})
            exec(m, {"/bin/bash", "-c", "OPENCLAW_SIM_STALL_MS=\(ms) setsid /home/machine/start-gateway.sh </dev/null &>/dev/null & disown"})
            for _ = 1, 600 do
              local _, r = exec(m, {"/usr/bin/curl", "-sf", "http://127.0.0.1:18789/healthz"}, {check = false})
              if r.exit_code == 0 then return "healthy" end
              sleep(0.05)
            end
            fail("the gateway did not come back")
            """)
        let run = try await clawrun([script, "--machine", id])
        guard run.status == 0 else { throw Clawrun.Failure("restarting the gateway with a stall failed:\n\(run.stderr)") }
    }

    private func p99(_ run: Clawrun.Run) -> Double? { run.value?["merged"]?["latency_ms"]?["p99"]?.doubleValue }

    /// Latencies (seconds) of a results CSV whose third column is `latency_s`.
    private func latencies(_ path: String) throws -> [Double] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().compactMap {
            let fields = $0.split(separator: ",", omittingEmptySubsequences: false)
            return fields.count > 2 ? Double(fields[2]) : nil
        }
    }

    @Test func aStallHidesFromTheClosedLoopButShowsInTheRateModesTail() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "greet=false"])
        try await restartWithStall(clawrun, id, ms: 200)
        let closedCSV = clawrun.home.appendingPathComponent("closed.csv").path
        let rateCSV = clawrun.home.appendingPathComponent("rate.csv").path
        let users = 2
        let closed = try await clawrun.workflow("load-test", ["--machine", id, "--set", "mode=closed", "--set", "requests=3000",
                                                        "--set", "concurrency=\(users)", "--set", "results=\(closedCSV)"])
        #expect(closed.status == 0, "\(closed.stderr)")
        let rate = try await clawrun.workflow("load-test", ["--machine", id, "--set", "rate=200", "--set", "duration=4s",
                                                      "--set", "results=\(rateCSV)"])
        #expect(rate.status == 0, "\(rate.stderr)")
        let closedP99 = try #require(p99(closed))
        let rateP99 = try #require(p99(rate))
        let wall = try #require(closed.value?["merged"]?["duration"]?.doubleValue)
        let closedAll = try latencies(closedCSV), rateAll = try latencies(rateCSV)
        let closedStalled = closedAll.filter { $0 >= 0.15 }.count, rateStalled = rateAll.filter { $0 >= 0.15 }.count
        let throughput = Double(closedAll.count) / wall
        let said = "a 200 ms stall every second: closed loop \(closedStalled) of \(closedAll.count) requests over 150 ms " +
            "in \(wall) s (\(Int(throughput)) req/s), p99 \(closedP99) ms; rate mode \(rateStalled) of \(rateAll.count), p99 \(rateP99) ms"
        // Coordinated omission: a user of the closed loop waits out a stall instead of sending, so
        // each stall costs it one slow sample, whatever the host's speed.
        let stalls = Int(wall.rounded(.up)) + 1
        #expect(closedAll.count == 3000 && closedStalled <= users * stalls, "\(said)")
        // The open model keeps sending: the requests due in a stall's first 50 ms (5 %) wait 150 ms or more.
        #expect(abs(rateAll.count - 800) <= 16 && Double(rateStalled) >= 0.03 * Double(rateAll.count) && rateP99 > 150,
                "\(said)")
        // Hence the closed loop's p99 hides the stall once a user sends over 100 requests a second
        // (its stalled share under 1 %); a host that slow (CI's was once ~150 req/s) is shown by `said`.
        #expect(throughput < Double(200 * users) || closedP99 < 100, "\(said)")
        #expect(rate.value?["merged"]?["dropped"]?.intValue == 0)

        // The closed loop's report as the baseline: a run without a stall would be the natural
        // one, but on a loaded host its own tail can exceed the stall's, so the comparison could
        // not be relied on. The closed loop's p90 stays far below the rate mode's, a tenth of whose
        // requests wait 100 ms or more in a stall.
        let baseline = clawrun.home.appendingPathComponent("closed.json")
        try closed.stdout.write(to: baseline, atomically: true, encoding: .utf8)
        let compared = try await clawrun.workflow("load-test", ["--machine", id, "--set", "rate=200", "--set", "duration=2s",
                                                          "--set", "baseline=\(baseline.path)", "--set", "max_regression=10%"])
        #expect(compared.status == 99, "\(compared.stderr)")
        #expect(compared.stderr.contains("change from the baseline"))
        #expect(compared.stderr.contains("slower than the baseline"))
    }

    @Test func rateAndStagesSendWhatTheScheduleSays() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "greet=false"])
        let csv = clawrun.home.appendingPathComponent("timings.csv").path
        let steady = try await clawrun.workflow("load-test", ["--machine", id, "--set", "rate=200", "--set", "duration=5s",
                                                        "--set", "results=\(csv)"])
        #expect(steady.status == 0, "\(steady.stderr)")
        let report = try #require(steady.value?["reports"]?[0])
        let sent = try #require(report["requests"]?.intValue)
        #expect(abs(sent - 1000) <= 20, "rate=200 duration=5s sent \(sent) requests")
        #expect(report["errors"]?.intValue == 0)
        #expect(report["dropped"]?.intValue == 0 && report["scheduled"]?.intValue == 1000)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "status,error,latency_s,intended_s,lag_s,late" && rows.count == sent + 1)

        let prefix = clawrun.home.appendingPathComponent("ramp").path
        let svg = clawrun.home.appendingPathComponent("ramp.svg").path
        let ramp = try await clawrun.workflow("load-test", ["--machine", id, "--set", "rate=200", "--set", "stages=1s:200,2s:600",
                                                      "--set", "hgrm=\(prefix)", "--set", "report=\(svg)"])
        #expect(ramp.status == 0, "\(ramp.stderr)")
        let schedule = try ArrivalSchedule.parse(stages: "1s:200,2s:600", startRate: 200)
        let timeline = try #require(ramp.value?["reports"]?[0]?["timeline"]?.arrayValue)
        #expect(timeline.count >= 3)
        for second in 0..<3 {
            let want = schedule.expectedCount(until: Double(second + 1)) - schedule.expectedCount(until: Double(second))
            let got = Double(timeline[second]["requests"]?.intValue ?? 0)
            #expect(abs(got - want) <= 0.05 * want, "second \(second): sent \(got), the ramp says \(want)")
        }
        let hgrm = try String(contentsOfFile: "\(prefix).\(id).hgrm", encoding: .utf8)
        #expect(hgrm.hasPrefix("       Value     Percentile TotalCount 1/(1-Percentile)\n\n"))
        #expect(hgrm.contains("Total count    =         1000]"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix).merged.hgrm"))
        let chart = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(chart.contains("<svg ") && chart.contains("Latency (ms)") && chart.contains("Requests per second"))
    }

    @Test func aFleetMergesHistogramsAndChecksThresholdsPerMachineAndMerged() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let made = try await clawrun([try clawrun.script("make3", """
            local ids = {}
            local results = parallel({1, 2, 3}, function(i)
              local m = machine.create{}
              wait_phase(m, "running", {timeout = 120})
              ids[i] = m.id
            end)
            for _, r in ipairs(results) do if not r.ok then error(r.error) end end
            return ids
            """), "--json"])
        let ids = try #require(made.value?.arrayValue).compactMap { $0.stringValue }
        #expect(ids.count == 3, "\(made.stderr)")
        let targets = ids.flatMap { ["--machine", $0] }
        let deploy = try await clawrun.workflow("deploy", targets + ["--set", "greet=false"])
        #expect(deploy.status == 0, "\(deploy.stderr)")
        let csv = clawrun.home.appendingPathComponent("t.csv").path
        let run = try await clawrun.workflow("load-test", targets + ["--set", "rate=150", "--set", "duration=2s", "--set", "results=\(csv)"])
        #expect(run.status == 0, "\(run.stderr)")
        var all: [Double] = []
        for id in ids {
            let rows = try String(contentsOfFile: "\(csv).\(id)", encoding: .utf8).split(separator: "\n").dropFirst()
            all += rows.compactMap { Double($0.split(separator: ",", omittingEmptySubsequences: false)[2]) }
        }
        all.sort()
        let merged = try #require(run.value?["merged"])
        #expect(merged["requests"]?.intValue == all.count && all.count == 900)
        #expect(run.stderr.contains("the fleet (3 machines merged)"))
        for (key, p) in [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("max", 100.0)] {
            let rank = max(1, Int((p / 100 * Double(all.count)).rounded(.up)))
            let exact = all[rank - 1] * 1000
            let reported = try #require(merged["latency_ms"]?[key]?.doubleValue)
            // HDR histogram with three significant digits at microsecond resolution.
            #expect(abs(reported - exact) <= max(exact * 0.002, 0.002), "\(key): merged \(reported) ms, all samples together \(exact) ms")
        }

        let breached = try await clawrun.workflow("load-test", targets + ["--set", "rate=50", "--set", "duration=1s", "--set", "p99_ms=0.001"])
        #expect(breached.status == 99, "\(breached.stderr)")
        for id in ids { #expect(breached.stderr.contains("\(id): p99"), "\(breached.stderr)") }
        #expect(breached.stderr.contains("merged: p99"))
    }
}
