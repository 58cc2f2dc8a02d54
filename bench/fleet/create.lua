-- Benchmark setup: creates args.count machines and puts them to sleep, as a fleet between cron runs is.
local items = {}
for i = 1, tonumber(args.count) do items[i] = i end
local results = parallel(items, function()
  local m = machine.create{memory_mib = 256}
  wait_phase(m, "running", {timeout = 300})
  machine.sleep(m)
  wait_phase(m, "sleeping", {timeout = 300})
end)
for _, r in ipairs(results) do
  if not r.ok then error(r.error, 0) end
end
