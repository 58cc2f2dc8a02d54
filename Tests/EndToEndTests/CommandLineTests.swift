import Foundation
import Testing

/// The command line of DESIGN.md, run as a user runs it.
@Suite struct CommandLineTests {
    @Test func aSyntaxErrorIsReportedBeforeAnythingRunsWithExitCode2() throws {
        let cli = try ClawrunCLI()
        try cli.write("bad.lua", "log.info('ran')\nlocal = 3\n")
        let r = try cli.run(["bad.lua"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.lua:2:"))
        #expect(!r.stderr.contains("ran"))
        let check = try cli.run(["check", "bad.lua"])
        #expect(check.status == 2)
    }

    @Test func aRuntimeErrorHasFileLineTracebackAndExitCode1() throws {
        let cli = try ClawrunCLI()
        try cli.write("boom.lua", "local function deeper()\n  error('it broke')\nend\ndeeper()\n")
        let r = try cli.run(["boom.lua"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("boom.lua:2: it broke"))
        #expect(r.stderr.contains("stack traceback:"))
        #expect(r.stderr.contains("boom.lua:4:"))
    }

    @Test func anErrorInOneParallelItemIsReportedAndTheOthersFinish() throws {
        let cli = try ClawrunCLI()
        try cli.write("par.lua", """
            local results = parallel({1, 2, 3}, function(i)
              sleep(0.01 * i)
              if i == 2 then error("item " .. i .. " failed") end
              log.info("item", i, "done")
              return i
            end)
            log.info("outcomes", results[1].ok, results[2].ok, results[3].ok)
            """)
        let r = try cli.run(["par.lua"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("par.lua:3: item 2 failed"))
        #expect(r.stderr.contains("stack traceback:"))
        #expect(r.stderr.contains("item 1 done") && r.stderr.contains("item 3 done"))
        #expect(r.stderr.contains("outcomes true false true"))
    }

    @Test func anErrorInsideAUserCoroutineHasATraceback() throws {
        let cli = try ClawrunCLI()
        try cli.write("co.lua", "local f = coroutine.wrap(function()\n  sleep(0.001)\n  error('inside')\nend)\nf()\n")
        let r = try cli.run(["co.lua"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("co.lua:3: inside"))
        #expect(r.stderr.contains("stack traceback:"))
    }

    @Test func setValuesArriveAsStringsAndJSONEventsAreOneObjectPerLine() throws {
        let cli = try ClawrunCLI()
        try cli.write("args.lua", """
            step("show", function() log.info("n is", type(args.n), args.n) end)
            return args.n .. "!"
            """)
        let r = try cli.run(["args.lua", "--set", "n=42", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let events = r.stdout.split(separator: "\n").map { String($0) }
        #expect(events.count >= 5)
        for line in events {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["event"] is String)
        }
        #expect(events.contains { $0.contains("\"event\":\"step_start\"") && $0.contains("\"step\":\"show\"") })
        #expect(events.contains { $0.contains("\"message\":\"n is string 42\"") })
        #expect(events.last?.contains("\"event\":\"result\"") == true)
        #expect(events.last?.contains("\"value\":\"42!\"") == true)
    }

    @Test func usageErrorsAreOneLineWithExitCode2() throws {
        let cli = try ClawrunCLI()
        try cli.write("ok.lua", "return 1")
        for args in [["ok.lua", "--no-such-flag"], ["missing.lua"], ["ok.lua", "--set", "novalue"],
                     ["ok.lua", "--provider", "mars"], ["no-such-bundled-workflow"]] {
            let r = try cli.run(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("clawrun: "))
        }
    }

    @Test func versionAndHelp() throws {
        let cli = try ClawrunCLI()
        let v = try cli.run(["--version"])
        #expect(v.status == 0 && v.stdout.contains("0.1.0"))
        let h = try cli.run(["--help"])
        #expect(h.status == 0 && h.stdout.contains("serve") && h.stdout.contains("check"))
    }
}
