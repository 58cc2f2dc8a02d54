import Testing
@testable import LuaRuntime

@Suite struct SchedulerTests {
    func makeState() throws -> (LuaState, Scheduler) {
        let state = LuaState()
        let scheduler = try Scheduler(state: state)
        state.register("sleep") { call in try scheduler.sleep(call, seconds: try call.number(1, "seconds")) }
        state.register("parallel") { call in try scheduler.parallel(&call) }
        state.register("later") { call in
            let v = try call.string(1, "value")
            return try scheduler.perform(call) {
                try await Task.sleep(nanoseconds: 1_000_000)
                if v == "fail" { throw HostError("asked to fail") }
                return [.string(v + "!")]
            }
        }
        return (state, scheduler)
    }

    func run(_ source: String) async throws -> Result<[LuaValue], LuaError> {
        let (state, scheduler) = try makeState()
        try state.load(source, chunkName: "@t.lua")
        return await scheduler.runOnOwnThread()
    }

    @Test func asyncResultsReturnToTheCaller() async throws {
        #expect(try await run("return later('a') .. later('b')").get() == [.string("a!b!")])
    }

    @Test func asyncFailuresRaiseAtTheCallersLine() async throws {
        let r = try await run("\nlocal ok, e = pcall(function() return later('fail') end)\nreturn ok, tostring(e)")
        let values = try r.get()
        #expect(values.first == .boolean(false))
        #expect(values.last?.stringValue == "t.lua:2: later: asked to fail")
    }

    @Test func oneFailingParallelItemDoesNotStopTheOthers() async throws {
        let (state, scheduler) = try makeState()
        var reported: [String] = []
        scheduler.onCoroutineError = { _, message in reported.append(message) }
        try state.load("""
            local results, summary = parallel({1, 2, 3, 4}, function(i)
              sleep(0.01 * i)
              if i == 2 then error("item two broke") end
              return i * 10, "extra"
            end, {limit = 2})
            return results[1].value, results[2].ok, results[2].error, results[4].values[2], summary.failed, summary.ok
            """, chunkName: "@p.lua")
        let v = try await scheduler.runOnOwnThread().get()
        #expect(v[0] == .integer(10))
        #expect(v[1] == .boolean(false))
        #expect(v[2].stringValue?.hasPrefix("p.lua:3: item two broke") == true)
        #expect(v[2].stringValue?.contains("stack traceback:") == true)
        #expect(v[3] == .string("extra"))
        #expect(v[4] == .integer(1))
        #expect(v[5] == .integer(3))
        #expect(reported.count == 1)
    }

    @Test func parallelNeverRunsMoreThanTheLimit() async throws {
        let r = try await run("""
            local running, peak = 0, 0
            parallel({1,2,3,4,5,6,7,8,9,10}, function()
              running = running + 1; peak = math.max(peak, running)
              sleep(0.005)
              running = running - 1
            end, {limit = 3})
            return peak
            """)
        #expect(try r.get() == [.integer(3)])
    }

    @Test func hostCallsInsideUserCoroutinesPassThrough() async throws {
        let r = try await run("""
            local gen = coroutine.wrap(function()
              coroutine.yield(later('x'))
              sleep(0.001)
              coroutine.yield('y')
            end)
            return gen() .. gen()
            """)
        #expect(try r.get() == [.string("x!y")])
    }

    @Test func errorsInTheMainCoroutineCarryATraceback() async throws {
        let r = try await run("local function f() error('bad') end\nf()")
        guard case .failure(let e) = r else { Issue.record("expected failure"); return }
        #expect(e.message.hasPrefix("t.lua:1: bad"))
        #expect(e.message.contains("stack traceback:"))
    }

    @Test func waitingWhereLuaCannotYieldIsAClearError() async throws {
        let r = try await run("""
            local t = {3, 1, 2}
            local ok, e = pcall(table.sort, t, function(a, b) sleep(0) return a < b end)
            return ok, tostring(e)
            """)
        let v = try r.get()
        #expect(v[0] == .boolean(false))
        #expect(v[1].stringValue?.contains("cannot wait here") == true)
    }
}
