import CLua

/// A host function: reads its arguments through the call, then returns values, or suspends its
/// coroutine until the scheduler resumes it. It must never raise or yield itself: throwing makes
/// the trampoline raise after this Swift frame has returned.
public typealias HostFunction = (inout HostCall) throws -> HostResult

/// How a host function ends.
public enum HostResult {
    /// Return these values to Lua.
    case values([LuaValue])
    /// Return the top `n` values the function pushed itself.
    case pushed(Int32)
    /// Yield the coroutine; the scheduler resumes it with results or an error later.
    case suspend
}

/// One `lua_State` and the Swift functions registered into it. Not thread-safe: one thread (the
/// scheduler's) owns it for the whole run.
public final class LuaState {
    /// The main Lua thread.
    public let L: OpaquePointer
    var hostFunctions: [(name: String, fn: HostFunction)] = []
    /// Set by the scheduler that drives this state, so that host functions can suspend.
    public internal(set) weak var scheduler: Scheduler?

    /// Opens a new state with the standard libraries.
    public init() {
        guard let L = luaL_newstate() else { fatalError("Lua could not allocate a state") }
        self.L = L
        luaL_openlibs(L)
        lua_atpanic(L, luaPanic)
        lua_getextraspace(L).storeBytes(of: Unmanaged.passUnretained(self).toOpaque(), as: UnsafeMutableRawPointer.self)
    }

    deinit { lua_close(L) }

    /// The Swift state that owns a Lua thread.
    static func owner(of L: OpaquePointer) -> LuaState {
        let raw = lua_getextraspace(L).load(as: UnsafeMutableRawPointer.self)
        return Unmanaged<LuaState>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Pushes a host function onto the main thread's stack.
    public func pushHostFunction(_ name: String, _ fn: @escaping HostFunction) {
        hostFunctions.append((name, fn))
        lua_pushinteger(L, lua_Integer(hostFunctions.count - 1))
        clawrun_pushhostfunction(L, hostDispatch, 1)
    }

    /// Sets a global to a host function; a dotted name (`log.info`) goes into that global table,
    /// which is created when missing.
    public func register(_ name: String, _ fn: @escaping HostFunction) {
        let parts = name.split(separator: ".").map(String.init)
        if parts.count == 1 {
            pushHostFunction(name, fn)
            lua_setglobal(L, name)
            return
        }
        if lua_getglobal(L, parts[0]) != LUA_TTABLE {
            lua_pop(L, 1)
            lua_newtable(L)
            lua_pushvalue(L, -1)
            lua_setglobal(L, parts[0])
        }
        pushHostFunction(name, fn)
        lua_setfield(L, -2, parts[1])
        lua_pop(L, 1)
    }

    /// Sets a global variable.
    public func setGlobal(_ name: String, _ value: LuaValue) {
        push(value, on: L)
        lua_setglobal(L, name)
    }

    /// Compiles a chunk and leaves its function on the main stack; a syntax error throws.
    public func load(_ source: String, chunkName: String) throws {
        let bytes = Array(source.utf8)
        let rc = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buf.count, 1)) {
                luaL_loadbufferx(L, $0, buf.count, chunkName, "t")
            }
        }
        if rc != LUA_OK {
            let msg = errorText(at: -1, on: L)
            lua_pop(L, 1)
            throw LuaError(kind: .syntax, message: msg)
        }
    }

    /// Compiles a file (chunk named `@path`, so messages say `path:line`) and leaves its function on the stack.
    public func loadFile(_ path: String) throws {
        if luaL_loadfilex(L, path, "t") != LUA_OK {
            let msg = errorText(at: -1, on: L)
            lua_pop(L, 1)
            throw LuaError(kind: .syntax, message: msg)
        }
    }

    /// Runs a chunk on the main thread in protected mode, outside any scheduler (for setup code and
    /// tests); returns its results.
    @discardableResult
    public func run(_ source: String, chunkName: String = "=(host)") throws -> [LuaValue] {
        let base = lua_gettop(L)
        try load(source, chunkName: chunkName)
        lua_pushcclosure(L, tracebackHandler, 0)
        lua_insert(L, -2)
        let rc = lua_pcall(L, 0, LUA_MULTRET, base + 1)
        defer { lua_settop(L, base) }
        if rc != LUA_OK {
            throw LuaError(kind: .runtime, message: errorText(at: -1, on: L))
        }
        let top = lua_gettop(L)
        do {
            return top < base + 2 ? [] : try (base + 2...top).map { try value(checked: $0, on: L) }
        } catch {
            throw LuaError(kind: .runtime, message: "the chunk's results: \(error)")
        }
    }

    /// The text of an error value without running metamethods (which could raise): a string, or
    /// the `message` of an error table.
    public func errorText(at index: Int32, on thread: OpaquePointer) -> String {
        if lua_type(thread, index) == LUA_TTABLE, let message = errorMessage(at: index, on: thread) { return message }
        switch lua_type(thread, index) {
        case LUA_TSTRING, LUA_TNUMBER:
            var len = 0
            guard let p = lua_tolstring(thread, index, &len) else { return "(error)" }
            return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
        case LUA_TNIL:
            return "(error object is nil)"
        default:
            return "(error object is a \(String(cString: luaL_typename(thread, index))) value)"
        }
    }
}

