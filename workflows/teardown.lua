-- teardown: deletes each target machine (its gateway, its persistent /home/machine) and forgets
-- its gateway token in CLAWRUN_HOME/tokens. This cannot be undone: back up first
-- (workflows/backup.lua), and confirm with --set confirm=true. Targets: --machine ID or --all.
local p = params{
  confirm = {false, doc = "must be true: the machines and everything in them are deleted"},
  timeout = {"120s", doc = "how long to wait for each machine to be destroyed"},
}
local ops = require("ops")

local machines = ops.need_targets("teardown")
if not p.confirm and #machines > 0 then
  local ids = {}
  for i, m in ipairs(machines) do ids[i] = m.id end
  fail("teardown deletes " .. #machines .. " machine(s) (" .. table.concat(ids, " ") .. ") with their data: " ..
       "add --set confirm=true to go ahead", {exit_code = 2})
end

local outcomes = parallel(machines, function(m)
  step("delete", function()
    if m.phase == "destroyed" then
      skipped("already destroyed")
    else
      machine.delete(m)
      wait_phase(m, "destroyed", {timeout = p.timeout})
      log.info("deleted " .. m.id)
      changed()
    end
    -- machine.delete forgets the token; a machine destroyed elsewhere still had one on record.
    if token.get(m) then token.forget(m) end
    if token.get(m) then error("the token of " .. m.id .. " is still on record in CLAWRUN_HOME/tokens", 0) end
  end)
  return m.id
end)

local deleted, failed = {}, {}
for i, o in ipairs(outcomes) do
  if o.ok then deleted[#deleted + 1] = o.value else failed[#failed + 1] = machines[i].id end
end
log.info(string.format("%d deleted (tokens forgotten), %d failed", #deleted, #failed))
return {deleted = deleted, failed = failed}
