import CLua
import ClawrunCore

/// Moving `LuaValue`s on and off a Lua stack, with raw table access so no metamethod can raise.
extension LuaState {
    /// Pushes a value onto `thread`'s stack, or throws (pushing nothing) when it is nested deeper
    /// than `NestingLimit.depth` or the stack cannot grow to hold it.
    public func push(checked value: LuaValue, on thread: OpaquePointer) throws {
        let top = lua_gettop(thread)
        if let failure = pushValue(value, on: thread, depth: 0) {
            lua_settop(thread, top)
            throw HostError(failure)
        }
    }

    /// Pushes a value the host built itself (a machine, an option table: shallow by
    /// construction); one past the limit is pushed as nil. Values from outside go through
    /// `push(checked:on:)`.
    public func push(_ value: LuaValue, on thread: OpaquePointer) {
        if (try? push(checked: value, on: thread)) == nil { lua_pushnil(thread) }
    }

    /// Pushes `values` for a return or a resume, all or none.
    public func push(checked values: [LuaValue], on thread: OpaquePointer) throws {
        let top = lua_gettop(thread)
        guard values.count < Int(Int32.max) - 8, lua_checkstack(thread, Int32(values.count) + 1) != 0 else {
            throw HostError("too many values for the Lua stack (\(values.count))")
        }
        do {
            for v in values { try push(checked: v, on: thread) }
        } catch {
            lua_settop(thread, top)
            throw error
        }
    }

    /// `depth` counts the tables around this value; each level makes room for a table, a key and
    /// a value before it pushes them. Returns why it stopped, or nil when all was pushed.
    private func pushValue(_ value: LuaValue, on thread: OpaquePointer, depth: Int) -> String? {
        switch value {
        case .nil: lua_pushnil(thread)
        case .boolean(let b): lua_pushboolean(thread, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(thread, i)
        case .number(let d): lua_pushnumber(thread, d)
        case .string(let s): pushString(s, on: thread)
        case .table(let t):
            guard depth < NestingLimit.depth else { return NestingLimit.message }
            guard lua_checkstack(thread, 3) != 0 else { return "the Lua stack cannot grow" }
            lua_createtable(thread, Int32(clamping: t.sequence.count), Int32(clamping: t.fields.count))
            for (i, v) in t.sequence.enumerated() {
                if let failure = pushValue(v, on: thread, depth: depth + 1) { return failure }
                lua_rawseti(thread, -2, lua_Integer(i + 1))
            }
            for (k, v) in t.fields {
                pushString(k, on: thread)
                if let failure = pushValue(v, on: thread, depth: depth + 1) { return failure }
                lua_rawset(thread, -3)
            }
        }
        return nil
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
    /// keep their sequence and string keys (cycles are cut). A table nested deeper than
    /// `NestingLimit.depth` is an error.
    public func value(checked index: Int32, on thread: OpaquePointer) throws -> LuaValue {
        var seen = Set<UnsafeRawPointer>()
        let top = lua_gettop(thread)
        defer { lua_settop(thread, top) }
        guard let v = value(at: lua_absindex(thread, index), on: thread, depth: 0, seen: &seen) else {
            throw HostError(NestingLimit.message)
        }
        return v
    }

    /// Copies the value at `index` out of Lua like `value(checked:on:)`, for callers that only
    /// look at its surface (a machine's `id`, a list of phase names): tables past the limit read
    /// as nil.
    public func value(at index: Int32, on thread: OpaquePointer) -> LuaValue {
        (try? value(checked: index, on: thread)) ?? .nil
    }

    /// nil when a table is nested too deep (or the stack cannot grow to walk it).
    private func value(at index: Int32, on thread: OpaquePointer, depth: Int, seen: inout Set<UnsafeRawPointer>) -> LuaValue? {
        switch lua_type(thread, index) {
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(thread, index) != 0)
        case LUA_TNUMBER:
            return lua_isinteger(thread, index) != 0
                ? .integer(lua_tointegerx(thread, index, nil)) : .number(lua_tonumberx(thread, index, nil))
        case LUA_TSTRING: return .string(string(at: index, on: thread) ?? "")
        case LUA_TTABLE:
            guard let ptr = lua_topointer(thread, index), !seen.contains(ptr) else { return .nil }
            guard depth < NestingLimit.depth, lua_checkstack(thread, 3) != 0 else { return nil }
            seen.insert(ptr)
            defer { seen.remove(ptr) }
            // One pass over the entries, not 1...rawlen: a table of 41 entries can have a border
            // of 2^40 (t[2^k] for every k), which would take for ever to read.
            var table = LuaTable()
            var items: [Int64: LuaValue] = [:]
            lua_pushnil(thread)
            while lua_next(thread, index) != 0 {
                let keyType = lua_type(thread, -2)
                if keyType == LUA_TSTRING || (keyType == LUA_TNUMBER && lua_isinteger(thread, -2) != 0) {
                    guard let item = value(at: lua_gettop(thread), on: thread, depth: depth + 1, seen: &seen) else {
                        return nil
                    }
                    if keyType == LUA_TSTRING, let key = string(at: -2, on: thread) {
                        table.fields.append((key, item))
                    } else if keyType == LUA_TNUMBER {
                        items[lua_tointegerx(thread, -2, nil)] = item
                    }
                }
                lua_pop(thread, 1)
            }
            var i: Int64 = 1
            while let item = items[i] {
                table.sequence.append(item)
                i += 1
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

/// The address that identifies host yields. Unsafe only in name: it is allocated once, never
/// written or read through, and serves only as an identity that Lua compares.
nonisolated(unsafe) let yieldSentinel: UnsafeMutableRawPointer = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
