import ClawrunCore
import Foundation
import Testing

/// Issue 13 end to end: hostile machine data, a recipe that never yields, secrets a recipe tries
/// to let out, and bad command-line input, each against the built clawrun.
extension EndToEnd {
    @Suite struct Robustness {
        /// The events of a run record (JSON Lines).
        static func record(_ path: String) throws -> [RunEvent] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
                .compactMap { (try? JSONValue.parse(String($0))).flatMap(RunEvent.init(json:)) }
        }

        @Test("A machine whose openclaw.json is 10,000 levels deep fails alone: the healthy one finishes, the recap names it, exit 1, record complete")
        func deepConfigFailsOneMachine() async throws {
            // Sources/ClawrunCore/JSONValue+Parsing.swift: arrays past NestingLimit.depth are an error.
            try await ClawrunHome.with { home in
                let ids = try await home.createMachines(2)
                let bad = ids[1]
                let plant = try home.write("plant.lua", """
                    local deep = string.rep("[", 10000) .. string.rep("]", 10000)
                    exec(targets()[1], "mkdir -p $(dirname " .. openclaw.config_path .. ") && cat > " .. openclaw.config_path,
                      {stdin = deep})
                    exec(targets()[2], "mkdir -p $(dirname " .. openclaw.config_path .. ") && cat > " .. openclaw.config_path,
                      {stdin = '{"gateway": {"port": 18789}}'})
                    """)
                #expect(try await home.run([plant, "--machine", bad, "--machine", ids[0], "-q"]).status == 0)
                let read = try home.write("read.lua", """
                    parallel(targets(), function(m)
                      step("read config", function()
                        local config = json.decode(exec(m, "cat " .. openclaw.config_path))
                        log.info("port " .. tostring(config.gateway.port))
                      end)
                    end)
                    """)
                let run = try await home.run([read, "--machine", ids[0], "--machine", bad, "--json"])
                #expect(run.status == 1)
                let recap = try #require(run.events.last)
                #expect(recap.event == "recap")
                let rows = recap["machines"]?.arrayValue ?? []
                #expect(rows.first { $0["machine"]?.stringValue == ids[0] }?["status"]?.stringValue == "ok")
                let failed = rows.first { $0["machine"]?.stringValue == bad }
                #expect(failed?["status"]?.stringValue == "failed")
                #expect(failed?["error"]?.stringValue?.contains("json.decode: invalid JSON: nested deeper than 200 levels") == true,
                        "\(failed?["error"] ?? .null)")
                #expect(run.events.contains { $0.event == "log" && $0.machine == ids[0] && $0["message"]?.stringValue == "port 18789" })
                let record = try Robustness.record(try #require(recap["record"]?.stringValue))
                #expect(record.first?.event == "run_start")
                #expect(record.last?.event == "recap")
                #expect(record.contains { $0.event == "result" })
            }
        }

        @Test("`while true do end` under SIGTERM exits 143 after --grace, interrupted in its loop, with record and recap")
        func busyLoopStopsOnSigterm() async throws {
            // Sources/CLua/shim.h clawrun_stop_signal_handler; Sources/LuaRuntime/Scheduler.swift interrupt.
            try await ClawrunHome.with { home in
                let script = try home.write("spin.lua", "log.info('spinning')\nwhile true do end\n")
                let lock = home.url.appendingPathComponent("spin.lock").path
                let run = try home.start([script, "--json", "--grace", "1", "--lock", lock])
                try await run.wait { $0.contains("spinning") }
                let signalled = Date()
                run.signal(SIGTERM)
                let outcome = await run.finish()
                let waited = Date().timeIntervalSince(signalled)
                #expect(outcome.status == 143)
                // The loop never ends by itself: the interrupt ended it (the status and the error say
                // so). The bound only tells a hang from a loaded host, which adds seconds.
                #expect(waited < 1 + 30, "took \(waited) s")
                let result = try #require(outcome.events.first { $0.event == "result" })
                #expect(result["status"]?.stringValue == "interrupted")
                #expect(result["error"]?.stringValue?.contains("spin.lua:2: interrupted") == true, "\(result["error"] ?? .null)")
                let recap = try #require(outcome.events.last)
                #expect(recap.event == "recap")
                #expect(try Robustness.record(try #require(recap["record"]?.stringValue)).last?.event == "recap")
                // The lock was let go: another run takes it at once.
                let after = try home.write("after.lua", "return 1")
                #expect(try await home.run([after, "--lock", lock, "-q"]).status == 0)
            }
        }

        @Test("--timeout stops a recipe that loops: exit 124 after the grace, recap written")
        func timeoutStopsALoop() async throws {
            // Sources/clawrun/RunTimeout.swift.
            try await ClawrunHome.with { home in
                let script = try home.write("loop.lua", "local x = 0\nwhile true do x = x + 1 end\n")
                let outcome = try await home.run([script, "--json", "--timeout", "0.5s", "--grace", "0.5"])
                #expect(outcome.status == 124)
                #expect(outcome.events.first { $0.event == "result" }?["error"]?.stringValue?.contains("interrupted") == true)
                #expect(outcome.events.last?.event == "recap")
                #expect(outcome.stderr.contains("timed out after 0.5s (--timeout)"))
            }
        }

