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
        // The key passed in picks its provider's model, and every change goes in one write.
        #expect(deploy.stderr.contains("config value(s) in one write (model openai/gpt-5.4)"))
        #expect(deploy.stderr.contains("token accepted"))
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
        // A sleeping machine is woken only on request (cron leaves sleepers asleep: WakeRecoverCronTests).
        let recover = try clawrun.workflow("wake-recover", ["--machine", id, "--set", "wake=true", "--set", "chat=true"])
        #expect(recover.status == 0, "\(recover.stderr)")
        #expect(recover.stderr.contains("launched the gateway"))
        #expect(recover.stderr.contains("Echo: Are you back?"))
        #expect(recover.value?["recovered"]?[0]?.stringValue == id)
        // A second run finds it running and starts no second gateway.
        let again = try clawrun.workflow("wake-recover", ["--machine", id])
        #expect(again.status == 0)
        #expect(again.stderr.contains("gateway healthy (pid"))
        let count = try clawrun([try clawrun.script("count", """
            local m = targets()[1]
            local out = exec(m, {"/bin/bash", "-c", "pgrep -fc '^openclaw-gateway'"})
            local pid = exec(m, {"/bin/cat", "/home/machine/.openclaw/gateway.pid"})
            local listener = exec(m, "ss -tlnpH 'sport = :18789'")
            return {gateways = tonumber(out), pid = pid, listener = listener}
            """), "--machine", id, "--json"])
        #expect(count.value?["gateways"]?.intValue == 1)
        // The start script recorded the PID of the gateway that listens (plugins/openclaw.lua M.script).
        let pid = try #require(count.value?["pid"]?.stringValue)
        #expect(count.value?["listener"]?.stringValue?.contains("pid=\(pid),") == true)
    }

    @Test func rotateTokenRefusesTheOldToken() throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false"])
        let old = try #require(clawrun.recordedToken(id))
        let rotate = try clawrun.workflow("rotate-token", ["--machine", id])
        #expect(rotate.status == 0, "\(rotate.stderr)")
        #expect(rotate.stderr.contains("GET /v1/models: new token 200, old token 401 unauthorized"))
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
        let run = try clawrun.workflow("load-test", ["--machine", id, "--set", "mode=closed", "--set", "requests=400", "--set", "concurrency=8",
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
        let breached = try clawrun.workflow("load-test", ["--machine", id, "--set", "mode=closed", "--set", "requests=50",
                                                          "--set", "p99_ms=0.001"])
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

    /// The README's first command: no credentials, no network. The deploy succeeds; its chat
    /// fails as OpenClaw 2026.4.12 fails without a key for the default model (HTTP 500), and the
    /// warning names the real cause (`src/agents/defaults.ts`: openai/gpt-5.4 needs OPENAI_API_KEY).
    @Test func firstCommandWithoutAnyKey() throws {
        let clawrun = Clawrun(llmKey: nil)
        defer { clawrun.cleanup() }
        let run = try clawrun([Clawrun.packageRoot.appendingPathComponent("workflows/deploy.lua").path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("WARN"))
        #expect(run.stderr.contains("chats will fail"))
        #expect(run.stderr.contains("the model openai/gpt-5.4 (the default when agents.defaults.model is unset) needs OPENAI_API_KEY, but the gateway has no LLM key"))
        #expect(run.stderr.contains("chat failed for lack of a usable LLM key"))
        #expect(run.stderr.contains("HTTP 500"))
        #expect(run.stderr.contains("is deployed, but its chats fail"))
        #expect(!run.stderr.contains("< "), "no reply is shown as if the agent had answered")
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
            exec(m, {"/usr/bin/pkill", "-f", "^openclaw-gateway"})
            exec(m, {"/bin/bash", "-c", "echo '{ gateway: { mode: 42 } }' > /home/machine/.openclaw/openclaw.json"})
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
            exec(m, {"/usr/bin/pkill", "-f", "^openclaw-gateway"})
            for _ = 1, 100 do
              local _, r = exec(m, {"/usr/bin/pgrep", "-f", "^openclaw-gateway"}, {check = false})
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

/// What a newer gateway answers, told apart by `chat`, and the config write that waits for the
/// gateway's restart. The machine's simulator imitates the newer release through the state
/// directory's `.env` (`OPENCLAW_SIM_VERSION`; the real CLI loads that file: src/cli/dotenv.ts).
@Suite(.serialized) struct OpenClawNewerGatewayTests {
    @Test func chatTellsErrorsApartAndAConfigWriteWaitsForTheRestart() throws {
        let clawrun = Clawrun(llmKey: nil)
        defer { clawrun.cleanup() }
        let (id, _) = try clawrun.deploy(["--set", "greet=false", "--set", "base_url=http://127.0.0.1:11434/v1"])
        let restart = try clawrun.script("newer", """
            local m = targets()[1]
            exec(m, "echo OPENCLAW_SIM_VERSION=2026.8.22 > /home/machine/.openclaw/.env && pkill -f '^openclaw-gateway' && " ..
                    "for i in $(seq 200); do kill -0 $(cat /home/machine/.openclaw/gateway.pid) 2>/dev/null || break; sleep 0.02; done")
            """)
        #expect(try clawrun([restart, "--machine", id]).status == 0)
        let recover = try clawrun.workflow("wake-recover", ["--machine", id, "--set", "chat=true"])
        #expect(recover.status == 0, "\(recover.stderr)")
        #expect(recover.stderr.contains("Echo: Are you back?"))
        let probe = try clawrun([try clawrun.script("probe", """
            local m = targets()[1]
            local function err(...) local ok, e = pcall(...) return ok and "no error" or tostring(e) end
            local out = {
              version = openclaw.run(m, {"--version"}),
              provider401 = err(chat, m, "x", {backend_model = "openai/gpt-5.4"}),
              streamed = err(chat, m, "x", {backend_model = "openai/gpt-5.4", stream = true}),
              notFound = err(chat, m, "x", {backend_model = "local/no-such-model"}),
              wrongToken = openclaw.models(m, {token = "not-the-token"}),
            }
            -- One write of a new token, waiting for the restart: the very next request sees it.
            local tok = token.generate()
            local n, restarted = openclaw.config_patch(m, {{"gateway.auth.token", tok}}, {wait = true})
            out.changed, out.restarted = n, restarted
            out.firstTry = openclaw.models(m, {token = tok}).status
            token.save(m, tok)
            return out
            """), "--machine", id, "--json"])
        #expect(probe.status == 0, "\(probe.stderr)")
        let value = try #require(probe.value)
        #expect(value["version"]?.stringValue == "OpenClaw 2026.8.22 (clawrun simulator)")
        #expect(value["provider401"]?.stringValue?.contains("HTTP 401 authentication_error") == true)
        #expect(value["provider401"]?.stringValue?.contains("no valid API key for the provider of its model") == true)
        #expect(value["streamed"]?.stringValue?.contains("streamed an error (authentication_error") == true)
        #expect(value["notFound"]?.stringValue?.contains("the model was not found") == true)
        #expect(value["notFound"]?.stringValue?.contains("HTTP 404 invalid_request_error") == true)
        #expect(value["wrongToken"]?["status"]?.intValue == 401)
        #expect(value["wrongToken"]?["error_type"]?.stringValue == "unauthorized")
        #expect(value["changed"]?.intValue == 1)
        #expect(value["restarted"]?.boolValue == true)
        #expect(value["firstTry"]?.intValue == 200)
        let chat = try clawrun.workflow("chat", ["--machine", id, "--set", "message=after"])
        #expect(chat.value?["replies"]?[0]?["reply"]?.stringValue == "Echo: after")
    }
}

/// deploy, wake-recover, rotate-token and load-test on a local machine in the three situations a
/// real gateway meets: no LLM key, an offline custom provider (`models.providers`, loopback
/// `baseUrl`: src/agents/model-auth.ts `resolveSyntheticLocalProviderAuth`), and a key for a
/// provider that is not the model's (src/agents/model-auth-env.ts counts only the model's).
@Suite(.serialized) struct OpenClawKeySituationTests {
    struct Runs {
        let id: String
        let deploy, wake, rotate, load, loadExec: Clawrun.Run
    }

    /// Runs the four workflows on one new machine with `deployArgs`.
    static func runAll(_ clawrun: Clawrun, deployArgs: [String] = [], loadArgs: [String] = []) throws -> Runs {
        let deploy = try clawrun.workflow("deploy", deployArgs)
        let id = try #require(deploy.events.first { $0["event"]?.stringValue == "machine_created" }?["machine"]?.stringValue,
                              "\(deploy.stderr)")
        let wake = try clawrun.workflow("wake-recover", ["--machine", id, "--set", "chat=true"])
        let rotate = try clawrun.workflow("rotate-token", ["--machine", id])
        let load = try clawrun.workflow("load-test", ["--machine", id, "--set", "mode=closed", "--set", "requests=20",
                                                      "--set", "concurrency=4"] + loadArgs)
        let loadExec = try clawrun.workflow("load-test", ["--machine", id, "--set", "mode=exec", "--set", "requests=8",
                                                          "--set", "concurrency=4"] + loadArgs)
        return Runs(id: id, deploy: deploy, wake: wake, rotate: rotate, load: load, loadExec: loadExec)
    }

    static func expectAllPassed(_ runs: Runs) {
        for (name, run) in [("deploy", runs.deploy), ("wake-recover", runs.wake), ("rotate-token", runs.rotate),
                            ("load-test", runs.load), ("load-test exec", runs.loadExec)] {
            #expect(run.status == 0, "\(name) failed:\n\(run.stderr)")
        }
        #expect(runs.rotate.stderr.contains("GET /v1/models: new token 200, old token 401 unauthorized"))
    }

    @Test func withoutAnyKeyEveryWorkflowPassesAndSaysWhyChatsFail() throws {
        let clawrun = Clawrun(llmKey: nil)
        defer { clawrun.cleanup() }
        let runs = try Self.runAll(clawrun)
        Self.expectAllPassed(runs)
        let cause = "needs OPENAI_API_KEY, but the gateway has no LLM key: export OPENAI_API_KEY"
        #expect(runs.deploy.stderr.contains("chat failed for lack of a usable LLM key"))
        #expect(runs.deploy.stderr.contains(cause))
        #expect(runs.wake.stderr.contains("chat failed for lack of a usable LLM key"))
        #expect(runs.wake.stderr.contains(cause))
        #expect(runs.load.stderr.contains("20 of 20 chats on \(runs.id) failed for lack of a usable LLM key"))
        #expect(runs.load.value?["reports"]?[0]?["errors_by_kind"]?["http_500"]?.intValue == 20)
        #expect(runs.loadExec.stderr.contains("failed for lack of a usable LLM key"))
    }

    @Test func anOfflineCustomProviderAnswersEveryChat() throws {
        let clawrun = Clawrun(llmKey: nil)
        defer { clawrun.cleanup() }
        let runs = try Self.runAll(clawrun, deployArgs: ["--set", "base_url=http://127.0.0.1:11434/v1"])
        Self.expectAllPassed(runs)
        #expect(runs.deploy.stderr.contains("model local/echo"))
        #expect(runs.deploy.stderr.contains("Echo: Hello! What are you?"))
        #expect(!runs.deploy.stderr.contains("WARN"), "\(runs.deploy.stderr)")
        #expect(runs.wake.stderr.contains("Echo: Are you back?"))
        #expect(runs.load.value?["reports"]?[0]?["errors"]?.intValue == 0)
        #expect(runs.loadExec.value?["reports"]?[0]?["errors"]?.intValue == 0)
        // Each virtual user had its own session (src/gateway/http-utils.ts resolveSessionKey).
        #expect(runs.load.stderr.contains("one session per virtual user (4 sessions"))
        let sessions = try clawrun([try clawrun.script("sessions", """
            return openclaw.run(targets()[1], {"gateway", "call", "sessions.list", "--json"})
            """), "--machine", runs.id, "--json"])
        let listed = sessions.value?.stringValue ?? ""
        for n in 1...4 { #expect(listed.contains("agent:main:openai-user:load-test-\(n)"), "\(listed)") }
        #expect(!listed.contains("openai-user:load-test\""))
        let shared = try clawrun.workflow("load-test", ["--machine", runs.id, "--set", "mode=closed", "--set", "requests=8",
                                                        "--set", "session=shared"])
        #expect(shared.status == 0)
        #expect(shared.stderr.contains("one shared session (user load-test)"))
        #expect(shared.value?["reports"]?[0]?["sessions"]?.stringValue == "shared")
    }

    @Test func aKeyForAnotherProviderGivesTheRealCause() throws {
        let clawrun = Clawrun(llmKey: nil)
        clawrun.environment["ANTHROPIC_API_KEY"] = "sk-ant-e2e-test-key-0123456789"
        defer { clawrun.cleanup() }
        let runs = try Self.runAll(clawrun, deployArgs: ["--set", "model=openai/gpt-5.4"])
        Self.expectAllPassed(runs)
        let cause = "the model openai/gpt-5.4 needs OPENAI_API_KEY, but the gateway has ANTHROPIC_API_KEY"
        #expect(runs.deploy.stderr.contains(cause))
        #expect(runs.deploy.stderr.contains("HTTP 500"))
        #expect(runs.wake.stderr.contains(cause))
        #expect(runs.load.stderr.contains(cause))
        #expect(!runs.deploy.all.contains("sk-ant-e2e-test-key"), "the key leaked")

        // Without --set model the key picks its provider's model, and chats are answered.
        let matched = try clawrun.workflow("deploy", ["--machine", runs.id, "--set", "model=anthropic/claude-sonnet-4-6"])
        #expect(matched.status == 0)
        #expect(matched.stderr.contains("the gateway applied the new config") || matched.stderr.contains("restarted"))
        #expect(matched.stderr.contains("Echo: Hello! What are you?"), "\(matched.stderr)")
    }
}

/// Commands sent to machines are absolute paths or /bin/bash -c lines (the Executions API runs
/// argv with execve(2), without a PATH search): no bundled Lua or binding sends a bare name.
@Suite struct BundledCommandTests {
    static let root = Clawrun.packageRoot

    static func files(_ dir: String, _ ext: String) -> [URL] {
        let url = root.appendingPathComponent(dir)
        let all = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []
        return all.filter { $0.pathExtension == ext }
    }

    /// The first element of every argv literal given to `exec(m, {...})` in bundled Lua.
    @Test func bundledLuaSendsOnlyAbsolutePaths() throws {
        let lua = Self.files("workflows", "lua") + Self.files("plugins", "lua") + Self.files("bench/workflows", "lua")
        #expect(lua.count >= 10)
        let pattern = try NSRegularExpression(pattern: #"exec\(\s*[^,()]+,\s*\{\s*"([^"]*)""#)
        var checked = 0
        for file in lua {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let argv0 = (text as NSString).substring(with: match.range(at: 1))
                #expect(argv0.hasPrefix("/"), "\(file.lastPathComponent) sends the bare command \(argv0)")
                checked += 1
            }
            #expect(!text.contains(#"{"bash""#) && !text.contains(#"{"openclaw""#), "\(file.lastPathComponent)")
        }
        #expect(checked >= 6)
    }

    /// Every `ExecRequest(command: [...])` in the bindings starts with an absolute path or a
    /// constant of OpenClawLayout (all absolute), and `ExecRequest.shell` is `/bin/bash -c`.
    @Test func bindingsSendOnlyAbsolutePaths() throws {
        let swift = Self.files("Sources/ClawrunHost", "swift")
        let pattern = try NSRegularExpression(pattern: #"command:\s*\[\s*([^,\]]+)"#)
        var checked = 0
        for file in swift {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let first = (text as NSString).substring(with: match.range(at: 1)).trimmingCharacters(in: .whitespaces)
                #expect(first.hasPrefix("\"/") || first.hasPrefix("OpenClawLayout."),
                        "\(file.lastPathComponent) sends \(first) as argv[0]")
                checked += 1
            }
        }
        #expect(checked >= 6)
        let layout = try String(contentsOf: Self.root.appendingPathComponent("Sources/ClawrunHost/OpenClawLayout.swift"), encoding: .utf8)
        let constant = try NSRegularExpression(pattern: #"(bash|cat|curl|rm|cli) = "([^"]*)""#)
        let constants = constant.matches(in: layout, range: NSRange(layout.startIndex..., in: layout))
        #expect(constants.count == 5)
        for match in constants { #expect((layout as NSString).substring(with: match.range(at: 2)).hasPrefix("/")) }
        let execution = try String(contentsOf: Self.root.appendingPathComponent("Sources/ClawrunCore/Execution.swift"), encoding: .utf8)
        #expect(execution.contains(#"ExecRequest(command: ["/bin/bash", "-c", line]"#))
    }
}
