/* Debian's Lua 5.4 for Swift: the function-like macros re-declared as inline functions, and the
   trampoline that lets Swift host functions raise or yield only after their frames have returned. */
#ifndef CLAWRUN_CLUA_SHIM_H
#define CLAWRUN_CLUA_SHIM_H

#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

#undef lua_upvalueindex
static inline int lua_upvalueindex(int i) { return LUA_REGISTRYINDEX - i; }
#undef lua_pcall
static inline int lua_pcall(lua_State *L, int n, int r, int f) { return lua_pcallk(L, n, r, f, 0, NULL); }
#undef lua_pop
static inline void lua_pop(lua_State *L, int n) { lua_settop(L, -(n) - 1); }
#undef lua_newtable
static inline void lua_newtable(lua_State *L) { lua_createtable(L, 0, 0); }
#undef lua_insert
static inline void lua_insert(lua_State *L, int i) { lua_rotate(L, i, 1); }
#undef lua_remove
static inline void lua_remove(lua_State *L, int i) { lua_rotate(L, i, -1); lua_pop(L, 1); }
#undef lua_getextraspace
static inline void *lua_getextraspace(lua_State *L) { return (void *)((char *)(L) - LUA_EXTRASPACE); }
#undef luaL_typename
static inline const char *luaL_typename(lua_State *L, int i) { return lua_typename(L, lua_type(L, i)); }

static inline int clawrun_registry_index(void) { return LUA_REGISTRYINDEX; }

/* What a Swift host function returns to its trampoline. Non-negative: that many results. */
#define CLAWRUN_RAISE (-1)     /* raise the value on top of the stack as an error */
#define CLAWRUN_YIELD_BASE (-2) /* -2 - n: yield the top n values */

/* The Swift side of every host function: it must never raise or yield itself. */
typedef int (*clawrun_swift_fn)(lua_State *L);

/* Continues a host function after its coroutine is resumed by the scheduler with
   (true, results...) or (false, message): raising here is safe, no Swift frame is live. */
static inline int clawrun_resume_k(lua_State *L, int status, lua_KContext ctx) {
    int base = (int)ctx;
    (void)status;
    if (!lua_toboolean(L, base + 1)) {
        lua_settop(L, base + 2);
        return lua_error(L);
    }
    return lua_gettop(L) - (base + 1);
}

/* Called by Lua with the Swift function as upvalue 1 (a light userdata); raises or yields for
   Swift after the Swift frames have returned, so longjmp never crosses them. */
static inline int clawrun_trampoline(lua_State *L) {
    clawrun_swift_fn fn = (clawrun_swift_fn)lua_touserdata(L, lua_upvalueindex(1));
    int r = fn(L);
    if (r >= 0) return r;
    if (r == CLAWRUN_RAISE) return lua_error(L);
    int n = CLAWRUN_YIELD_BASE - r;
    return lua_yieldk(L, n, (lua_KContext)(lua_gettop(L) - n), clawrun_resume_k);
}

/* Pushes a host function: the trampoline closing over the Swift function pointer and `extra`
   further upvalues already on the stack. */
static inline void clawrun_pushhostfunction(lua_State *L, clawrun_swift_fn fn, int extra) {
    lua_pushlightuserdata(L, (void *)fn);
    if (extra > 0) lua_insert(L, -extra - 1);
    lua_pushcclosure(L, clawrun_trampoline, extra + 1);
}

/* Stopping pure-Lua code (`while true do end`) on an interrupt, at no cost until then: the
   scheduler's OS thread gets CLAWRUN_STOP_SIGNAL (pthread_kill), and the handler, running on
   that thread, sets a hook on the Lua thread being resumed there, as lua.c does for Ctrl-C
   (lua_sethook may be called from a signal handler). A count hook installed from the start
   would cost every instruction a call into luaG_traceexec (measured: a 10^8 loop ran 2x slower,
   whatever the count). The hook raises from C, so no Swift frame is skipped.
   The statics below exist once per object file that uses them: only
   Sources/LuaRuntime/LuaInterrupt.swift may call these functions. */
