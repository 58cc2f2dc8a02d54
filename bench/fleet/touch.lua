-- Memory benchmark: a step per target that reads the machine, over the whole fleet.
parallel(targets(), function(m)
  step("read", function()
    local fresh = machine.get(m.id)
    if fresh.phase ~= "sleeping" then error("expected sleeping, got " .. fresh.phase) end
  end)
end)
