-- Benchmark setup: puts every target to sleep again.
parallel(targets(), function(m)
  step("sleep", function()
    if m.phase ~= "sleeping" then
      machine.sleep(m)
      wait_phase(m, "sleeping", {timeout = 300})
    end
  end)
end)
