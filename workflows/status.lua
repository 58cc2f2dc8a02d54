-- status: one row per machine (the targets, or every machine when none is chosen): its phase,
-- whether clawrun deployed a gateway there, whether that gateway is up, its OpenClaw and Node.js
-- versions, whether clawrun has its token on record, and when a deploy last changed its record
-- (deployed_at: a deploy that changes nothing leaves it). It changes nothing and does not wake a
-- sleeping machine (its gateway shows as asleep). A table on stdout; with --json a `table` event
-- and the rows as the result.
local p = params{
  port = {18789, doc = "gateway port inside the machines"},
  probe_timeout = {"2s", doc = "how long /healthz may stay silent before a running gateway counts as wedged"},
}
local oc = require("openclaw")
local ops = require("ops")

local machines = targets()
if #machines == 0 then
  machines = {}
  for _, m in ipairs(machine.list()) do
    if m.phase ~= "destroyed" then machines[#machines + 1] = m end
  end
end

if #machines == 0 then log.info("no machines") end

local gateway_words = {healthy = "up", wedged = "wedged", dead = "down", stale = "down (port held)"}

local outcomes = parallel(machines, function(m)
  local row = {machine = m.id, phase = m.phase, token = token.get(m) ~= nil}
  if m.phase ~= "running" then
    row.gateway = (m.phase == "sleeping" or m.phase == "stopping") and "asleep" or nil
    return row
  end
  local record = ops.deployment(m)
  row.deployed = record ~= nil
  if record then
    row.gateway = gateway_words[oc.state(m, p).status]
    row.last_deploy = record.deployed_at or record.installed_at or record.updated_at
  end
  local v = oc.versions(m)
  row.openclaw = v.openclaw or (record and record.openclaw_version)
  row.node = v.node or (record and record.node_version)
  return row
end)

local rows = {}
for i, o in ipairs(outcomes) do
  if o.ok then
    rows[i] = o.value
  else
    rows[i] = {machine = machines[i].id, phase = machines[i].phase, gateway = "unknown: " .. tostring(o.error):sub(1, 80)}
  end
end
output.table(rows, {"machine", "phase", "deployed", "gateway", "openclaw", "node", "token", "last_deploy"})
return {machines = rows}
