import ClawrunTestSupport
import ClawrunCore
import Foundation
import LuaRuntime
import Testing
@testable import ClawrunHost
import Reporting

@Suite struct FleetRunTests {
    /// Runs `source` over a stub fleet of `machines` machines (m1...mN) with the options `adjust` sets.
    func run(_ source: String, machines: Int = 10, _ adjust: (inout RunOptions) -> Void = { _ in },
             during: (@Sendable (WorkflowRun, RunEvent) -> Void)? = nil) async throws -> (WorkflowRun.Outcome, [RunEvent]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("w.lua")
        try source.write(to: script, atomically: true, encoding: .utf8)
        var options = RunOptions(script: script, allTargets: true, home: dir, environment: [:])
        adjust(&options)
        let sink = MemorySink()
        // `during` hears every event as it happens, with the run, so a test acts on what the run
        // did rather than after a guessed time.
        let started = Locked<WorkflowRun?>(nil)
        let watcher = WatchSink { event in started.withLock { $0 }.map { during?($0, event) } }
        let run = try WorkflowRun(options: options, provider: StubProvider.fleet(machines),
                                  reporter: Reporter(redactor: SecretRedactor(), sinks: [sink, watcher]))
        started.withLock { $0 = run }
        let outcome = await run.execute()
        return (outcome, sink.events)
    }

    func statuses(_ events: [RunEvent]) -> [String] {
        events.last?["machines"]?.arrayValue?.compactMap { $0["status"]?.stringValue } ?? []
    }

    let failSome = """
        local bad = {m2 = true, m4 = true}
        parallel(targets(), function(m)
          step("work", function() if bad[m.id] then error("broke") end end)
        end, {limit = 1})
        """

    @Test func maxFailPercentStopsStartingMachinesOnceExceeded() async throws {
        let (outcome, events) = try await run(failSome) { $0.failurePolicy = FailurePolicy(maxFailPercent: 10) }
        #expect(outcome.exitCode == 1)
        #expect(statuses(events) == ["ok", "failed", "ok", "failed"] + Array(repeating: "skipped", count: 6))
        #expect(events.last?["totals"]?["skipped"]?.intValue == 6)
        #expect(events.contains { $0["message"]?.stringValue == "starting no more machines: 2 of 10 targets failed, more than 10% (--max-fail-percent 10)" })
    }

    @Test func withoutAPolicyEveryMachineRuns() async throws {
        let (_, events) = try await run(failSome)
        #expect(statuses(events).filter { $0 == "failed" }.count == 2)
        #expect(statuses(events).filter { $0 == "ok" }.count == 8)
    }

    @Test func theRecapIsTheLastEventAndNamesTargetsNoWorkReached() async throws {
        let (outcome, events) = try await run("local t = targets(); error('gave up early')", machines: 3)
        #expect(outcome.exitCode == 1)
        #expect(events.last?.event == "recap")
        #expect(statuses(events) == ["skipped", "skipped", "skipped"])
        #expect(events.first { $0.event == "targets" }?["count"]?.intValue == 3)
    }

    @Test func targetsResolveOnceAndSelectorsAndShardsApply() async throws {
        let (outcome, events) = try await run("""
            local a, b = targets(), targets()
            assert(#a == #b and a[1].id == b[1].id)
            return #a
            """, machines: 12) {
            $0.selectors = [try! MachineSelector(parsing: "phase=running")]
        }
        #expect(outcome.exitCode == 0)
        #expect(events.filter { $0.event == "targets" }.count == 1)
        #expect(events.first { $0.event == "result" }?["value"]?.intValue == 4)
    }

    @Test func anInterruptSkipsWhatHasNotStartedAndExitsWithTheSignalsCode() async throws {
        let (outcome, events) = try await run("""
            parallel(targets(), function(m)
              step("work", function() sleep(m.id == "m1" and 0.05 or 600) end)
            end, {limit = 2})
            """, machines: 4, during: { run, event in
                // Once m3 has taken m1's place, as a signal handler would: off the emitting thread.
                guard event.event == "step_start", event.machine == "m3" else { return }
                let interrupter = run.interrupter
                DispatchQueue.global().async { interrupter.interrupt(grace: 0.2, reason: "received SIGINT", exitCode: 130) }
            })
        #expect(outcome.exitCode == 130)
        // m1 ends at once and m3 takes its place; m4 never starts.
        #expect(statuses(events) == ["ok", "interrupted", "interrupted", "skipped"])
        #expect(events.first { $0.event == "result" }?["status"]?.stringValue == "interrupted")
    }

    @Test func createdMachinesAreListedWithWhetherTheRunDeletedThem() {
        let tally = MachineTally()
        let fleet = FleetMonitor(tally: tally, policy: FailurePolicy(), reporter: Reporter(redactor: SecretRedactor(), sinks: []))
        for i in 1...12 { fleet.machineCreated("dm-\(i)") }
        fleet.machineDeleted("dm-1")
        let recap = Recap.event(tally: tally, created: fleet.createdMachines, exitCode: 130, duration: 1, record: "/r.jsonl")
        #expect(recap["created"]?.arrayValue?.count == 12)
        #expect(recap["created"]?[0]?["deleted"] == .bool(true))
        let text = RecapTable.render(recap, quiet: false) ?? ""
        #expect(text.contains("created 12 machines; still there: dm-2 dm-3"))
        #expect(text.contains("and 1 more (the record lists them)"))
        #expect(text.hasSuffix("record: /r.jsonl"))
    }

    @Test func quietRecapShowsOnlyMachinesThatDidNotEndWell() async throws {
        let (_, events) = try await run(failSome, machines: 5)
        let quiet = RecapTable.render(try #require(events.last), quiet: true) ?? ""
        #expect(quiet.split(separator: "\n").filter { $0.hasPrefix("m") }.map { String($0.prefix(2)) } == ["m2", "m4"])
        #expect(quiet.contains("RECAP 5 machines: 3 ok, 2 failed"))
    }
}
