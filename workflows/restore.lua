-- restore: puts a backup made by workflows/backup.lua back into a machine's /home/machine/.openclaw
-- (the folder it replaces is kept beside it as .openclaw.before-restore-TIME), records the
-- restored gateway token, and restarts and checks the gateway when clawrun deployed one there
-- (otherwise deploy starts it). Targets: --machine ID, one per run.
local p = params{
  dir = {"", doc = "the backup folder: DIR/MACHINE-ID as backup wrote it, or any folder with its manifest.json"},
  port = {18789, doc = "gateway port inside the machine"},
  health_timeout = {"60s", doc = "how long to wait for /healthz after the restart"},
  wake = {true, doc = "wake a sleeping target (false: skip it)"},
}
local oc = require("openclaw")
local ops = require("ops")

if not p.dir then fail("restore needs --set dir=FOLDER (a folder written by workflows/backup.lua)", {exit_code = 2}) end
local machines = ops.need_targets("restore")
if #machines ~= 1 then
  fail("restore puts one backup into one machine: choose it with one --machine ID", {exit_code = 2})
end
local m = machines[1]

-- In `parallel`, so that the run's recap credits the steps to the machine.
local outcome = parallel({m}, function(m)
  local done = step("restore", function()
    local up, why = ops.reach(m, p)
    if not up then
      skipped(why)
      return nil
    end
    local r = ops.restore(m, p.dir)
    log.info("restored " .. tostring(r.files) .. " files into " .. ops.state_dir ..
             (r.kept and ("; the previous folder is kept as " .. r.kept) or ""))
    local tok = oc.lookup(openclaw.config_file(m) or {}, "gateway.auth.token")
    if type(tok) == "string" and tok ~= "" then
      token.save(m, tok)
      log.info("recorded the restored gateway token for " .. m.id)
    else
      log.warn("the restored config has no gateway.auth.token: deploy sets one")
    end
    changed()
    return r
  end)
  if not done then return {restored = false, machine = m.id} end
  if ops.deployment(m) then
    oc.restart(m, p)
    oc.check(m, p)
  else
    log.info(m.id .. " has no clawrun-deployed gateway: deploy it to start the restored one " ..
             "(clawrun workflows/deploy.lua --machine " .. m.id .. ")")
  end
  return {restored = true, machine = m.id, kept = done.kept}
end)[1]
return outcome.ok and outcome.value or {restored = false, machine = m.id}
