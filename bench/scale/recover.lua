-- The shape of wake-recover per machine, for bench/scale.sh and the fleet scale tests: read it,
-- wake it if asleep, wait until it runs, exec one command.
parallel(targets(), function(m)
  step("recover", function()
    local fresh = machine.get(m.id)
    if fresh.phase ~= "running" then
      if fresh.phase == "sleeping" then machine.wake(fresh) end
      wait_phase(fresh, "running", {timeout = 300})
      changed()
    end
    exec(fresh, "true")
  end)
end)
