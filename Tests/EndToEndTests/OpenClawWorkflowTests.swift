import ClawrunCore
import Foundation
import Testing

/// The bundled OpenClaw workflows, run through the built `clawrun` on local machines with the
/// OpenClaw simulator. Serialized: each test starts machines and gateways on a shared host.
@Suite(.serialized) struct OpenClawWorkflowTests {
    @Test func deployThenChat() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, deploy) = try clawrun.deploy()
        #expect(deploy.stderr.contains("Echo: Hello! What are you?"))
        #expect(deploy.stderr.contains("Echo: What can you do for me?"))
        let token = try #require(clawrun.recordedToken(id))
        let attributes = try FileManager.default.attributesOfItem(atPath: clawrun.home.appendingPathComponent("tokens/\(id)").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(!deploy.all.contains(token), "the gateway token leaked into the output")

        let chat = try clawrun.workflow("chat", ["--machine", id, "--set", "message=How are you?"])
        #expect(chat.status == 0, "\(chat.stderr)")
        #expect(chat.value?["replies"]?[0]?["reply"]?.stringValue == "Echo: How are you?")
        #expect(!chat.all.contains(token))

        let stream = try clawrun.workflow("chat", ["--machine", id, "--set", "message=streamed", "--set", "stream=true"])
        #expect(stream.value?["replies"]?[0]?["reply"]?.stringValue == "Echo: streamed")
        #expect((stream.value?["replies"]?[0]?["chunks"]?.intValue ?? 0) >= 3)
    }

    @Test func secondDeployChangesNothing() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, first) = try clawrun.deploy(["--set", "greet=false"])
        #expect(first.events.contains { $0["status"]?.stringValue == "changed" })
        let token = clawrun.recordedToken(id)
        let second = try clawrun.workflow("deploy", ["--machine", id, "--set", "greet=false"])
        #expect(second.status == 0, "\(second.stderr)")
        let statuses = second.events.filter { $0["event"]?.stringValue == "step_end" }.compactMap { $0["status"]?.stringValue }
        #expect(!statuses.isEmpty)
        #expect(!statuses.contains("changed"), "second deploy changed something:\n\(second.stderr)")
        #expect(second.stderr.contains("already installed"))
        #expect(second.stderr.contains("config already as wanted"))
        #expect(second.stderr.contains("gateway already running"))
        #expect(clawrun.recordedToken(id) == token)
    }

    @Test func sleepThenWakeRecoverBringsTheGatewayBack() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let sleeper = try clawrun.script("sleep", """
            for _, m in ipairs(targets()) do machine.sleep(m); wait_phase(m, "sleeping") end
            """)
        let slept = try clawrun([sleeper, "--machine", id])
        #expect(slept.status == 0, "\(slept.stderr)")
        let recover = try clawrun.workflow("wake-recover", ["--machine", id])
        #expect(recover.status == 0, "\(recover.stderr)")
        #expect(recover.stderr.contains("launched the gateway"))
        #expect(recover.stderr.contains("Echo: Are you back?"))
        #expect(recover.value?["recovered"]?[0]?.stringValue == id)
        // A second run finds it running and starts no second gateway.
        let again = try clawrun.workflow("wake-recover", ["--machine", id])
        #expect(again.status == 0)
        #expect(again.stderr.contains("gateway already running"))
        let count = try clawrun([try clawrun.script("count", """
            local out = exec(targets()[1], {"bash", "-c", "pgrep -fc '^openclaw-gateway'"})
            return {gateways = tonumber(out)}
            """), "--machine", id, "--json"])
        #expect(count.value?["gateways"]?.intValue == 1)
    }

    @Test func rotateTokenRefusesTheOldToken() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let old = try #require(clawrun.recordedToken(id))
        let rotate = try clawrun.workflow("rotate-token", ["--machine", id])
        #expect(rotate.status == 0, "\(rotate.stderr)")
        #expect(rotate.stderr.contains("new token: 200; old token: 401"))
        let new = try #require(clawrun.recordedToken(id))
        #expect(new != old)
        #expect(!rotate.all.contains(new) && !rotate.all.contains(old))

        let withNew = try clawrun.workflow("chat", ["--machine", id, "--set", "message=new"])
        #expect(withNew.status == 0)
        #expect(withNew.value?["replies"]?[0]?["reply"]?.stringValue == "Echo: new")
        let withOld = try clawrun.workflow("chat", ["--machine", id, "--set", "token=\(old)"])
        #expect(withOld.status == 1)
        #expect(withOld.stderr.contains("HTTP 401"))
        #expect(withOld.stderr.contains("the token given in opts.token"))
        #expect(!withOld.stderr.contains(old))
    }

    @Test func loadTestInsidePercentilesMatchTheTimings() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let csv = clawrun.home.appendingPathComponent("timings.csv").path
        let run = try clawrun.workflow("load-test", ["--machine", id, "--set", "requests=400", "--set", "concurrency=8",
                                                     "--set", "results=\(csv)"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(run.value?["reports"]?[0])
        #expect(report["requests"]?.intValue == 400)
        #expect(report["errors"]?.intValue == 0)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst()
        let latencies = rows.compactMap { Double($0.split(separator: ",", omittingEmptySubsequences: false)[2]) }.sorted()
        #expect(latencies.count == 400)
        for (key, p) in [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("max", 100.0)] {
            let rank = max(1, Int((p / 100 * Double(latencies.count)).rounded(.up)))
            let exact = latencies[rank - 1] * 1000
            let reported = try #require(report["latency_ms"]?[key]?.doubleValue)
            // HDR histogram with three significant digits at microsecond resolution.
            #expect(abs(reported - exact) <= max(exact * 0.002, 0.002), "\(key): reported \(reported) ms, exact \(exact) ms")
        }
        let breached = try clawrun.workflow("load-test", ["--machine", id, "--set", "requests=50", "--set", "p99_ms=0.001"])
        #expect(breached.status == 99, "\(breached.stderr)")
        #expect(breached.stderr.contains("thresholds breached"))
    }

    @Test func loadTestExecModeReportsClawrunsShare() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let run = try clawrun.workflow("load-test", ["--machine", id, "--set", "mode=exec", "--set", "requests=40",
                                                     "--set", "concurrency=4"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(run.value?["reports"]?[0])
        #expect(report["requests"]?.intValue == 40)
        #expect(report["clawrun_share_ms"]?["p50"]?.doubleValue != nil)
        #expect(run.stderr.contains("clawrun's share per request"))
    }

    /// The README's first command: no credentials, no network, a chat reply at the end (the
    /// agent's "No API key" sentence, with a warning at deploy).
    @Test func firstCommandWithoutAnyKey() throws {
        let clawrun = Clawrun(llmKey: nil)
        defer { clawrun.cleanup() }
        let run = try clawrun([Clawrun.packageRoot.appendingPathComponent("workflows/deploy.lua").path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("WARN"))
        #expect(run.stderr.contains("no LLM API key in the environment"))
        #expect(run.stderr.contains("No API key found for provider"))
        #expect(run.stderr.contains("has no LLM API key"))
        let last = run.stderr.split(separator: "\n").filter { $0.contains("INFO") && $0.contains("< ") }.last
        #expect(last?.contains("No API key") == true)
    }

    @Test func portAlreadyTakenIsNamed() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let squatter = try clawrun.script("squat", """
            local m = machine.create{}
            wait_phase(m, "running")
            exec(m, "setsid python3 -m http.server 18789 --bind 127.0.0.1 </dev/null &>/dev/null & disown")
            for _ = 1, 100 do
              if exec(m, "ss -tlnH 'sport = :18789'") ~= "" then break end
              sleep(0.05)
            end
            return m.id
            """)
        let made = try clawrun([squatter, "--json"])
        let id = try #require(made.value?.stringValue)
        let deploy = try clawrun.workflow("deploy", ["--machine", id])
        #expect(deploy.status == 1)
        #expect(deploy.stderr.contains("port 18789 inside \(id) is already taken"))
        #expect(deploy.stderr.contains("python"))
    }

    @Test func gatewayThatNeverBecomesHealthyShowsItsLog() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let breaker = try clawrun.script("break", """
            local m = targets()[1]
            exec(m, {"pkill", "-f", "^openclaw-gateway"})
            exec(m, {"bash", "-c", "echo '{ gateway: { mode: 42 } }' > /home/machine/.openclaw/openclaw.json"})
            """)
        #expect(try clawrun([breaker, "--machine", id]).status == 0)
        let recover = try clawrun.workflow("wake-recover", ["--machine", id, "--set", "health_timeout=20"])
        #expect(recover.status == 1)
        #expect(recover.stderr.contains("is not healthy"))
        #expect(recover.stderr.contains("last lines of /home/machine/.openclaw/gateway.log"))
        #expect(recover.stderr.contains("Config invalid") || recover.stderr.contains("Gateway start blocked"))
    }

    @Test func deletedMachineCannotBeReached() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let made = try clawrun([try clawrun.script("make", """
            local m = machine.create{}
            wait_phase(m, "running")
            token.save(m, token.generate())
            assert(token.get(m))
            machine.delete(m)
            wait_phase(m, "destroyed")
            return m.id
            """), "--json"])
        let id = try #require(made.value?.stringValue)
        #expect(clawrun.recordedToken(id) == nil, "a deleted machine's token is forgotten")
        let chat = try clawrun.workflow("chat", ["--machine", id])
        #expect(chat.status != 0)
        #expect(chat.stderr.contains("machine \(id) no longer exists") || chat.stderr.contains("--machine \(id): no such machine"))
    }

    @Test func chatWhenTheGatewayIsDownSuggestsWakeRecover() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let stop = try clawrun.script("stop", """
            local m = targets()[1]
            exec(m, {"pkill", "-f", "^openclaw-gateway"})
            for _ = 1, 100 do
              local _, r = exec(m, {"pgrep", "-f", "^openclaw-gateway"}, {check = false})
              if r.exit_code ~= 0 then break end
              sleep(0.05)
            end
            """)
        #expect(try clawrun([stop, "--machine", id]).status == 0)
        let chat = try clawrun.workflow("chat", ["--machine", id])
        #expect(chat.status == 1)
        #expect(chat.stderr.contains("its gateway is not running"))
        #expect(chat.stderr.contains("wake-recover"))
    }

    @Test func refusedRequestsAndADisabledEndpointAreExplained() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let badModel = try clawrun.workflow("chat", ["--machine", id, "--set", "model=not-an-agent"])
        #expect(badModel.status == 1)
        #expect(badModel.stderr.contains("refused the request (HTTP 400): Invalid `model`"))

        let disable = try clawrun.script("disable", """
            local m = targets()[1]
            openclaw.config_set(m, "gateway.http.endpoints.chatCompletions.enabled", false)
            local err
            for _ = 1, 200 do
              local ok, e = pcall(chat, m, "hi")
              if not ok and tostring(e):find("HTTP 404", 1, true) then err = e break end
              sleep(0.05)
            end
            return {error = err and tostring(err)}
            """)
        let run = try clawrun([disable, "--machine", id, "--json"])
        let message = try #require(run.value?["error"]?.stringValue, "\(run.stderr)")
        #expect(message.contains("gateway.http.endpoints.chatCompletions.enabled"))
    }
}
