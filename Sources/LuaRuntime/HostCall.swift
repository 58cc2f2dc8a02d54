import CLua

/// The arguments of one host-function call, with typed readers whose errors name the function,
/// the argument and what was expected.
public struct HostCall {
    public let state: LuaState
    /// The Lua thread (coroutine) that made the call.
    public let thread: OpaquePointer
    /// The function's Lua name, for messages.
    public let name: String
    /// How many arguments were passed.
    public let count: Int32

    init(state: LuaState, thread: OpaquePointer, name: String) {
        self.state = state
        self.thread = thread
        self.name = name
        self.count = lua_gettop(thread)
    }

    /// The Lua type name of argument `n` ("no value" past the end).
    public func typeName(_ n: Int32) -> String {
        n > count ? "no value" : String(cString: luaL_typename(thread, n))
    }

    /// Whether argument `n` is absent or nil.
    public func isNil(_ n: Int32) -> Bool { n > count || lua_type(thread, n) == LUA_TNIL }

    func bad(_ n: Int32, _ arg: String, _ expected: String) -> HostError {
        HostError("bad argument #\(n) '\(arg)' (\(expected) expected, got \(typeName(n)))")
    }

    /// A required string argument (numbers are not converted: a wrong type is an error).
    public func string(_ n: Int32, _ arg: String) throws -> String {
        guard n <= count, lua_type(thread, n) == LUA_TSTRING, let s = state.string(at: n, on: thread) else {
            throw bad(n, arg, "string")
        }
        return s
    }

    /// An optional string argument.
    public func optionalString(_ n: Int32, _ arg: String) throws -> String? {
        isNil(n) ? nil : try string(n, arg)
    }

    /// A required number argument.
    public func number(_ n: Int32, _ arg: String) throws -> Double {
        guard n <= count, lua_type(thread, n) == LUA_TNUMBER else { throw bad(n, arg, "number") }
        return lua_tonumberx(thread, n, nil)
    }

    /// A required integer argument (a float with an integral value is accepted).
    public func integer(_ n: Int32, _ arg: String) throws -> Int64 {
        let d = try number(n, arg)
        if lua_isinteger(thread, n) != 0 { return lua_tointegerx(thread, n, nil) }
        guard d == d.rounded(), abs(d) < 9.2e18 else { throw bad(n, arg, "integer") }
        return Int64(d)
    }

    /// A required table argument, copied out.
    public func table(_ n: Int32, _ arg: String) throws -> LuaTable {
        guard n <= count, lua_type(thread, n) == LUA_TTABLE else { throw bad(n, arg, "table") }
        do {
            return try state.value(checked: n, on: thread).tableValue ?? LuaTable()
        } catch {
            throw HostError("bad argument #\(n) '\(arg)' (\(error))")
        }
    }

    /// An optional table argument (nil when absent).
    public func optionalTable(_ n: Int32, _ arg: String) throws -> LuaTable? {
        isNil(n) ? nil : try table(n, arg)
    }

    /// Checks that argument `n` is a function.
    public func checkFunction(_ n: Int32, _ arg: String) throws {
        guard n <= count, lua_type(thread, n) == LUA_TFUNCTION else { throw bad(n, arg, "function") }
    }

    /// Checks that argument `n` is a table.
    public func checkTable(_ n: Int32, _ arg: String) throws {
        guard n <= count, lua_type(thread, n) == LUA_TTABLE else { throw bad(n, arg, "table") }
    }

    /// Argument `n` copied out, whatever its type, for a look at its surface (tables nested past
    /// `NestingLimit.depth` read as nil; `table` reads them with an error).
    public func value(_ n: Int32) -> LuaValue {
        n > count ? .nil : state.value(at: n, on: thread)
    }
}

/// Typed reading of option tables (`{timeout = 120, check = false}`), with messages that name the option.
extension LuaTable {
    func option(_ key: String, _ expected: String) -> HostError {
        HostError("option '\(key)' must be \(expected), got \(self[key].map(LuaTable.typeName) ?? "nil")")
    }

    static func typeName(_ v: LuaValue) -> String {
        switch v {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        }
    }

    /// A number option, or nil when absent.
    public func number(_ key: String) throws -> Double? {
        switch self[key] {
        case nil, .nil?: return nil
        case .integer(let i)?: return Double(i)
        case .number(let d)?: return d
        default: throw option(key, "a number")
        }
    }

    /// A string option, or nil when absent.
    public func string(_ key: String) throws -> String? {
        switch self[key] {
        case nil, .nil?: return nil
        case .string(let s)?: return s
        default: throw option(key, "a string")
        }
    }

    /// A boolean option, or nil when absent.
    public func bool(_ key: String) throws -> Bool? {
        switch self[key] {
        case nil, .nil?: return nil
        case .boolean(let b)?: return b
        default: throw option(key, "a boolean")
        }
    }

    /// A table option, or nil when absent.
    public func table(_ key: String) throws -> LuaTable? {
        switch self[key] {
        case nil, .nil?: return nil
        case .table(let t)?: return t
        default: throw option(key, "a table")
        }
    }

    /// Checks that every key is one of `known`, so a misspelt option is an error, not ignored.
    public func checkKeys(_ known: Set<String>) throws {
        if let unknown = fields.map(\.0).first(where: { !known.contains($0) }) {
            throw HostError("unknown option '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
    }
}
