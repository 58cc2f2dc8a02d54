import ClawrunCore
import Foundation
import Testing

/// `deploy --check` and `wake-recover --check` (issue 16) on local machines with the simulator: the
/// plan names exactly what a run would change on each machine and changes nothing; the real deploy
/// then changes exactly that, and a second plan finds nothing to do. `base_url` gives the gateways the offline
/// model, so that the chats of the real deploys are answered without an LLM key.
@Suite(.serialized) struct DeployCheckTests {
    static let deploy = workflow("deploy")

    /// A bundled workflow's path.
    static func workflow(_ name: String) -> String {
        Clawrun.packageRoot.appendingPathComponent("workflows/\(name).lua").path
    }
    static let offline = ["--set", "base_url=http://127.0.0.1:11434/v1"]

    /// Per machine: hashes of the config file, the start script and the deploy record (never their
    /// bytes: the config holds the token), and the gateway's PID.
    static let fingerprint = """
        local out = {}
        for _, m in ipairs(targets()) do
          out[m.id] = exec(m, {"/bin/bash", "-c", [[
            for f in "$1" "$2" "$3"; do /usr/bin/sha256sum < "$f" | cut -d' ' -f1; done
            cat "$4" 2>/dev/null || echo "no gateway"]], "x", openclaw.config_path, openclaw.layout.start_script, "/home/machine/.clawrun/deployment.json",
            openclaw.layout.pid_file})
        end
        return out
        """

    /// The drift: machine 2's gateway stopped and a line added to its start script.
    static let drift = """
        local m = targets()[1]
        require("openclaw").stop(m)
        exec(m, {"/bin/bash", "-c", 'echo "# edited by hand" >> "$1"', "x", openclaw.layout.start_script})
        """

    @Test func checkPlansOnlyTheDriftedMachineAndTheDeployChangesExactlyThat() async throws {
        try await ClawrunHome.with { home in
            let ids = try await home.createMachines(3)
            let targets = ids.flatMap { ["--machine", $0] }
            let first = try await home.run([Self.deploy, "--json"] + Self.offline + targets)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try await home.run([try home.write("drift.lua", Self.drift), "--machine", ids[1]]).status == 0)
            let fingerprint = try home.write("fingerprint.lua", Self.fingerprint)
            let before = try await home.run([fingerprint, "--json"] + targets)
            #expect(before.status == 0, "\(before.stderr)")

            let plan = try await home.run([Self.deploy, "--json", "--check"] + Self.offline + targets)
            #expect(plan.status == 0, "\(plan.stderr)")
            let wouldChange = try Self.recapChanges(plan, "would_change")
            #expect(wouldChange[ids[0]] == [] && wouldChange[ids[2]] == [], "\(wouldChange)")
            #expect(wouldChange[ids[1]] == ["start-script: rewrite /home/machine/start-gateway.sh", "launch: start the gateway"],
                    "\(wouldChange)")
            let planned = Self.steps(plan, status: "would_change")
            #expect(planned.map(\.machine) == [ids[1], ids[1]] && planned.map(\.step) == ["start-script", "launch"])
            // What the plan cannot verify on the drifted machine is skipped, not pretended; the
            // other machines are verified; no machine gets a chat.
            #expect(Self.steps(plan, status: "skipped").filter { $0.step == "check" }.map(\.machine) == [ids[1]])
            #expect(Set(Self.steps(plan, status: "ok").filter { $0.step == "check" }.map(\.machine)) == [ids[0], ids[2]])
            #expect(Set(Self.steps(plan, status: "skipped").filter { $0.step == "chat" }.map(\.machine)) == Set(ids))
            #expect(!plan.events.contains { $0.event == "step_end" && $0["status"]?.stringValue == "changed" })
            let unchanged = try await home.run([fingerprint, "--json"] + targets)
            #expect(Self.result(unchanged) == Self.result(before), "--check changed a machine")

