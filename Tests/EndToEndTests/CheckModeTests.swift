import ClawrunCore
import Foundation
import Testing

/// `--check` and `--diff` (issue 16): a check/apply step runs only its check, the recap says per
/// machine what would change, and nothing on any machine changes; the real run then changes
/// exactly the machines the plan named. The configure step is plugins/openclaw.lua's; the
/// values it wants follow the seed guide (gateway.mode local, token auth, chat endpoint).
@Suite(.serialized) struct CheckModeTests {
    static let configure = """
        local oc = require("openclaw")
        params{}
        parallel(targets(), function(m)
          if not checking() then oc.install(m) end
          oc.configure(m, {})
        end)
        """

    /// Per machine: the config file's mode and the hash of its bytes (never the bytes: the token).
    static let fingerprint = """
        local out = {}
        for _, m in ipairs(targets()) do
          out[#out + 1] = exec(m, {"/bin/bash", "-c", 'stat -c %a "$1" && /usr/bin/sha256sum < "$1"', "x", openclaw.config_path})
        end
        return out
        """

    @Test func checkShowsOnlyTheMachineThatDiffersAndChangesNothingThenTheRunChangesExactlyIt() async throws {
        try await ClawrunHome.with { home in
            let ids = try await home.createMachines(3)
            let targets = ids.flatMap { ["--machine", $0] }
            let configure = try home.write("configure.lua", Self.configure)
            let fingerprint = try home.write("fingerprint.lua", Self.fingerprint)
            let setup = try await home.run([configure, "--json"] + targets)
            #expect(setup.status == 0, "\(setup.stderr)")
            let drift = try home.write("drift.lua", "openclaw.config_set(targets()[1], 'gateway.mode', 'remote')")
            #expect(try await home.run([drift, "--machine", ids[1]]).status == 0)
            let before = try await home.run([fingerprint, "--json"] + targets)
            #expect(before.status == 0, "\(before.stderr)")

            let plan = try await home.run([configure, "--json", "--check", "--diff"] + targets)
            #expect(plan.status == 0, "\(plan.stderr)")
            let rows = try #require(plan.events.last { $0.event == "recap" }?["machines"]?.arrayValue)
            let wouldChange = Dictionary(uniqueKeysWithValues: rows.map {
                ($0["machine"]?.stringValue ?? "", $0["would_change"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            })
            #expect(wouldChange[ids[0]] == [] && wouldChange[ids[2]] == [], "\(wouldChange)")
            #expect(wouldChange[ids[1]] == ["config: gateway.mode"], "\(wouldChange)")
            #expect(plan.events.last { $0.event == "recap" }?["check"] == .bool(true))
            #expect(plan.stderr.contains("diff: gateway.mode: remote -> local"), "\(plan.stderr)")
            #expect(plan.stderr.contains("CHECK: nothing was changed"))
            let after = try await home.run([fingerprint, "--json"] + targets)
            #expect(after.events.last { $0.event == "result" }?["value"] == before.events.last { $0.event == "result" }?["value"],
                    "--check changed a machine")

            let real = try await home.run([configure, "--json"] + targets)
            #expect(real.status == 0, "\(real.stderr)")
            let changed = real.events.filter { $0.event == "step_end" && $0["status"]?.stringValue == "changed" }.compactMap(\.machine)
            #expect(changed == [ids[1]], "\(real.stderr)")
            let fixed = try await home.run([fingerprint, "--json"] + targets)
            let was = before.events.last { $0.event == "result" }?["value"]?.arrayValue ?? []
            let now = fixed.events.last { $0.event == "result" }?["value"]?.arrayValue ?? []
            #expect(now.count == 3 && was.count == 3)
            #expect(now.first == was.first && now.last == was.last && now[safe: 1] != was[safe: 1])
            let again = try await home.run([configure, "--json", "--check"] + targets)
            #expect(!again.events.contains { $0["status"]?.stringValue == "would_change" }, "\(again.stderr)")
        }
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
