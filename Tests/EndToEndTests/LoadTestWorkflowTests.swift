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
    private func restartWithStall(_ clawrun: Clawrun, _ id: String, ms: Int) throws {
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
        let run = try clawrun([script, "--machine", id])
        guard run.status == 0 else { throw Clawrun.Failure("restarting the gateway with a stall failed:\n\(run.stderr)") }
    }

    private func p99(_ run: Clawrun.Run) -> Double? { run.value?["merged"]?["latency_ms"]?["p99"]?.doubleValue }

    @Test func aStallHidesFromTheClosedLoopButShowsInTheRateModesTail() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let before = try clawrun.workflow("load-test", ["--machine", id, "--set", "rate=200", "--set", "duration=2s"])
        #expect(before.status == 0, "\(before.stderr)")
        let baseline = clawrun.home.appendingPathComponent("before.json")
        try before.stdout.write(to: baseline, atomically: true, encoding: .utf8)

        try restartWithStall(clawrun, id, ms: 200)
        // Two users in a closed loop: a stall holds two requests a second, far under 1 % of them.
        let closed = try clawrun.workflow("load-test", ["--machine", id, "--set", "mode=closed", "--set", "requests=3000",
                                                        "--set", "concurrency=2"])
        #expect(closed.status == 0, "\(closed.stderr)")
        let rate = try clawrun.workflow("load-test", ["--machine", id, "--set", "rate=200", "--set", "duration=4s"])
        #expect(rate.status == 0, "\(rate.stderr)")
        let closedP99 = try #require(p99(closed))
        let rateP99 = try #require(p99(rate))
        // A fifth of the requests are due inside a stall and wait up to 200 ms from their intended start.
        #expect(closedP99 < 100 && rateP99 > 150,
                "a 200 ms stall every second: closed-loop p99 \(closedP99) ms, rate-mode p99 \(rateP99) ms")
        #expect(rate.value?["merged"]?["dropped"]?.intValue == 0)

        let compared = try clawrun.workflow("load-test", ["--machine", id, "--set", "rate=200", "--set", "duration=2s",
                                                          "--set", "baseline=\(baseline.path)", "--set", "max_regression=10%"])
        #expect(compared.status == 99, "\(compared.stderr)")
        #expect(compared.stderr.contains("change from the baseline"))
        #expect(compared.stderr.contains("slower than the baseline"))
    }

    @Test func rateAndStagesSendWhatTheScheduleSays() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let csv = clawrun.home.appendingPathComponent("timings.csv").path
        let steady = try clawrun.workflow("load-test", ["--machine", id, "--set", "rate=200", "--set", "duration=5s",
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
        let ramp = try clawrun.workflow("load-test", ["--machine", id, "--set", "rate=200", "--set", "stages=1s:200,2s:600",
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

    @Test func aFleetMergesHistogramsAndChecksThresholdsPerMachineAndMerged() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let made = try clawrun([try clawrun.script("make3", """
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
        let deploy = try clawrun.workflow("deploy", targets + ["--set", "greet=false"])
        #expect(deploy.status == 0, "\(deploy.stderr)")
        let csv = clawrun.home.appendingPathComponent("t.csv").path
        let run = try clawrun.workflow("load-test", targets + ["--set", "rate=150", "--set", "duration=2s", "--set", "results=\(csv)"])
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

        let breached = try clawrun.workflow("load-test", targets + ["--set", "rate=50", "--set", "duration=1s", "--set", "p99_ms=0.001"])
        #expect(breached.status == 99, "\(breached.stderr)")
        for id in ids { #expect(breached.stderr.contains("\(id): p99"), "\(breached.stderr)") }
        #expect(breached.stderr.contains("merged: p99"))
    }
}
