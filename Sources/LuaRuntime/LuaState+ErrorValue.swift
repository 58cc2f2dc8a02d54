import CLua

/// Errors as Lua values: a table with `code`, `message`, and `status`, `machine`, `step` where
/// known, whose metatable makes it print, concatenate and take string methods like its message,
/// so that code written for string errors (`tostring(e)`, `e:match(...)`, `"x" .. e`) still works
/// while `pcall` users branch on `e.code`.
extension LuaState {
    static let errorMetatableKey = "clawrun.error"

    /// Lua code of the metatable: every string method is forwarded to the message.
    static let errorMetatableSource = """
        local mt = {__name = "clawrun.error"}
        mt.__tostring = function(e) return rawget(e, "message") end
        mt.__concat = function(a, b)
          return (type(a) == "table" and rawget(a, "message") or a) .. (type(b) == "table" and rawget(b, "message") or b)
        end
        mt.__index = function(e, key)
          local f = string[key]
          if type(f) == "function" then
            return function(self, ...) return f(rawget(self, "message"), ...) end
          end
        end
        return mt
        """

    /// Pushes the error table of `error` with `message` (its text as raised, with `file:line`).
    public func pushError(_ error: HostError, message: String, context: CoroutineContext?, on thread: OpaquePointer) {
        var fields: [(String, LuaValue)] = [("code", .string(error.code)), ("message", .string(message))]
        if let status = error.status { fields.append(("status", .integer(Int64(status)))) }
        if let machine = error.machine ?? context?.label { fields.append(("machine", .string(machine))) }
        if let steps = context?.steps, !steps.isEmpty { fields.append(("step", .string(steps.joined(separator: "/")))) }
        push(.table(LuaTable(fields)), on: thread)
        pushErrorMetatable(on: thread)
        lua_setmetatable(thread, -2)
    }

    /// Pushes the shared metatable of error tables, made on first use.
    func pushErrorMetatable(on thread: OpaquePointer) {
        if lua_getfield(thread, clawrun_registry_index(), LuaState.errorMetatableKey) == LUA_TTABLE { return }
        lua_pop(thread, 1)
        let bytes = Array(LuaState.errorMetatableSource.utf8)
        let loaded = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                luaL_loadbufferx(thread, $0, buf.count, "=[clawrun]", "t")
            }
        }
        guard loaded == LUA_OK, lua_pcallk(thread, 0, 1, 0, 0, nil) == LUA_OK else {
            lua_pop(thread, 1)
            lua_newtable(thread)
            return
        }
        lua_pushvalue(thread, -1)
        lua_setfield(thread, clawrun_registry_index(), LuaState.errorMetatableKey)
    }

    /// The `message` of an error table (read raw: no metamethod runs), or nil.
    func errorMessage(at index: Int32, on thread: OpaquePointer) -> String? {
        let table = lua_absindex(thread, index)
        lua_pushstring(thread, "message")
        defer { lua_pop(thread, 1) }
        guard lua_rawget(thread, table) == LUA_TSTRING else { return nil }
        return string(at: -1, on: thread)
    }
}
