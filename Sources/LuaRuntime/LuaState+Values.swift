import CLua

/// Moving `LuaValue`s on and off a Lua stack, with raw table access so no metamethod can raise.
extension LuaState {
    /// Pushes a value onto `thread`'s stack.
    public func push(_ value: LuaValue, on thread: OpaquePointer) {
        switch value {
        case .nil: lua_pushnil(thread)
        case .boolean(let b): lua_pushboolean(thread, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(thread, i)
        case .number(let d): lua_pushnumber(thread, d)
        case .string(let s): pushString(s, on: thread)
        case .table(let t):
            lua_createtable(thread, Int32(t.sequence.count), Int32(t.fields.count))
            for (i, v) in t.sequence.enumerated() {
                push(v, on: thread)
                lua_rawseti(thread, -2, lua_Integer(i + 1))
            }
            for (k, v) in t.fields {
                pushString(k, on: thread)
                push(v, on: thread)
                lua_rawset(thread, -3)
            }
        }
    }

    /// Pushes a string with its exact bytes (embedded zeros included).
    public func pushString(_ s: String, on thread: OpaquePointer) {
        var s = s
        s.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(thread, $0.baseAddress, $0.count) }
        }
    }

    /// Reads the string at `index` with its length (nil when not a string or number).
    public func string(at index: Int32, on thread: OpaquePointer) -> String? {
        let t = lua_type(thread, index)
        guard t == LUA_TSTRING || t == LUA_TNUMBER else { return nil }
        if t == LUA_TNUMBER {
            return lua_isinteger(thread, index) != 0
                ? String(lua_tointegerx(thread, index, nil)) : String(lua_tonumberx(thread, index, nil))
        }
        var len = 0
        guard let p = lua_tolstring(thread, index, &len) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }

    /// Copies the value at `index` out of Lua; functions and userdata become nil, and tables
    /// keep their sequence and string keys (cycles are cut).
    public func value(at index: Int32, on thread: OpaquePointer) -> LuaValue {
        var seen = Set<UnsafeRawPointer>()
        return value(at: lua_absindex(thread, index), on: thread, seen: &seen)
    }

    private func value(at index: Int32, on thread: OpaquePointer, seen: inout Set<UnsafeRawPointer>) -> LuaValue {
        switch lua_type(thread, index) {
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(thread, index) != 0)
        case LUA_TNUMBER:
            return lua_isinteger(thread, index) != 0
                ? .integer(lua_tointegerx(thread, index, nil)) : .number(lua_tonumberx(thread, index, nil))
        case LUA_TSTRING: return .string(string(at: index, on: thread) ?? "")
        case LUA_TTABLE:
            guard let ptr = lua_topointer(thread, index), !seen.contains(ptr) else { return .nil }
            seen.insert(ptr)
            defer { seen.remove(ptr) }
            var table = LuaTable()
            let n = lua_rawlen(thread, index)
            if n > 0 {
                for i in 1...n {
                    lua_rawgeti(thread, index, lua_Integer(i))
                    table.sequence.append(value(at: lua_gettop(thread), on: thread, seen: &seen))
                    lua_pop(thread, 1)
                }
            }
            lua_pushnil(thread)
            while lua_next(thread, index) != 0 {
                if lua_type(thread, -2) == LUA_TSTRING, let key = string(at: -2, on: thread) {
                    table.fields.append((key, value(at: lua_gettop(thread), on: thread, seen: &seen)))
                }
                lua_pop(thread, 1)
            }
            table.fields.sort { $0.0 < $1.0 }
            return .table(table)
        default: return .nil
        }
    }

    /// Reads `table[key]` without metamethods, leaving nothing on the stack.
    public func rawField(_ key: String, ofTableAt index: Int32, on thread: OpaquePointer) -> LuaValue {
        let abs = lua_absindex(thread, index)
        pushString(key, on: thread)
        lua_rawget(thread, abs)
        defer { lua_pop(thread, 1) }
        return value(at: -1, on: thread)
    }

    /// Pushes the unique value that marks a host yield (so user coroutines can pass it through).
    func pushYieldSentinel(on thread: OpaquePointer) {
        lua_pushlightuserdata(thread, yieldSentinel)
    }
}

/// The address that identifies host yields.
let yieldSentinel: UnsafeMutableRawPointer = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
