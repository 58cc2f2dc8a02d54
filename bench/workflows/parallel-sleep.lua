-- Wall time of `parallel` over N items that each sleep(0.1), for N = 1,000, 10,000, 100,000.
-- Parameters: --set sizes=1000,10000,100000 (default)
local sizes = {}
for n in (args.sizes or "1000,10000,100000"):gmatch("%d+") do sizes[#sizes + 1] = tonumber(n) end
local report = {}
for _, n in ipairs(sizes) do
  local items = {}
  for i = 1, n do items[i] = i end
  local t0 = now()
  local _, summary = parallel(items, function() sleep(0.1) end, {limit = n})
  local wall = now() - t0
  assert(summary.ok == n)
  log.info(string.format("parallel %7d x sleep(0.1): %.3f s wall", n, wall))
  report[#report + 1] = {items = n, wall_s = wall}
end
return report
