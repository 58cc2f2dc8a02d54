-- restart: stops each target's gateway (and whatever stale process holds its port), starts it
-- again from its start script and checks it (port, /healthz, health RPC, the recorded token). Only
-- machines clawrun deployed; a sleeping machine is skipped unless --set wake=true.
-- Targets: --machine ID (repeatable) or --all.
local p = params{
  port = {18789, doc = "gateway port inside the machine"},
  health_timeout = {"60s", doc = "how long to wait for /healthz after the start"},
  wake = {false, doc = "true: wake a sleeping target and start its gateway"},
}
local oc = require("openclaw")
local ops = require("ops")

local machines = ops.need_targets("restart")

local outcomes = parallel(machines, function(m)
  local go = step("target", function()
    local up, why = ops.reach(m, p)
    if not up then
      skipped(why .. ": --set wake=true wakes it")
      return false
    end
    if not ops.deployment(m) then
      error("machine " .. m.id .. " has no clawrun-deployed gateway to restart: deploy it first " ..
            "(clawrun workflows/deploy.lua --machine " .. m.id .. ")", 0)
    end
    return true
  end)
  if not go then return {id = m.id, restarted = false} end
  oc.ensure_node(m)
  oc.restart(m, p)
  oc.check(m, p)
  return {id = m.id, restarted = true}
end)

local restarted, failed, skipped_ = {}, {}, {}
for i, o in ipairs(outcomes) do
  local id = machines[i].id
  if not o.ok then failed[#failed + 1] = id
  elseif o.value.restarted then restarted[#restarted + 1] = id
  else skipped_[#skipped_ + 1] = id end
end
log.info(string.format("%d restarted, %d skipped, %d failed", #restarted, #skipped_, #failed))
return {restarted = restarted, skipped = skipped_, failed = failed}
