import ClawrunCore
import Foundation
import Testing

/// A workflow that fails on a machine when a marker file exists in it.
let markerWorkflow = """
    parallel(targets(), function(m)
      step("check", function()
        exec(m, "if test -e /home/machine/fail-marker; then echo 'marker present' >&2; exit 3; fi")
      end)
    end)
    """

extension EndToEnd {
    @Suite struct FleetFailure {
        @Test("40 machines, one fails: the others finish, the recap names it, --retry-failed runs it alone")
        func oneFailureThenRetry() async throws {
            try await ClawrunHome.with { home in
                let ids = try await home.createMachines(40)
                let bad = ids[17]
                let list = try home.write("fleet.txt", "# the fleet\n" + ids.map { "\($0)\n" }.joined() + "\n")
                let marker = try home.write("marker.lua", "exec(targets()[1], args.op .. ' /home/machine/fail-marker')")
                #expect(try await home.run([marker, "--machine", bad, "--set", "op=touch", "-q"]).status == 0)
                let fleet = try home.write("fleet.lua", markerWorkflow)

                let first = try await home.run([fleet, "--machines", "@" + list, "--json"])
                #expect(first.status == 1)
                let recap = try #require(first.events.last)
                #expect(recap.event == "recap")
                let rows = recap["machines"]?.arrayValue ?? []
                #expect(rows.count == 40)
                let failed = rows.filter { $0["status"]?.stringValue == "failed" }
                #expect(failed.map { $0["machine"]?.stringValue } == [bad])
                #expect(failed.first?["error"]?.stringValue?.contains("marker present") == true)
                #expect(rows.filter { $0["status"]?.stringValue == "ok" }.count == 39)
                #expect(recap["totals"]?["failed"]?.intValue == 1)
                #expect(first.stderr.contains("RECAP 40 machines: 39 ok, 1 failed"))
                #expect(first.stderr.split(separator: "\n").contains { $0.hasPrefix(bad) && $0.contains("failed") })

                // Still failing: the retry runs that machine alone and fails again.
                let again = try await home.run([fleet, "--retry-failed", "--json"])
                #expect(again.status == 1)
                #expect(again.events.first { $0.event == "targets" }?["machines"] == .array([.string(bad)]))

                #expect(try await home.run([marker, "--machine", bad, "--set", "op=rm -f", "-q"]).status == 0)
                let fixed = try await home.run([fleet, "--retry-failed", "--json"])
                #expect(fixed.status == 0)
                #expect(fixed.stderr.contains("retrying 1 machine from"))
                #expect(fixed.events.last?["machines"]?.arrayValue?.map { $0["machine"]?.stringValue } == [bad])

                let nothing = try await home.run([fleet, "--retry-failed"])
                #expect(nothing.status == 0)
                #expect(nothing.stderr.contains("nothing to retry"))
            }
        }
    }
}