/// Lua's last resort: an error outside any protected call. It should never happen; say so loudly.
private func luaPanic(_ L: OpaquePointer?) -> Int32 {
    let msg = L.flatMap { lua_tolstring($0, -1, nil) }.map { String(cString: $0) } ?? "?"
    fatalError("PANIC: unprotected error in call to Lua API (\(msg))")
}

/// A message handler for `lua_pcall` that appends the traceback to string messages.
let tracebackHandler: @convention(c) (OpaquePointer?) -> Int32 = { L in
    guard let L else { return 0 }
    let msg = LuaState.owner(of: L).errorText(at: 1, on: L)
    luaL_traceback(L, L, msg, 1)
    return 1
}

/// The one C entry point of every host function; upvalue 2 is its index in `hostFunctions`.
let hostDispatch: @convention(c) (OpaquePointer?) -> Int32 = { L in
    guard let L else { return 0 }
    let state = LuaState.owner(of: L)
    let index = Int(lua_tointegerx(L, lua_upvalueindex(2), nil))
    let entry = state.hostFunctions[index]
    var call = HostCall(state: state, thread: L, name: entry.name)
    do {
        switch try entry.fn(&call) {
        case .values(let values):
            try state.push(checked: values, on: L)
            return Int32(values.count)
        case .pushed(let n):
            return n
        case .suspend:
            state.pushYieldSentinel(on: L)
            return CLAWRUN_YIELD_BASE - 1
        }
    } catch {
        let hostError = HostError.from(error)
        let named = hostError.bare ? hostError.message : "\(entry.name): \(hostError.message)"
        state.pushError(hostError, message: state.callerLocation(L) + named, context: state.scheduler?.current?.context, on: L)
        return CLAWRUN_RAISE
    }
}

extension LuaState {
    /// Sets the main stack's height (drops or pads with nils).
    public func setTop(_ n: Int32) { lua_settop(L, n) }

    /// `file:line: ` of the innermost Lua code calling into the host, skipping C functions and
    /// chunks named `=[...]` (the host's own Lua), so errors point at the script's own line.
    public func callerLocation(_ thread: OpaquePointer) -> String {
        var ar = lua_Debug()
        var level: Int32 = 1
        while lua_getstack(thread, level, &ar) != 0 {
            lua_getinfo(thread, "Sl", &ar)
            let source = withUnsafeBytes(of: &ar.short_src) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if ar.currentline > 0 && !source.hasPrefix("[") {
                return "\(source):\(ar.currentline): "
            }
            level += 1
        }
        return ""
    }
}
