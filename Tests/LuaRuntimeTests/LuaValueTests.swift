import Testing
@testable import LuaRuntime

@Suite struct LuaValueTests {
    @Test func valuesRoundTripThroughTheStack() throws {
        let state = LuaState()
        let nested = LuaValue.table(LuaTable(
            sequence: [1, 2.5, "three", true],
            fields: [("inner", .table(LuaTable([("deep", "yes")]))), ("zero", .string("a\u{0}b"))]))
        for value: LuaValue in [.nil, true, false, 42, -7, 3.25, "", "a\u{0}b\u{0}", nested] {
            state.push(value, on: state.L)
            #expect(state.value(at: -1, on: state.L) == value)
            lua_settop_(state, 0)
        }
    }

    @Test func stringsKeepEmbeddedZerosInLua() throws {
        let state = LuaState()
        state.setGlobal("s", "x\u{0}y")
        #expect(try state.run("return #s") == [.integer(3)])
    }

    @Test func cyclesAreCutWhenCopyingOut() throws {
        let state = LuaState()
        let values = try state.run("local t = {name = 'a'}; t.self = t; return t")
        #expect(values.first?.tableValue?["name"] == .string("a"))
        #expect(values.first?.tableValue?["self"] == .nil)
    }
}

/// Clears the main stack (tests only).
func lua_settop_(_ state: LuaState, _ n: Int32) {
    state.setTop(n)
}
