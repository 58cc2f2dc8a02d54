-- Cost of a Lua-to-Swift call that returns at once (`now()`), against a Lua function doing the
-- same loop, so that the loop's own cost is subtracted.
-- Parameters: --set calls=2000000 (default)
local n = tonumber(args.calls or "2000000")
local clock = os.clock
local function lua_now() return 0 end
local t0 = clock()
for _ = 1, n do lua_now() end
local base = clock() - t0
t0 = clock()
for _ = 1, n do now() end
local host = clock() - t0
local per_call = (host - base) / n
log.info(string.format("%d host calls: %.3f s (Lua loop alone %.3f s): %.0f ns a call, %.1f million calls/s",
  n, host, base, per_call * 1e9, 1 / per_call / 1e6))
return {calls = n, ns_per_call = per_call * 1e9, calls_per_second = 1 / per_call}
