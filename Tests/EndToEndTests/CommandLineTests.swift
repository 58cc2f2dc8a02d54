import Foundation
import Testing

/// The command line of DESIGN.md, run as a user runs it.
@Suite struct CommandLineTests {
    @Test func aSyntaxErrorIsReportedBeforeAnythingRunsWithExitCode2() async throws {
        try await ClawrunHome.with { home in
            let bad = try home.write("bad.lua", "log.info('ran')\nlocal = 3\n")
            let r = try await home.run([bad])
            #expect(r.status == 2)
            #expect(r.stderr.contains("bad.lua:2:"))
            #expect(!r.stderr.contains("ran"))
            #expect(try await home.run(["check", bad]).status == 2)
        }
    }

    @Test func aRuntimeErrorHasFileLineTracebackAndExitCode1() async throws {
        try await ClawrunHome.with { home in
            let boom = try home.write("boom.lua", "local function deeper()\n  error('it broke')\nend\ndeeper()\n")
            let r = try await home.run([boom])
            #expect(r.status == 1)
            #expect(r.stderr.contains("boom.lua:2: it broke"))
            #expect(r.stderr.contains("stack traceback:"))
            #expect(r.stderr.contains("boom.lua:4:"))
        }
    }

    @Test func anErrorInOneParallelItemIsReportedAndTheOthersFinish() async throws {
        try await ClawrunHome.with { home in
            let par = try home.write("par.lua", """
                local results = parallel({1, 2, 3}, function(i)
                  sleep(0.01 * i)
                  if i == 2 then error("item " .. i .. " failed") end
                  log.info("item", i, "done")
                  return i
                end)
                log.info("outcomes", results[1].ok, results[2].ok, results[3].ok)
                """)
            let r = try await home.run([par])
            #expect(r.status == 1)
            #expect(r.stderr.contains("par.lua:3: item 2 failed"))
            #expect(r.stderr.contains("stack traceback:"))
            #expect(r.stderr.contains("item 1 done") && r.stderr.contains("item 3 done"))
            #expect(r.stderr.contains("outcomes true false true"))
        }
    }

    @Test func anErrorInsideAUserCoroutineHasATraceback() async throws {
        try await ClawrunHome.with { home in
            let co = try home.write("co.lua", "local f = coroutine.wrap(function()\n  sleep(0.001)\n  error('inside')\nend)\nf()\n")
            let r = try await home.run([co])
            #expect(r.status == 1)
            #expect(r.stderr.contains("co.lua:3: inside"))
            #expect(r.stderr.contains("stack traceback:"))
        }
    }

    @Test func setValuesArriveAsStringsAndJSONEventsAreOneObjectPerLine() async throws {
        try await ClawrunHome.with { home in
            let flow = try home.write("args.lua", """
                step("show", function() log.info("n is", type(args.n), args.n) end)
                return args.n .. "!"
                """)
            let r = try await home.run([flow, "--set", "n=42", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count >= 5)
            #expect(r.events.count == lines.count, "every stdout line is one JSON event")
            #expect(r.events.contains { $0.event == "step_start" && $0.step == "show" })
            #expect(r.events.contains { $0["message"]?.stringValue == "n is string 42" })
            #expect(r.events.first { $0.event == "result" }?["value"]?.stringValue == "42!")
        }
    }

    @Test func usageErrorsAreOneLineWithExitCode2() async throws {
        try await ClawrunHome.with { home in
            let ok = try home.write("ok.lua", "return 1")
            for args in [[ok, "--no-such-flag"], ["missing.lua"], [ok, "--set", "novalue"],
                         [ok, "--provider", "mars"], ["no-such-bundled-workflow"]] {
                let r = try await home.run(args)
                #expect(r.status == 2, "\(args)")
                #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
                #expect(r.stderr.hasPrefix("clawrun: "))
            }
        }
    }

    @Test func versionAndHelp() async throws {
        try await ClawrunHome.with { home in
            let v = try await home.run(["--version"])
            #expect(v.status == 0 && v.stdout.contains("0.1.0"))
            let h = try await home.run(["--help"])
            #expect(h.status == 0 && h.stdout.contains("serve") && h.stdout.contains("check"))
        }
    }
}