        @Test("Secrets: every route out of a recipe (os.getenv, print, io.write, log, error, fail, a child process, the return value) leaks neither key")
        func secretsStayIn() async throws {
            // Sources/ClawrunHost/Bindings/Bindings+Environment.swift, HostPrelude.swift, SecretRedactor.swift.
            try await ClawrunHome.with { home in
                let platform = "dsk-platform-key-5f1e2d3c", llm = "sk-llm-key-0a9b8c7d6e"
                let script = try home.write("leak.lua", """
                    local ok, err = pcall(os.getenv, "DEDALUS_API_KEY")
                    assert(not ok and err:find("not given to workflows"), tostring(err))
                    assert(not pcall(env, "dedalus_api_key"))
                    local key = os.getenv("OPENAI_API_KEY")
                    assert(key == env("OPENAI_API_KEY") and #key > 10)
                    print("print", key)
                    io.write("io.write ", key, "\\n")
                    log.info("log", key)
                    log.error("error log " .. key)
                    os.execute("echo child sees platform=$DEDALUS_API_KEY")
                    pcall(step, "a step", function() error("step error " .. key) end)
                    return {key = key, nested = {key}}
                    """)
                let env = ["DEDALUS_API_KEY": platform, "OPENAI_API_KEY": llm]
                let runs = [
                    try await home.run([script, "--json"], environment: env),
                    try await home.run([script], environment: env),
                    try await home.run([try home.write("fail.lua", "fail('failing with ' .. os.getenv('OPENAI_API_KEY'))"),
                                        "--json"], environment: env),
                ]
                for run in runs {
                    #expect(run.status == 1, "\(run.stderr)")
                    for text in [run.stdout, run.stderr] {
                        #expect(!text.contains(platform) && !text.contains(llm))
                    }
                    #expect((run.stdout + run.stderr).contains("***"))
                }
                let records = try FileManager.default.contentsOfDirectory(atPath: home.url.appendingPathComponent("runs").path)
                    .filter { $0.hasSuffix(".jsonl") }
                #expect(records.count == 3)
                for name in records {
                    let text = try String(contentsOfFile: home.url.appendingPathComponent("runs/" + name).path, encoding: .utf8)
                    #expect(text.contains("***") && !text.contains(platform) && !text.contains(llm))
                }
                // Under --json, stdout is JSON Lines but for what a child process writes itself.
                let lines = runs[0].stdout.split(separator: "\n").filter { !$0.hasPrefix("child sees") }
                #expect(lines.allSatisfy { (try? JSONValue.parse(String($0))) != nil })
                #expect(runs[0].stdout.contains("child sees platform=\n"))
                #expect(runs[0].events.contains { $0.event == "log" && $0["message"]?.stringValue == "print\t***" })
                #expect(runs[1].stdout.contains("print\t***\nio.write ***\n"))
            }
        }

        @Test("Bad command-line numbers and flag pairs: one line naming the value, exit 2")
        func usageErrors() async throws {
            // Sources/clawrun/RunCommand.swift, TargetFlags.swift, Bindings+Machines.swift.
            try await ClawrunHome.with { home in
                let script = try home.write("noop.lua", "return 1")
                let create = try home.write("create.lua", "machine.create{storage_gib = tonumber(args.storage_gib)}")
                let cases: [([String], String)] = [
                    ([script, "--parallel", "-1"], "--parallel must be a whole number from 1 to 10000, got -1"),
                    ([script, "--parallel", "0"], "--parallel must be a whole number from 1 to 10000, got 0"),
                    ([script, "--grace", "-1"], "--grace must be a number of seconds from 0 to 86400"),
                    ([script, "--max-fail-percent", "-5"], "--max-fail-percent must be from 0 to 100"),
                    ([script, "--shard", "0/3"], "--shard 0/3"),
                    ([script, "--shard", "-1/3"], "--shard -1/3: K/N needs 1 <= K <= N"),
                    ([script, "--timeout", "soon"], "--timeout 'soon' is not a duration"),
                    ([script, "--all", "--machine", "dm-x"], "give either --all or --machine/--machines, not both"),
                    ([create, "--set", "storage_gib=1e9"], "storage_gib must be a whole number from 1 to 1048576, got 1000000000"),
                ]
                for (args, message) in cases {
                    let run = try await home.run(args + ["-q"])
                    #expect(run.status == 2, "\(args): \(run.stderr)")
                    #expect(run.stderr.contains(message), "\(args): \(run.stderr)")
                }
                let usage = try await home.run([script, "--parallel", "-1"])
                #expect(usage.stderr.split(separator: "\n").count == 1)
            }
        }
    }
}
