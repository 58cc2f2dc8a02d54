import ClawrunCore
import Foundation
import Testing

/// The OpenClaw simulator inside a local machine, driven by the seed's own command lines.
@Suite(.serialized) struct SimulatorInMachineTests {
    @Test func aTokenChangeOnDiskTakesEffectInTheSameProcess() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "greet=false"])
        let script = try clawrun.script("swap", """
            local m = targets()[1]
            local old = token.get(m)
            local pid_before = exec(m, "pgrep -f '^openclaw-gateway'")
            local health = exec(m, "openclaw gateway call health", {env = openclaw.env})
            local page = exec(m, "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18789/")
            local new = token.generate()
            local t0 = now()
            openclaw.config_set(m, "gateway.auth.token", new)
            local swapped
            repeat
              local ok = pcall(chat, m, "ping", {token = new, timeout = 5})
              if ok then swapped = now() - t0 break end
              sleep(0.05)
            until now() - t0 > 10
            local old_ok, old_err = pcall(chat, m, "ping", {token = old, timeout = 5})
            token.save(m, new)
            local pid_after = exec(m, "pgrep -f '^openclaw-gateway'")
            return {same_pid = pid_before == pid_after, swapped_after = swapped, old_refused = not old_ok
                    and tostring(old_err):find("401", 1, true) ~= nil, health = health:find("Gateway call: health", 1, true) ~= nil,
                    page = page}
            """)
        let run = try await clawrun([script, "--machine", id, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.value?["same_pid"] == .bool(true))
        #expect(run.value?["old_refused"] == .bool(true))
        #expect(run.value?["health"] == .bool(true))
        #expect(run.value?["page"]?.stringValue == "200")
        #expect(run.value?["swapped_after"]?.doubleValue != nil, "the new token never worked")
    }
}
