import ClawrunCore
import Foundation
import Testing

/// wake-recover as cron runs it (`--all`) over a fleet in every state a gateway machine can be in,
/// on local machines with the OpenClaw simulator: it touches exactly the machines that should be
/// serving and are not, leaves asleep and never-deployed machines as they were, and says so in
/// its recap. The machines' state is read before and after each run.
@Suite(.serialized) struct WakeRecoverCronTests {
    /// What a machine looks like from outside, read without waking it.
    struct Seen: Equatable {
        var phase: String
        var pid: String?
        var alive = false
        var healthz: String?
        var startScript = false
        var openclawDir = false
    }

    static let probe = """
        local out = {}
        for _, m in ipairs(targets()) do
          local r = {phase = m.phase}
          if m.phase == "running" then
            local line = exec(m, {"/bin/bash", "-c", [[
              pid=$(cat /home/machine/.openclaw/gateway.pid 2>/dev/null)
              alive=no; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=yes
              code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' http://127.0.0.1:18789/healthz)
              script=no; [ -e /home/machine/start-gateway.sh ] && script=yes
              dir=no; [ -e /home/machine/.openclaw ] && dir=yes
              echo "${pid:--} $alive $code $script $dir"]]})
            local pid, alive, code, script, dir = line:match("^(%S+) (%S+) (%S+) (%S+) (%S+)$")
            r.pid, r.alive, r.healthz, r.script, r.dir = pid ~= "-" and pid or nil, alive == "yes", code, script == "yes", dir == "yes"
          end
          out[m.id] = r
        end
        return out
        """

    static func look(_ clawrun: Clawrun, _ ids: [String]) throws -> [String: Seen] {
        let run = try clawrun([try clawrun.script("probe", probe), "--json", "-q"] + ids.flatMap { ["--machine", $0] })
        guard run.status == 0, case .object(let members)? = run.value else {
            throw Clawrun.Failure("probe failed (\(run.status)): \(run.stderr)")
        }
        var seen: [String: Seen] = [:]
        for (id, v) in members {
            seen[id] = Seen(phase: v["phase"]?.stringValue ?? "?", pid: v["pid"]?.stringValue,
                            alive: v["alive"]?.boolValue ?? false, healthz: v["healthz"]?.stringValue,
                            startScript: v["script"]?.boolValue ?? false, openclawDir: v["dir"]?.boolValue ?? false)
        }
        return seen
    }

