-- Benchmark setup for bench/wake-recover-cron.sh: puts the targets listed in --set asleep=ID,ID
-- to sleep and makes sure the others run; returns how many are asleep.
local asleep = {}
for id in tostring(args.asleep or ""):gmatch("[^,]+") do asleep[id] = true end
parallel(targets(), function(m)
  if asleep[m.id] then
    if m.phase ~= "sleeping" then
      machine.sleep(m)
      wait_phase(m, "sleeping", {timeout = 300})
    end
  elseif m.phase ~= "running" then
    machine.wake(m)
    wait_phase(m, "running", {timeout = 300})
  end
end)
