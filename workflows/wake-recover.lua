-- wake-recover: keeps a fleet's gateways serving, made for cron. For each target (at most --parallel
-- at once) that should be serving: a running machine, or a sleeping one only with --set wake=true
-- (otherwise it is skipped as asleep, so autosleep keeps working). A machine without a
-- clawrun-deployed gateway (no deploy record, /home/machine/.clawrun/deployment.json) is skipped
-- and nothing is installed on it. A healthy gateway is left alone; a dead or wedged one (process
-- up, /healthz or the health RPC silent) is restarted, as is one whose port a stale process holds
-- (that process is ended). Then the health RPC and the recorded token are checked; a chat only
-- with --set chat=true. Targets: --machine ID (repeatable) or --all.
-- Under --check nothing changes: the recap says which machines would be woken (nothing after the
-- wake is planned for them: a sleeping machine takes no exec), recreated, or restarted, and how.
local p = params{
  wake = {false, doc = "true: wake sleeping targets too (cron: leave false so that machines can sleep)"},
  chat = {false, doc = "true: end with a chat (an LLM call per machine: on request only)"},
  verify = {true, doc = "check the health RPC and the recorded token after recovery"},
  recreate = {false, doc = "true: replace a failed machine with a new one, deployed from scratch"},
  port = {18789, doc = "gateway port inside the machine"},
  health_timeout = {"60s", doc = "how long to wait for /healthz after a restart"},
  probe_timeout = {"5s", doc = "how long a running gateway's /healthz may stay silent before it counts as wedged"},
}
local provision = require("provision")
local oc = require("openclaw")
local ops = require("ops")
local deployment = require("deployment")

local machines = ops.need_targets("wake-recover")

local function recreate(m)
  return step("recreate", {
    check = function()
      return true, "recreate: replace the " .. m.phase .. " machine with a new one, deployed from scratch"
    end,
    apply = function()
      log.warn("machine " .. m.id .. " is " .. m.phase .. (m.reason and (" (" .. m.reason .. ")") or "") ..
               ": replacing it with a new machine (--set recreate=true)")
      pcall(machine.delete, m)
      local fresh = provision.create{vcpu = m.vcpu, memory_mib = m.memory_mib, storage_gib = m.storage_gib}
      provision.ready(fresh, {})
      oc.install(fresh, p)
      oc.configure(fresh, p)
      fresh.recreated = true
      return fresh
    end,
  })
end

local outcomes = parallel(machines, function(m)
  local current = machine.get(m)
  if current.phase == "failed" or current.phase == "destroyed" then
    if not p.recreate then
      error(string.format("machine %s is %s%s%s; wake cannot help: rerun with --set recreate=true to replace it",
        m.id, current.phase, current.reason and (" (" .. current.reason .. ")") or "",
        current.last_error and (": " .. current.last_error) or ""), 0)
    end
    m = recreate(current)
    -- Under --check the machine is not replaced, and nothing can be planned on one that is not there.
    if not m then return {id = current.id, action = "would recreate"} end
  end
  local was = current.phase
  -- One step decides whether this machine is recovered: it must run (or be woken, with wake=true)
  -- and have a clawrun-deployed gateway. A machine that fails either is skipped and left as it was.
  -- A wake (wake=true) is a step of its own, inside this one.
  local why = step("target", {verify = function()
    if not m.recreated then
      local up, reason = ops.reach(m, p)
      if not up then
        if reason == "asleep" then skipped("asleep: --set wake=true wakes it") end
        return reason
      end
      if not ops.deployment(m) then
        skipped("no clawrun-deployed gateway (no deploy record " .. deployment.path .. ")")
        return "not deployed"
      end
    end
  end})
  if why == "not deployed" and was ~= "running" then
    -- Woken only to read its record: let it sleep again.
    step("sleep", {
      check = function() return true, "sleep: put back to sleep (woken only to read its deploy record)" end,
      apply = function()
        machine.sleep(m)
        log.info("put " .. m.id .. " back to sleep")
      end,
    })
  end
  if why then return {id = m.id, action = why} end
  oc.ensure_node(m)
  local action = oc.recover(m, p)
  if p.verify then oc.check(m, p) end
  if p.chat then oc.greet(m, {"Are you back?"}, p) end
  return {id = m.id, action = action, woken = was ~= "running"}
end)

local result = {recovered = {}, healthy = {}, skipped = {}, failed = {}}
-- Under --check: what would happen to each machine.
local planned = {restarted = "would_recover", ["would wake"] = "would_wake", ["would recreate"] = "would_recreate"}
if checking() then result.would_recover, result.would_wake, result.would_recreate, result.recovered = {}, {}, {}, nil end
for i, o in ipairs(outcomes) do
  local action = o.ok and o.value.action
  if not o.ok then
    table.insert(result.failed, machines[i].id)
  elseif checking() and planned[action] then
    table.insert(result[planned[action]], o.value.id)
  elseif action == "restarted" then
    table.insert(result.recovered, o.value.id)
  elseif action == "healthy" then
    table.insert(result.healthy, o.value.id)
  else
    table.insert(result.skipped, {id = o.value.id, why = action})
  end
end
if checking() then
  log.info(string.format("--check: %d would be woken, %d recreated, %d recovered; %d healthy, %d skipped, %d failed",
                         #result.would_wake, #result.would_recreate, #result.would_recover, #result.healthy,
                         #result.skipped, #result.failed))
else
  log.info(string.format("%d recovered, %d already healthy, %d skipped, %d failed",
                         #result.recovered, #result.healthy, #result.skipped, #result.failed))
end
return result