    /// The recap's status of each machine.
    static func recap(_ run: Clawrun.Run) -> [String: String] {
        let rows = run.events.last { $0["event"]?.stringValue == "recap" }?["machines"]?.arrayValue ?? []
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in
            row["machine"]?.stringValue.map { ($0, row["status"]?.stringValue ?? "?") }
        })
    }

    static func ids(_ value: JSONValue?) -> Set<String> {
        Set((value?.arrayValue ?? []).compactMap { $0.stringValue ?? $0["id"]?.stringValue })
    }

    @Test func cronRunTouchesExactlyTheMachinesThatShouldServeAndAreNot() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        // Seven machines: healthy, dead, wedged (SIGSTOP: the process is up, /healthz silent), a
        // stale process on the port, asleep (deployed), never deployed (running) and never
        // deployed (asleep).
        let made = try clawrun([try clawrun.script("make", """
            local items = {}
            for i = 1, 7 do items[i] = i end
            local ids = {}
            for i, o in ipairs(parallel(items, function()
              local m = machine.create{memory_mib = 512}
              wait_phase(m, "running")
              return m.id
            end)) do ids[i] = o.value end
            return ids
            """), "--json", "-q"])
        let all = (made.value?.arrayValue ?? []).compactMap { $0.stringValue }
        try #require(all.count == 7, "\(made.stderr)")
        let (healthy, dead, wedged, stale, asleep, bare, bareAsleep) = (all[0], all[1], all[2], all[3], all[4], all[5], all[6])
        let deploy = try clawrun.workflow("deploy", [healthy, dead, wedged, stale, asleep].flatMap { ["--machine", $0] }
                                          + ["--set", "greet=false"])
        try #require(deploy.status == 0, "\(deploy.stderr)")
        let breaker = try clawrun.script("break", """
            local what = {[args.dead] = "dead", [args.wedged] = "wedged", [args.stale] = "stale",
                          [args.asleep] = "asleep", [args.bare_asleep] = "asleep"}
            for _, m in ipairs(targets()) do
              local how = what[m.id]
              local pidfile = "/home/machine/.openclaw/gateway.pid"
              if how == "dead" then
                exec(m, {"/bin/bash", "-c", "kill -9 $(cat " .. pidfile .. ")"})
              elseif how == "wedged" then
                exec(m, {"/bin/bash", "-c", "kill -STOP $(cat " .. pidfile .. ")"})
              elseif how == "stale" then
                exec(m, {"/bin/bash", "-c", "pid=$(cat " .. pidfile .. "); kill -9 $pid; " ..
                         "while kill -0 $pid 2>/dev/null; do sleep 0.02; done; " ..
                         "setsid python3 -m http.server 18789 --bind 127.0.0.1 </dev/null &>/dev/null & disown; " ..
                         "until ss -tlnH 'sport = :18789' | grep -q .; do sleep 0.02; done"})
              elseif how == "asleep" then
                machine.sleep(m)
                wait_phase(m, "sleeping")
              end
            end
            """)
        let broken = try clawrun([breaker, "--set", "dead=\(dead)", "--set", "wedged=\(wedged)", "--set", "stale=\(stale)",
                                  "--set", "asleep=\(asleep)", "--set", "bare_asleep=\(bareAsleep)", "-q"]
                                 + [dead, wedged, stale, asleep, bareAsleep].flatMap { ["--machine", $0] })
        try #require(broken.status == 0, "\(broken.stderr)")
        let before = try Self.look(clawrun, all)
        #expect(before[healthy]?.healthz == "200")
        #expect(before[dead]?.alive == false)
        #expect(before[wedged]?.alive == true && before[wedged]?.healthz != "200")
        #expect(before[stale]?.alive == false && before[stale]?.healthz != "200")
        #expect(before[asleep]?.phase == "sleeping" && before[bareAsleep]?.phase == "sleeping")
        #expect(before[bare]?.startScript == false)

        let cron = try clawrun.workflow("wake-recover", ["--all"])
        #expect(cron.status == 0, "\(cron.stderr)")
        let after = try Self.look(clawrun, all)
        // The healthy gateway is the same process; the broken ones are new and healthy.
        #expect(after[healthy] == before[healthy])
        for id in [dead, wedged, stale] {
            #expect(after[id]?.healthz == "200" && after[id]?.alive == true, "\(id): \(String(describing: after[id]))")
            #expect(after[id]?.pid != before[id]?.pid)
        }
        // Asleep stays asleep; never deployed stays as it was: no start script, no state folder.
        #expect(after[asleep]?.phase == "sleeping")
        #expect(after[bareAsleep]?.phase == "sleeping")
        #expect(after[bare] == before[bare])
        #expect(after[bare]?.openclawDir == false)
        #expect(Self.ids(cron.value?["recovered"]) == [dead, wedged, stale])
        #expect(Self.ids(cron.value?["healthy"]) == [healthy])
        #expect(Self.ids(cron.value?["skipped"]) == [asleep, bare, bareAsleep])
        #expect(Self.recap(cron) == [healthy: "ok", dead: "changed", wedged: "changed", stale: "changed",
                                     asleep: "skipped", bare: "skipped", bareAsleep: "skipped"])
        #expect(cron.stderr.contains("gateway wedged: pid"))
        #expect(cron.stderr.contains("ended the stale holder(s) of the gateway port: python3 -m http.server 18789"))
        // No chat unless asked: a cron run makes no LLM call.
        #expect(!cron.all.contains("Are you back?"))

        // Machines left alone on purpose are not failures: --retry-failed has nothing to run again.
        let retry = try clawrun.workflow("wake-recover", ["--retry-failed"])
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(retry.stderr.contains("nothing to retry"), "\(retry.stderr)")

        // With wake=true the deployed sleeper is woken and serves; the bare sleeper is woken only to
        // read its record, and put back to sleep.
        let woken = try clawrun.workflow("wake-recover", ["--all", "--set", "wake=true", "--set", "chat=true"])
        #expect(woken.status == 0, "\(woken.stderr)")
        let later = try Self.look(clawrun, all)
        #expect(later[asleep]?.phase == "running" && later[asleep]?.healthz == "200")
        #expect(later[bareAsleep]?.phase == "sleeping")
        #expect(later[bare]?.startScript == false)
        #expect(later[healthy] == before[healthy])
        #expect(Self.ids(woken.value?["recovered"]) == [asleep])
        #expect(Self.ids(woken.value?["healthy"]) == [healthy, dead, wedged, stale])
        #expect(Self.recap(woken)[asleep] == "changed")
        #expect(Self.recap(woken)[bare] == "skipped")
        #expect(woken.stderr.contains("Echo: Are you back?"))
    }
}
