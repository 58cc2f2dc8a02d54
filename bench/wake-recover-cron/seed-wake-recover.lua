-- BASELINE for bench/wake-recover-cron.sh: wake-recover as it was before issue 15 (kept verbatim
-- below): it wakes every target and chats with each one on every run.
-- wake-recover: brings the gateway of every target back after a sleep, a reboot or a crash.
-- For each target (at most --parallel at once): wake it if asleep, wait until it runs and takes
-- execs, reinstall Node.js if the reset root lost it (npm installs only), start the gateway
-- unless one runs (never a second), wait for health, and verify with a chat.
--
-- Parameters (--set key=value):
--   recreate=false       true: a machine that failed (RuntimeWakeFailed, ...) is replaced by a new
--                        one, deployed from scratch; its id is logged (the old one is deleted)
--   port=18789 health_timeout=60
--   verify=true          false: skip the verification (the token on GET /v1/models, then a chat; a chat
--                        that fails for lack of an LLM key is reported, not a failed recovery)
-- Targets: --machine ID (repeatable) or --all.
local provision = require("provision")
local oc = require("openclaw")

local machines = targets()
if #machines == 0 then fail("wake-recover needs targets: --machine ID (repeatable) or --all") end

local function recreate(m)
  return step("recreate", function()
    log.warn("machine " .. m.id .. " is " .. m.phase .. (m.reason and (" (" .. m.reason .. ")") or "") ..
             ": replacing it with a new machine (--set recreate=true)")
    pcall(machine.delete, m)
    local fresh = provision.create{vcpu = m.vcpu, memory_mib = m.memory_mib, storage_gib = m.storage_gib}
    provision.ready(fresh, args)
    oc.install(fresh, args)
    oc.configure(fresh, args)
    changed()
    return fresh
  end)
end

local outcomes = parallel(machines, function(m)
  local current = machine.get(m)
  if current.phase == "failed" or current.phase == "destroyed" then
    if args.recreate ~= "true" then
      error(string.format("machine %s is %s%s%s; wake cannot help: rerun with --set recreate=true to replace it",
        m.id, current.phase, current.reason and (" (" .. current.reason .. ")") or "",
        current.last_error and (": " .. current.last_error) or ""), 0)
    end
    m = recreate(current)
  else
    provision.wake(m)
  end
  oc.ensure_node(m)
  oc.start(m, args)
  if args.verify ~= "false" then
    step("verify", function()
      if not oc.token_accepted(m, nil, {port = tonumber(args.port)}) then
        error("the gateway of " .. m.id .. " is back but refuses clawrun's token (HTTP 401 unauthorized on " ..
              "GET /v1/models): record its token with token.save or rotate it with rotate-token", 0)
      end
    end)
    oc.greet(m, {"Are you back?"}, args)
  end
  return m.id
end)

local recovered, failed = {}, {}
for i, o in ipairs(outcomes) do
  if o.ok then recovered[#recovered + 1] = o.value else failed[#failed + 1] = machines[i].id end
end
log.info(string.format("%d recovered, %d failed", #recovered, #failed))
return {recovered = recovered, failed = failed}