#include <signal.h>
#include <pthread.h>

#define CLAWRUN_STOP_SIGNAL SIGURG

/* The innermost Lua thread being resumed on this OS thread, and whether a stop was asked. */
struct clawrun_stop_state {
    lua_State *running;
    volatile sig_atomic_t stopping;
};
static inline struct clawrun_stop_state *clawrun_stop_state(void) {
    static _Thread_local struct clawrun_stop_state state;
    return &state;
}
#define clawrun_running (clawrun_stop_state()->running)
#define clawrun_stopping (clawrun_stop_state()->stopping)

static inline void clawrun_stop_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    luaL_where(L, 0);
    lua_pushliteral(L, "interrupted: the run was stopped while this Lua code ran");
    lua_concat(L, 2);
    lua_error(L);
}

/* Makes `L` raise at its next instruction, call or return (and again if the error is caught). */
static inline void clawrun_arm(lua_State *L) {
    lua_sethook(L, clawrun_stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

static inline void clawrun_stop_signal_handler(int sig) {
    (void)sig;
    clawrun_stopping = 1;
    lua_State *L = clawrun_running;
    if (L != NULL) clawrun_arm(L);
}

/* Installs the handler once per process (SA_RESTART: waits in progress go on). */
static inline int clawrun_install_stop_handler(void) {
    struct sigaction sa;
    sa.sa_handler = clawrun_stop_signal_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(CLAWRUN_STOP_SIGNAL, &sa, NULL);
}

/* Starts a scheduler's turn on this OS thread: no stop asked yet, and the signal let through
   (threads made from Swift concurrency's pool block every signal). `old` keeps the mask. */
static inline void clawrun_begin_turn(sigset_t *old) {
    clawrun_stopping = 0;
    clawrun_running = NULL;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, CLAWRUN_STOP_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, old);
}

/* Ends the turn: the thread's mask as it was. */
static inline void clawrun_end_turn(const sigset_t *old) {
    pthread_sigmask(SIG_SETMASK, old, NULL);
    clawrun_stopping = 0;
    clawrun_running = NULL;
}

/* Asks the OS thread running a scheduler's turn to stop its Lua code. */
static inline int clawrun_stop_thread(pthread_t thread) {
    return pthread_kill(thread, CLAWRUN_STOP_SIGNAL);
}

/* lua_resume that keeps clawrun_running on the innermost thread, and arms both sides of the
   resume when a stop was asked (before the resume, or while it ran). */
static inline int clawrun_resume(lua_State *co, lua_State *from, int nargs, int *nres) {
    lua_State *outer = clawrun_running;
    if (clawrun_stopping) clawrun_arm(co);
    clawrun_running = co;
    int status = lua_resume(co, from, nargs, nres);
    clawrun_running = outer;
    if (clawrun_stopping && outer != NULL) clawrun_arm(outer);
    return status;
}

/* coroutine.resume (lcorolib's luaB_coresume) over clawrun_resume, so a script's own coroutines
   are tracked too. A plain C function: raising here skips no Swift frame. */
static inline int clawrun_coresume(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co != NULL, 1, "coroutine");
    int narg = lua_gettop(L) - 1, nres;
    if (!lua_checkstack(co, narg)) {
        lua_pushboolean(L, 0);
        lua_pushliteral(L, "too many arguments to resume");
        return 2;
    }
    lua_xmove(L, co, narg);
    int status = clawrun_resume(co, L, narg, &nres);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushboolean(L, 0);
            lua_pushliteral(L, "too many results to resume");
            return 2;
        }
        lua_pushboolean(L, 1);
        lua_xmove(co, L, nres);
        return nres + 1;
    }
    lua_pushboolean(L, 0);
    lua_xmove(co, L, 1);
    return 2;
}

#endif
