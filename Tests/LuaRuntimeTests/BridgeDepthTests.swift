import CLua
import ClawrunCore
import Foundation
import Testing
@testable import LuaRuntime

/// Sources/LuaRuntime/LuaState+Values.swift: random nested values cross the bridge exactly up to
/// `NestingLimit.depth` and are a clear error past it, both ways, and through a resume (how
/// machine data reaches a script).
@Suite struct BridgeDepthTests {
    /// A random value whose tables nest exactly `depth` deep (0: a leaf): one child carries the
    /// depth, its siblings are at most two levels deep so that the size stays linear.
    static func randomValue(depth: Int, using rng: inout SystemRandomNumberGenerator) -> LuaValue {
        guard depth > 0 else {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: return .integer(Int64.random(in: .min ... .max, using: &rng))
            case 1: return .number(Double.random(in: -1e6...1e6, using: &rng))
            case 2: return .boolean(Bool.random(using: &rng))
            case 3: return .string(String((0..<Int.random(in: 0...8, using: &rng)).map { _ in
                "ab\"\\\n\u{0}é😀".randomElement(using: &rng)! }))
            default: return .string("x")
            }
        }
        let width = Int.random(in: 1...3, using: &rng)
        let deepAt = Int.random(in: 0..<width, using: &rng)
        let children = (0..<width).map { i in
            randomValue(depth: i == deepAt ? depth - 1 : Int.random(in: 0...min(depth - 1, 2), using: &rng), using: &rng)
        }
        if Bool.random(using: &rng) { return .table(LuaTable(sequence: children)) }
        return .table(LuaTable(children.enumerated().map { ("k\($0.offset)", $0.element) }))
    }

    @Test func randomValuesRoundTripUpToTheLimitAndFailPastIt() throws {
        let state = LuaState()
        let L = state.L
        var rng = SystemRandomNumberGenerator()
        let depths = Array(1...12) + Array(190...215) + [260, 1_000] + (0..<40).map { _ in Int.random(in: 1...300, using: &rng) }
        for depth in depths {
            let value = BridgeDepthTests.randomValue(depth: depth, using: &rng)
            let top = lua_gettop(L)
            do {
                try state.push(checked: value, on: L)
                #expect(depth <= NestingLimit.depth, "a \(depth)-deep value was pushed")
                #expect(try state.value(checked: -1, on: L) == value)
                lua_settop(L, top)
            } catch {
                #expect(depth > NestingLimit.depth, "\(depth): \(error)")
                #expect("\(error)" == "nested deeper than 200 levels")
            }
            #expect(lua_gettop(L) == top)
        }
    }

    @Test func deepLuaTablesReadOutAsAnError() throws {
        let state = LuaState()
        for (depth, ok) in [(60, true), (200, true), (201, false), (10_000, false)] {
            for key in ["1", "x"] {
                let source = """
                    local t = {} local cur = t
                    for i = 2, \(depth) do cur[\(key == "1" ? "1" : "'x'")] = {} cur = cur[\(key == "1" ? "1" : "'x'")] end
                    return t
                    """
                do {
                    let value = try state.run(source).first
                    #expect(ok, "a \(depth)-deep table was read")
                    #expect(value?.tableValue != nil)
                } catch {
                    #expect(!ok, "\(depth): \(error)")
                    #expect("\(error)".contains("nested deeper than 200 levels"))
                }
            }
        }
    }

    @Test func deepResultsOfAsyncWorkRaiseAtTheCaller() async throws {
        let state = LuaState()
        let scheduler = try Scheduler(state: state)
        state.register("deliver") { call in
            let depth = Int(try call.integer(1, "depth"))
            return try scheduler.perform(call) {
                var rng = SystemRandomNumberGenerator()
                return [BridgeDepthTests.randomValue(depth: depth, using: &rng)]
            }
        }
        try state.load("""
            local function depth(v) if type(v) ~= "table" then return 0 end
              local d = 0 for _, c in pairs(v) do d = math.max(d, depth(c)) end return d + 1 end
            local ok, deep = pcall(deliver, 200)
            local bad, err = pcall(deliver, 201)
            local worse, err2 = pcall(deliver, 1000)
            return ok and depth(deep), bad, err, worse
            """, chunkName: "@t.lua")
        let values = try await scheduler.runOnOwnThread().get()
        #expect(values.first == .integer(200))
        #expect(values[1] == .boolean(false))
        #expect(values[2] == .string("t.lua:4: deliver: nested deeper than 200 levels"))
        #expect(values[3] == .boolean(false))
    }
}

/// Sources/LuaRuntime/LuaState+Values.swift and Scheduler+Parallel.swift: a table with a few
/// entries at powers of two has a border (`#t`) of 2^40; reading it out or handing it to
/// `parallel` takes no longer than its entries.
@Suite struct HugeBorderTests {
    @Test func aHugeBorderIsReadByItsEntries() async throws {
        let state = LuaState()
        let scheduler = try Scheduler(state: state)
        state.register("parallel") { call in try scheduler.parallel(&call) }
        state.register("copy") { call in .values([call.value(1)]) }
        try state.load("""
            -- 64 free hash slots and no array part, so that every key stays in the hash part.
            local fields = {}
            for i = 1, 64 do fields[i] = "k" .. i .. " = nil" end
            local t = load("return {" .. table.concat(fields, ", ") .. "}")()
            for k = 0, 40 do t[2 ^ k // 1] = k end
            assert(#t == 2 ^ 40, #t)
            local c = copy(t)
            local ok, err = pcall(parallel, t, function() end)
            return #c, c[1], c[2], ok, tostring(err)
            """, chunkName: "@t.lua")
        let values = try await scheduler.runOnOwnThread().get()
        #expect(values.prefix(4) == [.integer(2), .integer(0), .integer(1), .boolean(false)])
        #expect(values.last?.stringValue?.contains("a list of at most 10000000 items expected") == true)
    }
}
