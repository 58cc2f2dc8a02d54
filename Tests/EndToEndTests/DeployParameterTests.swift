import ClawrunCore
import Foundation
import Testing

/// deploy's parameters of issue 15 on local machines with the simulator: `count`, the deliberate
/// autosleep, waking a sleeping target, and the deployment record it leaves in each machine.
@Suite(.serialized) struct DeployParameterTests {
    @Test func countCreatesThatManyMachinesEachRecordedWithAutosleepOff() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let run = try await clawrun.workflow("deploy", ["--set", "count=2", "--set", "greet=false"])
        #expect(run.status == 0, "\(run.stderr)")
        let ids = run.value?["machines"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(ids.count == 2)
        let look = try clawrun.script("look", """
            local out = {}
            for _, m in ipairs(targets()) do
              out[m.id] = {autosleep = machine.get(m).autosleep_seconds, record = require("deployment").read(m)}
            end
            return out
            """)
        let state = try await clawrun.workflow(look, ids.flatMap { ["--machine", $0] })
        for id in ids {
            let entry = state.value?[id]
            // autosleep=never: a sleeping gateway receives no message (README, Install, deploy and upgrade).
            #expect(entry?["autosleep"]?.intValue == 0)
            #expect(entry?["record"]?["install"]?.stringValue == "simulator")
            #expect(entry?["record"]?["openclaw_version"]?.stringValue == "2026.4.12")
            #expect(entry?["record"]?["deployed_at"]?.stringValue?.hasSuffix("Z") == true)
        }
        let withTarget = try await clawrun.workflow("deploy", ["--machine", ids[0], "--set", "count=3"])
        #expect(withTarget.status == 2)
        #expect(withTarget.stderr.contains("--set count=N creates new machines, so it cannot go with --machine or --all"))
    }

    @Test func deployWakesASleepingTargetInsteadOfWaiting() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "greet=false"])
        let sleeper = try clawrun.script("sleep", """
            for _, m in ipairs(targets()) do machine.sleep(m); wait_phase(m, "sleeping") end
            """)
        #expect(try await clawrun([sleeper, "--machine", id]).status == 0)
        // timeout=20s: waiting for `running` without a wake would fail, not pass slowly.
        let again = try await clawrun.workflow("deploy", ["--machine", id, "--set", "greet=false", "--set", "timeout=20s"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("woke \(id)"))
        #expect(again.stderr.contains("launched the gateway"))
        #expect(again.stderr.contains("token accepted"))
    }
}
