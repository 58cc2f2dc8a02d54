import ClawrunCore
import Foundation
import Testing

@Suite struct BasicsTests {
    @Test func jsonRoundTripsNestedValues() async throws {
        let (outcome, events) = try await Sandbox().run("""
            local v = {name = "a\\0b", list = {1, 2.5, true, "x", {deep = {1}}}, empty = {}, n = -3}
            local back = json.decode(json.encode(v))
            assert(back.name == "a\\0b" and back.list[2] == 2.5 and back.list[5].deep[1] == 1 and back.n == -3)
            assert(json.decode("[1,null,3]")[2] == json.null)
            assert(json.decode("null") == nil)
            return json.encode(v)
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        #expect(events.last { $0.event == "result" }?["value"]?.stringValue
                == #"{"empty":{},"list":[1,2.5,true,"x",{"deep":[1]}],"n":-3,"name":"a\u0000b"}"#)
    }

    @Test func aReturnedTableKeepsItsListAndItsFields() async throws {
        let (outcome, events) = try await Sandbox().run("return {10, 20, x = 3}")
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        #expect(events.last { $0.event == "result" }?["value"] == .object([("1", .int(10)), ("2", .int(20)), ("x", .int(3))]))
    }

    @Test func jsonRefusesCyclesAndMixedTablesClearly() async throws {
        let (outcome, events) = try await Sandbox().run("""
            local t = {}; t.me = t
            local ok1, e1 = pcall(json.encode, t)
            local ok2, e2 = pcall(json.encode, {1, 2, x = 3})
            local ok3, e3 = pcall(json.encode, {[1] = 1, [3] = 3})
            local ok4, e4 = pcall(json.decode, "{oops")
            return {tostring(e1), tostring(e2), tostring(e3), tostring(e4)}
            """)
        #expect(outcome.exitCode == 0)
        let errors = events.last { $0.event == "result" }?["value"]?.arrayValue?.compactMap(\.stringValue) ?? []
        try #require(errors.count == 4)
        #expect(errors[0].contains("json.encode: cannot encode a cycle: value.me contains itself"))
        #expect(errors[1].contains("mixes array items and string keys"))
        #expect(errors[2].contains("sparse array"))
        #expect(errors[3].contains("json.decode: invalid JSON"))
    }

    @Test func tokensAreRandomURLSafeAndRedacted() async throws {
        let (outcome, events) = try await Sandbox().run("""
            local a, b = token.generate(), token.generate(48)
            assert(a ~= b and #a == 43 and #b == 64 and not a:find("[^%w_%-]"))
            log.info("the token is " .. a)
            return a
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let log = events.first { $0.event == "log" }?["message"]?.stringValue
        #expect(log == "the token is ***")
    }

    @Test func setValuesArriveAsStrings() async throws {
        let (outcome, events) = try await Sandbox().run(
            "return type(args.count) .. ':' .. args.count .. ':' .. type(args.flag)", args: ["count": "12", "flag": "true"])
        #expect(outcome.exitCode == 0)
        #expect(events.last { $0.event == "result" }?["value"]?.stringValue == "string:12:string")
    }

    @Test func requireFindsPluginsBesideTheWorkflowFirstThenBundled() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("plugins/greet.lua", "return {hi = function() return 'beside' end}")
        try sandbox.write("bundled/greet.lua", "return {hi = function() return 'bundled' end}")
        try sandbox.write("bundled/other.lua", "return {hi = function() return 'other' end}")
        let (outcome, events) = try await sandbox.run(
            "return require('greet').hi() .. '+' .. require('other').hi()",
            pluginDirectories: [sandbox.root.appendingPathComponent("bundled")])
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        #expect(events.last { $0.event == "result" }?["value"]?.stringValue == "beside+other")
    }

    @Test func anErrorInAPluginCarriesItsFileLineAndTraceback() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("plugins/broken.lua", "local M = {}\nfunction M.go()\n  error('plugin broke')\nend\nreturn M")
        let (outcome, _) = try await sandbox.run("require('broken').go()")
        #expect(outcome.exitCode == 1)
        #expect(outcome.error?.contains("plugins/broken.lua:3: plugin broke") == true)
        #expect(outcome.error?.contains("stack traceback:") == true)
    }

    @Test func stepsEmitEventsAndCountPerMachine() async throws {
        let (outcome, events) = try await Sandbox().run("""
            parallel({{id = "m1"}, {id = "m2"}}, function(m)
              step("prepare", function() changed() end)
              step("check", function() if m.id == "m2" then error("m2 is broken") end end)
            end)
            """)
        #expect(outcome.exitCode == 1)
        let ends = events.filter { $0.event == "step_end" }
        #expect(ends.count == 4)
        #expect(ends.contains { $0.machine == "m2" && $0.step == "check" && $0["status"]?.stringValue == "failed" })
        let rows = Dictionary(uniqueKeysWithValues: outcome.recap)
        #expect(rows["m1"]?.changed == 1 && rows["m1"]?.ok == 1 && rows["m1"]?.failed == 0)
        #expect(rows["m2"]?.failed == 1)
        #expect(rows["m2"]?.firstError?.contains("m2 is broken") == true)
    }

    @Test func failSetsTheExitCode() async throws {
        let (outcome, _) = try await Sandbox().run("fail('p99 too high', {exit_code = 99})")
        #expect(outcome.exitCode == 99)
        #expect(outcome.error?.contains("flow.lua:1: p99 too high") == true)
    }
}
