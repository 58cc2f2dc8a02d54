-- The shape of wake-recover, per machine: wake it if asleep, wait until it runs, exec one
-- command. The first target is recovered alone to time one machine; the others then go through
-- `parallel` at the run's --parallel limit. Returns both times for bench/fleet.sh.
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
local started = now()
recover(all[1])
local one = now() - started

local fleet = {}
for i = 2, #all do fleet[#fleet + 1] = all[i] end
started = now()
local _, summary = parallel(fleet, recover)
if summary.failed > 0 then error(summary.failed .. " machines failed", 0) end
return {one = one, fleet = now() - started, count = #fleet}
