-- Issue 3's figures, through clawrun as a user runs it: create → running for one local machine
-- as wait_phase sees it (its polls are 20 ms apart, so this is a multiple of that, not the boot's
-- own time), the round trip of exec(m, "true"), and `true` on 100 machines at once against one
-- exec. Medians are the upper middle value of an even count.
local function median(values)
  local sorted = {}
  for i, v in ipairs(values) do sorted[i] = v end
  table.sort(sorted)
  return sorted[#sorted // 2 + 1], sorted[1], sorted[#sorted]
end

local function report(label, values)
  local mid, low, high = median(values)
  print(string.format("BENCH %s: median %.1f ms, min %.1f ms, max %.1f ms (n=%d)",
    label, mid * 1000, low * 1000, high * 1000, #values))
  return mid
end

local boots = {}
for i = 1, 5 do
  local started = now()
  local m = machine.create{memory_mib = 256}
  wait_phase(m, "running")
  boots[i] = now() - started
  machine.delete(m)
  wait_phase(m, "destroyed")
end
report("create → running (seen by wait_phase)", boots)

local count = tonumber(args.machines or "100")
local items = {}
for i = 1, count do items[i] = i end
local fleet = {}
for i, r in ipairs(parallel(items, function()
  local m = machine.create{memory_mib = 256}
  wait_phase(m, "running", {timeout = 120})
  return m
end, {limit = 16})) do
  if not r.ok then error(r.error, 0) end
  fleet[i] = r.value
end

local trips = {}
for i = 1, 30 do
  local started = now()
  exec(fleet[1], "true")
  trips[i] = now() - started
end
local one = report('exec(m, "true") round trip', trips)

local waves = {}
for i = 1, 5 do
  local started = now()
  local _, summary = parallel(fleet, function(m) exec(m, "true") end, {limit = count})
  if summary.failed > 0 then error(summary.failed .. " execs failed", 0) end
  waves[i] = now() - started
end
local wave = report(string.format('`true` on %d machines at once', count), waves)
print(string.format("BENCH ratio %d at once / one exec: %.2f× (target < 3×: %s)", count, wave / one,
  wave / one < 3 and "met" or "missed"))

parallel(fleet, function(m) machine.delete(m); wait_phase(m, "destroyed", {timeout = 120}) end, {limit = 32})
