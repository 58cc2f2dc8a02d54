import ClawrunCore
import Foundation
import Testing

extension EndToEnd {
    @Suite struct Interrupt {
        @Test("SIGINT: no new work starts, the wait is bounded, the record names every machine created")
        func sigint() async throws {
            try await ClawrunHome.with { home in
                let script = try home.write("grow.lua", """
                    local items = {}
                    for i = 1, 6 do items[i] = i end
                    parallel(items, function()
                      local m = machine.create{memory_mib = 256}
                      wait_phase(m, "running", {timeout = 120})
                      log.info("ready " .. m.id)
                      sleep(600)
                    end, {limit = 3})
                    """)
                let run = try home.start([script, "--json", "--grace", "1"])
                try await run.wait { $0.components(separatedBy: "ready dm-").count == 4 }
                run.signal(SIGINT)
                let outcome = await run.finish()
                #expect(outcome.status == 130)
                let created = outcome.events.filter { $0.event == "machine_created" }.compactMap(\.machine)
                #expect(created.count == 3)
                let recap = try #require(outcome.events.last)
                #expect(recap.event == "recap")
                // Machines created at once are counted (the recap's order) and announced (the events'
                // order) by concurrent tasks: the two orders may differ, the machines may not.
                let listed = recap["created"]?.arrayValue?.compactMap { $0["machine"]?.stringValue } ?? []
                #expect(listed.count == created.count && Set(listed) == Set(created))
                let stillThere = outcome.stderr.split(separator: "\n").first { $0.contains("still there: ") }
                    .map { $0.components(separatedBy: "still there: ").last ?? "" } ?? ""
                #expect(Set(stillThere.split(separator: " ").map(String.init)) == Set(created))
                let recordPath = try #require(recap["record"]?.stringValue)
                let record = try String(contentsOfFile: recordPath, encoding: .utf8).split(separator: "\n")
                    .compactMap { (try? JSONValue.parse(String($0))).flatMap(RunEvent.init(json:)) }
                #expect(Set(record.filter { $0.event == "machine_created" }.compactMap(\.machine)) == Set(created))
                #expect(record.last?.event == "recap")
                #expect(outcome.events.first { $0.event == "result" }?["status"]?.stringValue == "interrupted")
            }
        }

        @Test("SIGTERM: work in flight finishes within the grace, the rest is skipped, exit 143, --retry-failed takes the skipped")
        func sigterm() async throws {
            try await ClawrunHome.with { home in
                let ids = try await home.createMachines(4)
                let script = try home.write("slow.lua", """
                    parallel(targets(), function(m)
                      step("work", function()
                        log.info("working on " .. m.id)
                        sleep(tonumber(args.seconds))
                      end)
                    end)
                    """)
                let run = try home.start([script, "--parallel", "2", "--json", "--grace", "600", "--set", "seconds=2"]
                                         + ids.flatMap { ["--machine", $0] })
                try await run.wait { $0.components(separatedBy: "working on").count == 3 }
                run.signal(SIGTERM)
                let outcome = await run.finish()
                #expect(outcome.status == 143)
                let rows = outcome.events.last?["machines"]?.arrayValue ?? []
                #expect(rows.compactMap { $0["status"]?.stringValue } == ["ok", "ok", "skipped", "skipped"])
                #expect(rows.last?["error"]?.stringValue == "skipped: the run was interrupted")
                let retry = try await home.run([script, "--retry-failed", "--json", "--set", "seconds=0"])
                #expect(retry.status == 0)
                #expect(retry.events.first { $0.event == "targets" }?["machines"]?.arrayValue?.compactMap(\.stringValue)
                        == Array(ids.suffix(2)))
            }
        }
    }
}
