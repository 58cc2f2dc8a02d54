-- provision: machines that are up and reachable.
--   provision.create(opts)      creates a machine sized by opts (vcpu, memory_mib, storage_gib, autosleep, network)
--   provision.ready(m, opts)    wakes a sleeping machine, waits for the running phase, then for the guest
--                               agent to take execs
--   provision.wake(m)           wakes a sleeping machine and waits until it runs (recreate: see wake-recover)
local M = {}

local function number_arg(opts, name, default)
  local v = opts[name]
  if v == nil or v == "" then return default end
  local n = tonumber(v)
  if not n then error(string.format("--set %s=%s is not a number", name, tostring(v)), 0) end
  return n
end

function M.create(opts)
  opts = opts or {}
  return step("create", function()
    local m = machine.create{
      vcpu = number_arg(opts, "vcpu", 2),
      memory_mib = number_arg(opts, "memory_mib", 4096),
      storage_gib = number_arg(opts, "storage_gib", 10),
      autosleep = opts.autosleep,
      network = opts.network,
    }
    log.info("created machine " .. m.id)
    changed()
    return m
  end)
end

-- The guest agent may refuse the first execs after the running phase (the seed's "503 on first
-- exec"): retry a trivial exec with backoff instead of sleeping a fixed 5 s.
function M.wait_agent(m, timeout)
  wait_until(function() return exec(m, {"/bin/true"}, {timeout = 30}) ~= nil end,
             {timeout = timeout or 60, backoff = {initial = 0.05, factor = 2, cap = 2},
              what = "the guest agent of " .. m.id .. " to take an exec"})
end

function M.ready(m, opts)
  opts = opts or {}
  -- A sleeping machine never reaches running by itself: wake it instead of waiting out the timeout.
  if m.phase == "sleeping" or m.phase == "stopping" then return M.wake(m) end
  step("wait-running", function()
    wait_phase(m, "running", {timeout = number_arg(opts, "timeout", 300)})
    M.wait_agent(m)
  end)
  return m
end

function M.wake(m)
  return step("wake", function()
    local fresh = machine.get(m)
    for k, v in pairs(fresh) do m[k] = v end
    if m.phase == "sleeping" or m.phase == "stopping" then
      wait_phase(m, {"sleeping", "running"}, {timeout = 120})
      if m.phase == "sleeping" then
        machine.wake(m)
        log.info("woke " .. m.id)
        changed()
      end
    end
    wait_phase(m, "running", {timeout = 300})
    M.wait_agent(m)
    return m
  end)
end

return M
