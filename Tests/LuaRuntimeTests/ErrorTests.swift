import Testing
import ClawrunCore
@testable import LuaRuntime

@Suite struct ErrorTests {
    @Test func syntaxErrorsAreReportedWithFileAndLine() throws {
        let state = LuaState()
        #expect {
            try state.load("local x = \n  = 3", chunkName: "@flow.lua")
        } throws: { error in
            let e = error as? LuaError
            return e?.kind == .syntax && e?.message.hasPrefix("flow.lua:2:") == true
        }
    }

    @Test func hostFunctionErrorsNameTheFunctionArgumentAndLine() throws {
        let state = LuaState()
        state.register("greet") { call in .values([.string("hi " + (try call.string(1, "name")))]) }
        #expect(throws: LuaError.self) { try state.run("greet(42)", chunkName: "@g.lua") }
        do {
            try state.run("\ngreet(42)", chunkName: "@g.lua")
        } catch let e as LuaError {
            #expect(e.message.hasPrefix("g.lua:2: greet: bad argument #1 'name' (string expected, got number)"))
            #expect(e.message.contains("stack traceback:"))
        }
    }

    @Test func tenThousandRaisingHostCallsLeakNothing() throws {
        let state = LuaState()
        state.register("boom") { call in
            // Alive across the throw, so that a leak on the raising path would show in the count.
            try withExtendedLifetime(Tracked()) { _ = try call.string(1, "text") }
            return .values([])
        }
        #expect(Tracked.live.withLock { $0 } == 0)
        try state.run("""
            for i = 1, 10000 do
              local ok, err = pcall(boom, i)
              assert(not ok and err:find("boom: bad argument #1 'text'"), err)
            end
            """)
        #expect(Tracked.live.withLock { $0 } == 0)
    }
}

/// Counts its live instances, to show that a raising host call releases what it held.
final class Tracked {
    static let live = Locked(0)
    init() { Tracked.live.withLock { $0 += 1 } }
    deinit { Tracked.live.withLock { $0 -= 1 } }
}
