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

#endif