            let real = try await home.run([Self.deploy, "--json"] + Self.offline + targets)
            #expect(real.status == 0, "\(real.stderr)")
            let changed = Self.steps(real, status: "changed")
            #expect(changed.map(\.machine) == [ids[1], ids[1]] && changed.map(\.step) == ["start-script", "launch"],
                    "\(real.stderr)")
            #expect(real.stderr.contains("Echo: Hello! What are you?"))
            let after = try await home.run([fingerprint, "--json"] + targets)
            let was = Self.result(before), now = Self.result(after)
            #expect(now?[ids[0]] == was?[ids[0]] && now?[ids[2]] == was?[ids[2]], "a machine without drift changed")
            let lines = { (id: String, value: JSONValue?) in value?[id]?.stringValue?.split(separator: "\n").map(String.init) ?? [] }
            // Config and deploy record as they were; a new start script and a new gateway.
            #expect(lines(ids[1], now)[0] == lines(ids[1], was)[0] && lines(ids[1], now)[2] == lines(ids[1], was)[2])
            #expect(lines(ids[1], now)[1] != lines(ids[1], was)[1] && lines(ids[1], now).count == 4)

            let again = try await home.run([Self.deploy, "--json", "--check"] + Self.offline + targets)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try Self.recapChanges(again, "would_change").values.allSatisfy(\.isEmpty), "\(again.stderr)")
            #expect(Self.steps(again, status: "would_change").isEmpty && again.stderr.contains("no machine would change"))
        }
    }

    @Test func checkWithoutTargetsSaysWhatItWouldCreateAndCreatesNothing() async throws {
        try await ClawrunHome.with { home in
            let list = try home.write("list.lua", "local n = 0; for _ in ipairs(machine.list()) do n = n + 1 end; return n")
            let plan = try await home.run([Self.deploy, "--json", "--check", "--set", "count=3", "--set", "vcpu=1"])
            #expect(plan.status == 0, "\(plan.stderr)")
            let create = "create: 3 machines (1 vCPU, 4096 MiB memory, 10 GiB storage each, autosleep never)"
            #expect(Self.steps(plan, status: "would_change").map(\.step) == ["create"])
            #expect(plan.events.last { $0.event == "recap" }?["would_change"] == .array([.string(create)]))
            #expect(plan.stderr.contains("the run would:\n    \(create)"), "\(plan.stderr)")
            #expect(plan.stderr.contains("nothing to inspect on machines that do not exist yet"))
            #expect(!plan.events.contains { $0.event == "machine_created" })
            #expect(Self.result(try await home.run([list, "--json"])) == .int(0))
        }
    }

    @Test func aSleepingTargetWouldBeWokenAndNothingMoreIsPlanned() async throws {
        try await ClawrunHome.with { home in
            let ids = try await home.createMachines(1)
            #expect(try await home.run([Self.deploy, "--json", "--set", "greet=false", "--machine", ids[0]]).status == 0)
            let sleep = try home.write("sleep.lua", """
                local m = targets()[1]
                machine.sleep(m)
                wait_phase(m, "sleeping")
                return machine.get(m).phase
                """)
            #expect(Self.result(try await home.run([sleep, "--json", "--machine", ids[0]])) == .string("sleeping"))
            let plan = try await home.run([Self.deploy, "--json", "--check", "--machine", ids[0]])
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(try Self.recapChanges(plan, "would_change")[ids[0]] == ["wake: the machine is sleeping"])
            #expect(plan.events.filter { $0.event == "step_end" }.compactMap(\.step) == ["wake"])
            #expect(plan.stderr.contains("a sleeping machine takes no exec, so nothing after the wake is planned for it"))
            let phase = try home.write("phase.lua", "return machine.get(targets()[1]).phase")
            #expect(Self.result(try await home.run([phase, "--json", "--machine", ids[0]])) == .string("sleeping"))
        }
    }

    @Test func wakeRecoverCheckNamesTheMachinesItWouldWakeAndRestartAndTouchesNone() async throws {
        try await ClawrunHome.with { home in
            let ids = try await home.createMachines(3)
            let targets = ids.flatMap { ["--machine", $0] }
            let first = try await home.run([Self.deploy, "--json", "--set", "greet=false"] + targets)
            #expect(first.status == 0, "\(first.stderr)")
            let drift = try home.write("drift.lua", """
                local ms = targets()
                require("openclaw").stop(ms[1])
                machine.sleep(ms[2])
                wait_phase(ms[2], "sleeping")
                """)
            #expect(try await home.run([drift, "--machine", ids[0], "--machine", ids[1]]).status == 0)
            let look = try home.write("look.lua", """
                local out = {}
                for _, m in ipairs(targets()) do
                  local phase = machine.get(m).phase
                  out[m.id] = phase == "running" and (require("openclaw").gateway_pid(m) or "no gateway") or phase
                end
                return out
                """)
            let before = try await home.run([look, "--json"] + targets)
            #expect(Self.result(before)?[ids[0]] == .string("no gateway") && Self.result(before)?[ids[1]] == .string("sleeping"))

            let plan = try await home.run([Self.workflow("wake-recover"), "--json", "--check", "--set", "wake=true"] + targets)
            #expect(plan.status == 0, "\(plan.stderr)")
            let wouldChange = try Self.recapChanges(plan, "would_change")
            #expect(wouldChange[ids[0]] == ["launch: start the gateway"], "\(wouldChange)")
            #expect(wouldChange[ids[1]] == ["wake: the machine is sleeping"] && wouldChange[ids[2]] == [], "\(wouldChange)")
            let value = Self.result(plan)
            #expect(value?["would_recover"] == .array([.string(ids[0])]) && value?["would_wake"] == .array([.string(ids[1])]))
            #expect(value?["healthy"] == .array([.string(ids[2])]))
            #expect(Self.result(try await home.run([look, "--json"] + targets)) == Self.result(before), "--check changed a machine")
        }
    }

    /// Each machine's `would_change` (or `changes`) list in the run's recap.
    static func recapChanges(_ run: ClawrunHome.Outcome, _ key: String) throws -> [String: [String]] {
        let rows = try #require(run.events.last { $0.event == "recap" }?["machines"]?.arrayValue)
        return Dictionary(uniqueKeysWithValues: rows.map {
            ($0["machine"]?.stringValue ?? "", $0[key]?.arrayValue?.compactMap(\.stringValue) ?? [])
        })
    }

    /// The steps that ended with `status`, in order.
    static func steps(_ run: ClawrunHome.Outcome, status: String) -> [(machine: String?, step: String?)] {
        run.events.filter { $0.event == "step_end" && $0["status"]?.stringValue == status }.map { ($0.machine, $0.step) }
    }

    /// The workflow's return value.
    static func result(_ run: ClawrunHome.Outcome) -> JSONValue? {
        run.events.last { $0.event == "result" }?["value"]
    }
}
