import ClawrunCore
import Foundation
import Testing

/// Errors raised by bindings are tables with a `code` (and `status`, `machine`, `step` where
/// known) that still read like their message; `retry` and `wait_until` run on the Swift Backoff.
@Suite struct StructuredErrorTests {
    func value(_ source: String) async throws -> JSONValue? {
        let (outcome, events) = try await Sandbox().run(source)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        return events.last { $0.event == "result" }?["value"]
    }

    @Test func aBadArgumentIsATableThatStillReadsLikeItsMessage() async throws {
        let v = try await value("""
            local ok, e = pcall(sleep, "soon")
            return {ok = ok, type = type(e), code = e.code, text = tostring(e), concat = "E: " .. e,
                    match = e:match("bad argument #1 '(%a+)'"), find = e:find("sleep:", 1, true) ~= nil,
                    formatted = string.format("%s", e)}
            """)
        #expect(v?["ok"] == .bool(false) && v?["type"] == .string("table"))
        #expect(v?["code"] == .string("bad_argument"))
        #expect(v?["text"]?.stringValue?.hasSuffix("flow.lua:1: sleep: bad argument #1 'seconds' (number expected, got string)") == true)
        #expect(v?["concat"] == v?["text"].flatMap { $0.stringValue.map { .string("E: " + $0) } })
        #expect(v?["match"] == .string("seconds") && v?["find"] == .bool(true))
        #expect(v?["formatted"] == v?["text"])
    }

    @Test func anAsyncProviderErrorCarriesItsCodeStatusMachineAndStep() async throws {
        // StubProvider answers an unknown id as the API does: 404 machine_not_found.
        let v = try await value("""
            local r = parallel({"dm-gone"}, function(id)
              return step("look", function()
                local ok, e = pcall(machine.get, id)
                return {code = e.code, status = e.status, machine = e.machine, step = e.step}
              end)
            end)
            return r[1].value
            """)
        #expect(v?["code"] == .string("machine_not_found"))
        #expect(v?["status"] == .int(404))
        #expect(v?["step"] == .string("look"))
    }

    @Test func anUncaughtErrorTableEndsTheRunWithItsMessage() async throws {
        let (outcome, _) = try await Sandbox().run("local ok, e = pcall(sleep, -1)\nerror(e, 0)")
        #expect(outcome.exitCode == 1)
        #expect(outcome.error?.split(separator: "\n").first?.hasSuffix("flow.lua:1: sleep: bad argument #1 'seconds' "
            + "(a number from 0 to 31622400 expected, got -1.0)") == true, "\(outcome.error ?? "")")
    }

    @Test func retryRepeatsUntilSuccessAndGivesUpAfterItsAttempts() async throws {
        let v = try await value("""
            local calls = 0
            local got = retry(function(attempt)
              calls = calls + 1
              if attempt < 3 then sleep(-1) end
              return "third"
            end, {attempts = 5, backoff = {initial = 0.001, factor = 2, cap = 0.01}})
            local tries = 0
            local ok, e = pcall(retry, function() tries = tries + 1; sleep(-1) end,
                                {attempts = 2, backoff = {initial = 0.001, factor = 1, cap = 0.001}})
            local only = 0
            pcall(retry, function() only = only + 1; error("plain") end, {attempts = 4, on = {"timeout"}})
            return {got = got, calls = calls, tries = tries, code = e.code, only = only}
            """)
        #expect(v?["got"] == .string("third") && v?["calls"] == .int(3))
        #expect(v?["tries"] == .int(2) && v?["code"] == .string("bad_argument"))
        #expect(v?["only"] == .int(1))
    }

    @Test func waitUntilReturnsTheFirstTrueValueOrRaisesATimeout() async throws {
        let v = try await value("""
            local n = 0
            local got = wait_until(function() n = n + 1; if n == 2 then error("not yet") end; return n >= 4 and n end,
                                   {backoff = {initial = 0.001, factor = 1, cap = 0.001}})
            local ok, e = pcall(wait_until, function() error("still down") end,
                                {timeout = 0.01, backoff = {initial = 0.002, factor = 1, cap = 0.002}, what = "the thing"})
            return {got = got, code = e.code, text = tostring(e)}
            """)
        #expect(v?["got"] == .int(4) && v?["code"] == .string("timeout"))
        #expect(v?["text"]?.stringValue?.contains("flow.lua:4: wait_until: timed out after 0.01 s waiting for the thing") == true,
                "\(v?["text"]?.stringValue ?? "")")
        #expect(v?["text"]?.stringValue?.contains("still down") == true)
    }
}
