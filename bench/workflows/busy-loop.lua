-- A pure-Lua loop (no host call), to show what clawrun's interrupt support costs Lua code.
-- Parameters: --set iterations=100000000 (default)
local n = tonumber(args.iterations or "100000000")
local clock = os.clock
local t0 = clock()
local x = 0
for i = 1, n do x = x + i end
local seconds = clock() - t0
print(string.format("BENCH %d-iteration pure-Lua loop: %.3f s CPU", n, seconds))
return {iterations = n, seconds = seconds, sum = x}
