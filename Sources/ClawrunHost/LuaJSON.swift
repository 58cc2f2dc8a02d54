import CLua
import ClawrunCore
import LuaRuntime

/// Converts between Lua values on a stack and JSON, with raw table access (no metamethods) and
/// clear errors for what JSON cannot hold.
enum LuaJSON {
    /// The registry key of the `json.null` sentinel table.
    static let nullKey = "clawrun.json.null"

    /// Reads the value at `index` of `thread` as JSON; errors name where in the value they are.
    static func encode(_ state: LuaState, _ thread: OpaquePointer, at index: Int32) throws -> JSONValue {
        var seen = Set<UnsafeRawPointer>()
        let top = lua_gettop(thread)
        defer { lua_settop(thread, top) }
        return try encode(state, thread, lua_absindex(thread, index), path: "value", depth: 0, seen: &seen)
    }

    private static func isNull(_ thread: OpaquePointer, _ index: Int32) -> Bool {
        lua_getfield(thread, clawrun_registry_index(), nullKey)
        defer { lua_pop(thread, 1) }
        return lua_rawequal(thread, index, -1) != 0
    }

    /// `depth` counts the tables around this value; each level makes room for what it pushes
    /// (a key and a value, or the null sentinel) before it pushes it.
    private static func encode(_ state: LuaState, _ thread: OpaquePointer, _ index: Int32, path: String, depth: Int,
                               seen: inout Set<UnsafeRawPointer>) throws -> JSONValue {
        switch lua_type(thread, index) {
        case LUA_TNIL: return .null
        case LUA_TBOOLEAN: return .bool(lua_toboolean(thread, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(thread, index) != 0 { return .int(lua_tointegerx(thread, index, nil)) }
            let d = lua_tonumberx(thread, index, nil)
            guard d.isFinite else { throw HostError("cannot encode \(d) at \(path): JSON has no NaN or infinity") }
            return .double(d)
        case LUA_TSTRING: return .string(state.string(at: index, on: thread) ?? "")
        case LUA_TTABLE:
            guard lua_checkstack(thread, 3) != 0 else { throw HostError("the Lua stack cannot grow") }
            // The null sentinel is a leaf, not a level.
            if isNull(thread, index) { return .null }
            guard depth < NestingLimit.depth else { throw HostError(NestingLimit.message) }
            guard let ptr = lua_topointer(thread, index) else { return .null }
            guard !seen.contains(ptr) else { throw HostError("cannot encode a cycle: \(path) contains itself") }
            seen.insert(ptr)
            defer { seen.remove(ptr) }
            var stringKeys: [(String, Int32)] = []
            var intKeys: [Int64] = []
            var otherKey: String?
            lua_pushnil(thread)
            while lua_next(thread, index) != 0 {
                if lua_type(thread, -2) == LUA_TSTRING, let k = state.string(at: -2, on: thread) {
                    stringKeys.append((k, 0))
                } else if lua_type(thread, -2) == LUA_TNUMBER, lua_isinteger(thread, -2) != 0 {
                    intKeys.append(lua_tointegerx(thread, -2, nil))
                } else {
                    otherKey = String(cString: luaL_typename(thread, -2))
                }
                lua_pop(thread, 1)
            }
            if let otherKey {
                throw HostError("cannot encode \(path): a table key of type \(otherKey) is neither an array index nor a string")
            }
            if !stringKeys.isEmpty && !intKeys.isEmpty {
                throw HostError("cannot encode \(path): the table mixes array items and string keys (use one or the other)")
            }
            if !intKeys.isEmpty {
                let n = Int64(intKeys.count)
                guard intKeys.allSatisfy({ $0 >= 1 && $0 <= n }) else {
                    throw HostError("cannot encode \(path): a sparse array (keys must be 1..n without holes)")
                }
                var items: [JSONValue] = []
                for i in 1...n {
                    lua_rawgeti(thread, index, i)
                    defer { lua_pop(thread, 1) }
                    items.append(try encode(state, thread, lua_gettop(thread), path: "\(path)[\(i)]", depth: depth + 1,
                                        seen: &seen))
                }
                return .array(items)
            }
            var members: [(String, JSONValue)] = []
            for (key, _) in stringKeys.sorted(by: { $0.0 < $1.0 }) {
                state.pushString(key, on: thread)
                lua_rawget(thread, index)
                defer { lua_pop(thread, 1) }
                members.append((key, try encode(state, thread, lua_gettop(thread), path: "\(path).\(key)", depth: depth + 1,
                                              seen: &seen)))
            }
            return .object(members)
        default:
            throw HostError("cannot encode \(path): JSON has no \(String(cString: luaL_typename(thread, index))) values")
        }
    }

    /// Pushes a JSON value as Lua; null becomes the `json.null` sentinel inside arrays and objects
    /// and nil at the top. Throws (pushing nothing) past `NestingLimit.depth` or when the stack
    /// cannot grow.
    static func push(_ value: JSONValue, _ state: LuaState, on thread: OpaquePointer) throws {
        let top = lua_gettop(thread)
        do {
            try push(value, state, on: thread, depth: 0)
        } catch {
            lua_settop(thread, top)
            throw error
        }
    }

    private static func push(_ value: JSONValue, _ state: LuaState, on thread: OpaquePointer, depth: Int) throws {
        switch value {
        case .null:
            if depth == 0 { lua_pushnil(thread) } else { lua_getfield(thread, clawrun_registry_index(), nullKey) }
        case .bool(let b): lua_pushboolean(thread, b ? 1 : 0)
        case .int(let i): lua_pushinteger(thread, i)
        case .double(let d): lua_pushnumber(thread, d)
        case .string(let s): state.pushString(s, on: thread)
        case .array(let items):
            try makeRoom(thread, depth)
            lua_createtable(thread, Int32(clamping: items.count), 0)
            for (i, item) in items.enumerated() {
                try push(item, state, on: thread, depth: depth + 1)
                lua_rawseti(thread, -2, lua_Integer(i + 1))
            }
        case .object(let members):
            try makeRoom(thread, depth)
            lua_createtable(thread, 0, Int32(clamping: members.count))
            for (k, v) in members {
                state.pushString(k, on: thread)
                try push(v, state, on: thread, depth: depth + 1)
                lua_rawset(thread, -3)
            }
        }
    }

    private static func makeRoom(_ thread: OpaquePointer, _ depth: Int) throws {
        guard depth < NestingLimit.depth else { throw HostError(NestingLimit.message) }
        guard lua_checkstack(thread, 3) != 0 else { throw HostError("the Lua stack cannot grow") }
    }

    /// A JSON value as a `LuaValue` (for results handed over from async work); null becomes nil.
    static func luaValue(_ value: JSONValue) -> LuaValue {
        switch value {
        case .null: return .nil
        case .bool(let b): return .boolean(b)
        case .int(let i): return .integer(i)
        case .double(let d): return .number(d)
        case .string(let s): return .string(s)
        case .array(let items): return .table(LuaTable(sequence: items.map(luaValue)))
        case .object(let members): return .table(LuaTable(members.map { ($0.0, luaValue($0.1)) }))
        }
    }
}
