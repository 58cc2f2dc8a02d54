-- The shape of wake-recover, per machine: wake it if asleep, wait until it runs, exec one
-- command. The first `alone` targets (--set alone=N, 5 by default) are recovered one at a time,
-- and one machine's time is the median of theirs; the other targets then go through `parallel`
-- at the run's --parallel limit. Returns both times for bench/fleet.sh.
local function recover(m)
  step("recover", function()
    local fresh = machine.get(m.id)
    if fresh.phase ~= "running" then
      if fresh.phase == "sleeping" then machine.wake(fresh) end
      wait_phase(fresh, "running", {timeout = 300})
      changed()
    end
    exec(fresh, "true")
  end)
end

local all = targets()
local alone = tonumber(args.alone) or 5
local times = {}
for i = 1, alone do
  local started = now()
  recover(all[i])
  times[i] = now() - started
end
table.sort(times)
local one = times[(alone + 1) // 2]

local fleet = {}
for i = alone + 1, #all do fleet[#fleet + 1] = all[i] end
local started = now()
local _, summary = parallel(fleet, recover)
if summary.failed > 0 then error(summary.failed .. " machines failed", 0) end
return {one = one, fleet = now() - started, count = #fleet}
