-- upgrade: moves the targets' OpenClaw to --set openclaw_version=X.Y.Z, canary first.
-- The first `canary` targets upgrade first; if one fails, nothing else is touched and the run
-- exits 1. The rest then roll, --parallel at a time, stopped by --max-fail-percent. Each machine
-- is health-gated (gateway up, health RPC ok, clawrun's token accepted) and, when the gate fails,
-- rolled back to its previous version, which stays in /home/machine. Machines without a clawrun
-- npm deployment (plugins/deployment.lua) are skipped.
-- Targets: --machine ID (repeatable) or --all. Under --check it names, per machine, the version it
-- would install and what it would restart; the health gate cannot be checked before the new version
-- runs, so it is skipped (and so is a rollback).
local provision = require("provision")
local oc = require("openclaw")
local deployment = require("deployment")

local p = params{
  openclaw_version = {"", doc = "the OpenClaw version to upgrade to (required)"},
  canary = {1, doc = "how many targets upgrade first; any failure among them stops the upgrade"},
  registry = {"", doc = "the npm registry; unset: the one each machine was deployed from"},
  attempts = {4, doc = "tries of an npm install that fails transiently"},
  retry_delay = {"2s", doc = "the first pause between tries; it doubles"},
  port = {18789, doc = "gateway port inside the machine"},
  health_timeout = {"60s", doc = "how long to wait for /healthz after the restart"},
  stop_timeout = {"10s", doc = "how long the old gateway has to exit before it is killed"},
}
if not p.openclaw_version then
  fail("upgrade needs the version to go to: --set openclaw_version=X.Y.Z", {exit_code = 2})
end
if p.canary < 0 then fail("--set canary=" .. p.canary .. " must be 0 or more", {exit_code = 2}) end
local machines = targets()
if #machines == 0 then fail("upgrade needs targets: --machine ID (repeatable) or --all", {exit_code = 2}) end

local function restart_and_gate(m)
  oc.stop_switched(m, p.stop_timeout)
  oc.start(m, p)
  oc.check(m, p)
end

local function upgrade(m)
  provision.ready(m, p)
  local record = deployment.read(m)
  if not record or record.install ~= "npm" then
    step("upgrade", {verify = function()
      skipped(m.id .. (record and " runs the simulator" or " has no clawrun deployment") .. ": nothing to upgrade")
    end})
    return {id = m.id, skipped = true}
  end
  local before = oc.installed_version(m)
  if before == p.openclaw_version and oc.installed_from(m) == "npm" then
    step("upgrade", {verify = function() skipped("already on OpenClaw " .. before) end})
    return {id = m.id, version = before}
  end
  oc.install(m, {install = "npm", openclaw_version = p.openclaw_version, registry = p.registry or record.registry,
                 node_version = record.node_version, node_dist = record.node_dist, node_install = record.node_install,
                 attempts = p.attempts, retry_delay = p.retry_delay})
  local ok, err = pcall(restart_and_gate, m)
  if not ok then
    step("rollback", function()
      if not before then error("no previous version to roll back to", 0) end
      oc.use_version(m, before)
      restart_and_gate(m)
      changed()
    end)
    error(string.format("OpenClaw %s failed its health gate on %s and was rolled back to %s: %s",
                        p.openclaw_version, m.id, tostring(before), tostring(err)), 0)
  end
  local fields = {openclaw_version = p.openclaw_version, install = "npm", node_version = record.node_version,
                  node_dist = record.node_dist, node_install = record.node_install,
                  registry = p.registry or record.registry, port = p.port}
  step("record", {
    check = function()
      local differ = deployment.differences(record, fields)
      return #differ > 0, "record: " .. table.concat(differ, ", ")
    end,
    apply = function() deployment.installed(m, fields, record) end,
  })
  if checking() then return {id = m.id, version = p.openclaw_version, previous = before} end
  log.info(string.format("%s upgraded: OpenClaw %s -> %s", m.id, tostring(before), p.openclaw_version))
  return {id = m.id, version = p.openclaw_version, previous = before}
end

local function summarize(list, outcomes, into)
  for i, o in ipairs(outcomes) do
    if o.ok then
      local bucket = into[o.value.skipped and "skipped" or "upgraded"]
      bucket[#bucket + 1] = list[i].id
    elseif o.skipped then
      into.not_started[#into.not_started + 1] = list[i].id
    else
      into.failed[#into.failed + 1] = list[i].id
      log.error("machine " .. list[i].id .. " failed: " .. tostring(o.error))
    end
  end
end

local result = {upgraded = {}, skipped = {}, failed = {}, not_started = {}}
local canaries, rest = {}, {}
for i, m in ipairs(machines) do
  if i <= p.canary then canaries[#canaries + 1] = m else rest[#rest + 1] = m end
end
if #canaries > 0 then
  summarize(canaries, parallel(canaries, upgrade), result)
  if #result.failed > 0 then
    log.error(string.format("the canary failed (%s): the other %d target(s) were not touched",
                            table.concat(result.failed, ", "), #rest))
    fail("upgrade to OpenClaw " .. p.openclaw_version .. " stopped after its canary failed")
  end
end
summarize(rest, parallel(rest, upgrade), result)
log.info(string.format("%d %s, %d skipped, %d failed, %d not started", #result.upgraded,
                       checking() and "would be upgraded" or "upgraded", #result.skipped, #result.failed, #result.not_started))
if #result.failed > 0 or #result.not_started > 0 then
  fail(string.format("upgrade to OpenClaw %s: %d target(s) failed, %d not started", p.openclaw_version,
                     #result.failed, #result.not_started))
end
return result
