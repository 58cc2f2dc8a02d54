import CLua
import Foundation

/// Stops pure-Lua code when a run is interrupted, without a hook until then (see the shim's
/// `clawrun_stop_signal_handler`). The only caller of the shim's stop functions, whose
/// thread-local state exists once per object file.
enum LuaInterrupt {
    /// Whether interrupts reach running Lua code. `CLAWRUN_LUA_INTERRUPT=off` turns it off, only
    /// so that bench/lua-interrupt.sh can compare the same loop with and without it.
    static let enabled: Bool = {
        guard ProcessInfo.processInfo.environment["CLAWRUN_LUA_INTERRUPT"] != "off" else { return false }
        return clawrun_install_stop_handler() == 0
    }()

    /// `lua_resume`, keeping track of the innermost Lua thread running on this OS thread.
    static func resume(_ co: OpaquePointer, from: OpaquePointer?, nargs: Int32, nres: inout Int32) -> Int32 {
        enabled ? clawrun_resume(co, from, nargs, &nres) : lua_resume(co, from, nargs, &nres)
    }

    /// Pushes the `coroutine.resume` that the prelude wraps: tracked like the scheduler's own.
    static func pushCoroutineResume(on L: OpaquePointer) {
        if enabled {
            lua_pushcclosure(L, clawrun_coresume, 0)
        } else {
            lua_getglobal(L, "coroutine")
            lua_getfield(L, -1, "resume")
            lua_remove(L, -2)
        }
    }

    /// A scheduler's turn on the calling OS thread: the stop signal reaches it while `body` runs.
    static func turn<R>(_ body: () -> R) -> R {
        guard enabled else { return body() }
        var old = sigset_t()
        clawrun_begin_turn(&old)
        defer { clawrun_end_turn(&old) }
        return body()
    }

    /// Makes the Lua code running on `thread` raise (the thread must be in a turn).
    static func stop(_ thread: pthread_t) {
        if enabled { _ = clawrun_stop_thread(thread) }
    }
}
